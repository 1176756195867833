"""The peak memory a call takes, measured with tracemalloc (Python objects, NumPy arrays and
bytes alike), for tests that assert a hostile input is refused before it is allocated."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

__all__ = ["MiB", "peak_of"]

MiB = 1 << 20


def peak_of(call: Callable[[], Any]) -> tuple[Any, int]:
    """``(what call returned or raised, peak bytes allocated meanwhile)``."""
    tracemalloc.start()
    try:
        try:
            outcome: Any = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test looks at
            outcome = exc
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return outcome, peak
