"""A value given to a parameter, read as the form's field of its kind reads it: what the field
shows, what its parameter checks, and what goes on the wire.

A script that sets ``RA=1e-05`` on a :class:`~oda_widgets.client.query.draft.QueryDraft` and a
user who types ``1e-05`` into the form must meet the same check and send the same request. The
check reads the text as shown (a 1.3.3 dispatcher refuses an exponent in an angle), while the
request carries the number: an :class:`Entry` keeps both.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError

__all__ = ["Entry", "convert_time", "entry_of", "number_text", "read_number", "shown_text"]

#: Kinds shown as a number typed as text (``energy`` and ``time_interval`` also read units).
_NUMBERS = frozenset({"float", "detection_threshold", "energy", "time_interval", "angle"})
#: Numbers whose text with units (``"1 MeV"``, ``"9h20m"``) the parameter turns into a number.
_WITH_UNITS = frozenset({"energy", "time_interval", "angle"})
#: Kinds whose check reads the value sent, not the text (lists, files, tables, catalogs).
_SENT_IS_CHECKED = frozenset({
    "input_prod_list", "user_catalog", "phosphoros_filters",
    "file_reference", "posix_path", "file_url",
})
_TRUE = ("true", "yes", "1")


@dataclass(frozen=True)
class Entry:
    """One parameter's value in a query being prepared.

    Attributes
    ----------
    typed : Any
        What the parameter checks: the text as shown (stripped; ``None`` when empty), or the
        value itself for a choice, a switch, a list, a file or a catalog.
    sent : Any
        What goes to the dispatcher (``None``: not sent, so the description's default applies).
    """

    typed: Any
    sent: Any


def number_text(value: Any) -> str:
    """A number as a field shows it (``10.0`` stays ``"10.0"``, the description's own text)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return str(value)


def shown_text(value: Any) -> str:
    """Any value as the text of a text box (empty for ``None``)."""
    return "" if value is None else str(value)


def _stripped(text: str) -> str | None:
    text = text.strip()
    return text if text else None


def read_number(spec: Any, text: str, *, integer: bool = False,
                with_units: bool = False) -> Any:
    """Typed text as the number sent (``None`` when empty).

    Text that is no number is sent as typed, so that the parameter answers with the dispatcher's
    own message; with ``with_units`` the parameter first reads it (``"1 MeV"``, ``"9h20m23s"``)
    into a number in its own units.
    """
    stripped = text.strip()
    if not stripped:
        return None
    try:
        number: float | int = int(stripped) if integer else float(stripped)
    except ValueError:
        number = math.nan
    if isinstance(number, float) and not math.isfinite(number):
        if not with_units:
            return stripped
        try:
            return spec.validate(stripped)
        except (ValidationError, ValueError):
            return stripped
    return number


def convert_time(value: Any, source: str, target: str) -> Any:
    """A time given in format ``source`` (``isot``, ``mjd``) in format ``target`` (astropy
    ``Time``), or None when it does not read in ``source``."""
    if value is None or value == "":
        return None
    from astropy.time import Time

    try:
        time = Time(value, format=source)
        if target == "isot":
            return time.isot
        converted = time.to_value(target)
    except (ValueError, TypeError):
        return None
    if isinstance(converted, float):
        # 1e-10 day is under 10 microseconds: ISOT -> MJD -> ISOT gives back the same milliseconds
        return float(f"{converted:.10f}")
    return converted


def _choice(spec: Any, value: Any, allowed: list[Any]) -> Any:
    if value in allowed:
        return value
    return next((candidate for candidate in allowed if str(candidate) == str(value)), None)


def _catalog_text(catalog: Any) -> Any:
    if catalog is None or (isinstance(catalog, str) and not catalog.strip()):
        return None
    if hasattr(catalog, "to_selected_catalog"):
        return catalog.to_selected_catalog()
    return catalog if isinstance(catalog, str) else json.dumps(catalog)


def _plain_kind(spec: Any, kind: str, switches: frozenset[str]) -> str:
    """The kind of field that shows ``spec`` (as ``widgets.fields.field_for`` chooses it)."""
    if spec.name in switches:
        return "switch"
    if kind == "boolean":
        return kind
    accepted = getattr(spec, "accepted_formats", None)
    if getattr(spec, "allowed_values", None) and kind != "format":
        return "choice"
    if kind == "format" and callable(accepted) and accepted():
        return "choice"
    if kind == "untyped":
        return str(getattr(spec, "plain_kind", "string"))
    return kind


def entry_of(spec: Any, value: Any, *, time_format: str = "isot",
             switches: frozenset[str] = frozenset()) -> Entry:
    """The entry of ``value`` given to ``spec``, read as the form's field of its kind reads it.

    Parameters
    ----------
    spec : ParameterSpec
        The parameter.
    value : Any
        A value as ``form.values`` takes it: text, a number, a list, a ``LocalFile``, a catalog.
    time_format : str
        For a time: the format of the query's time switch (``isot``, ``mjd``).
    switches : frozenset of str
        The names of the time-format switches of the query (``T_format``): their value is taken
        as it is.

    Returns
    -------
    Entry
        What the parameter checks and what is sent.
    """
    kind = _plain_kind(spec, str(getattr(spec, "kind", "unknown")), switches)
    if kind == "switch":
        chosen = spec.default if value is None else value
        return Entry(chosen, chosen)
    if kind == "boolean":
        flag = value.strip().lower() in _TRUE if isinstance(value, str) else bool(value)
        return Entry(flag, flag)
    if kind == "choice":
        allowed = list(getattr(spec, "allowed_values", None) or [])
        accepted = getattr(spec, "accepted_formats", None)
        if not allowed and callable(accepted):
            allowed = list(accepted())
            if isinstance(spec.default, str) and spec.default and spec.default not in allowed:
                allowed.insert(0, spec.default)
        chosen = _choice(spec, value, allowed)
        return Entry(chosen, chosen)
    if kind in _NUMBERS or kind == "integer":
        text = number_text(value)
        sent = read_number(spec, text, integer=kind == "integer", with_units=kind in _WITH_UNITS)
        return Entry(_stripped(text), sent)
    if kind == "time":
        text = number_text(value) if isinstance(value, float) else shown_text(value)
        typed = _stripped(text)
        if typed is None or time_format == "isot":
            return Entry(typed, typed)
        try:
            return Entry(typed, float(typed))
        except ValueError:
            return Entry(typed, typed)
    if kind == "input_prod_list":
        if value is None:
            items: list[str] = []
        elif isinstance(value, str):
            items = [item for item in re.split(r"[,\s]+", value) if item]
        else:
            items = [str(v) for v in value]
        listed = items or None
        return Entry(listed, listed)
    if kind == "structured":
        text = value if isinstance(value, str) else ("" if value is None else json.dumps(value))
        typed = _stripped(text)
        if typed is None:
            return Entry(None, None)
        try:
            return Entry(typed, json.loads(typed))
        except ValueError:
            return Entry(typed, typed)
    if kind == "user_catalog":
        sent = _catalog_text(value)
        return Entry(sent, sent)
    if kind in _SENT_IS_CHECKED:
        return _other_entry(spec, kind, value)
    typed = _stripped(shown_text(value))
    return Entry(typed, typed)


def _other_entry(spec: Any, kind: str, value: Any) -> Entry:
    """Files (an uploaded ``LocalFile`` or a URL/path as text) and filter tables."""
    if kind == "phosphoros_filters":
        given = spec.rows_of(value) if value not in (None, "") else []
        rows = [cells for cells in ([c.strip() for c in row] for row in given) if any(cells)]
        if not rows:
            return Entry(None, None)
        columns = _filter_columns()
        table = {name: [cells[i] for cells in rows] for i, name in enumerate(columns)}
        return Entry(table, table)
    local = spec.local_file(value) if callable(getattr(spec, "local_file", None)) else None
    if local is not None:
        return Entry(local, local)
    typed = _stripped(shown_text(value))
    return Entry(typed, typed)


def _filter_columns() -> tuple[str, ...]:
    from .filters_table import COLUMNS

    return tuple(COLUMNS)

