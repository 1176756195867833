"""How one entry of ``/api/meta-data`` becomes the :class:`~.parameter_spec.ParameterSpec` of its kind.

A current description names the server's parameter class by its ontology URIs (``owl_uri``); an
older one (1.3.3) gives only name, units and value, from which the kind is guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .generations import CURRENT
from .kinds import kind_from_owl_uri, kind_named
from .parameter_spec import ParameterSpec
from .time_parameters import time_formats

__all__ = [
    "kind_from_owl_uri",
    "is_format_companion",
    "guess_kind",
    "parameter_from_description",
]

_ANGLE_UNITS = {"deg", "degree", "arcsec", "arcmin", "rad", "mas", "hourangle"}
_ENERGY_UNITS = {"keV", "eV", "MeV", "GeV", "TeV", "Hz", "MHz", "GHz"}
_TIME_INTERVAL_UNITS = {"s", "minute", "hour", "day", "year"}
_CATALOG_NAMES = {"selected_catalog", "user_catalog"}
_PRODUCT_LIST_NAMES = {"scw_list", "p_list"}


def is_format_companion(entry: Mapping[str, Any]) -> bool:
    """Whether a description entry is the format argument of the entry before it (``T_format``).

    The server writes these as ``{"name": ..., "units": "str", "value": ...}`` with neither
    restrictions nor ontology URIs.
    """
    name = entry.get("name")
    return (
        isinstance(name, str)
        and name.endswith("format")
        and entry.get("units") == "str"
        and "restrictions" not in entry
        and not entry.get("owl_uri")
    )


def guess_kind(entry: Mapping[str, Any]) -> str:
    """The kind of an entry that carries no ontology URI (1.3.3 descriptions, catalogs).

    Rules, first match wins:

    1. ``selected_catalog`` / ``user_catalog`` -> user_catalog;
    2. ``scw_list`` / ``p_list``, or an unnamed entry -> input_prod_list;
    3. a ``*format`` text entry without restrictions -> format (a companion);
    4. an entry with ``restrictions`` (a current description, which sends the URIs of every
       typed class) -> untyped: the server's plain ``Parameter`` class, which takes any value;
    5. units naming a time format (``isot``, ``mjd``...) -> time; ``sec`` -> time_delta;
    6. units ``deg``/``arcsec``/``arcmin``/``rad`` -> angle; energy or frequency units -> energy;
       ``sigma`` -> detection_threshold; ``s``/``minute``/``hour``/``day``/``year`` -> time_interval;
    7. by the default's type: bool -> boolean, int -> integer, float -> float, dict -> structured,
       list -> input_prod_list, text (or units ``str``) -> string;
    8. otherwise unknown.
    """
    name = entry.get("name")
    units = entry.get("units")
    value = entry.get("value")
    if name in _CATALOG_NAMES:
        return "user_catalog"
    if name in _PRODUCT_LIST_NAMES or name is None:
        return "input_prod_list"
    if is_format_companion(entry):
        return "format"
    if "restrictions" in entry:
        return "untyped"
    if isinstance(units, str):
        if units == "sec":
            return "time_delta"
        if units in time_formats() and (value is None or isinstance(value, str | int | float)):
            return "time"
        if units in _ANGLE_UNITS:
            return "angle"
        if units in _ENERGY_UNITS:
            return "energy"
        if units == "sigma":
            return "detection_threshold"
        if units in _TIME_INTERVAL_UNITS and isinstance(value, int | float):
            return "time_interval"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dict):
        return "structured"
    if isinstance(value, list):
        return "input_prod_list"
    if isinstance(value, str) or units == "str":
        return "string"
    return "unknown"


def parameter_from_description(
    entry: Mapping[str, Any],
    next_entry: Mapping[str, Any] | None = None,
    *,
    generation: str = CURRENT,
) -> ParameterSpec:
    """Build the :class:`ParameterSpec` of one entry of ``/api/meta-data``.

    Parameters
    ----------
    entry : Mapping
        ``{"name", "units", "value", ["restrictions"], ["owl_uri"], ["extra_metadata"]}``.
    next_entry : Mapping, optional
        The entry that follows; when it is a format companion (``T_format``), the time parameter
        records it as its ``format_parameter``.
    generation : str
        The server generation that wrote the description (see :mod:`.generations`).

    Returns
    -------
    ParameterSpec
        An instance of the subclass matching the server's parameter class.
    """
    owl_uri = entry.get("owl_uri") or ()
    if isinstance(owl_uri, str):
        owl_uri = (owl_uri,)
    if owl_uri:
        kind = kind_from_owl_uri(owl_uri) or "unknown"
    else:
        kind = guess_kind(entry)
    restrictions = entry.get("restrictions")
    extra = entry.get("extra_metadata") or {}
    if restrictions is None:
        # Older descriptions carry no restrictions: a parameter without a default is optional.
        optional = entry.get("value") is None or kind == "format"
        restrictions = {}
    else:
        optional = bool(restrictions.get("is_optional", False))
    format_parameter = None
    if (
        kind in ("time", "time_delta")
        and next_entry is not None
        and is_format_companion(next_entry)
    ):
        format_parameter = next_entry["name"]
    cls = kind_named(kind).spec_class
    return cls(
        entry.get("name"),
        units=entry.get("units"),
        default=entry.get("value"),
        optional=optional,
        allowed_values=restrictions.get("allowed_values"),
        min_value=restrictions.get("min_value"),
        max_value=restrictions.get("max_value"),
        schema=restrictions.get("schema"),
        owl_uri=tuple(owl_uri),
        label=extra.get("label"),
        description=extra.get("description"),
        group=extra.get("group"),
        format_parameter=format_parameter,
        generation=generation,
    )
