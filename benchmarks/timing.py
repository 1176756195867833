"""The one timing rule the kernel-side benchmarks share: the median of repeated runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(action: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``action()`` over ``repeats`` runs, in milliseconds.

    The median, not the mean: on a shared machine one run delayed by another process says
    nothing about the code.
    """
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
