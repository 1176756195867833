"""Rebuild FITS HDUs from the dispatcher's NumpyDataUnit encoding.

A NumpyDataUnit is one HDU: its data (a pickled array, or a JSON list on very old servers), its
header as a dict of cards, its kind (``hdu_type``) and optional column units. The header dict
loses card order of repeated keys and holds keys that describe the data layout; astropy derives
those from the data itself, so they are skipped, and every other card is restored.
"""

from __future__ import annotations

import json
import pickle
import re
import reprlib
import warnings
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.io.fits.column import _VLF, _FormatP

from ..errors import ProductDecodeError
from .budget import DecodeBudget, json_cost
from .decoding import b64_bytes, parse_dtype
from .unpickle import safe_loads

__all__ = [
    "unpickle_product",
    "hdu_from_data_unit",
    "hdulist_from_data_units",
    "with_primary",
    "repair_variable_length",
]

# Cards astropy writes from the data (layout, scaling, checksums of the original bytes). Copying
# them from the dict would contradict the re-encoded data: e.g. a BZERO left on a float image
# makes readers shift every pixel, and a stale CHECKSUM makes them report corruption.
_STRUCTURAL = re.compile(
    r"^(SIMPLE|XTENSION|BITPIX|NAXIS\d*|EXTEND|PCOUNT|GCOUNT|TFIELDS|THEAP|BSCALE|BZERO|BLANK"
    r"|CHECKSUM|DATASUM|EXTNAME"
    r"|TFORM\d+|TBCOL\d+|TTYPE\d+|TDIM\d+|TZERO\d+|TSCAL\d+|TNULL\d+)$"
)
# Column keywords that are safe to carry over onto columns that lack them.
_COLUMN_ATTRIBUTE = re.compile(r"^(TUNIT|TDISP)(\d+)$")

_HDU_CLASSES = {
    "primary": fits.PrimaryHDU,
    "image": fits.ImageHDU,
    "bintable": fits.BinTableHDU,
    "table": fits.TableHDU,
}


def _unit_data(unit: dict[str, Any], what: str, budget: DecodeBudget) -> np.ndarray | None:
    binarys = unit.get("binarys")
    if binarys is not None:
        data = unpickle_product(b64_bytes(binarys, what, budget), what, budget)
        if not isinstance(data, np.ndarray):
            raise ProductDecodeError(what, f"its data is a {type(data).__name__}, not an array")
        return data
    legacy = unit.get("data")
    if legacy is None:
        return None
    # Very old servers sent the array as JSON text; oda_api evaluates it, we parse it as JSON.
    if isinstance(legacy, str):
        budget.charge(json_cost(legacy), f"the JSON data of {what}")
        rows = json.loads(legacy)
    else:
        rows = legacy
    try:
        dtype = parse_dtype(unit.get("dt"))
    except (ValueError, SyntaxError, TypeError) as exc:
        raise ProductDecodeError(
            what, f"its dtype {reprlib.repr(unit.get('dt'))} is not understood ({exc})"
        ) from None
    # charged before NumPy allocates: a few bytes of JSON can name a dtype of gigabytes per row
    budget.take(_nested_shape(rows, structured=bool(dtype is not None and dtype.names)),
                dtype if dtype is not None else np.dtype(object), f"the JSON data of {what}")
    if dtype is not None and dtype.names:
        rows = [tuple(row) if isinstance(row, list) else row for row in rows]
    return np.asarray(rows, dtype=dtype)


def _nested_shape(rows: Any, *, structured: bool) -> tuple[int, ...]:
    """The shape NumPy would give a nested JSON list (read along the first items; a structured
    dtype takes each row whole)."""
    shape: list[int] = []
    level = rows
    while isinstance(level, list) and len(shape) < 32:
        shape.append(len(level))
        if structured or not level:
            break
        level = level[0]
    return tuple(shape) or (1,)


def unpickle_product(data: bytes, what: str, budget: DecodeBudget | None = None) -> Any:
    """:func:`safe_loads` with broken pickles reported as a :class:`ProductDecodeError`.

    :class:`~oda_widgets.client.errors.UnsafePayload` passes through unchanged: a refused
    payload is a different matter from a damaged one.
    """
    try:
        return safe_loads(data, budget=budget)
    except (
        pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError,
        KeyError,
    ) as exc:
        raise ProductDecodeError(
            what, f"its pickled data is damaged or truncated ({type(exc).__name__}: {exc})"
        ) from None


def repair_variable_length(hdu: fits.BinTableHDU) -> None:
    """Give variable-length columns their maximum length back after unpickling.

    Pickling drops the ``max`` astropy keeps on such columns; without it astropy writes a
    TFORM like ``PE(<built-in method max ...>)`` that XSPEC and other FITS readers reject.
    """
    data = hdu.data
    if data is None:
        return
    for index, fmt in enumerate(data._coldefs._recformats):
        if not isinstance(fmt, _FormatP):
            continue
        field = data.field(index)
        if isinstance(field, _VLF) and not isinstance(field.__dict__.get("max"), int | np.integer):
            field.max = max((len(row) for row in field), default=0)


