"""A catalog table saved as, and read back from, the files other tools open (tables in, bytes
out; tables or the dispatcher's fields back: making a catalog of them is the catalog's job).

* ECSV (astropy): every column with its type and unit, and the frame in the header;
* FITS (astropy): a binary table (:func:`catalog_hdulist`);
* a ds9 region file (astropy's ``regions`` package): one point per source, labelled with its name;
* the dispatcher's JSON: the exact ``selected_catalog`` text, to send again later.

ds9 writes a label as ``text={...}`` and has no escape inside it: a brace ends the label, and a
name like ``"} # text={x`` would corrupt its line. Names are written with braces turned into
parentheses and quotes and line breaks removed (:func:`region_label`).
"""

from __future__ import annotations

import io
import json
import re
import warnings
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from astropy.io import fits
from astropy.table import Column, MaskedColumn, Table

from ..errors import ValidationError
from .text_cells import ecsv_text, fits_text, unescaped_fits_text
from .wire_format import dispatcher_dict, row_names, table_coords

__all__ = [
    "FORMATS",
    "HoldsTable",
    "catalog_bytes",
    "catalog_hdulist",
    "format_of",
    "read_catalog_file",
    "region_label",
    "save_catalog",
]

#: Format name -> (file suffix, what it is, MIME type).
FORMATS: dict[str, tuple[str, str, str]] = {
    "ecsv": (".ecsv", "ECSV table (astropy, TOPCAT)", "text/plain"),
    "fits": (".fits", "FITS binary table", "application/fits"),
    "ds9": (".reg", "ds9 region file", "text/plain"),
    "json": (".json", "the dispatcher's selected_catalog JSON", "application/json"),
}
_SUFFIXES = {
    ".ecsv": "ecsv",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
    ".reg": "ds9",
    ".json": "json",
}


def format_of(path: str | Path, format: str | None = None) -> str:
    """The format to use: ``format`` if given, else the one the file name's suffix says."""
    if format is not None:
        if format not in FORMATS:
            raise ValidationError(
                "format", f"unknown catalog format {format!r}; use one of {', '.join(FORMATS)}"
            )
        return format
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ValidationError(
            "format",
            f"cannot tell the format of {Path(path).name!r} from its suffix; name it "
            + ", ".join(f"*{s}" for s in _SUFFIXES)
            + " or pass format=",
        )
    return _SUFFIXES[suffix]


def region_label(name: str) -> str:
    """A source name as a ds9 label can hold it: braces become parentheses, quotes and line
    breaks go (ds9 has no escape inside ``text={...}``)."""
    text = name.replace("{", "(").replace("}", ")")
    text = re.sub(r"[\"'`]", "", text)
    return " ".join(text.split())


class HoldsTable(Protocol):
    """What holds a catalog table as its ``table`` (a :class:`Catalog
    <oda_widgets.client.catalog.source_catalog.Catalog>`), accepted where a table is."""

    @property
    def table(self) -> Table: ...


def _table_of(catalog: Table | HoldsTable) -> Table:
    return catalog if isinstance(catalog, Table) else catalog.table


def _regions(table: Table) -> Any:
    from regions import PointSkyRegion, RegionMeta, Regions, RegionVisual

    coords = table_coords(table)
    return Regions(
        [
            PointSkyRegion(
                coords[k],
                meta=RegionMeta({"text": region_label(name)}),
                visual=RegionVisual({"marker": "o"}),
            )
            for k, name in enumerate(row_names(table))
        ]
    )


def _ecsv_table(table: Table) -> Table:
    copy = table.copy(copy_data=False)
    copy.meta = {k: v for k, v in table.meta.items() if v is not None}
    return ecsv_text(copy)


