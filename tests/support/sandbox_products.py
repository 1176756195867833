"""Helpers for the sandbox simulation tests: read encoded products back as FITS HDUs."""

from __future__ import annotations

import base64
import json
import pickle

from astropy.io import fits

_HDU_CLASSES = {
    "primary": fits.PrimaryHDU,
    "image": fits.ImageHDU,
    "bintable": fits.BinTableHDU,
    "table": fits.TableHDU,
}


def to_hdulist(product: dict) -> fits.HDUList:
    """An encoded NumpyDataProduct as an HDUList (trusted: our own sandbox made it)."""
    hdus = []
    for unit in product["data_unit_list"]:
        data = None
        if unit["binarys"] is not None:
            data = pickle.loads(base64.b64decode(unit["binarys"]))
        cls = _HDU_CLASSES[unit["hdu_type"]]
        hdu = cls(data=data, header=fits.Header(unit["header"]))
        if unit["hdu_type"] != "primary":
            hdu.name = unit["name"]
        hdus.append(hdu)
    return fits.HDUList(hdus)


def meta(product: dict) -> dict:
    return json.loads(product["meta_data"])
