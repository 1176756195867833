"""Products on the wire: FITS HDUs as NumpyDataUnit / NumpyDataProduct dicts.

The encodings are those the real dispatcher sends and ``oda_api`` decodes (protocol section 4.3):
each HDU becomes ``{"data", "dt", "name", "header", "binarys", "meta_data", "hdu_type",
"units_dict"}`` with ``binarys`` the base64 of a pickle of the array (tables: the ``FITS_rec``
itself, which keeps variable-length columns). The sandbox is the server side, so pickling here is
what the real server does; the client never unpickles with ``pickle.loads``.
"""

from __future__ import annotations

import base64
import io
import json
import math
import pickle
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from astropy.io import fits

__all__ = ["PICKLE_PROTOCOL", "encode_data_unit", "encode_product", "header_dict", "reread"]

# The captured real answers use protocol 4 (they start with b"\x80\x04").
PICKLE_PROTOCOL = 4

_HDU_TYPES = (
    (fits.PrimaryHDU, "primary"),
    (fits.ImageHDU, "image"),
    (fits.BinTableHDU, "bintable"),
    (fits.TableHDU, "table"),
)


def _json_value(value: Any) -> Any:
    """A header value as JSON can carry it (as the real server's encoder renders it)."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    if value is None or isinstance(value, fits.card.Undefined):
        return "UNDEFINED"
    return str(value)


def header_dict(header: fits.Header) -> dict[str, Any]:
    """FITS header as the dict the real server sends (repeated COMMENT/HISTORY keep the last)."""
    return {key: _json_value(value) for key, value in header.items()}


def _hdu_type(hdu: fits.hdu.base.ExtensionHDU | fits.PrimaryHDU) -> str:
    for cls, name in _HDU_TYPES:
        if isinstance(hdu, cls):
            return name
    raise TypeError(f"cannot encode HDU of type {type(hdu).__name__}")


def _dtype_text(data: Any) -> str:
    dtype = np.asarray(data).dtype
    return str(dtype.descr) if dtype.names else dtype.str


def reread(hdus: fits.HDUList) -> fits.HDUList:
    """The HDUs as a reader of the written file sees them (heap laid out, headers completed)."""
    buffer = io.BytesIO()
    hdus.writeto(buffer, output_verify="silentfix")
    buffer.seek(0)
    reopened = fits.open(buffer, lazy_load_hdus=False)
    for hdu in reopened:
        if isinstance(hdu.data, fits.FITS_rec):
            # converting every column caches variable-length rows in the FITS_rec, so its pickle
            # carries them (the heap itself stays in the file buffer)
            for column in hdu.data.names:
                hdu.data.field(column)
        else:
            _ = hdu.data
    return reopened


def encode_data_unit(hdu: Any) -> dict[str, Any]:
    """One HDU as a NumpyDataUnit dict.

    Parameters
    ----------
    hdu : astropy.io.fits HDU
        Primary, image or table HDU, preferably as read back from a file (see :func:`reread`).

    Returns
    -------
    dict
        The NumpyDataUnit encoding; ``units_dict`` lists the table columns with a unit.
    """
    data = hdu.data
    binarys = None
    dt = None
    if data is not None:
        payload = data if isinstance(data, fits.FITS_rec) else np.array(data)
        binarys = base64.b64encode(pickle.dumps(payload, protocol=PICKLE_PROTOCOL)).decode()
        dt = _dtype_text(data)
    units = None
    if isinstance(hdu, fits.BinTableHDU | fits.TableHDU):
        units = {c.name: c.unit for c in hdu.columns if c.unit} or None
    return {
        "data": None,
        "dt": dt,
        "name": hdu.name or "PRIMARY",
        "header": header_dict(hdu.header),
        "binarys": binarys,
        "meta_data": {},
        "hdu_type": _hdu_type(hdu),
        "units_dict": units,
    }


def encode_product(
    hdus: Iterable[Any], *, name: str | None, meta_data: Mapping[str, Any]
) -> dict[str, Any]:
    """HDUs as one NumpyDataProduct dict (``meta_data`` travels as a JSON string).

    Parameters
    ----------
    hdus : iterable of HDU
        The product's HDUs, in file order (a PRIMARY first, as in a file).
    name : str or None
        The product's name (``mosaic_image``, ``isgri_lc``...); ``None`` lets ``oda_api`` use the
        requested product name.
    meta_data : mapping
        ``src_name``, ``product``... as the real plugin sets them.
    """
    hdulist = fits.HDUList(list(hdus))
    return {
        "data_unit_list": [encode_data_unit(h) for h in reread(hdulist)],
        "name": name,
        "meta_data": json.dumps(dict(meta_data)),
    }
