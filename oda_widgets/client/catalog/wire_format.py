"""The dispatcher's catalog on the wire: its ``catalog`` dict (or ``selected_catalog`` JSON) <->
an astropy Table.

The dict holds the columns as lists, their names and NumPy dtypes (``cat_column_descr``), the
frame, the coordinate unit and the names of the longitude/latitude columns. The table keeps the
last four in its ``meta`` (``FRAME``, ``COORD_UNIT``, ``LON_NAME``, ``LAT_NAME``), and is written
back in the exact shape oda_api's ``ApiCatalog`` writes: the dispatcher reads it with astropy.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Column, MaskedColumn, Table

from ..errors import ValidationError
from ..products.budget import DecodeBudget, json_cost

__all__ = [
    "REQUIRED_KEYS",
    "dispatcher_dict",
    "row_ids",
    "row_names",
    "table_coords",
    "table_from_dispatcher",
]

#: The keys without which a dict is no catalog.
REQUIRED_KEYS = ("cat_column_list", "cat_column_names")


def _column_from_lists(
    name: str, values: list[Any], descr: str | None, budget: DecodeBudget
) -> Column:
    """One column, with the dtype the server described; nulls become NaN (floats) or masks.

    Its size is charged to ``budget`` first: a described ``<U1000000000`` would otherwise take
    gigabytes per row.
    """
    dtype = np.dtype(descr) if descr is not None else None
    budget.take((len(values),), dtype if dtype is not None else np.dtype(object),
                f"the catalog column {name[:40]!r}")
    has_null = any(v is None for v in values)
    if dtype is None:
        if has_null and all(isinstance(v, int | float) or v is None for v in values):
            return Column([math.nan if v is None else v for v in values], name=name, dtype="f8")
        return Column(values, name=name)
    if dtype.kind == "f":
        return Column([math.nan if v is None else v for v in values], name=name, dtype=dtype)
    if has_null and dtype.kind != "O":
        fill = "" if dtype.kind in "US" else 0
        mask = [v is None for v in values]
        filled = [fill if v is None else v for v in values]
        return MaskedColumn(filled, name=name, dtype=dtype, mask=mask)
    if dtype.kind == "O":
        column = Column(np.empty(len(values), dtype=object), name=name)
        column[:] = values
        return column
    return Column(values, name=name, dtype=dtype)


def _as_mapping(d: Mapping[str, Any] | str | bytes, budget: DecodeBudget) -> Mapping[str, Any]:
    if isinstance(d, str | bytes):
        budget.charge(json_cost(d), "the catalog's JSON text")
        try:
            d = json.loads(d)
        except ValueError as exc:
            raise ValidationError(
                "selected_catalog", f"the catalog is not JSON ({exc})"
            ) from None
    if not isinstance(d, Mapping):
        raise ValidationError("selected_catalog", "the catalog must be a JSON object")
    return d


def table_from_dispatcher(
    d: Mapping[str, Any] | str | bytes, budget: DecodeBudget | None = None
) -> Table:
    """The table of the dispatcher's ``catalog`` dict (or its JSON text).

    Every column is charged to ``budget`` (the answer's, or a fresh one) before it is made.

    Raises
    ------
    ValidationError
        If the dict lacks the columns or their lengths disagree.
    UnsafePayload
        If its columns would take more memory than the budget holds.
    """
    budget = budget if budget is not None else DecodeBudget()
    d = _as_mapping(d, budget)
    for key in REQUIRED_KEYS:
        if key not in d:
            raise ValidationError("selected_catalog", f"the catalog has no {key!r}")
    columns, names = d["cat_column_list"], d["cat_column_names"]
    if not isinstance(columns, list) or not isinstance(names, list) or len(columns) != len(names):
        raise ValidationError(
            "selected_catalog",
            "cat_column_list and cat_column_names must be lists of the same length",
        )
    lengths = {len(c) for c in columns if isinstance(c, list)}
    if len(lengths) > 1 or not all(isinstance(c, list) for c in columns):
        raise ValidationError("selected_catalog", "every catalog column must have as many rows")
    descr = {str(entry[0]): entry[1] for entry in d.get("cat_column_descr") or [] if entry}
    meta: dict[str, Any] = dict(d.get("cat_meta") or {})
    meta.update(
        FRAME=d.get("cat_frame"),
        COORD_UNIT=d.get("cat_coord_units"),
        LON_NAME=d.get("cat_lon_name"),
        LAT_NAME=d.get("cat_lat_name"),
    )
    try:
        table = Table(
            [
                _column_from_lists(str(n), c, descr.get(str(n)), budget)
                for n, c in zip(names, columns, strict=True)
            ],
            meta=meta,
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            "selected_catalog", f"a catalog column is malformed ({exc})"
        ) from None
    unit = meta["COORD_UNIT"]
    for coord in (meta["LON_NAME"], meta["LAT_NAME"]):
        if unit and coord in table.colnames:
            try:
                table[coord].unit = u.Unit(unit)
            except ValueError:
                pass
    return table


def dispatcher_dict(table: Table) -> dict[str, Any]:
    """The table in the dispatcher's dict shape (key order and types as oda_api writes; NaN
    written as null)."""
    column_lists = []
    for colname in table.colnames:
        values = table[colname].tolist()
        column_lists.append([None if _is_nan(v) else v for v in values])
    return {
        "cat_frame": table.meta.get("FRAME"),
        "cat_coord_units": table.meta.get("COORD_UNIT"),
        "cat_column_list": column_lists,
        "cat_column_names": list(table.colnames),
        "cat_column_descr": [list(entry) for entry in table.dtype.descr],
        "cat_lat_name": table.meta.get("LAT_NAME"),
        "cat_lon_name": table.meta.get("LON_NAME"),
    }


def table_coords(table: Table) -> SkyCoord:
    """The positions of a catalog table as a ``SkyCoord`` in its frame and unit (fk5 and
    degrees when its meta does not say)."""
    frame = str(table.meta.get("FRAME") or "fk5").lower()
    unit = table.meta.get("COORD_UNIT") or "deg"
    lon = np.asarray(table[table.meta.get("LON_NAME")], dtype=float)
    lat = np.asarray(table[table.meta.get("LAT_NAME")], dtype=float)
    return SkyCoord(lon, lat, unit=(unit, unit), frame=frame)


def row_ids(table: Table) -> list[int]:
    """The ``meta_ID`` of every row, in order (the row numbers when there is no such column)."""
    if "meta_ID" not in table.colnames:
        return list(range(len(table)))
    return [int(v) for v in table["meta_ID"]]


def row_names(table: Table) -> list[str]:
    """The source names, in order (none when there is no ``src_names`` column)."""
    if "src_names" not in table.colnames:
        return []
    return [str(v) for v in table["src_names"]]


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
