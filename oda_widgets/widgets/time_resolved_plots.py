"""What :class:`~oda_widgets.widgets.time_resolved_spectra.TimeResolvedSpectra` draws.

Three figures, each told what to draw and who is hovered: the intervals as shaded bands (a
``Lines`` mark filled, on a 0-1 scale of its own) with numbered handles (a ``Scatter``) on a
light curve's figure; every fitted parameter against time, one figure each on one shared time
scale, with its errors and each interval's extent; and one interval's spectrum with the folded
model. Hovering or clicking a handle or a point names its interval to the view. The results
table is drawn as HTML, every cell escaped.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import bqplot
import ipywidgets as widgets
import numpy as np
from astropy.table import Table
from astropy.time import Time

from ..analysis.spectral_models import model_spec
from ..analysis.time_resolved import Interval

__all__ = ["IntervalBands", "SpectrumPlot", "parameter_figures", "results_html",
           "spectrum_caption"]

#: Okabe-Ito: bands, points and the hovered interval.
BAND_COLOUR = "#56B4E9"
HOVER_COLOUR = "#D55E00"
POINT_COLOUR = "#0072B2"
MODEL_COLOUR = "#E69F00"


def _dates(times: Time) -> np.ndarray:
    """``Time`` as the ``datetime64[ms]`` a bqplot date scale draws."""
    return np.array([np.datetime64(t[:23], "ms") for t in np.atleast_1d(times.utc.isot)])


def _event_index(event: Mapping[str, Any]) -> Any:
    return (event.get("data") or {}).get("index")


class IntervalBands:
    """The intervals as shaded bands with numbered handles on a light curve's figure.

    Parameters
    ----------
    view : LightCurveView
        The light curve drawn on (its figure may be replaced: ``attach`` again).
    on_pick : callable
        Called with an interval's index when its handle is hovered or clicked.
    """

    def __init__(self, view: Any, on_pick: Callable[[int], None]) -> None:
        self.view = view
        self._on_pick = on_pick
        self._figure: Any = None

    def attach(self) -> bool:
        """Add the marks to the view's figure, unless there already; whether they were added."""
        figure = self.view.figure
        if self._figure is figure:
            return False
        band_scale = bqplot.LinearScale(min=0.0, max=1.0)
        scales = {"x": self.view.x_scale, "y": band_scale}
        self.bands = bqplot.Lines(x=np.zeros((0, 5)), y=np.zeros((0, 5)), scales=scales,
                                  fill="inside", colors=[BAND_COLOUR], fill_colors=[BAND_COLOUR],
                                  fill_opacities=[0.18], opacities=[0.0], stroke_width=0)
        self.handles = bqplot.Scatter(x=np.zeros(0), y=np.zeros(0), scales=scales,
                                      colors=[BAND_COLOUR], default_size=180, marker="square",
                                      names=[], display_names=True,
                                      interactions={"hover": "tooltip", "click": "select"},
                                      selected_style={"fill": HOVER_COLOUR},
                                      tooltip=bqplot.Tooltip(fields=["name"], labels=["interval"]))
        self.handles.on_hover(self._hovered_mark)
        self.handles.observe(self._selected_mark, names="selected")
        figure.marks = [self.bands, *figure.marks, self.handles]
        self._figure = figure
        return True

    def _x(self, times: Time) -> np.ndarray:
        view = self.view
        return view.axis.to_axis(view.axis.from_time(times), view.time_axis)

    def draw(self, intervals: Sequence[Interval], hovered: int) -> None:
        """Draw ``intervals``, the ``hovered`` one in the hover colour."""
        if self._figure is None:
            return
        if not intervals:
            with self.bands.hold_sync():
                self.bands.x, self.bands.y = np.zeros((0, 5)), np.zeros((0, 5))
            with self.handles.hold_sync():
                self.handles.x, self.handles.y, self.handles.names = (np.zeros(0), np.zeros(0),
                                                                      [])
            return
        starts = self._x(Time([i.start for i in intervals]))
        stops = self._x(Time([i.stop for i in intervals]))
        middles = self._x(Time([i.middle for i in intervals]))
        x = np.stack([starts, starts, stops, stops, starts], axis=1)
        y = np.tile(np.array([0.0, 1.0, 1.0, 0.0, 0.0]), (len(intervals), 1))
        colours = [HOVER_COLOUR if k == hovered else BAND_COLOUR for k in range(len(intervals))]
        with self.bands.hold_sync():
            self.bands.x, self.bands.y = x, y
            self.bands.fill_colors = colours
            self.bands.colors = colours
        with self.handles.hold_sync():
            self.handles.x = middles
            self.handles.y = np.full(len(intervals), 0.94)
            self.handles.names = [i.label for i in intervals]

    def _hovered_mark(self, _mark: Any, event: Mapping[str, Any]) -> None:
        index = _event_index(event)
        if isinstance(index, int):
            self._on_pick(index)

    def _selected_mark(self, change: Any) -> None:
        selected = change["new"]
        if selected is not None and len(selected):
            self._on_pick(int(selected[0]))


