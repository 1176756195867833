"""TableView: any astropy table, scrollable and sortable, with its units; rows sent as they are seen.

The kernel keeps the table and its sort order; the front end (``js/table_view.js``) draws only
the rows in and near its window and asks the kernel for blocks of rows as the user scrolls, so a
table of any length shows at once and never crosses to the browser whole. The first rows travel
with the widget's state (the first screen needs no round trip). Sorting is state
(``sort_column``, ``sort_descending``), set by a click on a column's header or from code, and
done in the kernel with NumPy (stable; masked and NaN values last). Cells are formatted as
astropy formats the column (its ``format`` when it has one) and drawn as text.
"""

from __future__ import annotations

import logging
from typing import Any

import anywidget
import numpy as np
import traitlets
from astropy.table import Table

from ..analysis.curve_values import pretty_unit
from ..client.products.kinds import TableProduct
from .front_end_loader import FrontEndCode, loader_module

__all__ = ["TableView"]

logger = logging.getLogger(__name__)

#: Rows sent with the state: what the first screen shows without asking.
HEAD_ROWS = 100
#: The most rows one request may ask for.
MAX_BLOCK = 1000


def _formatted(column: Any) -> list[str]:
    """A column's values as astropy shows them (its ``format``; ``--`` for masked)."""
    if len(column) == 0:
        return []
    lines = column.pformat(max_lines=-1, show_name=False, show_unit=False,
                           show_dtype=False)
    return [line.strip() for line in lines[-len(column):]]


def _column_about(table: Table, name: str) -> dict[str, Any]:
    column = table[name]
    kind = column.dtype.kind
    unit = pretty_unit(str(column.unit)) if getattr(column, "unit", None) is not None else ""
    return {
        "name": name,
        "unit": unit,
        "numeric": kind in "biufc",
        "sortable": column.ndim == 1 and kind != "V",
        "description": str(getattr(column, "description", None) or ""),
    }


def _sort_order(column: Any, descending: bool) -> np.ndarray:
    """Row indices sorting ``column``: stable, masked and NaN values last in both directions."""
    values = np.ma.asarray(column)
    if values.dtype.kind == "O":
        values = np.ma.array([str(v) for v in values.filled(None)],
                             mask=np.ma.getmaskarray(values))
    missing = np.ma.getmaskarray(values).copy()
    if values.dtype.kind in "fc":
        missing |= ~np.isfinite(np.ma.getdata(values))
    present = np.flatnonzero(~missing)
    data = np.ma.getdata(values)[present]
    if descending:
        _, ranks = np.unique(data, return_inverse=True)
        # largest first, equal values in the table's order
        order = present[np.lexsort((present, -ranks.astype(np.int64).ravel()))]
    else:
        order = present[np.argsort(data, kind="stable")]
    return np.concatenate([order, np.flatnonzero(missing)])


class TableView(FrontEndCode, anywidget.AnyWidget):
    """A table with units, scrollable and sortable, however long.

    Parameters
    ----------
    table : TableProduct or astropy.table.Table
        A table product of a job (``products.myname_1``) or any astropy table.
    rows_shown : int
        How many rows the view is tall (it scrolls for more).

    Attributes
    ----------
    table : astropy.table.Table
        The table shown (never copied or changed).
    sort_column : str
        The column the rows are sorted by; ``""`` for the table's own order (observable, settable).
    sort_descending : bool
        Whether the sort runs from the largest value (observable, settable).
    order : numpy.ndarray
        The table's row indices in the order shown.
    status : str
        Always ``""``: a table has nothing to say beyond its caption (its size), but every
        view has this trait (synced), so code can observe any view the same way.

    Examples
    --------
    >>> view = TableView(products.myname_1)                        # doctest: +SKIP
    >>> view.sort_column, view.sort_descending = "col3", True      # doctest: +SKIP
    """

    # the code itself, with its stylesheet, is served once per page
    _esm = loader_module("table_view")

    columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    row_count = traitlets.Int(0).tag(sync=True)
    sort_column = traitlets.Unicode("").tag(sync=True)
    sort_descending = traitlets.Bool(False).tag(sync=True)
    #: bumped each time the order changes: rows of an older order are dropped by the front end
    version = traitlets.Int(0).tag(sync=True)
    head: traitlets.List[list[str]] = traitlets.List().tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    rows_shown = traitlets.Int(15).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, table: TableProduct | Table, *, rows_shown: int = 15,
                 **kwargs: Any) -> None:
        if isinstance(table, TableProduct):
            table = table.table
        if not isinstance(table, Table):
            raise TypeError(f"TableView shows a table product or an astropy Table, not "
                            f"{type(table).__name__}")
        self.table = table
        self.order = np.arange(len(table))
        super().__init__(rows_shown=max(1, int(rows_shown)), **kwargs)
        self.columns = [_column_about(table, name) for name in table.colnames]
        self.row_count = len(table)
        self.caption = (f"{len(table):,} row{'s' if len(table) != 1 else ''} x "
                        f"{len(table.colnames)} column{'s' if len(table.colnames) != 1 else ''}")
        self.head = self.rows(0, HEAD_ROWS)
        self.add_class("oda-table-view-host")
        self.on_msg(self._on_front_end_message)

    # --- rows --------------------------------------------------------------------------------
    def rows(self, start: int, stop: int) -> list[list[str]]:
        """The cells of the rows shown at positions ``start`` to ``stop``, as text."""
        start = max(0, int(start))
        stop = min(len(self.table), int(stop))
        if stop <= start:
            return []
        picked = self.order[start:stop]
        cells = [_formatted(self.table[name][picked]) for name in self.table.colnames]
        return [list(row) for row in zip(*cells, strict=True)] if cells else [[]] * len(picked)

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "rows":
            return
        try:
            start = int(content.get("start", 0))
            stop = min(int(content.get("stop", 0)), start + MAX_BLOCK)
        except (TypeError, ValueError):
            return
        version = content.get("version")
        if version != self.version:
            return  # asked for an order that is gone; the front end asks again
        self.send({"type": "rows", "start": max(0, start), "version": self.version,
                   "rows": self.rows(start, stop)})

    # --- sorting -----------------------------------------------------------------------------
    @traitlets.validate("sort_column")
    def _check_sort_column(self, proposal: Any) -> str:
        name = proposal["value"]
        if name and name not in self.table.colnames:
            raise traitlets.TraitError(
                f"no column {name!r}; the columns are {', '.join(self.table.colnames)}")
        if name and not next(c for c in self.columns if c["name"] == name)["sortable"]:
            raise traitlets.TraitError(f"column {name!r} holds arrays: it cannot be sorted")
        return name

    @traitlets.observe("sort_column", "sort_descending")
    def _sort_changed(self, _change: Any) -> None:
        if self.sort_column:
            self.order = _sort_order(self.table[self.sort_column], self.sort_descending)
        else:
            self.order = np.arange(len(self.table))
        with self.hold_sync():
            self.version += 1
            self.head = self.rows(0, HEAD_ROWS)

    def sort_by(self, column: str | None, descending: bool = False) -> None:
        """Sort the rows by ``column`` (``None``: the table's own order)."""
        with self.hold_trait_notifications():
            self.sort_descending = bool(descending)
            self.sort_column = column or ""

    def __repr__(self) -> str:
        return f"TableView({self.caption})"
