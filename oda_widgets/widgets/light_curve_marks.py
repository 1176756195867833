"""A light curve's three bqplot marks: error and bin-width bars, the line through the bins, the bins.

bqplot has no error-bar mark: the bars of a curve are one ``Lines`` path of segments separated by
NaN (a NaN breaks a line). The line through the bins breaks at every gap between science windows
(never a line across a gap). The bins themselves (a ``Scatter``) are drawn only when few are in
view. The arrays are computed first and the marks built holding them, so a view's first state
already carries its drawing (no empty marks filled by a second message). A redraw's arrays for
every curve, with its range and words, are one ``Drawing``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import bqplot
import numpy as np

from ..analysis.decimate import Decimated
from ..analysis.light_curve_samples import CurveSamples

__all__ = ["CurveMarks", "Drawing", "MarkArrays", "bar_ends", "drawn_range", "gaps_between",
           "mark_arrays", "samples_inside"]

#: Draw dots on the samples when no more than this many are visible.
DOTS_UP_TO = 400


@dataclass(frozen=True)
class MarkArrays:
    """What one curve's marks draw, x in the axis' units (dates or numbers)."""

    line_x: np.ndarray
    line_y: np.ndarray
    bars_x: np.ndarray
    bars_y: np.ndarray
    points_x: np.ndarray
    points_y: np.ndarray
    #: The line is faint when the bins are drawn as points over it.
    faint: bool

    @property
    def nbytes(self) -> int:
        """Bytes sent: bqplot sends dates and floats as float64, the values as float32."""
        return 8 * (len(self.line_x) + len(self.bars_x) + len(self.points_x)) + \
            self.line_y.nbytes + self.bars_y.nbytes + self.points_y.nbytes


def gaps_between(samples: CurveSamples) -> np.ndarray:
    """The middle of every gap (a bin's end well before the next bin's start)."""
    t, w = samples.time, samples.width
    if len(t) < 2:
        return np.zeros(0)
    if w[0] == w.min() == w.max():
        # bins of one width (the usual curve): one difference per pair, no other temporaries
        gap = np.flatnonzero(np.diff(t) > 1.01 * w[0])
        return np.asarray(0.5 * (t[gap] + t[gap + 1]))
    ends, starts = t[:-1] + w[:-1] / 2, t[1:] - w[1:] / 2
    apart = starts - ends > 0.01 * np.minimum(w[:-1], w[1:])
    return np.asarray(0.5 * (ends[apart] + starts[apart]))


def bar_ends(samples: CurveSamples) -> tuple[np.ndarray, np.ndarray]:
    """The error bars' lower and upper ends (computed once per binning, not per redraw)."""
    error = samples.error
    if np.isnan(error).any():
        error = np.nan_to_num(error)
    return samples.rate - error, samples.rate + error


def mark_arrays(samples: CurveSamples, d: Decimated, gaps: np.ndarray, log_rate: bool,
                to_axis: Callable[[np.ndarray], np.ndarray]) -> MarkArrays:
    """What to draw of ``samples`` decimated as ``d``, on an axis whose x values ``to_axis``
    makes from seconds."""
    line_x, line_y = d.x, d.y
    bar_x, low, high = d.bar_x, d.bar_low, d.bar_high
    few = not d.decimated and d.points <= DOTS_UP_TO
    # every bin in view drawn on its own: its point, and its width as a horizontal bar
    at = np.searchsorted(samples.time, bar_x) if few else np.zeros(0, dtype=np.intp)
    point_x = bar_x if few else bar_x[:0]
    point_y = samples.rate[at] if few else line_y[:0]
    half = samples.width[at] / 2 if few else bar_x[:0]
    if log_rate:
        # a log axis has no place for rates <= 0: leave them out (bqplot would place a curve's
        # label at a last point of NaN height)
        keep = line_y > 0
        line_x, line_y = line_x[keep], line_y[keep]
        keep = high > 0
        floor = float(line_y.min()) / 10 if line_y.size else float(high.min(initial=1.0)) / 10
        low = np.where(low > 0, low, floor)
        keep_points = point_y > 0
        point_x, point_y, half = point_x[keep_points], point_y[keep_points], half[keep_points]
        bar_x, low, high = bar_x[keep], low[keep], high[keep]
    line_x, line_y = _broken_at_gaps(gaps, line_x, line_y)
    n_bars, n_widths = len(bar_x), len(point_x)
    # one path: per bin NaN, low, high (the error), then NaN, left, right (the width); the NaN
    # that breaks the path comes first: bqplot places a curve's label at its last point
    path_x = np.empty(3 * n_bars + 3 * n_widths)
    path_y = np.empty(3 * n_bars + 3 * n_widths, dtype=np.float32)
    path_x[: 3 * n_bars] = np.repeat(bar_x, 3)
    path_y[0: 3 * n_bars: 3], path_y[1: 3 * n_bars: 3], path_y[2: 3 * n_bars: 3] = (
        np.nan, low, high)
    widths = slice(3 * n_bars, None)
    path_x[widths] = np.column_stack([point_x - half, point_x - half, point_x + half]).ravel()
    path_y[widths] = np.column_stack([np.full(n_widths, np.nan), point_y, point_y]).ravel()
    return MarkArrays(to_axis(line_x), line_y.astype(np.float32), to_axis(path_x), path_y,
                      to_axis(point_x), point_y.astype(np.float32), few)


