"""What a decoded product holds, as plain JSON, alike for oda_api's products and ours.

Both sides are reduced to the same description: ``{"name", "kind", "value"}`` where ``kind`` is
one of ``fits``, ``table``, ``picture``, ``text``, ``binary``, ``catalog`` and ``value`` what it
holds (per FITS unit its name and per column or image a digest of the values; per table its
columns, units and value digests; bytes by digest; text as JSON). The digests read values as
float64 (numbers, NaN kept) or as text, so a byte order or an integer width does not count as
a difference, but a changed value does. Imports only NumPy: the unmodified oda_api environment
imports it as a sibling module (``odaapi_products.py``).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np

__all__ = ["digest_array", "digest_bytes", "digest_columns", "described"]


def digest_bytes(data: bytes) -> str:
    """The sha256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def digest_array(values: Any) -> str:
    """The digest of an array's values: float64 when numeric, else their text."""
    array = np.ma.filled(np.ma.asarray(values), np.nan) if np.ma.isMaskedArray(values) else (
        np.asarray(values))
    if array.dtype.kind in "biuf":
        data = np.ascontiguousarray(array, dtype="<f8")
        return f"{array.shape}:" + digest_bytes(data.tobytes())
    text = [v.decode() if isinstance(v, bytes) else str(v) for v in array.ravel().tolist()]
    return f"{array.shape}:" + digest_bytes(json.dumps(text).encode())


def digest_columns(names: list[str], column: Any) -> dict[str, str]:
    """Per column name (upper case), the digest of its values."""
    return {str(name).upper(): digest_array(column(name)) for name in names}


def _unit(name: str, data: Any) -> dict[str, Any]:
    name = str(name).upper()  # FITS names are read without regard to case
    if data is None or (hasattr(data, "size") and data.size == 0 and not data.dtype.names):
        return {"name": name, "data": None}
    if getattr(data.dtype, "names", None):
        return {"name": name, "columns": digest_columns(list(data.dtype.names),
                                                         lambda c: data[c])}
    return {"name": name, "data": digest_array(data)}


def described(kind: str, name: str, value: Any) -> dict[str, Any]:
    """The plain description of one product.

    Parameters
    ----------
    kind : str
        ``fits`` (``value``: a list of ``(unit name, data)``), ``table`` (an astropy Table),
        ``picture`` or ``binary`` (bytes), ``text`` (any JSON value), ``catalog`` (anything).
    name : str
        The product's item name.
    """
    if kind == "fits":
        shown: Any = [_unit(unit, data) for unit, data in value]
    elif kind == "table":
        shown = {"columns": [str(c) for c in value.colnames],
                 "units": [str(value[c].unit) if value[c].unit is not None else ""
                           for c in value.colnames],
                 "values": digest_columns(list(value.colnames), lambda c: value[c])}
    elif kind in ("picture", "binary"):
        shown = digest_bytes(value)
    elif kind == "text":
        shown = value
    else:
        shown = None
    return {"name": name, "kind": kind, "value": shown}
