"""Arrays for the spectrum view's marks: error bars and step curves, for log axes.

bqplot has no error-bar mark. A ``Lines`` mark given 2-D ``x`` and ``y`` (one row per line)
draws one short segment per row, all in one colour: a vertical segment per point for the error
and a horizontal one for the channel's width.
"""

from __future__ import annotations

import numpy as np

__all__ = ["darker", "error_bars", "log_ticks", "positive", "step_curve", "upper_limits"]

#: How far down an upper limit's arrow reaches on a log axis (a factor below the limit).
ARROW_FACTOR = 2.5


def darker(colour: str, amount: float = 0.45) -> str:
    """``colour`` (``#rrggbb``) mixed with black: the model drawn over its own data stays
    distinguishable from the points."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * (1 - amount)):02x}" for c in rgb)


def positive(y: np.ndarray) -> np.ndarray:
    """Mask of the values a log axis can show (positive and finite)."""
    y = np.asarray(y, dtype=float)
    return np.isfinite(y) & (y > 0)


def error_bars(
    x: np.ndarray,
    y: np.ndarray,
    y_error: np.ndarray,
    x_lo: np.ndarray | None = None,
    x_hi: np.ndarray | None = None,
    log_y: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Segments for a ``Lines`` mark: one vertical bar per point, and one horizontal bar when
    ``x_lo``/``x_hi`` are given.

    On a log axis a bar that would reach zero or below is cut at a tenth of its point, so it
    still shows that the point is compatible with much less.

    Returns
    -------
    xs, ys : numpy.ndarray
        Shape (n_segments, 2) each.
    """
    x, y, e = (np.asarray(v, dtype=float) for v in (x, y, y_error))
    low = y - e
    if log_y:
        low = np.where(low > 0, low, y * 0.1)
    xs = [np.column_stack([x, x])]
    ys = [np.column_stack([low, y + e])]
    if x_lo is not None and x_hi is not None:
        xs.append(np.column_stack([np.asarray(x_lo, float), np.asarray(x_hi, float)]))
        ys.append(np.column_stack([y, y]))
    if not x.size:
        return np.zeros((0, 2)), np.zeros((0, 2))
    return np.concatenate(xs), np.concatenate(ys)


def upper_limits(x: np.ndarray, x_lo: np.ndarray, x_hi: np.ndarray, limit: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Upper limits drawn as XSPEC and papers draw them: a bar across the bin at the limit and
    an arrow down from its middle.

    Returns
    -------
    xs, ys : numpy.ndarray
        Segments for a ``Lines`` mark, shape (2 n, 2): the bars, then the shafts.
    head_x, head_y : numpy.ndarray
        Where the arrow heads go (a ``triangle-down`` marker each).
    """
    x, lo, hi, top = (np.asarray(v, dtype=float) for v in (x, x_lo, x_hi, limit))
    if not x.size:
        return np.zeros((0, 2)), np.zeros((0, 2)), x, x
    bottom = top / ARROW_FACTOR
    xs = np.concatenate([np.column_stack([lo, hi]), np.column_stack([x, x])])
    ys = np.concatenate([np.column_stack([top, top]), np.column_stack([top, bottom])])
    return xs, ys, x, bottom


def step_curve(lo: np.ndarray, hi: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A histogram outline: each channel's value held flat from its low to its high edge."""
    lo, hi, y = (np.asarray(v, dtype=float) for v in (lo, hi, y))
    return np.column_stack([lo, hi]).ravel(), np.repeat(y, 2)


def log_ticks(low: float, high: float) -> np.ndarray:
    """Tick values for a log axis over [low, high]: the decades, and 2 and 5 times them when
    the span holds fewer than three decades (every tick labelled, none crowded)."""
    if not 0 < low < high:
        return np.array([1.0])
    decades = 10.0 ** np.arange(np.floor(np.log10(low)), np.ceil(np.log10(high)) + 1)
    ticks = decades[(decades >= low) & (decades <= high)]
    if ticks.size < 3:
        ticks = np.sort(np.concatenate([decades, 2 * decades, 5 * decades]))
        ticks = ticks[(ticks >= low) & (ticks <= high)]
    if ticks.size < 2:  # less than a factor of 2.5: every integer multiple
        ticks = np.sort(np.concatenate([k * decades for k in range(1, 10)]))
        ticks = ticks[(ticks >= low) & (ticks <= high)]
    if ticks.size > 8:  # many decades: every second (third ...) one, eight at most
        ticks = ticks[:: int(np.ceil(ticks.size / 8))]
    return ticks
