"""Reentry: one guard for "this change is my own doing", as a context manager.

A widget that writes its own controls hears its own writes: the form filling its fields hears
each field change, the ``values`` trait it publishes is validated as if a user had set it, a
field refreshed by its catalog hears the refresh. Each such write runs inside
``with guard("filling"):``, and the listener asks ``guard.active("filling")`` to tell it apart
from a user's change. Guards nest and are left on errors.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["Reentry"]


class Reentry:
    """Which of a widget's own writes are under way, by reason.

    Examples
    --------
    >>> guard = Reentry()
    >>> with guard("filling"):
    ...     guard.active("filling")
    True
    >>> guard.active()
    False
    """

    def __init__(self) -> None:
        self._depth: Counter[str] = Counter()

    @contextmanager
    def __call__(self, reason: str) -> Iterator[None]:
        """Hold ``reason`` for the duration of the ``with`` block."""
        self._depth[reason] += 1
        try:
            yield
        finally:
            self._depth[reason] -= 1

    def active(self, *reasons: str) -> bool:
        """Whether any of ``reasons`` (any reason at all when none is given) is held."""
        if not reasons:
            return any(self._depth.values())
        return any(self._depth[reason] > 0 for reason in reasons)

    def __repr__(self) -> str:
        held = sorted(reason for reason, depth in self._depth.items() if depth)
        return f"Reentry({', '.join(held) or 'idle'})"
