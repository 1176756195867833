"""Reading a dispatcher request: wire values to a normalised parameter dictionary.

The rules are the dispatcher's: the first value of each argument; ``"\\x00"`` means None; JSON
text is decoded only when it gives a list or an object; ``selected_catalog`` and
``catalog_selected_objects`` stay as sent; ``scw_list`` may be repeated or comma-separated.
Parameters are then set product query first, instrument query, source query, each to its value in
default units and formats (or its default), and arguments no query declares are dropped (and
reported) unless ``allow_unknown_args=True``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from astropy.table import Table
from werkzeug.datastructures import MultiDict

from .descriptions import NON_PARAMETER_ARGS, InstrumentDescription
from .errors import ConstructorFailed, RequestNotUnderstood
from .generations import CURRENT

__all__ = [
    "NOT_INCLUDED",
    "lacking_roles_message",
    "normalise",
    "read_arguments",
    "requested_catalog",
    "read_scw_list",
    "unused_comment",
]

#: Never part of the normalised request (the dispatcher's list).
NOT_INCLUDED = ("user_catalog",)


def read_arguments(values: MultiDict) -> dict[str, Any]:
    """The request's arguments as the dispatcher decodes them."""
    arguments: dict[str, Any] = {}
    for key, value in values.to_dict().items():
        if key in ("catalog_selected_objects", "selected_catalog"):
            arguments[key] = value
            continue
        if value == "\x00":
            arguments[key] = None
            continue
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            arguments[key] = value
            continue
        arguments[key] = decoded if isinstance(decoded, (dict, list)) else value
    return arguments


def read_scw_list(values: MultiDict, arguments: dict[str, Any]) -> bool:
    """Apply the dispatcher's ``scw_list``/``use_scws`` rules; True if the request gave a list."""
    use_scws = arguments.pop("use_scws", None)
    if "scw_list" not in arguments:
        if use_scws == "form_list":
            raise RequestNotUnderstood(
                "scw_list parameter was expected to be passed, but it has not been found, "
                "please check the inputs"
            )
        return False
    if use_scws in ("no", "user_file"):
        raise RequestNotUnderstood(
            "scw_list parameter was found despite use_scws was indicating this was not provided, "
            "please check the inputs"
        )
    given = values.getlist("scw_list")
    if len(given) > 1:
        arguments["scw_list"] = given
    elif len(given) == 1 and isinstance(given[0], str):
        if len(given[0].split()) > 1:
            raise RequestNotUnderstood(
                "a space separated science windows list is an unsupported format, "
                "please provide it as a comme separated list"
            )
        if "," in given[0]:
            arguments["scw_list"] = [item.strip() for item in given[0].split(",")]
    return True