def _hover_point(where: np.ndarray, event: Mapping[str, Any],
                 on_pick: Callable[[int], None]) -> None:
    index = _event_index(event)
    if isinstance(index, int) and 0 <= index < len(where):
        on_pick(int(where[index]))


def parameter_figures(table: Table, intervals: Sequence[Interval], model: str, hovered: int,
                      time_scale: bqplot.DateScale,
                      on_pick: Callable[[int], None]) -> list[bqplot.Figure]:
    """One figure per free parameter of ``model`` (its normalisation left out) and the band
    flux, against time on ``time_scale``; hovering a point calls ``on_pick`` with its interval."""
    names = [n for n in model_spec(model).parameter_names if n != "norm"] + ["flux"]
    starts = _dates(Time([i.start for i in intervals]))
    stops = _dates(Time([i.stop for i in intervals]))
    middles = _dates(Time([i.middle for i in intervals]))
    span_days = (intervals[-1].stop - intervals[0].start).jd
    date_format = "%Y" if span_days > 1500 else "%Y-%m-%d" if span_days > 20 else "%m-%d %H:%M"
    figures = []
    for name in names:
        values = np.asarray(table[name], dtype=float)
        errors = np.nan_to_num(np.asarray(table[f"{name}_err"], dtype=float))
        y_scale = bqplot.LinearScale()
        scales = {"x": time_scale, "y": y_scale}
        shown = np.isfinite(values)
        colours = [HOVER_COLOUR if k == hovered else POINT_COLOUR for k in range(len(values))]
        points = bqplot.Scatter(x=middles[shown], y=values[shown], scales=scales,
                                colors=list(np.array(colours)[shown]), default_size=40,
                                interactions={"hover": "tooltip", "click": "select"},
                                tooltip=bqplot.Tooltip(fields=["y"], formats=[".4g"],
                                                       labels=[name]))
        where = np.flatnonzero(shown)
        points.on_hover(lambda _m, e, where=where: _hover_point(where, e, on_pick))
        error_bars = bqplot.Lines(
            x=np.stack([middles[shown], middles[shown]], axis=1),
            y=np.stack([values[shown] - errors[shown], values[shown] + errors[shown]], axis=1),
            scales=scales, colors=[POINT_COLOUR], stroke_width=1.5)
        extents = bqplot.Lines(x=np.stack([starts[shown], stops[shown]], axis=1),
                               y=np.stack([values[shown], values[shown]], axis=1),
                               scales=scales, colors=[POINT_COLOUR], stroke_width=1,
                               opacities=[0.6])
        unit = " (erg/cm²/s, " + f"{table.meta['FLUX_E1']:g}-{table.meta['FLUX_E2']:g} keV)" \
            if name == "flux" else ""
        axes = [bqplot.Axis(scale=time_scale, label="time (UTC)", tick_format=date_format),
                bqplot.Axis(scale=y_scale, orientation="vertical", label=name + unit,
                            tick_format=".4g" if name != "flux" else ".3e", label_offset="5em")]
        figure = bqplot.Figure(marks=[extents, error_bars, points], axes=axes,
                               fig_margin={"top": 10, "bottom": 40, "left": 90, "right": 20},
                               layout=widgets.Layout(width="560px", height="200px"),
                               animation_duration=0)
        figure.add_class("oda-trs-parameter-plot")
        figure.add_class(f"oda-trs-plot-{name}")
        figures.append(figure)
    return figures


