"""The values of a catalog entry a user adds or edits, checked and converted: positions in
degrees or sexagesimal text, other cells to their column's type, and the values a new source
gets in the columns not given, and where an edited entry is: its row by meta_ID, a names column
wide enough for its new name.
"""

from __future__ import annotations

import math
import re
from typing import Any

from astropy import units as u
from astropy.coordinates import Angle
from astropy.table import Column, Table

from ..errors import ValidationError

__all__ = [
    "DEFAULT_COLUMN_VALUES",
    "checked_coordinate",
    "checked_value",
    "neutral_value",
    "row_index",
    "sexagesimal_degrees",
    "widen_names",
]

#: Values a new source gets in the columns of an INTEGRAL catalog, unless given.
DEFAULT_COLUMN_VALUES: dict[str, Any] = {
    "significance": 0.0,
    "NEW_SOURCE": 0,
    "ISGRI_FLAG": 2,
    "FLAG": 0,
    "ERR_RAD": 0.0,
}


def sexagesimal_degrees(value: Any, hours: bool) -> float | None:
    """Degrees from sexagesimal text (hours for RA when no unit letters say otherwise), or None
    when ``value`` is no such text."""
    if not isinstance(value, str) or not re.search(r"[:hdms\u00b0'\"\s]", value.strip()):
        return None
    text = value.strip()
    try:
        if re.search(r"[hdms\u00b0'\"]", text):
            return float(Angle(text).to_value(u.deg))
        return float(Angle(text, unit=u.hourangle if hours else u.deg).to_value(u.deg))
    except Exception:  # noqa: BLE001 - any parse failure means "not an angle"
        return None


def checked_coordinate(label: str, value: Any, low: float, high: float) -> float:
    """``value`` (a number of degrees or sexagesimal text) in degrees, between ``low`` and
    ``high``; ``label`` is ``"ra"`` (sexagesimal in hours) or ``"dec"``.

    Raises
    ------
    ValidationError
        Naming ``label``, with an example of what is accepted.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        parsed = sexagesimal_degrees(value, hours=label == "ra")
        if parsed is None:
            example = "17h45m40s or 17:45:40" if label == "ra" else "-29d00m28s or -29:00:28"
            raise ValidationError(
                label,
                f"{label} must be a number of degrees or sexagesimal (e.g. {example}), "
                f"not {value!r}",
            ) from None
        number = parsed
    if not math.isfinite(number) or not low <= number <= high:
        raise ValidationError(
            label, f"{label} must be between {low:g} and {high:g} degrees, not {value!r}"
        )
    return number


def checked_value(colname: str, column: Column, value: Any) -> Any:
    """``value`` converted to the type of ``column`` (whole numbers only for integers).

    Raises
    ------
    ValidationError
        Naming the column and its type.
    """
    kind = column.dtype.kind
    try:
        if kind == "f":
            return float(value)
        if kind in "iu":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError("not a whole number")
            return int(value)
        if kind == "b":
            return bool(value)
    except (TypeError, ValueError):
        raise ValidationError(
            colname, f"{colname} holds {column.dtype.name} values, not {value!r}"
        ) from None
    return value


def neutral_value(column: Column) -> Any:
    """What a new source holds in a column it was given no value for: NaN, 0, empty text."""
    kind = column.dtype.kind
    if kind == "f":
        return math.nan
    if kind in "iub":
        return 0
    if kind in "US":
        return ""
    return None


def row_index(ids: list[int], meta_id: Any) -> int:
    """Where ``meta_id`` is in ``ids``."""
    try:
        return ids.index(int(meta_id))
    except (ValueError, TypeError):
        raise ValidationError(
            "meta_ID", f"no source has meta_ID {meta_id!r}; known meta_IDs: {ids}"
        ) from None


def widen_names(table: Table, name: str) -> None:
    """Make the names column of ``table`` (a copy being edited) able to hold ``name``."""
    column = table["src_names"]
    if column.dtype.kind not in "USO" and len(column) == 0:
        # an empty catalog sent without column types: its names column is a text column
        table.replace_column("src_names", Column([], name="src_names", dtype="<U1"))
        column = table["src_names"]
    if column.dtype.kind == "U" and column.dtype.itemsize // 4 < len(name):
        table.replace_column("src_names", column.astype(f"<U{len(name)}"))
