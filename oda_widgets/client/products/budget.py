"""One memory budget for reading an answer: every decode path charges what it is about to allocate,
before allocating it.

A few hundred bytes can ask a decoder for gigabytes: a gzip body that inflates 1000 times, a
JSON data unit whose dtype is a billion characters wide, a catalog column of ``<U1000000000``, a
PNG declaring 50000 x 50000 pixels. So one :class:`DecodeBudget` follows an answer from its first
byte to its last product: the bytes read off the socket (after decompression, while they arrive),
what ``json.loads`` will build from them (:func:`json_cost`, an upper bound counted before
parsing), base64 payloads, pickled arrays (:mod:`.unpickle`), JSON data units, catalog columns
and pictures. Whatever would go past :data:`MAX_DECODED_BYTES` is refused with
:class:`~oda_widgets.client.errors.UnsafePayload` before it is made. The same budget guards
products kept on disk when they are read back.
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import UnsafePayload

__all__ = ["MAX_DECODED_BYTES", "DecodeBudget", "json_cost", "size_text"]

#: The most bytes one answer (its body, its JSON and its decoded products together) may take.
#: INTEGRAL products take a few tens of megabytes, so 1 GiB leaves a wide margin. For a server
#: you trust with more: ``oda_widgets.client.products.budget.MAX_DECODED_BYTES = 4 << 30``.
MAX_DECODED_BYTES = 1 << 30

# What json.loads makes, at most, besides the characters themselves: a list or dict object with
# its first slots per bracket, and per item (after a ',' or ':') a slot and a small object.
_CONTAINER_BYTES = 240
_ITEM_BYTES = 64


def size_text(n: int) -> str:
    """``n`` bytes in words: ``'1.0 GiB'``, ``'3.2 MiB'``, ``'512 bytes'``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def json_cost(text: bytes | bytearray | str) -> int:
    """An upper bound of the memory ``json.loads(text)`` takes, counted without parsing.

    The text itself (twice: bytes are decoded to ``str`` first), plus a container object per
    bracket and a slot and small object per separator. Base64-heavy answers cost about twice
    their size; ``[[],[],...]`` costs what its hundreds of thousands of lists would.
    """
    if isinstance(text, str):
        opens = text.count("[") + text.count("{")
        items = text.count(",") + text.count(":")
    else:
        opens = text.count(b"[") + text.count(b"{")
        items = text.count(b",") + text.count(b":")
    return 2 * len(text) + _CONTAINER_BYTES * opens + _ITEM_BYTES * items


class DecodeBudget:
    """The bytes an answer may still take; every decode path charges its share first.

    Parameters
    ----------
    max_bytes : int, optional
        The whole budget (default :data:`MAX_DECODED_BYTES`, read when the budget is made).
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = int(MAX_DECODED_BYTES if max_bytes is None else max_bytes)
        self.left = self.max_bytes

    @property
    def used(self) -> int:
        """Bytes charged so far."""
        return self.max_bytes - self.left

    def charge(self, nbytes: int, what: str) -> None:
        """Take ``nbytes`` for ``what`` (e.g. ``"the answer's body"``), or refuse.

        Raises
        ------
        UnsafePayload
            Saying what would have taken how much, beyond which budget; nothing was allocated.
        """
        nbytes = max(int(nbytes), 0)
        if nbytes > self.left:
            raise UnsafePayload(
                f"refused to decode {what}: it would take {size_text(self.used + nbytes)} "
                f"with what this answer already holds, beyond the {size_text(self.max_bytes)} "
                "an answer may take (oda_widgets.client.products.budget.MAX_DECODED_BYTES); "
                "INTEGRAL products are far smaller, so nothing more was read. Raise that limit "
                "only for a server you trust"
            )
        self.left -= nbytes

    def take(self, shape: tuple[int, ...], dtype: Any, what: str) -> int:
        """Charge an array of ``shape`` and ``dtype``; return its item count."""
        count = math.prod(shape)
        itemsize = int(getattr(dtype, "itemsize", 8))
        # zero-size items still cost a loop each
        cost = max(count * itemsize, count)
        if cost > self.left:
            raise UnsafePayload(
                f"refused to decode a product: it declares {what} of {size_text(cost)} "
                f"(shape {shape}, dtype {dtype}), beyond the {size_text(self.max_bytes)} a "
                "product may take (oda_widgets.client.products.budget.MAX_DECODED_BYTES); "
                "INTEGRAL products are far smaller, so nothing was allocated. Raise that limit "
                "only for a server you trust"
            )
        self.left -= cost
        return count

    def __repr__(self) -> str:
        return f"<DecodeBudget {size_text(self.used)} of {size_text(self.max_bytes)} used>"
