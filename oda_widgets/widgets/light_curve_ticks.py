"""The light curve's axis ticks: round rate ticks with one format, UTC ticks fine enough for the span.

Pure functions of the visible range, so a view computes its axes' ticks before it builds them (the
figure is sent once, with its ticks) and again on every redraw; and the range's ends as the time
scales take them (a date scale a Python ``datetime``, its linear twin milliseconds since 1970).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .spectrum_marks import log_ticks

__all__ = ["epoch_ms", "nice_ticks", "py_date", "rate_axis", "utc_ticks"]


def nice_ticks(low: float, high: float, most: int = 7) -> tuple[np.ndarray, int]:
    """Round tick values covering [low, high] (steps of 1, 2 or 5 times a power of ten, at most
    ``most`` ticks) and the decimals their labels need, the same for every label."""
    if not high > low:
        high = low + max(abs(low), 1.0) * 0.1
    raw = (high - low) / max(most - 1, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(k * power for k in (1, 2, 5, 10) if k * power >= raw)
    first = np.floor(low / step) * step
    last = np.ceil(high / step) * step
    ticks = np.arange(first, last + step / 2, step)
    decimals = max(0, -int(np.floor(np.log10(step) + 1e-9)))
    return np.round(ticks, decimals), decimals


def rate_axis(low: float, high: float, log: bool, smallest_positive: float = 1e-3
              ) -> tuple[float, float, np.ndarray, str]:
    """The rate scale's ends, its ticks and their format for drawn values from ``low`` to ``high``.

    A linear axis ends on round ticks (the top one drawn whole, every label with one format); a
    log axis reaches down to half the smallest positive value (``smallest_positive``).
    """
    if log:
        low = max(low, smallest_positive / 2)
        high = max(high, low * 10)
        low, high = low / 1.2, high * 1.2
        return low, high, log_ticks(low, high), "~g"
    pad = 0.03 * (high - low) if high > low else max(abs(high), 1.0) * 0.05
    ticks, decimals = nice_ticks(low - pad, high + pad)
    return float(ticks[0]), float(ticks[-1]), ticks, _linear_tick_format(ticks, decimals)


def _linear_tick_format(ticks: np.ndarray, decimals: int) -> str:
    """One format for every value label: fixed decimals for counts and rates, powers of ten for
    values a scientist writes so (a photon flux of ``7.0e-8``, never ``0.00000007``)."""
    largest = float(np.max(np.abs(ticks))) if len(ticks) else 0.0
    if largest and (largest < 1e-2 or largest >= 1e6):
        step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else largest
        mantissa_step = step / 10.0 ** np.floor(np.log10(largest))
        digits = max(1, -int(np.floor(np.log10(mantissa_step) + 1e-9)))
        return f".{digits}e"
    return f",.{decimals}f"


def utc_ticks(span: float, first: str, last: str) -> tuple[str, np.ndarray | None, str]:
    """The UTC axis' tick format, its tick values (``None``: d3 chooses) and its label, for a
    visible span of ``span`` seconds from the date ``first`` to ``last`` (ISO ``YYYY-MM-DD``)."""
    if span >= 400 * 86400:
        tick_format = "%Y-%m-%d"
    elif span >= 4 * 86400:
        tick_format = "%m-%d"  # the year is in the axis label
    elif span >= 2 * 86400:
        tick_format = "%m-%d %H:%M"
    elif span >= 600:
        tick_format = "%H:%M"
    elif span >= 10:
        tick_format = "%H:%M:%S"
    else:
        tick_format = "%H:%M:%S.%L"
    day = first if first == last else f"{first} to {last}"
    # dates are wide: at most 8, on midnights, whole days apart (else d3 chooses)
    ticks = _day_ticks(first, last) if 4 * 86400 <= span < 400 * 86400 else None
    return tick_format, ticks, f"Time (UTC), {day}"


def _day_ticks(first: str, last: str) -> np.ndarray:
    """Midnights from ``first`` to ``last`` (ISO dates), 1, 2, 5, 7, 14, 30 ... days apart:
    at most 8 ticks, so dates never overlap."""
    start = np.datetime64(first, "D") + 1
    stop = np.datetime64(last, "D")
    days = int((stop - start) / np.timedelta64(1, "D")) + 1
    step = next((s for s in (1, 2, 5, 7, 14, 30, 61, 91) if days / s <= 8), 182)
    return np.arange(start, stop + 1, step).astype("datetime64[ms]")


def epoch_ms(value: np.datetime64) -> float:
    """A ``datetime64`` as milliseconds since 1970 (a browser's Date value)."""
    return float(value.astype("datetime64[ms]").astype(np.int64))


def py_date(value: np.datetime64) -> Any:
    """A ``datetime64`` as the Python ``datetime`` a bqplot DateScale's min/max take."""
    return value.astype("datetime64[us]").astype(object)
