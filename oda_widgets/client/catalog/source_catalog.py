"""The dispatcher's source catalog: its ``catalog`` dict <-> an astropy Table <-> ``selected_catalog``.

An INTEGRAL image job answers with the sources it found as a ``catalog`` dict (columns as lists,
their names and NumPy dtypes, the frame and the names of the longitude/latitude columns). A user
edits that list (adds a source, removes spurious ones, renames) and sends it back as the
``selected_catalog`` parameter of the next job, optionally with ``catalog_selected_objects`` to
keep only some rows. :class:`Catalog` holds the table, keeps it valid for the server through
every edit, and writes the exact JSON shape oda_api's ``ApiCatalog`` writes.
"""

from __future__ import annotations

import copy as _copy
import functools
import html
import json
import math
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.io import fits
from astropy.table import Column, MaskedColumn, Table

from ..callbacks import Callbacks
from ..errors import ValidationError
from ..products.base import Product
from ..products.budget import DecodeBudget, json_cost
from . import checks as catalog_checks
from .files import read_catalog_file, save_catalog
from .history import EditHistory, Snapshot
from .text_cells import fits_text

__all__ = ["Catalog"]

#: Values a new source gets in the columns of an INTEGRAL catalog, unless given.
DEFAULT_COLUMN_VALUES: dict[str, Any] = {
    "significance": 0.0,
    "NEW_SOURCE": 0,
    "ISGRI_FLAG": 2,
    "FLAG": 0,
    "ERR_RAD": 0.0,
}