def _broken_at_gaps(gaps: np.ndarray, x: np.ndarray, y: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``x, y`` with a NaN between two samples that have a gap between them, so the line never
    crosses a gap between science windows."""
    if not gaps.size or x.size < 2:
        return x, y
    across = np.flatnonzero(np.searchsorted(gaps, x[:-1]) != np.searchsorted(gaps, x[1:]))
    if not across.size:
        return x, y
    x = np.insert(x.astype(float), across + 1, 0.5 * (x[across] + x[across + 1]))
    y = np.insert(y.astype(float), across + 1, np.nan)
    return x, y


def samples_inside(time: np.ndarray, a: float, b: float) -> int:
    """How many samples of the sorted ``time`` lie within [a, b]."""
    return int(np.searchsorted(time, b, side="right") - np.searchsorted(time, a, side="left"))


def drawn_range(d: Decimated, a: float, b: float) -> tuple[float, float] | None:
    """The lowest and highest drawn value (errors included) within [a, b]."""
    values = []
    keep = (d.x >= a) & (d.x <= b)
    if np.any(keep):
        values.append(d.y[keep])
    keep = (d.bar_x >= a) & (d.bar_x <= b)
    if np.any(keep):
        values += [d.bar_low[keep], d.bar_high[keep]]
    if not values:
        return None
    joined = np.concatenate(values)
    joined = joined[np.isfinite(joined)]
    if not joined.size:
        return None
    return float(joined.min()), float(joined.max())


class CurveMarks:
    """The bars, line and points of one curve, in its source's colour.

    Parameters
    ----------
    source : str
        The curve's label (on the line).
    colour : str
        Its colour.
    scales : dict
        bqplot's ``{"x": ..., "y": ...}``.
    arrays : MarkArrays
        The first drawing.
    visible : bool
        Shown at first.
    lit, dim : bool
        Highlighted (thicker) or dimmed at first.
    """

    def __init__(self, source: str, colour: str, scales: Mapping[str, Any], arrays: MarkArrays,
                 visible: bool = True, lit: bool = False, dim: bool = False) -> None:
        fixed = {"x": True, "y": True}
        self.bars = bqplot.Lines(
            x=arrays.bars_x, y=arrays.bars_y, scales=scales, colors=[colour],
            opacities=[0.15 if dim else 0.8], stroke_width=1.2, visible=visible,
            preserve_domain=fixed,
        )
        self.line = bqplot.Lines(
            x=arrays.line_x, y=arrays.line_y, scales=scales, colors=[colour], labels=[source],
            visible=visible, preserve_domain=fixed, **_line_looks(arrays.faint, lit, dim),
        )
        self.points = bqplot.Scatter(
            x=arrays.points_x, y=arrays.points_y, scales=scales, colors=[colour],
            stroke="#333333", visible=visible, preserve_domain=fixed, tooltip=None,
            **_point_looks(lit, dim),
        )
        self._faint, self._lit, self._dim = arrays.faint, lit, dim

    @property
    def marks(self) -> tuple[bqplot.Lines, bqplot.Lines, bqplot.Scatter]:
        """Bars, line, points (drawn in this order)."""
        return self.bars, self.line, self.points

    def draw(self, arrays: MarkArrays) -> None:
        """Show ``arrays`` (one message per mark)."""
        self._faint = arrays.faint
        with self.line.hold_sync():
            self.line.x, self.line.y = arrays.line_x, arrays.line_y
            self.line.opacities = _line_looks(self._faint, self._lit, self._dim)["opacities"]
        with self.bars.hold_sync():
            self.bars.x, self.bars.y = arrays.bars_x, arrays.bars_y
        with self.points.hold_sync():
            self.points.x, self.points.y = arrays.points_x, arrays.points_y

    def show(self, visible: bool) -> None:
        """Show or hide the curve."""
        for mark in self.marks:
            mark.visible = visible

    def highlight(self, lit: bool, dim: bool) -> None:
        """Draw the curve thicker (``lit``) or fainter (``dim``) than the others."""
        if (lit, dim) == (self._lit, self._dim):
            return
        self._lit, self._dim = lit, dim
        with self.line.hold_sync():
            for name, value in _line_looks(self._faint, lit, dim).items():
                setattr(self.line, name, value)
        self.bars.opacities = [0.15 if dim else 0.8]
        with self.points.hold_sync():
            for name, value in _point_looks(lit, dim).items():
                setattr(self.points, name, value)


def _line_looks(faint: bool, lit: bool, dim: bool) -> dict[str, Any]:
    opacity = 0.2 if dim else (0.45 if faint else 1.0)
    return {"stroke_width": 3.0 if lit else 1.3, "opacities": [opacity]}


def _point_looks(lit: bool, dim: bool) -> dict[str, Any]:
    return {"default_size": 48 if lit else 20, "opacities": [0.2 if dim else 1.0]}


class Drawing(NamedTuple):
    """One redraw: the marks' arrays over ``start`` to ``stop`` (the visible range and half a
    width on each side), the lowest and highest value drawn in view, the words under the plot."""

    arrays: list[MarkArrays]
    y_range: tuple[float, float]
    text: str
    start: float
    stop: float
    decimated: bool

    def holds(self, other: Drawing) -> bool:
        """Whether the browser, showing this drawing, already holds everything ``other`` draws:
        every sample of a wider range, with the same looks."""
        return (not self.decimated and not other.decimated and self.start <= other.start
                and other.stop <= self.stop
                and [a.faint for a in self.arrays] == [a.faint for a in other.arrays])
