"""The dispatcher's source catalog as a user edits it: an astropy Table kept valid for the server
through every edit, its selection, and listeners told of each change.

An INTEGRAL image job answers with the sources it found as a ``catalog`` dict (read and written
by :mod:`.wire_format`). A user edits that list (adds a source, removes spurious ones, renames)
and sends it back as the ``selected_catalog`` parameter of the next job, optionally with
``catalog_selected_objects`` to keep only some rows. The change history (undo, redo, what
changed since the job) is :mod:`.history`, the warnings :mod:`.checks`, the files
:mod:`.files`, and how listeners are told :mod:`.events`.
"""

from __future__ import annotations

import copy as _copy
import functools
import html
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Table

from ..errors import ValidationError
from ..products.base import Product
from ..products.budget import DecodeBudget
from . import checks as catalog_checks
from . import history
from .entries import (
    DEFAULT_COLUMN_VALUES,
    checked_coordinate,
    checked_value,
    neutral_value,
    row_index,
    widen_names,
)
from .events import CatalogChange, CatalogReading, ChangeKind, ChangeTeller
from .files import catalog_hdulist, read_catalog_file, save_catalog
from .history import EditHistory, Snapshot
from .wire_format import (
    dispatcher_dict,
    row_ids,
    row_names,
    table_coords,
    table_from_dispatcher,
)

__all__ = ["Catalog", "CatalogChange", "CatalogReading", "DEFAULT_COLUMN_VALUES"]

_Method = TypeVar("_Method", bound=Callable[..., Any])


def _edit(method: _Method) -> _Method:
    """Run ``method`` as an edit: holding the catalog's lock (the table's messages may be
    handled in a kernel thread of their own, ipykernel's subshells, while a cell edits the same
    catalog), reading the live catalog, then telling the listeners once the lock is released."""

    @functools.wraps(method)
    def edit(self: Catalog, *args: Any, **kwargs: Any) -> Any:
        with self._lock, self._teller.editing(lambda: self._live):
            result = method(self, *args, **kwargs)
        self._teller.tell_pending()
        return result

    return edit  # type: ignore[return-value]