def spectrum_caption(interval: Interval, fit: Any, error: str | None) -> str:
    """The words over an interval's spectrum: its times, and its fit or why there is none."""
    head = f"Interval {interval.label}: {interval.start.isot[:19]} to {interval.stop.isot[:19]}"
    if fit is None:
        return head + (f" — {error}" if error else " — not fitted yet")
    values = ", ".join(f"{name} {value}" for name, value, _ in fit.parameter_rows()
                       if name != "norm")
    return f"{head}; {fit.model}: {values}; {fit.statistic_text()}"


class SpectrumPlot:
    """One interval's count spectrum (points with error bars) and the folded model, log-log."""

    def __init__(self) -> None:
        e_scale = bqplot.LogScale()
        r_scale = bqplot.LogScale()
        scales = {"x": e_scale, "y": r_scale}
        self.data_points = bqplot.Scatter(x=np.zeros(0), y=np.zeros(0), scales=scales,
                                          colors=[POINT_COLOUR], default_size=12)
        self.data_bars = bqplot.Lines(x=np.zeros((0, 2)), y=np.zeros((0, 2)), scales=scales,
                                      colors=[POINT_COLOUR], stroke_width=1)
        self.model_line = bqplot.Lines(x=np.zeros(0), y=np.zeros(0), scales=scales,
                                       colors=[MODEL_COLOUR], stroke_width=2, labels=["model"])
        self.figure = bqplot.Figure(
            marks=[self.data_bars, self.data_points, self.model_line],
            axes=[bqplot.Axis(scale=e_scale, label="energy (keV)"),
                  bqplot.Axis(scale=r_scale, orientation="vertical",
                              label="counts/s/keV", tick_format=".1e", label_offset="5em")],
            fig_margin={"top": 10, "bottom": 40, "left": 90, "right": 20},
            layout=widgets.Layout(width="460px", height="320px"), animation_duration=0)
        self.figure.add_class("oda-trs-spectrum")

    def show(self, fit: Any) -> None:
        """Draw a fit's channels (rates per keV, those above zero) and its folded model."""
        channels = fit.channels
        width = channels.width
        rate = channels.rate / width
        error_bars = fit.total_error / width
        folded = fit.folded / width
        keep = rate > 0
        with self.data_points.hold_sync():
            self.data_points.x, self.data_points.y = channels.energy[keep], rate[keep]
        low = np.maximum(rate - error_bars, rate * 1e-3)
        with self.data_bars.hold_sync():
            self.data_bars.x = np.stack([channels.energy[keep]] * 2, axis=1)
            self.data_bars.y = np.stack([low[keep], (rate + error_bars)[keep]], axis=1)
        with self.model_line.hold_sync():
            self.model_line.x, self.model_line.y = channels.energy, np.maximum(folded, 1e-12)


def results_html(table: Table) -> str:
    """The results table as HTML, times to the second and numbers to 4 digits (all escaped)."""
    if not len(table):
        return ""
    names = ["interval", "start", "stop"] + [
        c for c in table.colnames if c not in ("interval", "start", "stop", "mid_mjd",
                                               "reduced_statistic", "note")] + ["note"]
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = []
    for row in table:
        cells = []
        for name in names:
            value = row[name]
            if isinstance(value, Time):
                text = value.isot[:19]
            elif isinstance(value, float | np.floating):
                text = "" if not np.isfinite(value) else f"{value:.4g}"
            else:
                text = str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="oda-trs-table"><tr>{head}</tr>{"".join(rows)}</table>'
