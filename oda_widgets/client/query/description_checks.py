"""What a description entry must be before it becomes a form field: types, sizes, names.

``/api/meta-data`` is server data. A malformed entry (a name that is a list, restrictions that
are text, a minimum that is an object) would otherwise surface as a raw ``TypeError`` somewhere in
the form; a description of ten thousand parameters would take the kernel seconds and the notebook
megabytes of widget state; a parameter named ``instrument`` or ``job_id`` would collide with the
request's own fields. :func:`entry_problem` names what is wrong with one entry (the description is
then refused with a :class:`~oda_widgets.client.errors.DispatcherError` naming it), and
:data:`REQUEST_FIELDS` lists the names a description may not declare: such an entry is left out
of the form, as the nb2workflow plugin keeps a backend's ``token`` parameter away from the
request's token (by renaming it), and the form says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from .schema_check import schema_problem

__all__ = [
    "MAX_PARAMETERS",
    "MAX_PRODUCTS",
    "MAX_ALLOWED_VALUES",
    "MAX_DEFAULT_CHARS",
    "MAX_TEXT_CHARS",
    "REQUEST_FIELDS",
    "MAX_NAME_CHARS",
    "entry_problem",
    "request_field_reason",
]

#: The most parameters one query of a description may declare (real ones: a few dozen).
MAX_PARAMETERS = 200
#: The most products one instrument may declare.
MAX_PRODUCTS = 200
#: The most values a restricted parameter may offer.
MAX_ALLOWED_VALUES = 1_000
#: The longest default value (as JSON) a parameter may have: a catalog of some thousand sources.
MAX_DEFAULT_CHARS = 1_000_000
#: The longest label, description, units or ontology URI.
MAX_TEXT_CHARS = 10_000

#: The longest parameter name (the request carries it as a key; SPI-ACS has ``data level``).
MAX_NAME_CHARS = 100

#: Request fields the client sets itself: a parameter of the same name would be overwritten or
#: would overwrite them (``job_id``, ``dry_run`` sent from a server's default...).
REQUEST_FIELDS: frozenset[str] = frozenset({
    "instrument", "product_type", "query_type", "query_status", "job_id", "session_id",
    "dry_run", "off_line", "api", "oda_api_version", "client-name", "allow_unknown_args",
    "return_progress", "run_asynch", "async_dispatcher", "catalog_selected_objects",
})


def request_field_reason(name: str) -> str:
    """Why a parameter named like a request field is left out of the form."""
    return (
        f"the description declares a parameter {name!r}, a name the request itself uses; it is "
        "left out of the form (the client sets that field), as the dispatcher's plugins rename "
        "such parameters"
    )


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value) or math.isinf(value)
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return len(value) <= 100
    return False


def _text_problem(value: Any, what: str, limit: int = MAX_TEXT_CHARS) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return f"its {what} is a {type(value).__name__}, not text"
    if len(value) > limit:
        return f"its {what} is {len(value)} characters long, more than {limit}"
    return None


def entry_problem(entry: Mapping[str, Any]) -> str | None:
    """What is wrong with one parameter entry of a description, or ``None``."""
    name = entry.get("name")
    if name is not None:
        if not isinstance(name, str):
            return f"its name is a {type(name).__name__}, not text"
        if not name or len(name) > MAX_NAME_CHARS or not name.isprintable() or name != name.strip():
            return (f"its name is not a parameter name (1 to {MAX_NAME_CHARS} printable "
                    "characters, no line breaks, no spaces around)")
    problem = _text_problem(entry.get("units"), "units", 100)
    if problem:
        return problem
    try:
        size = len(json.dumps(entry.get("value"), default=str))
    except (TypeError, ValueError, RecursionError):
        return "its value is not JSON"
    if size > MAX_DEFAULT_CHARS:
        return f"its value is {size} characters of JSON, more than {MAX_DEFAULT_CHARS}"
    owl_uri = entry.get("owl_uri")
    uris = [owl_uri] if isinstance(owl_uri, str) else owl_uri
    if uris is not None:
        if not isinstance(uris, list) or len(uris) > 50:
            return "its owl_uri is not a list of at most 50 URIs"
        for uri in uris:
            problem = _text_problem(uri, "owl_uri", 500)
            if problem:
                return problem
    extra = entry.get("extra_metadata")
    if extra is not None:
        if not isinstance(extra, Mapping):
            return f"its extra_metadata is a {type(extra).__name__}, not an object"
        for key in ("label", "group"):
            problem = _text_problem(extra.get(key), key, 200)
            if problem:
                return problem
        problem = _text_problem(extra.get("description"), "description")
        if problem:
            return problem
    return _restrictions_problem(entry.get("restrictions"))


def _restrictions_problem(restrictions: Any) -> str | None:
    if restrictions is None:
        return None
    if not isinstance(restrictions, Mapping):
        return f"its restrictions are a {type(restrictions).__name__}, not an object"
    optional = restrictions.get("is_optional")
    if optional is not None and not isinstance(optional, bool | int):
        return "its restrictions' is_optional is not true or false"
    for key in ("min_value", "max_value"):
        value = restrictions.get(key)
        if value is not None and not _is_number(value):
            return f"its {key} is {type(value).__name__} {str(value)[:40]!r}, not a number"
    allowed = restrictions.get("allowed_values")
    if allowed is not None:
        if not isinstance(allowed, list):
            return f"its allowed_values are a {type(allowed).__name__}, not a list"
        if len(allowed) > MAX_ALLOWED_VALUES:
            return f"it offers {len(allowed)} allowed values, more than {MAX_ALLOWED_VALUES}"
        if not all(v is None or isinstance(v, str | int | float | bool) for v in allowed):
            return "its allowed_values are not all plain values (text, numbers, booleans)"
        if any(isinstance(v, str) and len(v) > 1000 for v in allowed):
            return "one of its allowed_values is longer than 1000 characters"
    schema = restrictions.get("schema")
    if schema is not None:
        problem = schema_problem(schema)
        if problem:
            return f"its schema is unusable: {problem}"
    return None