def normalise(
    instrument: InstrumentDescription,
    arguments: Mapping[str, Any],
    product: str | None,
    generation: str,
    include_scw_list: bool,
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:
    """Set every parameter of the request.

    Returns
    -------
    normalised : dict
        The request as the job sees it (``analysis_parameters``).
    values : dict
        Parameter name to normalised value, for the product's parameters only.
    unknown : list of str
        Arguments dropped because no query declares them.

    Raises
    ------
    RequestNotUnderstood, ConstructorFailed
        For the first bad value, in the dispatcher's order.
    """
    if product is not None:
        try:
            parameters = instrument.parameters(product)
        except KeyError as e:
            raise ConstructorFailed(e.args[0]) from None
    else:
        parameters = instrument.all_parameters()
    normalised = dict(arguments)
    values: dict[str, Any] = {}
    for param in parameters:
        if param.name is None or param.name in NOT_INCLUDED:
            continue
        if param.name == "scw_list" and not include_scw_list:
            # the dispatcher leaves the list out of the request when none was given
            values[param.name] = []
            continue
        value = param.read(arguments, generation)
        normalised[param.name] = value
        values[param.name] = value
        normalised.update(param.companions())
    known = set(NON_PARAMETER_ARGS)
    for param in instrument.all_parameters():
        known.update(param.argument_names(CURRENT))
    unknown: list[str] = []
    if str(arguments.get("allow_unknown_args")) != "True":
        for key in list(normalised):
            if key not in known:
                del normalised[key]
                unknown.append(key)
    return normalised, values, unknown


def unused_comment(unknown: list[str]) -> str:
    """The note the dispatcher adds to ``exit_status.comment`` about dropped arguments."""
    if not unknown:
        return ""
    if len(unknown) == 1:
        return f"Please note that argument {unknown[0]} is not used"
    return f"Please note that arguments {', '.join(unknown)} are not used"


def requested_catalog(arguments: Mapping[str, Any]) -> tuple[dict | None, list[int] | None]:
    """The selected catalog (a dict) and the ``meta_ID`` selection, checked as the dispatcher does."""
    selection = None
    if arguments.get("catalog_selected_objects") not in (None, ""):
        try:
            selection = [int(x) for x in str(arguments["catalog_selected_objects"]).split(",")]
        except ValueError:
            raise RequestNotUnderstood(
                "the selected catalog is wrongly formatted, please check your inputs"
            ) from None
    text = arguments.get("selected_catalog")
    if text in (None, ""):
        return None, selection
    try:
        catalog = json.loads(text) if isinstance(text, str) else text
    except json.JSONDecodeError as e:
        raise ConstructorFailed(str(e)) from None
    if not isinstance(catalog, dict):
        raise ConstructorFailed(f"list indices must be integers or slices, not str: {text!r:.60}")
    try:
        names = catalog["cat_column_names"]
        table = Table(catalog["cat_column_list"], names=names)
        for column in ("src_names", "significance", catalog["cat_lon_name"],
                       catalog["cat_lat_name"], "meta_ID"):
            table[column]
        catalog["cat_frame"], catalog["cat_coord_units"]
    except KeyError as e:
        raise ConstructorFailed(repr(e.args[0]) if e.args else "KeyError") from None
    except (ValueError, TypeError) as e:
        raise RequestNotUnderstood(str(e)) from None
    return catalog, selection


def lacking_roles_message(
    roles: tuple[str, ...], values: Mapping[str, Any], scw_given: list[str]
) -> str | None:
    """The INTEGRAL plugin's refusal when the token's roles do not cover the request, else None."""
    needed: dict[str, str] = {}
    max_pointings = int(values.get("max_pointings") or 0)
    if max_pointings > 50:
        needed["unige-hpc-full"] = (
            f"it is needed to request > 50 ScW, you requested max_pointings={max_pointings}"
        )
    if len(scw_given) > 50:
        needed["unige-hpc-full"] = (
            f"it is needed to request > 50 ScW, you requested scw_list) = [ .. {len(scw_given)} items .. ]"
        )
    if max_pointings > 500 or len(scw_given) > 500:
        needed["unige-hpc-extreme"] = "it is needed to request > 500 ScW"
    if values.get("integral_data_rights") == "public" and any(s.endswith(".000") for s in scw_given):
        needed["integral-public-nrt"] = (
            "some of the pointings you requested are NRT, but you requested public data. "
            "This was likely a mistake, since almost none of of NRT data is public."
        )
    if values.get("integral_data_rights") == "all-private":
        needed["integral-private-qla"] = (
            "this role is needed to access private INTEGRAL data requested with "
            'integral_data_rights == "all-private"'
        )
    lacking = sorted(set(needed) - set(roles))
    if not lacking:
        return None
    lines = "\n".join(f" - {role}: {needed[role]}" for role in lacking)
    return (
        "Unfortunately, your priviledges are not sufficient to make the request for this "
        "particular product and parameter combination.\n"
        f"- Your priviledge roles include {list(roles)}\n"
        "- You are lacking all of the following roles:\n"
        f"{lines}\n"
        "You can request support if you think you should be able to make this request."
    )
