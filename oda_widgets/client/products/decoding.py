"""Small decoding steps shared by the product decoders: base64, md5, meta_data, item names.

Everything here treats server text as data: JSON is read with :func:`json.loads` and Python
literals (NumPy dtype descriptions) with :func:`ast.literal_eval`, never with ``eval``.
"""

from __future__ import annotations

import ast
import base64
import binascii
import hashlib
import json
import re
from typing import Any

import numpy as np

from ..errors import ProductDecodeError
from .budget import DecodeBudget

__all__ = [
    "b64_bytes",
    "check_md5",
    "parse_meta_data",
    "parse_dtype",
    "clean_var_name",
    "item_name",
]


def b64_bytes(text: str | bytes, what: str, budget: DecodeBudget | None = None) -> bytes:
    """Decode standard or URL-safe base64 (the dispatcher uses both), tolerating lost padding.

    Parameters
    ----------
    text : str or bytes
        The base64 text.
    what : str
        The product it belongs to, for the error message.
    budget : DecodeBudget, optional
        The answer's budget, charged with the decoded bytes (and the cleaned copy) first.
    """
    if budget is not None and isinstance(text, str | bytes):
        budget.charge(2 * len(text), f"the base64 data of {what}")
    if isinstance(text, str):
        text = text.encode("ascii", "ignore")
    if not isinstance(text, bytes):
        raise ProductDecodeError(what, f"expected base64 text, got {type(text).__name__}")
    cleaned = text.strip().replace(b"-", b"+").replace(b"_", b"/")
    cleaned += b"=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise ProductDecodeError(what, f"its base64 data is corrupt ({exc})") from None


def check_md5(data: bytes, expected: str | None, what: str) -> None:
    """Refuse bytes whose md5 differs from the one the server announced."""
    if expected is None:
        return
    actual = hashlib.md5(data).hexdigest()  # integrity check against the server's md5, not security
    if actual != str(expected).strip().lower():
        raise ProductDecodeError(
            what,
            f"its data does not match the md5 the server sent (expected {expected}, got "
            f"{actual}); the answer was corrupted or truncated on the way, run the job again",
        )


def parse_meta_data(value: Any) -> tuple[dict[str, Any], str | None]:
    """Read a product's ``meta_data`` (a JSON string, a dict or nothing).

    Returns
    -------
    (dict, str or None)
        The decoded dict, and the raw text when it was not a JSON object (the dict is then
        empty): some old servers wrote Python reprs that only ``eval`` would read, and this
        client never evaluates server text.
    """
    if value is None or value == "":
        return {}, None
    if isinstance(value, dict):
        return dict(value), None
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return {}, value
        if isinstance(decoded, dict):
            return decoded, None
        return {}, value
    return {}, str(value)


_SIMPLE_DTYPE = re.compile(r"^[\w<>|=!]+$")


def parse_dtype(description: Any) -> np.dtype | None:
    """A NumPy dtype from the ``dt`` of a NumpyDataUnit: ``'float64'``, ``'<f8'`` or a repr of a
    structured dtype such as ``"[('TIME', '<f8'), ('RATE', '<f8')]"`` (read as a literal).

    Raises ``ValueError`` (also for text nested too deeply to parse), ``SyntaxError`` or
    ``TypeError`` for text that is not a dtype.
    """
    if description is None:
        return None
    if isinstance(description, list):
        return np.dtype([tuple(field) for field in description])
    text = str(description).strip()
    # str() of a record array's dtype reads "(numpy.record, [...])"; the field list is the dtype
    if text.startswith("(numpy.record,") and text.endswith(")"):
        text = text[len("(numpy.record,") : -1].strip()
    if _SIMPLE_DTYPE.match(text):
        return np.dtype(text)
    try:
        literal = ast.literal_eval(text)
        if isinstance(literal, list):
            return np.dtype([tuple(field) for field in literal])
        dtype: np.dtype[Any] = np.dtype(literal)
        return dtype
    except (RecursionError, MemoryError):
        # a hostile server's "[[[[...": Python's parser gives up with these, not a SyntaxError
        raise ValueError(
            f"it is nested too deeply to be a dtype ({len(text)} characters)"
        ) from None


def clean_var_name(text: str) -> str:
    """Turn a product name into the identifier oda_api uses for it.

    ``-`` becomes ``m``, ``+`` becomes ``p``, spaces ``_``; other characters outside
    ``[0-9a-zA-Z_]`` are dropped, then leading characters up to the first letter or ``_``.
    """
    text = text.replace("-", "m").replace("+", "p").replace(" ", "_")
    text = re.sub(r"[^0-9a-zA-Z_]", "", text)
    return re.sub(r"^[^a-zA-Z_]+", "", text)


def item_name(
    index: int,
    name: str | None,
    meta_data: dict[str, Any] | None,
    *,
    product: str | None = None,
    instrument: str | None = None,
) -> str:
    """The name oda_api's ``DataCollection`` gives the ``index``-th decoded product.

    Parameters
    ----------
    index : int
        Position in decode order (``numpy_data_product(_list)``, binaries, catalog, ASCII
        tables, binary tables, pictures, texts).
    name : str or None
        The product's own name.
    meta_data : dict or None
        Its meta_data, when oda_api would look into it (``None`` for products oda_api keeps
        none for: binaries, catalogs, pictures).
    product, instrument : str, optional
        The requested product and instrument: the fallbacks for unnamed products.
    """
    base = name if isinstance(name, str) and name.strip() else None
    if base is None:
        base = product if product is not None else instrument if instrument is not None else "prod"
    text = f"{base}_{index}"
    for key in ("src_name", "product"):
        if meta_data and key in meta_data and meta_data[key] is not None:
            value = str(meta_data[key]).replace(" ", "").strip()
            if value:
                text += "_" + value
    return clean_var_name(text)
