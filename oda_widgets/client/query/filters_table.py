"""Phosphoros filter tables (server class ``PhosphorosFiltersTable``, Euclid photometric redshifts).

The value maps photometric filters to the columns of the user's catalog: ``{"filter": [...],
"flux": [...], "flux_error": [...]}``, one entry per filter, read by Phosphoros as "the flux in
this filter is that column, its error that column". The server's schema (sent in the
description) requires the three arrays, each non-empty and without repeats, the filters from its
list (``properties.filter.items.enum``), the column names non-empty text; and the three of equal
length. Either way the server answers ``Wrong value of structured parameter <name>``; the hint
says which part is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .kinds import register_kind
from .parameter_spec import ONTOLOGY
from .structured_parameter import StructuredParameter

__all__ = ["PhosphorosFiltersParameter", "COLUMNS"]

#: The three arrays of the value, in table order.
COLUMNS = ("filter", "flux", "flux_error")


@register_kind("phosphoros_filters", owl_uris=(ONTOLOGY + "PhosphorosFiltersTable",))
class PhosphorosFiltersParameter(StructuredParameter):
    """A table of (filter, flux column, flux error column) rows, sent as three arrays.

    Accepts the dict of three arrays (or its JSON text), a list of rows (3-sequences or dicts
    with the three keys), or a table with those columns (astropy ``Table``); the wire value is
    the dict of three lists of text.
    """

    @property
    def filters(self) -> list[str]:
        """The filters the server accepts (its schema's enum), in its order."""
        schema = self.schema if isinstance(self.schema, Mapping) else {}
        items = ((schema.get("properties") or {}).get("filter") or {}).get("items") or {}
        enum = items.get("enum") if isinstance(items, Mapping) else None
        return [str(f) for f in enum] if isinstance(enum, list) else []

    @staticmethod
    def rows_of(value: Any) -> list[tuple[str, str, str]]:
        """The rows of a value in any accepted shape (missing cells as empty text)."""
        table = PhosphorosFiltersParameter._as_columns(value)
        if not isinstance(table, Mapping):
            return []
        columns = [list(table.get(name) or []) for name in COLUMNS]
        length = max((len(c) for c in columns), default=0)
        return [
            tuple(str(c[i]) if i < len(c) else "" for c in columns)  # type: ignore[misc]
            for i in range(length)
        ]

    @staticmethod
    def _as_columns(value: Any) -> Any:
        """A list of rows or a table as the dict of three lists; anything else unchanged."""
        if isinstance(value, str):
            return value
        colnames = getattr(value, "colnames", None)
        if colnames is not None and all(name in colnames for name in COLUMNS):
            return {name: [str(v) for v in value[name]] for name in COLUMNS}
        if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
            rows = list(value)
            if all(isinstance(r, Mapping) for r in rows):
                return {name: [r.get(name) for r in rows] for name in COLUMNS}
            if all(isinstance(r, Sequence) and not isinstance(r, str) and len(r) == 3 for r in rows):
                return {name: [r[i] for r in rows] for i, name in enumerate(COLUMNS)}
        return value

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        wire = super()._convert(self._as_columns(value), values)
        if isinstance(wire, Mapping):
            lengths = [len(wire[name]) if isinstance(wire.get(name), list) else None for name in COLUMNS]
            if None not in lengths and len(set(lengths)) > 1:
                raise self.error(
                    f"Wrong value of structured parameter {self.name}",
                    hint="Every filter needs its flux column and its flux error column: "
                    f"{lengths[0]} filters, {lengths[1]} flux columns, {lengths[2]} flux error "
                    "columns.",
                )
        return wire

    def preview(self, wire: Any) -> str:
        if isinstance(wire, Mapping) and isinstance(wire.get("filter"), list):
            count = len(wire["filter"])
            return f"{count} filter{'' if count == 1 else 's'}: " + ", ".join(
                map(str, wire["filter"][:4])
            ) + (", ..." if count > 4 else "")
        return ""

    def when_empty(self) -> str:
        if self.default:
            return f"empty: the dispatcher's default, {json.dumps(self.default)}"
        return super().when_empty()
