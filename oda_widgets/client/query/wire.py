"""Request encoding: a request's fields and their query-string text, exactly as oda_api sends them.

:func:`run_analysis_fields` lists the fields of a ``/run_analysis`` request for a job;
:func:`encode_parameters` writes them as query-string fields.

oda_api (``DispatcherAPI.parameters_dict_payload``) JSON-encodes list, dict and set values except
for ``scw_list``, ``selected_catalog`` and ``catalog_selected_objects``, sends ``None`` as the
character NUL (which the dispatcher reads back as ``None``) and drops a ``None`` token; ``requests``
then writes a list as repeated keys, a bool as ``True``/``False`` and a number with ``str()``.

A float is written in positional notation (``0.00001``, not ``1e-05``): 1.3.3 reads angles with
astropy's angle parser, which refuses exponents, and every generation reads positional text.

Two cases where oda_api's encoding loses data are written the way the dispatcher reads them instead:
a dict given for ``selected_catalog`` is sent as its JSON text (``requests`` would send its keys),
and a list given for ``catalog_selected_objects`` as comma-separated ids (the dispatcher reads only
the first of repeated keys).
"""

from __future__ import annotations

import json
import math
import secrets
import string
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..jobs import Job
    from ..transport.secret import SecretToken

__all__ = [
    "MAX_GET_SIZE",
    "UNENCODED_KEYS",
    "NONE_ON_WIRE",
    "payload",
    "number_text",
    "encode_parameters",
    "use_post",
    "new_session_id",
    "run_analysis_fields",
]

#: oda_api switches from GET to POST when the JSON of the payload is longer than this.
MAX_GET_SIZE = 1000

#: Arguments whose lists are sent as repeated keys rather than JSON text.
UNENCODED_KEYS = frozenset({"scw_list", "selected_catalog", "catalog_selected_objects"})

NONE_ON_WIRE = "\x00"

_SESSION_ALPHABET = string.ascii_uppercase + string.digits


def payload(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as oda_api holds them just before sending (its ``parameters_dict_payload``).

    Lists, dicts and sets become JSON text except under :data:`UNENCODED_KEYS`; ``None`` becomes
    ``"\\x00"`` except for ``token``.
    """
    result: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, set | frozenset):
            value = sorted(value, key=str)
        if key == "selected_catalog" and isinstance(value, Mapping):
            value = json.dumps(value)
        elif key == "catalog_selected_objects" and isinstance(value, list | tuple):
            value = ",".join(str(item) for item in value)
        elif isinstance(value, list | tuple | Mapping) and key not in UNENCODED_KEYS:
            value = json.dumps(list(value) if isinstance(value, tuple) else value)
        elif value is None and key != "token":
            value = NONE_ON_WIRE
        result[key] = value
    return result


def number_text(value: float) -> str:
    """``value`` in positional notation, exactly (``1e-05`` -> ``"0.00001"``, ``5.0`` -> ``"5.0"``).

    The shortest text that reads back as the same float, without an exponent; NaN and the
    infinities as Python writes them.
    """
    if not math.isfinite(value):
        return str(value)
    text = format(Decimal(repr(float(value))), "f")
    return text if "." in text else text + ".0"


def _field_text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, float):
        return number_text(value)
    return str(value)  # bool -> "True"/"False", 5 -> "5"


def encode_parameters(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The query-string (or form) fields for ``params``, in order.

    Parameters
    ----------
    params : Mapping
        Argument names to wire values (as returned by ``InstrumentSpec.validate`` plus the
        request's own fields such as ``instrument``, ``query_status``, ``session_id``).

    Returns
    -------
    list of (str, str)
        Ready for ``urllib.parse.urlencode`` or ``requests``; an unencoded list gives one field per
        item (``None`` items and empty lists give none), a ``None`` token gives no field.
    """
    fields: list[tuple[str, str]] = []
    for key, value in payload(params).items():
        if value is None:
            continue  # only a None token gets here: it is not sent
        if isinstance(value, list | tuple):
            fields.extend((key, _field_text(item)) for item in value if item is not None)
        else:
            fields.append((key, _field_text(value)))
    return fields


def use_post(params: Mapping[str, Any]) -> bool:
    """Whether oda_api would send these parameters by POST: their JSON exceeds :data:`MAX_GET_SIZE`."""
    return len(json.dumps(payload(params), default=str)) > MAX_GET_SIZE


def new_session_id() -> str:
    """A fresh session id: 16 characters of ``[A-Z0-9]``, as oda_api makes them."""
    return "".join(secrets.choice(_SESSION_ALPHABET) for _ in range(16))


def run_analysis_fields(
    job: Job, query_status: str, token: SecretToken | None = None
) -> dict[str, Any]:
    """Every field of a ``/run_analysis`` request for ``job``, as oda_api sends them.

    The parameters are re-sent on every poll: the dispatcher checks the job against them.
    """
    fields: dict[str, Any] = dict(job.parameters)
    fields.update(
        instrument=job.instrument,
        product_type=job.product,
        query_type=job.query_type,
        query_status=query_status,
        session_id=job.session_id,
        off_line=False,
        api=True,  # its presence asks plugins for machine-readable products
        # the dispatcher logs which client sent a request (it removes this before hashing)
        **{"client-name": "oda_widgets"},
    )
    if query_status != "new" and job.job_id:
        fields["job_id"] = job.job_id
    if token:
        fields["token"] = token
    return fields
