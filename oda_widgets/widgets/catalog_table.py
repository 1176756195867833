"""CatalogTable: the editable table of a source catalog, one row per source.

The table shows a :class:`~oda_widgets.client.catalog.source_catalog.Catalog` and edits it only through the
catalog's own methods (rename, move, add_source, remove, select, undo, redo). It redraws in the
catalog's listener, so every view made from the same catalog (the sky view too) follows every
edit, whichever view made it. The front end (``js/catalog_table.js``) is an anywidget: it draws
the rows from the synced list of plain dicts, sorts and selects locally, and sends the user's
edits back as messages; the kernel answers an edit it refuses with the message shown next to the
cell, and keeps what the user typed. The rows travel whole once (the widget's state); after that
an edit sends only the rows it changed, as a numbered patch (``row_patches.py``), and a front end
that missed a patch asks for the whole list again.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets
from astropy import units as u
from astropy.coordinates import Angle, SkyCoord

from ..client.catalog.files import FORMATS, catalog_bytes, save_catalog
from ..client.catalog.source_catalog import Catalog
from ..client.errors import ValidationError
from .events import Events
from .front_end_loader import FrontEndCode, loader_module
from .row_patches import diff_rows
from .source_colours import source_colour

__all__ = ["CatalogTable", "rows_of"]

logger = logging.getLogger(__name__)

#: Columns that are shown together as "flags", in this order.
FLAG_COLUMNS = ("NEW_SOURCE", "ISGRI_FLAG", "FLAG")


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _flags_texts(table: Any) -> list[str]:
    """The flags of every row in words, e.g. ``"new detection, ISGRI_FLAG 0, FLAG 0"``."""
    columns = []
    for name in FLAG_COLUMNS:
        if name in table.colnames:
            column = table[name]
            mask = np.ma.getmaskarray(column)
            columns.append((name, np.ma.filled(column, 0).tolist(), mask.tolist()))
    texts = []
    for k in range(len(table)):
        parts = []
        for name, values, mask in columns:
            if mask[k]:
                continue
            value = int(values[k])
            if name == "NEW_SOURCE":
                # the n-th new detection of the image has n here; a known source has the FITS
                # null (-32768) and a source the user added 0
                if value > 0:
                    parts.append("new detection")
                continue
            parts.append(f"{name} {value}")
        texts.append(", ".join(parts))
    return texts


def _sexagesimal(coords: SkyCoord) -> tuple[list[str], list[str]]:
    lon = Angle(coords.spherical.lon)
    lat = Angle(coords.spherical.lat)
    ra = lon.to_string(unit=u.hourangle, sep=":", precision=2, pad=True)
    dec = lat.to_string(unit=u.deg, sep=":", precision=1, pad=True, alwayssign=True)
    return [str(s) for s in np.atleast_1d(ra)], [str(s) for s in np.atleast_1d(dec)]


def rows_of(catalog: Catalog) -> list[dict[str, Any]]:
    """The table's rows: plain dicts the front end draws, in the catalog's order.

    Each row has ``id`` (meta_ID), ``name``, ``ra``, ``dec`` (degrees or None), ``ra_sex``,
    ``dec_sex`` (sexagesimal text), ``significance``, ``flags`` (text), ``err_rad`` (degrees),
    ``state`` (``"added"``, ``"renamed"``, ``"moved"`` or ``""``), ``duplicate`` (bool) and
    ``warnings`` (list of text).
    """
    table = catalog.table
    colnames = list(table.colnames)
    n = len(table)
    if n == 0:
        return []
    ids, names = catalog.meta_ids, catalog.names or [""] * n
    has_position = bool(catalog.lon_name and catalog.lon_name in colnames)
    if has_position:
        coords = catalog.coords
        ra_sex, dec_sex = _sexagesimal(coords)
        lon = [_number(v) for v in table[catalog.lon_name]]
        lat = [_number(v) for v in table[catalog.lat_name]]
    else:
        ra_sex = dec_sex = [""] * n
        lon = lat = [None] * n
    significance = (
        [_number(v) for v in np.ma.filled(table["significance"], np.nan)]
        if "significance" in colnames
        else [None] * n
    )
    err_rad = (
        [_number(v) for v in np.ma.filled(table["ERR_RAD"], np.nan)]
        if "ERR_RAD" in colnames
        else [None] * n
    )
    added = catalog.added_ids
    moved = catalog.moved_ids()
    original = dict(zip(catalog.original.meta_ids, catalog.original.names or [], strict=False))
    duplicates = catalog.duplicate_ids()
    warnings = catalog.warnings()
    flags = _flags_texts(table)
    rows = []
    for k in range(n):
        meta_id = ids[k]
        if meta_id in added:
            state = "added"
        elif meta_id in original and original[meta_id] != names[k]:
            state = "renamed"
        elif meta_id in moved:
            state = "moved"
        else:
            state = ""
        rows.append(
            {
                "id": meta_id,
                "name": names[k],
                "ra": lon[k],
                "dec": lat[k],
                "ra_sex": ra_sex[k] if lon[k] is not None else "",
                "dec_sex": dec_sex[k] if lat[k] is not None else "",
                "significance": significance[k],
                "flags": flags[k],
                "err_rad": err_rad[k],
                "state": state,
                "duplicate": meta_id in duplicates,
                "warnings": list(warnings.get(meta_id, [])),
                "colour": source_colour(names[k]),
            }
        )
    return rows


class CatalogTable(FrontEndCode, anywidget.AnyWidget):
    """An editable table of a source catalog, linked to every other view of the same catalog.

    Parameters
    ----------
    catalog : Catalog
        The catalog to show and edit (e.g. ``products.catalog`` of an image job).
    form : QueryForm, optional
        The form that "Use this catalog" fills and "Add the query's object" reads.

    Attributes
    ----------
    selected : list of int
        The ``meta_ID`` of the selected rows (observable; setting it selects them in every view).
    selected_only : bool
        Whether "Use this catalog" restricts the next job to the selected rows.

    Examples
    --------
    >>> table = CatalogTable(products.catalog)
    >>> table.selected = [17, 87]          # selects the rows here and on the sky
    >>> table.use_catalog(form)            # the next job of the form extracts these sources
    >>> table.save("my_sources.reg")       # ds9 regions (.ecsv, .fits, .json too)
    """

    # The text, not the path (see JobMonitor): a file-backed front end keeps every widget alive.
    # the code itself, with its stylesheet, is served once per page
    _esm = loader_module("catalog_table")

    #: The rows as :func:`rows_of` makes them. Synced whole when a page asks for the state;
    #: each change after that travels as a patch of the rows it changed (see ``_rows_changed``).
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: The version ``rows`` is: the base of the next patch.
    _rows_version = traitlets.Int(0).tag(sync=True)
    selected = traitlets.List(traitlets.Int()).tag(sync=True)
    selected_only = traitlets.Bool(False).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    can_undo = traitlets.Bool(False).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    #: Refused edits, by ``"<meta_ID>:<column>"``: ``{"text": what was typed, "message": why}``.
    errors = traitlets.Dict().tag(sync=True)
    #: The last action's outcome, in words (saved files, catalog used by the form, refusals).
    status = traitlets.Unicode("").tag(sync=True)
    has_form = traitlets.Bool(False).tag(sync=True)
    formats = traitlets.List(traitlets.List()).tag(sync=True)

    def __init__(self, catalog: Catalog, form: Any | None = None, **kwargs: Any) -> None:
        if not isinstance(catalog, Catalog):
            raise TypeError(
                f"CatalogTable shows a Catalog (e.g. products.catalog), not {type(catalog).__name__}"
            )
        # the rows go with the state the widget opens with, not as a first patch of every row
        super().__init__(rows=rows_of(catalog), **kwargs)
        self.catalog = catalog
        self.form = form
        self.has_form = form is not None
        self.formats = [[name, suffix, what] for name, (suffix, what, _mime) in FORMATS.items()]
        self._syncing = False
        self._form_filled = Events()
        self.on_msg(self._on_front_end_message)
        catalog.add_listener(self._catalog_changed)
        self._catalog_changed(catalog)

    # --- following the catalog ------------------------------------------------------------------
    def _catalog_changed(self, catalog: Catalog) -> None:
        rows = rows_of(catalog)
        known = {row["id"] for row in rows}
        with self.hold_sync():
            self._syncing = True
            try:
                self.rows = rows
                self.selected = catalog.selected
                self.summary = catalog.changes_text()
                self.can_undo = catalog.can_undo
                self.can_redo = catalog.can_redo
                # a refused edit of a row that is gone has nothing left to fix
                self.errors = {
                    k: v for k, v in self.errors.items() if int(k.split(":")[0]) in known
                }
            finally:
                self._syncing = False

    @traitlets.observe("rows")
    def _rows_changed(self, change: Mapping[str, Any]) -> None:
        patch = diff_rows(change["old"] or [], change["new"], self._rows_version)
        if patch is None:
            return
        self._rows_version = patch["version"]
        self.send(patch)

    def _should_send_property(self, key: str, value: Any) -> bool:
        # a change of the rows goes as a patch; the whole list only with the state
        # (a page opening, or a front end that missed a patch asking for it)
        if key in ("rows", "_rows_version"):
            return False
        return bool(super()._should_send_property(key, value))

    def _send_rows(self) -> None:
        self.send_state(["rows", "_rows_version"])

    @traitlets.observe("selected")
    def _selected_set(self, change: Mapping[str, Any]) -> None:
        if self._syncing or list(change["new"]) == self.catalog.selected:
            return
        try:
            self.catalog.select(list(change["new"]))
        except ValidationError as exc:
            self.status = f"⚠ {exc.message}"
            self._catalog_changed(self.catalog)

    @traitlets.observe("comm")
    def _on_comm_change(self, change: Mapping[str, Any]) -> None:
        if change["new"] is None and change["old"] is not None:
            self.catalog.remove_listener(self._catalog_changed)

    # --- what the buttons do ----------------------------------------------------------------------
    def edit(self, meta_id: int, column: str, text: Any) -> bool:
        """Set the name, RA or Dec of one source from what the user typed.

        RA and Dec are degrees or sexagesimal (RA in hours: ``17:45:40.0`` or ``17h45m40s``).
        A refused value leaves the catalog as it was and is kept in :attr:`errors` with the
        reason; returns whether the edit was made.
        """
        key = f"{meta_id}:{column}"
        try:
            if column == "name":
                self.catalog.rename(meta_id, str(text))
            elif column in ("ra", "dec"):
                row = self.catalog.row(meta_id)
                ra = text if column == "ra" else float(row[self.catalog.lon_name])
                dec = text if column == "dec" else float(row[self.catalog.lat_name])
                self.catalog.move(meta_id, ra, dec)
            else:
                raise ValidationError(column, f"the {column} column cannot be edited here")
        except ValidationError as exc:
            self.errors = {**self.errors, key: {"text": str(text), "message": exc.message}}
            return False
        self.errors = {k: v for k, v in self.errors.items() if k != key}
        return True

    def cancel_edit(self, meta_id: int, column: str) -> None:
        """Forget a refused edit (the cell shows the catalog's value again)."""
        key = f"{meta_id}:{column}"
        self.errors = {k: v for k, v in self.errors.items() if k != key}

    def add_source(self, name: str | None = None, ra: Any = None, dec: Any = None) -> int:
        """Add a source; with no name it is ``unnamed <n>``, with no position at the centre of the
        catalog (or of the form's query). Returns its meta_ID."""
        if name is None:
            taken = set(self.catalog.names)
            n = 1
            while f"unnamed {n}" in taken:
                n += 1
            name = f"unnamed {n}"
        if ra is None or dec is None:
            ra, dec = self._default_position()
        return self.catalog.add_source(name, ra, dec)

    def add_query_object(self) -> int:
        """Add the form's source (its name, RA and Dec) to the catalog; returns its meta_ID."""
        form = self._require_form("add the query's object")
        values = form.values
        name = values.get("src_name")
        ra, dec = values.get("RA"), values.get("DEC")
        if not name or ra is None or dec is None:
            raise ValidationError(
                "src_name", "the form has no source name and RA/Dec to add; fill them in first"
            )
        return self.catalog.add_source(str(name), ra, dec)

    def delete_selected(self, meta_ids: list[int] | None = None) -> list[int]:
        """Remove the selected rows (or ``meta_ids``); returns the meta_IDs removed (nothing
        selected: nothing removed)."""
        chosen = self.catalog.selected if meta_ids is None else [int(i) for i in meta_ids]
        if chosen:
            self.catalog.remove(chosen)
        return chosen

    def undo(self) -> bool:
        """Take back the last edit (see :meth:`Catalog.undo`)."""
        return self.catalog.undo()

    def redo(self) -> bool:
        """Do the last undone edit again (see :meth:`Catalog.redo`)."""
        return self.catalog.redo()

    def use_catalog(self, form: Any | None = None, selected_only: bool | None = None) -> str:
        """Put this catalog into the form's ``selected_catalog`` (what "Use this catalog" does).

        Parameters
        ----------
        form : QueryForm, optional
            The form; the table's own form when omitted (and this one becomes the table's).
        selected_only : bool, optional
            Send ``catalog_selected_objects`` too, so that only the selected rows are extracted;
            defaults to :attr:`selected_only`.

        Returns
        -------
        str
            What the form now says it holds, e.g. ``"catalog: 7 sources (2 removed, 1 added)"``.
        """
        if form is not None:
            self.form = form
            self.has_form = True
        form = self._require_form("use this catalog")
        only = self.selected_only if selected_only is None else bool(selected_only)
        form.set_catalog(self.catalog, selected_only=only)
        field = form.fields.get("selected_catalog")
        said = field.summary() if field is not None else self.catalog.changes_text()
        self.status = f"The form sends this catalog with its next job: {said}"
        self._form_filled(self.status)
        return said

    def on_form_filled(self, callback: Any, remove: bool = False) -> None:
        """Call ``callback(text)`` each time this table puts its catalog into a form.

        ``text`` says what the form now sends, e.g. ``"The form sends this catalog with its next
        job: catalog: 7 sources (2 removed)"``; ``remove=True`` unregisters.
        """
        self._form_filled.register_callback(callback, remove=remove)

    def save(self, path: str | Path, format: str | None = None, overwrite: bool = False) -> Path:
        """Write the catalog to ``path``: ECSV, FITS, ds9 region file or the dispatcher's JSON,
        chosen by the suffix (``.ecsv``, ``.fits``, ``.reg``, ``.json``) unless ``format`` says."""
        return save_catalog(self.catalog, path, format=format, overwrite=overwrite)

    # --- plumbing -----------------------------------------------------------------------------------
    def _require_form(self, what: str) -> Any:
        if self.form is None:
            raise ValidationError(
                None, f"to {what}, give the table a form: CatalogTable(catalog, form=form)"
            )
        return self.form

    def _default_position(self) -> tuple[float, float]:
        if self.form is not None:
            values = self.form.values
            ra, dec = _number(values.get("RA")), _number(values.get("DEC"))
            if ra is not None and dec is not None:
                return ra, dec
        if len(self.catalog) and self.catalog.lon_name:
            coords = self.catalog.coords
            mean = SkyCoord(
                coords.cartesian.mean(), frame=coords.frame, representation_type="cartesian"
            )
            spherical = mean.spherical
            return float(spherical.lon.deg) % 360.0, float(spherical.lat.deg)
        return 0.0, 0.0

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        try:
            if action == "edit":
                self.edit(int(content["id"]), str(content["column"]), content.get("text", ""))
            elif action == "cancel_edit":
                self.cancel_edit(int(content["id"]), str(content["column"]))
            elif action == "add":
                new_id = self.add_source()
                self.send({"event": "added", "id": new_id, "column": "name"})
            elif action == "add_query_object":
                new_id = self.add_query_object()
                self.send({"event": "added", "id": new_id, "column": "name"})
            elif action == "delete":
                removed = self.delete_selected(content.get("ids"))
                self.status = (
                    f"Removed {len(removed)} source{'' if len(removed) == 1 else 's'}."
                    if removed
                    else "Select the rows to delete first."
                )
            elif action == "undo":
                self.undo()
            elif action == "redo":
                self.redo()
            elif action == "use":
                if "ids" in content:
                    self.catalog.select([int(i) for i in content["ids"]])
                if "selected_only" in content:
                    self.selected_only = bool(content["selected_only"])
                self.use_catalog()
            elif action == "save":
                self._download(str(content.get("format")))
            elif action == "resync":
                self._send_rows()
        except (ValidationError, KeyError, ValueError, TypeError) as exc:
            self.status = f"⚠ {getattr(exc, 'message', None) or exc}"
        except Exception as exc:  # shown in the table: a button must never fail silently
            logger.exception("catalog table action %s failed", action)
            self.status = f"⚠ {action} failed: {exc}"

    def _download(self, format: str) -> None:
        suffix, what, mime = FORMATS[format]
        data = catalog_bytes(self.catalog, format)
        filename = f"{self.catalog.name or 'catalog'}{suffix}"
        self.send({"event": "file", "name": filename, "mime": mime}, buffers=[data])
        self.status = f"Saved {len(self.catalog)} sources as {what} ({filename})."