def _restore_cards(hdu: fits.hdu.base.ExtensionHDU, cards: dict[str, Any]) -> None:
    columns = getattr(hdu, "columns", None)
    header = hdu.header
    for key, value in cards.items():
        if not isinstance(key, str) or _STRUCTURAL.match(key.upper()):
            continue
        if isinstance(value, list):
            # the dict form turned multi-valued cards into lists; oda_api joins them the same way
            value = "".join(f"{item}," for item in value)
        column_attr = _COLUMN_ATTRIBUTE.match(key.upper())
        if column_attr and columns is not None:
            index = int(column_attr.group(2)) - 1
            if 0 <= index < len(columns):
                attr = "unit" if column_attr.group(1) == "TUNIT" else "disp"
                if not getattr(columns[index], attr):
                    try:
                        setattr(columns[index], attr, value)
                    except (ValueError, TypeError):
                        pass
            continue
        upper = key.upper()
        try:
            # appended at the end, in one pass: astropy's header[key] = value looks for a place
            # among the cards each time, which makes 40 000 cards take minutes
            if upper in ("COMMENT", "HISTORY"):
                header.append(fits.Card(upper, str(value)), end=True)
            elif upper in header:
                header[key] = value
            elif upper:
                header.append(fits.Card(key, value), end=True)
        except (ValueError, TypeError, KeyError, fits.VerifyError):
            # a card FITS cannot hold (NaN, odd key): drop that card, keep the product
            continue


def hdu_from_data_unit(
    unit: dict[str, Any], what: str = "numpy product", budget: DecodeBudget | None = None
) -> fits.hdu.base._BaseHDU:
    """Build the astropy HDU a NumpyDataUnit dict describes.

    Parameters
    ----------
    unit : dict
        ``{"data", "dt", "name", "header", "binarys", "meta_data", "hdu_type", "units_dict"}``.
    what : str
        Which product this unit belongs to, for error messages.
    budget : DecodeBudget, optional
        The answer's budget (a fresh one by default), charged before every allocation.

    Raises
    ------
    UnsafePayload
        If the pickled data asks for anything but array reconstruction, or for more memory
        than the budget holds.
    ProductDecodeError
        If the unit is malformed.
    """
    if not isinstance(unit, dict):
        raise ProductDecodeError(what, f"a data unit is a {type(unit).__name__}, not an object")
    data = _unit_data(unit, what, budget if budget is not None else DecodeBudget())
    hdu_type = unit.get("hdu_type")
    if hdu_type is None:
        hdu_type = "bintable" if data is not None and data.dtype.names else "image"
    cls = _HDU_CLASSES.get(str(hdu_type).lower())
    if cls is None:
        raise ProductDecodeError(what, f"unknown hdu_type {hdu_type!r}")
    header = unit.get("header") or {}
    if not isinstance(header, dict):
        raise ProductDecodeError(what, "its header is not an object of FITS cards")
    if isinstance(data, fits.FITS_rec) and getattr(data, "_tbsize", None) is None:
        # FITS_rec pickled by older astropy lacks the table size it needs to write itself
        naxis = [header.get(f"NAXIS{i}", 0) for i in (1, 2)]
        data._tbsize = int(np.prod(naxis))
    if data is not None and data.dtype.names is None and cls in (fits.BinTableHDU, fits.TableHDU):
        raise ProductDecodeError(what, f"hdu_type {hdu_type!r} but the data has no columns")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", fits.verify.VerifyWarning)
        try:
            hdu = cls(data=data)
        except (ValueError, TypeError, OSError) as exc:
            if cls is not fits.TableHDU:
                raise ProductDecodeError(
                    what, f"its data does not fit a {hdu_type} HDU ({exc})"
                ) from None
            hdu = fits.BinTableHDU(data=data)
        if isinstance(hdu, fits.BinTableHDU):
            repair_variable_length(hdu)
        _restore_cards(hdu, header)
        units = unit.get("units_dict")
        if units and getattr(hdu, "columns", None) is not None:
            for column, column_unit in units.items():
                if column in hdu.columns.names:
                    hdu.columns.change_unit(column, column_unit)
        extname = header.get("EXTNAME") or unit.get("name")
        if extname and not (isinstance(hdu, fits.PrimaryHDU) and "EXTNAME" not in header):
            hdu.name = str(extname)
    return hdu


def with_primary(hdus: list[fits.hdu.base._BaseHDU]) -> fits.HDUList:
    """An ``HDUList`` that starts with a primary HDU, as every FITS file must."""
    if not hdus or not isinstance(hdus[0], fits.PrimaryHDU):
        hdus = [fits.PrimaryHDU(), *hdus]
    hdulist = fits.HDUList(hdus)
    for extra in hdulist[1:]:
        if isinstance(extra, fits.PrimaryHDU):
            raise ProductDecodeError("numpy product", "it has a second primary HDU")
    return hdulist


def hdulist_from_data_units(
    units: list[dict[str, Any]], what: str = "numpy product", budget: DecodeBudget | None = None
) -> fits.HDUList:
    """All data units of a NumpyDataProduct as one ``HDUList`` (a primary HDU added if needed),
    under one budget."""
    if not isinstance(units, list):
        raise ProductDecodeError(what, "data_unit_list is not a list")
    budget = budget if budget is not None else DecodeBudget()
    hdus = [hdu_from_data_unit(unit, what, budget) for unit in units]
    converted: list[fits.hdu.base._BaseHDU] = []
    for position, hdu in enumerate(hdus):
        if position > 0 and isinstance(hdu, fits.PrimaryHDU):
            # a primary in the middle cannot be written; keep its content as an image extension
            hdu = fits.ImageHDU(data=hdu.data, header=hdu.header)
        converted.append(hdu)
    return with_primary(converted)
