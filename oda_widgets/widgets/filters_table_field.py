"""Phosphoros filter tables (``PhosphorosFiltersTable``) as a small table editor.

One row per filter: the filter (chosen from the server's list, typed to narrow it), the catalog
column holding its flux and the column holding the flux error. Rows are added and removed with
buttons; the value is the dict of three lists the server reads, checked by the parameter (each
filter once, no column twice, nothing empty, every row complete).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
from traitlets import Unicode

from ..client.query.filters_table import COLUMNS, PhosphorosFiltersParameter
from .field_registry import register_field
from .fields import LABEL_WIDTH, Field

__all__ = ["FiltersTableField", "FilterRow"]

_HEADINGS = ("Filter", "Flux column", "Flux error column")
_WIDTHS = ("16em", "11em", "11em")


class _RowsBox(widgets.VBox):
    """The rows' column. A Box's view reads the length of ``description`` as soon as it has a
    tooltip (the field gives its control one), and a Box has no such trait: this one syncs it."""

    description = Unicode("").tag(sync=True)


class FilterRow:
    """One row of the table: a filter, its flux column, its flux error column, a remove button."""

    def __init__(self, filters: Sequence[str], values: Sequence[str] = ("", "", "")) -> None:
        self.filter = widgets.Combobox(
            options=list(filters), ensure_option=bool(filters), placeholder="type to find a filter",
            layout=widgets.Layout(width=_WIDTHS[0]),
        )
        self.flux = widgets.Text(placeholder="e.g. FLUX_G", layout=widgets.Layout(width=_WIDTHS[1]))
        self.flux_error = widgets.Text(
            placeholder="e.g. FLUXERR_G", layout=widgets.Layout(width=_WIDTHS[2])
        )
        self.remove = widgets.Button(
            icon="times", tooltip="remove this filter", layout=widgets.Layout(width="2.5em")
        )
        self.filter.value, self.flux.value, self.flux_error.value = (str(v) for v in values)
        self.widget = widgets.HBox([self.filter, self.flux, self.flux_error, self.remove])
        self.widget.add_class("oda-filter-row")

    @property
    def cells(self) -> tuple[str, str, str]:
        return (self.filter.value.strip(), self.flux.value.strip(), self.flux_error.value.strip())


@register_field("phosphoros_filters")
class FiltersTableField(Field):
    """The filters of a Phosphoros run and the catalog columns of their fluxes, as a table.

    ``rows`` lists the :class:`FilterRow` objects; :meth:`add_row` and :meth:`remove_row` edit
    it. An empty table is not sent (the dispatcher's default applies).
    """

    spec: PhosphorosFiltersParameter

    observe_control = False

    def __init__(self, spec: Any) -> None:
        self.rows: list[FilterRow] = []
        self.add_button = widgets.Button(
            description="Add filter", icon="plus", layout=widgets.Layout(width="auto"),
            tooltip="add a row: a filter and the catalog columns of its flux and flux error",
        )
        super().__init__(spec)
        self.add_button.on_click(lambda _button: self.add_row())

    def _make_control(self) -> widgets.Widget:
        box = _RowsBox(layout=widgets.Layout(width="auto"))
        box.add_class("oda-filters-table")
        return box

    def _row(self) -> list[widgets.Widget]:
        # the title beside the headings, not beside the middle of a long table
        title = widgets.Label(self.label, layout=widgets.Layout(width=LABEL_WIDTH, align_self="flex-start"))
        headings = widgets.HBox([
            widgets.HTML(f"<b>{text}</b>", layout=widgets.Layout(width=width))
            for text, width in zip(_HEADINGS, _WIDTHS, strict=True)
        ])
        return [title, widgets.VBox([headings, self.control, self.add_button]), self.message]

    # --- rows -------------------------------------------------------------------------------
    def add_row(self, values: Sequence[str] = ("", "", "")) -> FilterRow:
        """Add a row (empty, or with ``values``: filter, flux column, flux error column)."""
        row = FilterRow(self.spec.filters, values)
        for cell in (row.filter, row.flux, row.flux_error):
            cell.observe(lambda _change: self._changed(), names="value")
        row.remove.on_click(lambda _button, row=row: self.remove_row(row))
        self.rows.append(row)
        self._show_rows()
        return row

    def remove_row(self, row: FilterRow) -> None:
        """Remove ``row`` from the table."""
        self.rows.remove(row)
        row.widget.close()
        self._show_rows()

    def _show_rows(self) -> None:
        self.control.children = [row.widget for row in self.rows]
        self._changed()

    # --- values -------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return "; ".join(" | ".join(row.cells) for row in self.rows)

    def set_value(self, value: Any) -> None:
        rows = self.spec.rows_of(value) if value not in (None, "") else []
        for row in self.rows:
            row.widget.close()
        self.rows = []
        for cells in rows:
            self.add_row(cells)
        self._show_rows()

    def query_value(self) -> Any:
        rows = [row.cells for row in self.rows if any(row.cells)]
        if not rows:
            return None
        return {name: [cells[i] for cells in rows] for i, name in enumerate(COLUMNS)}

    def typed(self) -> Any:
        return self.query_value()
