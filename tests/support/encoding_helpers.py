"""Encode FITS data the way the dispatcher puts it on the wire, to feed the decoders in tests.

The dispatcher turns each HDU into a NumpyDataUnit dict (header as a dict of cards, data as a
base64 pickle, ``pickle.dumps(FITS_rec)`` for tables) and a product into
``{"data_unit_list", "name", "meta_data": <JSON text>}``. Passing the result through
``json.dumps``/``json.loads`` reproduces what arrives after HTTP.

The real INTEGRAL files are encoded by oda_api itself (``odaapi_encoder.py``). These hand-made
encodings are kept only for the synthetic payloads of the naming and kind tests: one answer that
holds every product list at once (tables, pictures, binaries and FITS side by side), payloads
oda_api refuses to make (an executable posing as a PNG, an md5 that does not match), and small
in-memory HDUs whose cards a test sets; they run without the oda_api environment, in-process.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import pickle
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.table import Table

_HDU_TYPES = {
    fits.PrimaryHDU: "primary",
    fits.ImageHDU: "image",
    fits.BinTableHDU: "bintable",
    fits.TableHDU: "table",
}


def _wire(obj: Any) -> Any:
    """What a JSON object looks like after the server's encoder and the network."""

    def default(value: Any) -> Any:
        if isinstance(value, fits.card.Undefined):
            return "UNDEFINED"
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"unencodable {value!r}")

    return json.loads(json.dumps(obj, default=default))


def encode_hdu(hdu: fits.hdu.base._BaseHDU, name: str | None = None) -> dict[str, Any]:
    """One HDU as a NumpyDataUnit dict."""
    data = hdu.data
    binarys = None
    dt = None
    if data is not None:
        dt = str(np.array(data).dtype)
        if isinstance(data, fits.FITS_rec):
            # the dispatcher rebuilds each HDU once before encoding (oda_api's from_fits_hdu),
            # which converts every column; variable-length columns then travel converted
            fits.BinTableHDU(data=data, header=hdu.header.copy())
        payload = data if isinstance(data, fits.FITS_rec) else np.array(data)
        binarys = base64.b64encode(pickle.dumps(payload)).decode()
    return _wire(
        {
            "data": None,
            "dt": dt,
            "name": name or hdu.name,
            "header": {key: value for key, value in hdu.header.items()},
            "binarys": binarys,
            "meta_data": {},
            "hdu_type": _HDU_TYPES[type(hdu)],
            "units_dict": None,
        }
    )


def encode_hdulist(
    hdulist: fits.HDUList, name: str | None = None, meta_data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An HDUList as one NumpyDataProduct dict."""
    return {
        "data_unit_list": [encode_hdu(hdu) for hdu in hdulist],
        "name": name,
        "meta_data": json.dumps(meta_data or {}),
    }


def encode_binary(data: bytes, name: str | None = "blob") -> dict[str, Any]:
    """A BinaryProduct dict (URL-safe base64 and the md5 of the raw bytes)."""
    return {
        "name": name,
        "data": base64.urlsafe_b64encode(data).decode(),
        "md5": hashlib.md5(data).hexdigest(),
    }


def encode_table(table: Table, name: str, meta_data: dict | None = None, binary: bool = False):
    """An ODAAstropyTable dict: ECSV text, or a protocol-2 pickle when ``binary``."""
    encoded: dict[str, Any] = {"binary": None, "ascii": None, "name": name}
    if binary:
        encoded["binary"] = base64.b64encode(pickle.dumps(table, protocol=2)).decode()
    else:
        text = io.StringIO()
        table.write(text, format="ascii.ecsv")
        encoded["ascii"] = text.getvalue()
    encoded["meta_data"] = json.dumps(meta_data or {})
    return encoded


def encode_picture(data: bytes, img_type: str = "png", name: str | None = "plot") -> dict:
    """A PictureProduct dict."""
    return {
        "img_type": img_type,
        "b64data": base64.urlsafe_b64encode(data).decode(),
        "metadata": {},
        "name": name,
        "filename": f"p.{img_type}",
    }