class Catalog(Product):
    """A source catalog as the dispatcher exchanges it, editable and observable.

    Parameters
    ----------
    table : astropy.table.Table
        The sources; ``table.meta`` holds ``FRAME``, ``COORD_UNIT``, ``LON_NAME``, ``LAT_NAME``.
    name : str
        Item name in a product set (oda_api calls the catalog ``dispatcher_catalog``).

    Notes
    -----
    Edits (:meth:`add_source`, :meth:`remove`, :meth:`rename`, :meth:`move`, :meth:`select`,
    :meth:`undo`, :meth:`redo`) validate their input first and raise
    :class:`~oda_widgets.client.errors.ValidationError` without changing anything when it is
    wrong. Each edit runs under the catalog's lock and adds one to :attr:`edits`; once the lock
    is released, every listener registered with :meth:`add_listener` is called with the catalog
    and every one registered with :meth:`add_change_listener` with the
    :class:`~oda_widgets.client.catalog.events.CatalogChange`, changes in the order they
    happened (see :mod:`~oda_widgets.client.catalog.events`). While a listener runs, what it
    reads of the catalog is the catalog as the change it is told of left it.
    Each edit replaces the table by an edited copy: a table read from the catalog is never
    changed under its reader.
    The rows the catalog was made with are kept (:attr:`original`), so that what the user changed
    can be told (:meth:`changes_text`, :attr:`added_ids`).
    """

    kind = "catalog"

    def __init__(self, table: Table, name: str = "dispatcher_catalog") -> None:
        super().__init__(name, {}, "dispatcher_catalog")
        self._lock = threading.RLock()
        self._live = CatalogReading(table, (), 0)
        self._teller = ChangeTeller(self._lock)
        self._original_table = table.copy(copy_data=True)
        self._history = EditHistory()
        self._pairs_cache: tuple[Any, list[catalog_checks.DuplicatePair]] | None = None
        # meta_IDs are never reused, so a source added after a removal is never taken for it
        self._last_issued_id = max(self.meta_ids, default=-1)

    # -- reading and writing the wire form ----------------------------------------------------

    @classmethod
    def from_dispatcher(
        cls,
        d: Mapping[str, Any] | str,
        name: str = "dispatcher_catalog",
        budget: DecodeBudget | None = None,
    ) -> Catalog:
        """Build a catalog from the dispatcher's ``catalog`` dict (or its JSON text).

        Every column is charged to ``budget`` (the answer's, or a fresh one) before it is made.

        Raises
        ------
        ValidationError
            If the dict lacks the columns or their lengths disagree.
        UnsafePayload
            If its columns would take more memory than the budget holds.
        """
        return cls(table_from_dispatcher(d, budget), name=name)

    def to_dict(self) -> dict[str, Any]:
        """The catalog in the dispatcher's dict shape (key order and types as oda_api writes)."""
        return dispatcher_dict(self._view().table)

    def to_selected_catalog(self) -> str:
        """The JSON text to send as ``selected_catalog`` (what ``ApiCatalog.get_api_dictionary()``
        returns)."""
        return json.dumps(dispatcher_dict(self._view().table))

    # -- what is in it -------------------------------------------------------------------------

    def _view(self) -> CatalogReading:
        """What this thread reads: the reading it is pinned to (in a listener, in
        :meth:`reading`), else the live catalog (one attribute, so always a whole edit)."""
        pinned = self._teller.pinned_reading()
        return pinned if pinned is not None else self._live

    @property
    def table(self) -> Table:
        """The sources (replaced, never changed in place, by each edit)."""
        return self._view().table

    @table.setter
    def table(self, table: Table) -> None:
        with self._lock:
            self._live = replace(self._live, table=table)

    @property
    def edits(self) -> int:
        """How many changes the catalog has had: one more after each edit, never less (the live
        count, also inside a listener: a change whose ``edit`` is below it is not the newest)."""
        return self._live.edits

    @contextmanager
    def reading(self) -> Iterator[CatalogReading]:
        """A consistent reading of the newest catalog (rows, selection and :attr:`edits`): in
        the block, this thread's reads of the catalog all see it, whatever other threads edit.

        A view redraws from it and keeps ``reading.edits``; a change told later whose ``edit``
        is not above it is already drawn::

            with catalog.reading() as now:
                draw(catalog)              # names, coords, warnings ... all of one edit
                drawn = now.edits
        """
        with self._teller.pinned(self._live) as now:
            yield now

    @property
    def lon_name(self) -> str | None:
        """Name of the longitude (RA) column."""
        return _meta_text(self._view().table, "LON_NAME")

    @property
    def lat_name(self) -> str | None:
        """Name of the latitude (Dec) column."""
        return _meta_text(self._view().table, "LAT_NAME")

    @property
    def meta_ids(self) -> list[int]:
        """The ``meta_ID`` of every row, in order."""
        return row_ids(self._view().table)

    @property
    def names(self) -> list[str]:
        """The source names, in order."""
        return row_names(self._view().table)

    @property
    def coords(self) -> SkyCoord:
        """Source positions as a ``SkyCoord`` in the catalog's frame."""
        return table_coords(self._view().table)

    def __len__(self) -> int:
        return len(self._view().table)

    def row(self, meta_id: int) -> Any:
        """The table row of ``meta_id``."""
        table = self._view().table
        return table[row_index(row_ids(table), meta_id)]

    # -- selection -----------------------------------------------------------------------------

    @property
    def selected(self) -> list[int]:
        """``meta_ID``\\ s of the selected sources (empty: no selection, every source is used)."""
        return list(self._view().selected)

    @_edit
    def select(self, meta_ids: Iterable[int] | int | None) -> None:
        """Select these sources (replacing the selection); ``None`` or empty clears it."""
        wanted = set(self._checked_ids(meta_ids if meta_ids is not None else []))
        chosen = tuple(i for i in self.meta_ids if i in wanted)
        self._commit("select", chosen, self._live.table, chosen)

    def catalog_selected_objects(self) -> str | None:
        """The ``catalog_selected_objects`` parameter: selected ``meta_ID``\\ s as ``"0,3"``,
        or ``None`` when nothing is selected."""
        selected = self._view().selected
        return ",".join(str(i) for i in selected) if selected else None

    # -- editing -------------------------------------------------------------------------------

    @_edit
    def add_source(self, name: str, ra: float, dec: float, **columns: Any) -> int:
        """Add a source and return its new ``meta_ID``.

        Parameters
        ----------
        name : str
            Source name (not empty, not already in the catalog).
        ra, dec : float
            Position in the catalog's frame and unit (degrees: 0 <= ra <= 360, -90 <= dec <= 90).
        **columns
            Values of other columns (e.g. ``significance=12.5``, ``ERR_RAD=0.01``); the rest get
            :data:`DEFAULT_COLUMN_VALUES` or a neutral value of the column's type.
        """
        self._require_columns()
        table = self._live.table
        clean = self._checked_name(name)
        ra_value = checked_coordinate("ra", ra, 0.0, 360.0)
        dec_value = checked_coordinate("dec", dec, -90.0, 90.0)
        unknown = [k for k in columns if k not in table.colnames]
        if unknown:
            raise ValidationError(
                unknown[0],
                f"the catalog has no column {unknown[0]!r}; its columns are "
                + ", ".join(table.colnames),
            )
        fixed = {"meta_ID", "src_names", self.lon_name, self.lat_name}
        clash = [k for k in columns if k in fixed]
        if clash:
            raise ValidationError(clash[0], f"{clash[0]} is set by add_source itself")
        new_id = max([self._last_issued_id, *self.meta_ids]) + 1
        given = {"meta_ID": new_id, "src_names": clean, self.lon_name: ra_value,
                 self.lat_name: dec_value}
        row: list[Any] = []
        for colname in table.colnames:
            column = table[colname]
            if colname in given:
                row.append(given[colname])
            elif colname in columns:
                row.append(checked_value(colname, column, columns[colname]))
            elif colname in DEFAULT_COLUMN_VALUES:
                row.append(checked_value(colname, column, DEFAULT_COLUMN_VALUES[colname]))
            else:
                row.append(neutral_value(column))
        edited = table.copy(copy_data=True)
        try:
            widen_names(edited, clean)
            edited.add_row(row)
        except (TypeError, ValueError) as exc:  # nothing changes: the copy is dropped
            raise ValidationError(
                None, f"the source cannot be added to this catalog ({exc})"
            ) from None
        self._last_issued_id = new_id
        self._commit("add", (new_id,), edited, self._live.selected, remember=True)
        return new_id

    @_edit
    def remove(self, meta_ids: Iterable[int] | int) -> None:
        """Remove these sources (all must exist; nothing is removed otherwise)."""
        wanted = set(self._checked_ids(meta_ids))
        ids = self.meta_ids
        indices = [i for i, mid in enumerate(ids) if mid in wanted]
        edited = self._live.table.copy(copy_data=True)
        edited.remove_rows(indices)
        selected = tuple(i for i in self._live.selected if i not in wanted)
        removed = tuple(mid for mid in ids if mid in wanted)
        self._commit("remove", removed, edited, selected, remember=bool(indices))

    @_edit
    def rename(self, meta_id: int, new_name: str) -> None:
        """Give source ``meta_id`` a new name (not empty, not another source's name)."""
        self._require_columns()
        index = row_index(self.meta_ids, meta_id)
        old = self.names[index]
        clean = self._checked_name(new_name, allow=old)
        edited = self._live.table.copy(copy_data=True)
        widen_names(edited, clean)
        edited["src_names"][index] = clean
        changed_id = self.meta_ids[index]
        self._commit("rename", (changed_id,), edited, self._live.selected, remember=clean != old)

    @_edit
    def move(self, meta_id: int, ra: float | str, dec: float | str) -> None:
        """Give source ``meta_id`` a new position, checked as :meth:`add_source` checks it.

        ``ra`` and ``dec`` are degrees, or sexagesimal text (RA in hours: ``"17h45m40s"``,
        ``"17:45:40"``; Dec in degrees: ``"-29d00m28s"``, ``"-29:00:28"``).
        """
        self._require_columns()
        index = row_index(self.meta_ids, meta_id)
        ra_value = checked_coordinate("ra", ra, 0.0, 360.0)
        dec_value = checked_coordinate("dec", dec, -90.0, 90.0)
        table = self._live.table
        old = (float(table[self.lon_name][index]), float(table[self.lat_name][index]))
        edited = table.copy(copy_data=True)
        edited[self.lon_name][index] = ra_value
        edited[self.lat_name][index] = dec_value
        self._commit("move", (self.meta_ids[index],), edited, self._live.selected,
                     remember=old != (ra_value, dec_value))

    # -- undo and redo -------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        """Whether there is an edit (add, remove, rename, move) to take back."""
        return self._history.can_undo

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone edit to do again."""
        return self._history.can_redo

    @_edit
    def undo(self) -> bool:
        """Take back the last edit (rows and selection as they were before it).

        Returns
        -------
        bool
            False (and nothing changes) when there is nothing to undo.
        """
        return self._restore("undo", self._history.undo(self._snapshot()))

    @_edit
    def redo(self) -> bool:
        """Do the last undone edit again; False when there is nothing to redo."""
        return self._restore("redo", self._history.redo(self._snapshot()))

    def _snapshot(self) -> Snapshot:
        # the live table is never changed in place: the history may keep it as it is
        return Snapshot(self._live.table, self._live.selected)

    def _restore(self, kind: ChangeKind, snapshot: Snapshot | None) -> bool:
        if snapshot is None:
            return False
        self._commit(kind, (), snapshot.table, tuple(snapshot.selected))
        return True

    def _commit(
        self,
        kind: ChangeKind,
        meta_ids: tuple[int, ...],
        table: Table,
        selected: tuple[int, ...],
        remember: bool = False,
    ) -> None:
        """Make ``table`` and ``selected`` the catalog (under the lock) and queue the change."""
        if remember:
            self._history.record(self._snapshot())
        self._live = CatalogReading(table, selected, self._live.edits + 1)
        self._teller.queue(CatalogChange(self, kind, meta_ids, self._live.edits, self._live))

    # -- what changed since the job's catalog --------------------------------------------------

    @property
    def original(self) -> Catalog:
        """The catalog as it was made (as the job returned it): a new, independent copy."""
        other = Catalog(self._original_table.copy(copy_data=True), name=self.name)
        other.table.meta = _copy.deepcopy(dict(self._original_table.meta))
        return other

    @property
    def added_ids(self) -> set[int]:
        """``meta_ID``\\ s of the sources added since the catalog was made."""
        before = set(row_ids(self._original_table))
        return {i for i in self.meta_ids if i not in before}

    def moved_ids(self) -> set[int]:
        """``meta_ID``\\ s of the job's sources whose position was changed."""
        return history.moved_ids(self._original_table, self._view().table)

    def changes(self) -> dict[str, int]:
        """How many sources were removed, added, renamed and moved since the catalog was made."""
        return history.change_counts(self._original_table, self._view().table)

    def changes_text(self) -> str:
        """The difference from the job's catalog in words: ``"7 sources: 2 removed, 1 added"``."""
        return history.changes_text(self._original_table, self._view().table)

    # -- warnings ------------------------------------------------------------------------------

    def _err_rad(self) -> list[float] | None:
        return catalog_checks.table_err_rad(self._view().table)

    def _duplicate_pairs(self, table: Table) -> list[catalog_checks.DuplicatePair]:
        """The pairs, computed once per set of positions and radii (the table and the sky both
        ask after every edit)."""
        if not table.meta.get("LON_NAME") or len(table) < 2:
            return []
        err = catalog_checks.table_err_rad(table)
        key = (
            np.asarray(table[table.meta["LON_NAME"]], dtype=float).tobytes(),
            np.asarray(table[table.meta.get("LAT_NAME")], dtype=float).tobytes(),
            None if err is None else tuple(err),
            table.meta.get("FRAME"),
            table.meta.get("COORD_UNIT"),
        )
        cached = self._pairs_cache
        if cached is None or cached[0] != key:
            cached = (key, catalog_checks.table_duplicate_pairs(table))
            self._pairs_cache = cached
        return cached[1]

    def duplicate_ids(self) -> set[int]:
        """Sources closer to another than their ``ERR_RAD`` (or 3 arcmin when it is 0 or
        missing): both of each pair."""
        table = self._view().table
        ids = row_ids(table)
        pairs = self._duplicate_pairs(table)
        return {ids[p.first] for p in pairs} | {ids[p.second] for p in pairs}

    def warnings(self) -> dict[int, list[str]]:
        """Plain-word warnings per ``meta_ID`` (sources without warnings are left out)."""
        table = self._view().table
        return catalog_checks.table_warnings(table, self._duplicate_pairs(table))

    # -- listeners -----------------------------------------------------------------------------

    def add_listener(self, fn: Callable[[Catalog], Any]) -> None:
        """Call ``fn(catalog)`` after every change (once, however often it is added).

        Called once the edit is done and the catalog's lock released, changes in order; in
        ``fn``, the catalog reads as the change left it. A listener that raises is logged and
        stays registered; the edit stands.
        """
        self._teller.add_catalog_listener(fn)

    def remove_listener(self, fn: Callable[[Catalog], Any]) -> None:
        """Stop calling ``fn`` (nothing happens if it was not registered)."""
        self._teller.remove_catalog_listener(fn)

    def add_change_listener(self, fn: Callable[[CatalogChange], Any]) -> None:
        """Call ``fn(change)`` after every change, as :meth:`add_listener` calls its listeners,
        with the :class:`~oda_widgets.client.catalog.events.CatalogChange` (what was done, to
        which sources, and its ``edit`` counter)."""
        self._teller.add(fn)

    def remove_change_listener(self, fn: Callable[[CatalogChange], Any]) -> None:
        """Stop calling ``fn`` (nothing happens if it was not registered)."""
        self._teller.remove(fn)

    # -- copies and comparisons ----------------------------------------------------------------

    def copy(self) -> Catalog:
        """An independent copy (same rows, selection and original; no listeners, no history)."""
        now = self._view()
        other = Catalog(now.table.copy(copy_data=True), name=self.name)
        other.table.meta = _copy.deepcopy(dict(now.table.meta))
        other._live = replace(other._live, selected=now.selected)
        other._original_table = self._original_table.copy(copy_data=True)
        other._last_issued_id = self._last_issued_id
        return other

    def diff(self, other: Catalog) -> dict[str, Any]:
        """What changed from this catalog to ``other``, by ``meta_ID``.

        Returns
        -------
        dict
            ``added``: list of ``(meta_ID, name)`` only in ``other``; ``removed``: the same only
            in this one; ``renamed``: ``{meta_ID: (old name, new name)}``.
        """
        return history.diff_tables(self._view().table, other._view().table)

    # -- Product interface ---------------------------------------------------------------------

    def to_hdulist(self) -> fits.HDUList:
        """The catalog as a FITS binary table (frame and column names in the header; names FITS
        cannot hold as they are escaped, see :mod:`.text_cells`)."""
        return catalog_hdulist(self._view().table)

    def write_fits(self, path: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the catalog as a FITS table (see :meth:`Product.write_fits`)."""
        return super().write_fits(path, overwrite)

    def save(self, path: str | Path, format: str | None = None, overwrite: bool = False) -> Path:
        """Write the catalog as ECSV, FITS, a ds9 region file or the dispatcher's JSON, chosen by
        the suffix (``.ecsv``, ``.fits``, ``.reg``, ``.json``) unless ``format`` says."""
        return save_catalog(self._view().table, path, format=format, overwrite=overwrite)

    @classmethod
    def read(cls, path: str | Path, format: str | None = None) -> Catalog:
        """A catalog from a file :meth:`save` wrote, or another tool in the same shape (the
        format from the suffix); a ds9 region file gives names and positions only."""
        held = read_catalog_file(path, format=format)
        return cls(held) if isinstance(held, Table) else cls.from_dispatcher(held)

    def summary(self) -> str:
        table = self._view().table
        return f"{len(table)} sources ({table.meta.get('FRAME') or '?'})"

    def _repr_html_(self) -> str:
        now = self._view()
        table, lon, lat = now.table, now.table.meta.get("LON_NAME"), now.table.meta.get("LAT_NAME")
        names, sig = row_names(table), "significance" in table.colnames
        rows = []
        for index, meta_id in enumerate(row_ids(table)):
            cells = [
                str(meta_id),
                names[index] if names else "",
                f"{float(table[lon][index]):.4f}" if lon else "",
                f"{float(table[lat][index]):.4f}" if lat else "",
                f"{float(table['significance'][index]):.2f}" if sig else "",
            ]
            mark = " style='font-weight:bold'" if meta_id in now.selected else ""
            rows.append(
                f"<tr{mark}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
            )
        head = "".join(
            f"<th>{html.escape(h)}</th>"
            for h in ("meta_ID", "name", lon or "lon", lat or "lat", "significance")
        )
        return (
            f"<div><b>Catalog</b> <code>{html.escape(self.name)}</code>: "
            f"{html.escape(self.summary())}<table><tr>{head}</tr>{''.join(rows)}</table></div>"
        )

    # -- checks --------------------------------------------------------------------------------

    def _require_columns(self) -> None:
        needed = ["meta_ID", "src_names", self.lon_name, self.lat_name]
        missing = [c for c in needed if c is None or c not in self.table.colnames]
        if missing:
            raise ValidationError(
                None, f"this catalog cannot be edited: it has no {missing[0]!r} column"
            )

    def _checked_ids(self, meta_ids: Iterable[int] | int) -> list[int]:
        listed = [meta_ids] if isinstance(meta_ids, int | np.integer | str) else meta_ids
        ids = self.meta_ids
        return [ids[row_index(ids, mid)] for mid in listed]

    def _checked_name(self, name: Any, allow: str | None = None) -> str:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("src_names", "a source name must be a non-empty text")
        clean = name.strip()
        if clean != allow and clean in self.names:
            raise ValidationError(
                "src_names", f"a source named {clean!r} is already in the catalog"
            )
        return clean


def _meta_text(table: Table, key: str) -> str | None:
    value = table.meta.get(key)
    return None if value is None else str(value)