def catalog_hdulist(catalog: Table | HoldsTable) -> fits.HDUList:
    """A catalog table as a FITS binary table named ``CATALOG`` (frame and column names in the
    header; text FITS cannot hold as it is escaped, see :mod:`.text_cells`)."""
    source = _table_of(catalog)
    table = source.copy()
    table.meta = {k: v for k, v in source.meta.items() if v is not None}
    table = fits_text(table)
    with warnings.catch_warnings():
        # COORD_UNIT is longer than 8 characters: a HIERARCH card, as intended
        warnings.simplefilter("ignore", fits.verify.VerifyWarning)
        hdu = fits.table_to_hdu(table)
    hdu.name = "CATALOG"
    return fits.HDUList([fits.PrimaryHDU(), hdu])


def catalog_bytes(catalog: Table | HoldsTable, format: str) -> bytes:
    """A catalog table as the bytes of a file of ``format`` (``ecsv``, ``fits``, ``ds9``,
    ``json``)."""
    table = _table_of(catalog)
    format = format_of("", format)
    if format == "json":
        return json.dumps(dispatcher_dict(table)).encode("utf-8")
    if format == "ds9":
        return str(_regions(table).serialize(format="ds9")).encode("utf-8")
    if format == "fits":
        binary = io.BytesIO()
        with warnings.catch_warnings():
            # long meta keys become HIERARCH cards, as intended
            warnings.simplefilter("ignore", fits.verify.VerifyWarning)
            catalog_hdulist(table).writeto(binary, output_verify="silentfix")
        return binary.getvalue()
    text = io.StringIO()
    _ecsv_table(table).write(text, format="ascii.ecsv")
    return text.getvalue().encode("utf-8")


def save_catalog(
    catalog: Table | HoldsTable,
    path: str | Path,
    format: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a catalog table to ``path`` (format from the suffix unless given).

    Raises
    ------
    FileExistsError
        If the file exists and ``overwrite`` is false (nothing is written).
    """
    target = Path(path)
    chosen = format_of(target, format)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(catalog_bytes(catalog, chosen))
    return target


def read_catalog_file(
    path: str | Path, format: str | None = None
) -> Table | str | dict[str, Any]:
    """What a catalog file holds: an astropy Table (ECSV, FITS), the dispatcher's
    ``selected_catalog`` text (its JSON), or its fields (a ds9 region file's names and
    positions, with ``meta_ID`` numbered from 0). :meth:`Catalog.read
    <oda_widgets.client.catalog.source_catalog.Catalog.read>` makes a catalog of either.
    """
    source = Path(path)
    chosen = format_of(source, format)
    if chosen == "json":
        return source.read_text(encoding="utf-8")
    if chosen == "ds9":
        return _from_regions(source)
    if chosen == "fits":
        table = Table.read(source, format="fits", hdu="CATALOG", character_as_bytes=False)
        unescaped_fits_text(table)
        for column in table.itercols():
            if column.dtype.byteorder == ">":  # FITS is big-endian; the wire's descr is native
                table.replace_column(column.name, column.astype(column.dtype.newbyteorder("=")))
    else:
        table = Table.read(source, format="ascii.ecsv")
    table.meta = {k.upper(): v for k, v in table.meta.items() if k.upper() != "EXTNAME"}
    for column in list(table.itercols()):
        if isinstance(column, MaskedColumn) and column.dtype.kind == "f":
            # missing floats are NaN, as Catalog.from_dispatcher makes them
            table.replace_column(
                column.name, Column(column.filled(np.nan), name=column.name, unit=column.unit)
            )
    return table


def _from_regions(source: Path) -> dict[str, Any]:
    from regions import Regions

    found = Regions.read(str(source), format="ds9")
    names = [str(r.meta.get("text", "")) for r in found]
    frame = found[0].center.frame.name if len(found) else "fk5"
    lon = [float(r.center.spherical.lon.deg) for r in found]
    lat = [float(r.center.spherical.lat.deg) for r in found]
    return {
        "cat_frame": frame,
        "cat_coord_units": "deg",
        "cat_column_list": [list(range(len(found))), names, lon, lat],
        "cat_column_names": ["meta_ID", "src_names", "ra", "dec"],
        "cat_lat_name": "dec",
        "cat_lon_name": "ra",
    }
