"""Decimation for display: the minimum and the maximum of every pixel column.

A screen shows at most one value per pixel column, so drawing more points than twice the columns
only costs time. Keeping, in each column, the sample with the lowest and the one with the highest
value (at their own times, in their own order) draws the same picture as every sample would: every
extremum survives at any zoom, so a spike one bin wide never vanishes. Errors get the same
treatment: each column keeps the lowest ``low`` and the highest ``high`` it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Decimated", "minmax_columns"]


@dataclass(frozen=True)
class Decimated:
    """What to draw for one curve over one x range.

    Attributes
    ----------
    x, y : numpy.ndarray
        The line: two samples per non-empty column (its minimum and maximum, in time order), or
        every sample when there are no more than two per column; plus the nearest sample outside
        each side of the range, so the line reaches the edges.
    bar_x, bar_low, bar_high : numpy.ndarray
        One error bar per sample, or per column when decimated (from the lowest ``low`` to the
        highest ``high`` in it). Empty when no errors were given.
    points : int
        The samples inside the range.
    decimated : bool
        Whether columns were used (False: every sample in the range is drawn).
    column_width : float
        The width of a column in x units (the range divided by the columns).
    """

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    bar_x: npt.NDArray[np.float64]
    bar_low: npt.NDArray[np.float64]
    bar_high: npt.NDArray[np.float64]
    points: int
    decimated: bool
    column_width: float


def minmax_columns(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    start: float,
    stop: float,
    columns: int,
    low: npt.NDArray[np.float64] | None = None,
    high: npt.NDArray[np.float64] | None = None,
) -> Decimated:
    """The minimum and maximum of ``y`` in each of ``columns`` equal columns of [start, stop].

    Parameters
    ----------
    x : numpy.ndarray
        Sorted sample positions (e.g. seconds).
    y : numpy.ndarray
        Values; NaN is ignored (a column of NaN only is left out).
    start, stop : float
        The x range to draw.
    columns : int
        Pixel columns across the range (at least 1).
    low, high : numpy.ndarray, optional
        Lower and upper ends of each sample's error bar.

    Returns
    -------
    Decimated
    """
    if columns < 1:
        raise ValueError(f"columns must be at least 1, not {columns}")
    if stop < start:
        start, stop = stop, start
    x = np.asarray(x)
    y = np.asarray(y)
    has_errors = low is not None and high is not None
    i0 = int(np.searchsorted(x, start, side="left"))
    i1 = int(np.searchsorted(x, stop, side="right"))
    points = i1 - i0
    width = (stop - start) / columns
    left = [i0 - 1] if i0 > 0 else []
    right = [i1] if i1 < len(x) else []

    if points <= 2 * columns:
        index = np.arange(max(i0 - 1, 0), min(i1 + 1, len(x)))
        bars = np.arange(i0, i1)
        return Decimated(
            x[index], y[index],
            x[bars] if has_errors else x[:0],
            np.asarray(low)[bars] if has_errors else y[:0],
            np.asarray(high)[bars] if has_errors else y[:0],
            points, False, width,
        )

    xs = x[i0:i1]
    ys = y[i0:i1]
    edges = start + width * np.arange(columns)
    firsts = np.searchsorted(xs, edges, side="left")
    firsts = np.unique(firsts[firsts < points])       # the first sample of each non-empty column
    lengths = np.diff(np.append(firsts, points))
    minima = np.fmin.reduceat(ys, firsts)
    maxima = np.fmax.reduceat(ys, firsts)
    column_of = np.repeat(np.arange(len(firsts)), lengths)
    i_min = _first_match(ys == minima[column_of], column_of, len(firsts))
    i_max = _first_match(ys == maxima[column_of], column_of, len(firsts))
    kept = (i_min >= 0) & (i_max >= 0)                # a column of NaN only has neither
    pair = np.sort(np.stack([i_min[kept], i_max[kept]], axis=1), axis=1).ravel() + i0
    index = np.concatenate([left, pair, right]).astype(np.intp)

    if has_errors:
        lows = np.fmin.reduceat(np.asarray(low)[i0:i1], firsts)[kept]
        highs = np.fmax.reduceat(np.asarray(high)[i0:i1], firsts)[kept]
        # the bar stands in the middle of the samples it covers
        bar_x = 0.5 * (xs[firsts] + xs[firsts + lengths - 1])[kept]
    else:
        lows = highs = bar_x = y[:0]
    return Decimated(x[index], y[index], bar_x, lows, highs, points, True, width)


def _first_match(matches: npt.NDArray[np.bool_], column_of: npt.NDArray[np.intp],
                 n_columns: int) -> npt.NDArray[np.intp]:
    """Per column, the position of its first True in ``matches`` (-1 when it has none)."""
    where = np.flatnonzero(matches)
    columns = column_of[where]                        # non-decreasing
    new = np.flatnonzero(np.diff(columns, prepend=-1))
    first = np.full(n_columns, -1, dtype=np.intp)
    first[columns[new]] = where[new]
    return first