_REQUIRED_KEYS = ("cat_column_list", "cat_column_names")


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``method`` holding the catalog's lock: the table's messages may be handled in a
    kernel thread of their own (ipykernel subshells) while a cell edits the same catalog."""

    @functools.wraps(method)
    def locked(self: Catalog, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


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
    wrong; afterwards every listener registered with :meth:`add_listener` is called with the
    catalog.
    The rows the catalog was made with are kept (:attr:`original`), so that what the user changed
    can be told (:meth:`changes_text`, :attr:`added_ids`).
    """

    kind = "catalog"

    def __init__(self, table: Table, name: str = "dispatcher_catalog") -> None:
        super().__init__(name, {}, "dispatcher_catalog")
        self._lock = threading.RLock()
        self.table = table
        self._selected: list[int] = []
        # a broken view must not undo or hide an edit that has happened: Callbacks logs it
        self._on_change: Callbacks[[Catalog]] = Callbacks()
        self._original_table = table.copy(copy_data=True)
        self._history = EditHistory()
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
        budget = budget if budget is not None else DecodeBudget()
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
        for key in _REQUIRED_KEYS:
            if key not in d:
                raise ValidationError("selected_catalog", f"the catalog has no {key!r}")
        columns, names = d["cat_column_list"], d["cat_column_names"]
        if (
            not isinstance(columns, list)
            or not isinstance(names, list)
            or len(columns) != len(names)
        ):
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
        return cls(table, name=name)

    @_locked
    def to_dict(self) -> dict[str, Any]:
        """The catalog in the dispatcher's dict shape (key order and types as oda_api writes)."""
        column_lists = []
        for colname in self.table.colnames:
            values = self.table[colname].tolist()
            column_lists.append([None if _is_nan(v) else v for v in values])
        return {
            "cat_frame": self.table.meta.get("FRAME"),
            "cat_coord_units": self.table.meta.get("COORD_UNIT"),
            "cat_column_list": column_lists,
            "cat_column_names": list(self.table.colnames),
            "cat_column_descr": [list(entry) for entry in self.table.dtype.descr],
            "cat_lat_name": self.lat_name,
            "cat_lon_name": self.lon_name,
        }

    def to_selected_catalog(self) -> str:
        """The JSON text to send as ``selected_catalog`` (what ``ApiCatalog.get_api_dictionary()``
        returns)."""
        return json.dumps(self.to_dict())

    # -- what is in it -------------------------------------------------------------------------

    @property
    def lon_name(self) -> str | None:
        """Name of the longitude (RA) column."""
        return self.table.meta.get("LON_NAME")

    @property
    def lat_name(self) -> str | None:
        """Name of the latitude (Dec) column."""
        return self.table.meta.get("LAT_NAME")

    @property
    def meta_ids(self) -> list[int]:
        """The ``meta_ID`` of every row, in order."""
        if "meta_ID" not in self.table.colnames:
            return list(range(len(self.table)))
        return [int(v) for v in self.table["meta_ID"]]

    @property
    def names(self) -> list[str]:
        """The source names, in order."""
        if "src_names" not in self.table.colnames:
            return []
        return [str(v) for v in self.table["src_names"]]

    @property
    def coords(self) -> SkyCoord:
        """Source positions as a ``SkyCoord`` in the catalog's frame."""
        frame = str(self.table.meta.get("FRAME") or "fk5").lower()
        unit = self.table.meta.get("COORD_UNIT") or "deg"
        lon = np.asarray(self.table[self.lon_name], dtype=float)
        lat = np.asarray(self.table[self.lat_name], dtype=float)
        return SkyCoord(lon, lat, unit=(unit, unit), frame=frame)

    def __len__(self) -> int:
        return len(self.table)

    def row(self, meta_id: int) -> Any:
        """The table row of ``meta_id``."""
        return self.table[self._index(meta_id)]

    # -- selection -----------------------------------------------------------------------------

    @property
    def selected(self) -> list[int]:
        """``meta_ID``\\ s of the selected sources (empty: no selection, every source is used)."""
        return list(self._selected)

    @_locked
    def select(self, meta_ids: Iterable[int] | int | None) -> None:
        """Select these sources (replacing the selection); ``None`` or empty clears it."""
        wanted = self._checked_ids(meta_ids if meta_ids is not None else [])
        order = self.meta_ids
        self._selected = [i for i in order if i in set(wanted)]
        self._notify()

    def catalog_selected_objects(self) -> str | None:
        """The ``catalog_selected_objects`` parameter: selected ``meta_ID``\\ s as ``"0,3"``,
        or ``None`` when nothing is selected."""
        if not self._selected:
            return None
        return ",".join(str(i) for i in self._selected)

    # -- editing -------------------------------------------------------------------------------

    @_locked
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
        clean = self._checked_name(name)
        ra_value = self._checked_coordinate("ra", ra, 0.0, 360.0)
        dec_value = self._checked_coordinate("dec", dec, -90.0, 90.0)
        unknown = [k for k in columns if k not in self.table.colnames]
        if unknown:
            raise ValidationError(
                unknown[0],
                f"the catalog has no column {unknown[0]!r}; its columns are "
                + ", ".join(self.table.colnames),
            )
        fixed = {"meta_ID", "src_names", self.lon_name, self.lat_name}
        clash = [k for k in columns if k in fixed]
        if clash:
            raise ValidationError(clash[0], f"{clash[0]} is set by add_source itself")
        new_id = max([self._last_issued_id, *self.meta_ids]) + 1
        row: dict[str, Any] = {}
        for colname in self.table.colnames:
            column = self.table[colname]
            if colname == "meta_ID":
                row[colname] = new_id
            elif colname == "src_names":
                row[colname] = clean
            elif colname == self.lon_name:
                row[colname] = ra_value
            elif colname == self.lat_name:
                row[colname] = dec_value
            elif colname in columns:
                row[colname] = self._checked_value(colname, column, columns[colname])
            elif colname in DEFAULT_COLUMN_VALUES:
                row[colname] = self._checked_value(colname, column, DEFAULT_COLUMN_VALUES[colname])
            else:
                row[colname] = _neutral(column)
        before = self._snapshot()
        try:
            self._widen_names(clean)
            self.table.add_row([row[c] for c in self.table.colnames])
        except (TypeError, ValueError) as exc:
            self.table = before.table  # nothing changes
            raise ValidationError(
                None, f"the source cannot be added to this catalog ({exc})"
            ) from None
        self._history.record(before)
        self._last_issued_id = new_id
        self._notify()
        return new_id

    @_locked
    def remove(self, meta_ids: Iterable[int] | int) -> None:
        """Remove these sources (all must exist; nothing is removed otherwise)."""
        wanted = set(self._checked_ids(meta_ids))
        indices = [i for i, mid in enumerate(self.meta_ids) if mid in wanted]
        if indices:
            self._remember()
        self.table.remove_rows(indices)
        self._selected = [i for i in self._selected if i not in wanted]
        self._notify()

    @_locked
    def rename(self, meta_id: int, new_name: str) -> None:
        """Give source ``meta_id`` a new name (not empty, not another source's name)."""
        self._require_columns()
        index = self._index(meta_id)
        clean = self._checked_name(new_name, allow=self.names[index])
        if clean != self.names[index]:
            self._remember()
        self._widen_names(clean)
        self.table["src_names"][index] = clean
        self._notify()

    @_locked
    def move(self, meta_id: int, ra: float | str, dec: float | str) -> None:
        """Give source ``meta_id`` a new position, checked as :meth:`add_source` checks it.

        ``ra`` and ``dec`` are degrees, or sexagesimal text (RA in hours: ``"17h45m40s"``,
        ``"17:45:40"``; Dec in degrees: ``"-29d00m28s"``, ``"-29:00:28"``).
        """
        self._require_columns()
        index = self._index(meta_id)
        ra_value = self._checked_coordinate("ra", ra, 0.0, 360.0)
        dec_value = self._checked_coordinate("dec", dec, -90.0, 90.0)
        old = (float(self.table[self.lon_name][index]), float(self.table[self.lat_name][index]))
        if old != (ra_value, dec_value):
            self._remember()
        self.table[self.lon_name][index] = ra_value
        self.table[self.lat_name][index] = dec_value
        self._notify()

    # -- undo and redo -------------------------------------------------------------------------

    @property
    def can_undo(self) -> bool:
        """Whether there is an edit (add, remove, rename, move) to take back."""
        return self._history.can_undo

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone edit to do again."""
        return self._history.can_redo

    @_locked
    def undo(self) -> bool:
        """Take back the last edit (rows and selection as they were before it).

        Returns
        -------
        bool
            False (and nothing changes) when there is nothing to undo.
        """
        return self._restore(self._history.undo(self._snapshot(copy=False)))

    @_locked
    def redo(self) -> bool:
        """Do the last undone edit again; False when there is nothing to redo."""
        return self._restore(self._history.redo(self._snapshot(copy=False)))

    def _snapshot(self, copy: bool = True) -> Snapshot:
        table = self.table.copy(copy_data=True) if copy else self.table
        return Snapshot(table, tuple(self._selected))

    def _remember(self) -> None:
        self._history.record(self._snapshot())

    def _restore(self, snapshot: Snapshot | None) -> bool:
        if snapshot is None:
            return False
        self.table = snapshot.table
        self._selected = list(snapshot.selected)
        self._notify()
        return True

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
        before = set(self._original_ids())
        return {i for i in self.meta_ids if i not in before}

    def moved_ids(self) -> set[int]:
        """``meta_ID``\\ s of the job's sources whose position was changed."""
        if not self.lon_name or self.lon_name not in self._original_table.colnames:
            return set()
        ids = self._original_ids()
        lon = self._original_table[self.lon_name]
        lat = self._original_table[self.lat_name]
        before = {mid: (float(lon[k]), float(lat[k])) for k, mid in enumerate(ids)}
        moved = set()
        for k, mid in enumerate(self.meta_ids):
            now = (float(self.table[self.lon_name][k]), float(self.table[self.lat_name][k]))
            if mid in before and now != before[mid] and not all(map(math.isnan, now)):
                moved.add(mid)
        return moved

    def changes(self) -> dict[str, int]:
        """How many sources were removed, added, renamed and moved since the catalog was made."""
        diff = self.original.diff(self)
        return {
            "removed": len(diff["removed"]),
            "added": len(diff["added"]),
            "renamed": len(diff["renamed"]),
            "moved": len(self.moved_ids()),
        }

    def changes_text(self) -> str:
        """The difference from the job's catalog in words: ``"7 sources: 2 removed, 1 added"``."""
        count = f"{len(self)} source{'' if len(self) == 1 else 's'}"
        parts = [f"{n} {what}" for what, n in self.changes().items() if n]
        if not parts:
            return f"{count}, as the job returned them"
        return f"{count}: " + ", ".join(parts)

    def _original_ids(self) -> list[int]:
        if "meta_ID" not in self._original_table.colnames:
            return list(range(len(self._original_table)))
        return [int(v) for v in self._original_table["meta_ID"]]

    # -- warnings ------------------------------------------------------------------------------

    def _err_rad(self) -> list[float] | None:
        if "ERR_RAD" not in self.table.colnames:
            return None
        return [float(v) for v in np.ma.filled(self.table["ERR_RAD"], np.nan)]

    def _duplicate_pairs(self) -> list[catalog_checks.DuplicatePair]:
        """The pairs, computed once per set of positions and radii (the table and the sky both
        ask after every edit)."""
        if not self.lon_name or len(self) < 2:
            return []
        lon = np.asarray(self.table[self.lon_name], dtype=float)
        lat = np.asarray(self.table[self.lat_name], dtype=float)
        err = self._err_rad()
        key = (
            lon.tobytes(),
            lat.tobytes(),
            None if err is None else tuple(err),
            self.table.meta.get("FRAME"),
            self.table.meta.get("COORD_UNIT"),
        )
        cached = getattr(self, "_pairs_cache", None)
        if cached is None or cached[0] != key:
            cached = (key, catalog_checks.duplicate_pairs(self.coords, err))
            self._pairs_cache = cached
        return cached[1]

    def duplicate_ids(self) -> set[int]:
        """Sources closer to another than their ``ERR_RAD`` (or 3 arcmin when it is 0 or
        missing): both of each pair."""
        ids = self.meta_ids
        pairs = self._duplicate_pairs()
        return {ids[p.first] for p in pairs} | {ids[p.second] for p in pairs}

    def warnings(self) -> dict[int, list[str]]:
        """Plain-word warnings per ``meta_ID`` (sources without warnings are left out)."""
        out: dict[int, list[str]] = {}
        ids, names = self.meta_ids, self.names
        if self.lon_name and len(self) >= 2:
            for pair in self._duplicate_pairs():
                for me, other in ((pair.first, pair.second), (pair.second, pair.first)):
                    out.setdefault(ids[me], []).append(
                        f"{catalog_checks.format_angle(pair.separation)} from {names[other]!r}, "
                        f"closer than the error radius "
                        f"({catalog_checks.format_angle(pair.radius)}): probably the same "
                        f"source; remove one of them"
                    )
        for k, name in enumerate(names):
            if catalog_checks.ignored_by_jemx(name):
                ra = float(self.table[self.lon_name][k]) if self.lon_name else math.nan
                dec = float(self.table[self.lat_name][k]) if self.lat_name else math.nan
                out.setdefault(ids[k], []).append(catalog_checks.rename_hint(name, ra, dec))
        return {i: out[i] for i in ids if i in out}

    # -- listeners -----------------------------------------------------------------------------

    def add_listener(self, fn: Callable[[Catalog], None]) -> None:
        """Call ``fn(catalog)`` after every change (once, however often it is added).

        A listener that raises is logged and stays registered; the edit stands.
        """
        self._on_change.add(fn)

    def remove_listener(self, fn: Callable[[Catalog], None]) -> None:
        """Stop calling ``fn`` (nothing happens if it was not registered)."""
        self._on_change.remove(fn)

    def _notify(self) -> None:
        self._on_change(self)

    # -- copies and comparisons ----------------------------------------------------------------

    @_locked
    def copy(self) -> Catalog:
        """An independent copy (same rows, selection and original; no listeners, no history)."""
        other = Catalog(self.table.copy(copy_data=True), name=self.name)
        other.table.meta = _copy.deepcopy(dict(self.table.meta))
        other._selected = list(self._selected)
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
        mine = dict(zip(self.meta_ids, self.names or [""] * len(self), strict=False))
        theirs = dict(zip(other.meta_ids, other.names or [""] * len(other), strict=False))
        return {
            "added": [(i, theirs[i]) for i in theirs if i not in mine],
            "removed": [(i, mine[i]) for i in mine if i not in theirs],
            "renamed": {
                i: (mine[i], theirs[i]) for i in mine if i in theirs and mine[i] != theirs[i]
            },
        }

    # -- Product interface ---------------------------------------------------------------------

    def to_hdulist(self) -> fits.HDUList:
        """The catalog as a FITS binary table (frame and column names in the header; names FITS
        cannot hold as they are escaped, see :mod:`.text_cells`)."""
        table = self.table.copy()
        table.meta = {k: v for k, v in self.table.meta.items() if v is not None}
        table = fits_text(table)
        with warnings.catch_warnings():
            # COORD_UNIT is longer than 8 characters: a HIERARCH card, as intended
            warnings.simplefilter("ignore", fits.verify.VerifyWarning)
            hdu = fits.table_to_hdu(table)
        hdu.name = "CATALOG"
        return fits.HDUList([fits.PrimaryHDU(), hdu])

    def write_fits(self, path: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the catalog as a FITS table (see :meth:`Product.write_fits`)."""
        return super().write_fits(path, overwrite)

    def save(self, path: str | Path, format: str | None = None, overwrite: bool = False) -> Path:
        """Write the catalog as ECSV, FITS, a ds9 region file or the dispatcher's JSON, chosen by
        the suffix (``.ecsv``, ``.fits``, ``.reg``, ``.json``) unless ``format`` says."""
        return save_catalog(self, path, format=format, overwrite=overwrite)

    @classmethod
    def read(cls, path: str | Path, format: str | None = None) -> Catalog:
        """A catalog from a file :meth:`save` wrote, or another tool in the same shape (the
        format from the suffix); a ds9 region file gives names and positions only."""
        held = read_catalog_file(path, format=format)
        return cls(held) if isinstance(held, Table) else cls.from_dispatcher(held)

    def summary(self) -> str:
        frame = self.table.meta.get("FRAME") or "?"
        return f"{len(self)} sources ({frame})"

    def _repr_html_(self) -> str:
        rows = []
        sig = "significance" in self.table.colnames
        for index, meta_id in enumerate(self.meta_ids):
            cells = [
                str(meta_id),
                self.names[index] if self.names else "",
                f"{float(self.table[self.lon_name][index]):.4f}" if self.lon_name else "",
                f"{float(self.table[self.lat_name][index]):.4f}" if self.lat_name else "",
                f"{float(self.table['significance'][index]):.2f}" if sig else "",
            ]
            mark = " style='font-weight:bold'" if meta_id in self._selected else ""
            rows.append(
                f"<tr{mark}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"
            )
        head = "".join(
            f"<th>{html.escape(h)}</th>"
            for h in (
                "meta_ID",
                "name",
                self.lon_name or "lon",
                self.lat_name or "lat",
                "significance",
            )
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

    def _index(self, meta_id: Any) -> int:
        ids = self.meta_ids
        try:
            return ids.index(int(meta_id))
        except (ValueError, TypeError):
            raise ValidationError(
                "meta_ID", f"no source has meta_ID {meta_id!r}; known meta_IDs: {ids}"
            ) from None

    def _checked_ids(self, meta_ids: Iterable[int] | int) -> list[int]:
        if isinstance(meta_ids, int | np.integer | str):
            meta_ids = [meta_ids]  # type: ignore[list-item]
        return [self.meta_ids[self._index(mid)] for mid in meta_ids]

    def _checked_name(self, name: Any, allow: str | None = None) -> str:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("src_names", "a source name must be a non-empty text")
        clean = name.strip()
        if clean != allow and clean in self.names:
            raise ValidationError(
                "src_names", f"a source named {clean!r} is already in the catalog"
            )
        return clean

    @staticmethod
    def _checked_coordinate(label: str, value: Any, low: float, high: float) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = _sexagesimal_degrees(value, hours=label == "ra")
            if number is None:
                example = "17h45m40s or 17:45:40" if label == "ra" else "-29d00m28s or -29:00:28"
                raise ValidationError(
                    label,
                    f"{label} must be a number of degrees or sexagesimal (e.g. {example}), "
                    f"not {value!r}",
                ) from None
        if not math.isfinite(number) or not low <= number <= high:
            raise ValidationError(
                label, f"{label} must be between {low:g} and {high:g} degrees, not {value!r}"
            )
        return number

    @staticmethod
    def _checked_value(colname: str, column: Column, value: Any) -> Any:
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

    def _widen_names(self, name: str) -> None:
        column = self.table["src_names"]
        if column.dtype.kind not in "USO" and len(column) == 0:
            # an empty catalog sent without column types: its names column is a text column
            self.table.replace_column("src_names", Column([], name="src_names", dtype="<U1"))
            column = self.table["src_names"]
        if column.dtype.kind == "U" and column.dtype.itemsize // 4 < len(name):
            self.table.replace_column("src_names", column.astype(f"<U{len(name)}"))


def _sexagesimal_degrees(value: Any, hours: bool) -> float | None:
    """Degrees from sexagesimal text (hours for RA when no unit letters say otherwise)."""
    from astropy.coordinates import Angle

    if not isinstance(value, str) or not re.search(r"[:hdms\u00b0'\"\s]", value.strip()):
        return None
    text = value.strip()
    try:
        if re.search(r"[hdms\u00b0'\"]", text):
            return float(Angle(text).to_value(u.deg))
        return float(Angle(text, unit=u.hourangle if hours else u.deg).to_value(u.deg))
    except Exception:  # noqa: BLE001 - any parse failure means "not an angle"
        return None


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def _neutral(column: Column) -> Any:
    kind = column.dtype.kind
    if kind == "f":
        return math.nan
    if kind in "iub":
        return 0
    if kind in "US":
        return ""
    return None
