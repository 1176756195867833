"""LightCurveView: light curves drawn with bqplot, fast at millions of points, with a time brush.

Composed of bqplot's pieces: one x scale (a date scale for UTC, linear for MJD and seconds since
T1), a linear or log rate scale, two axes, and per curve three marks: a ``Scatter`` of the bins,
their error and bin-width bars as one ``Lines`` path of segments separated by NaN (bqplot has no
error-bar mark; a NaN breaks a line), and a faint ``Lines`` through the bins that breaks at every
gap between science windows (never a line across a gap). A ``PanZoom`` zooms and pans the time axis;
a ``BrushIntervalSelector`` selects a time range. Each source has its colour in every view
(:mod:`oda_widgets.widgets.source_colours`); rate ticks are round numbers with one precision.

Nothing sends every sample to the browser: the kernel keeps the full curves and, whenever the
visible time range changes (debounced), sends only the minimum and maximum of each pixel column
(:func:`oda_widgets.analysis.minmax_columns`) over the visible range and half a width on each
side, so a pan shows data at once and every peak stays drawn at any zoom. bqplot sends the arrays
as binary buffers.
"""

from __future__ import annotations

import asyncio
import html
import time
from collections.abc import Mapping, Sequence
from typing import Any

import bqplot
import ipywidgets as widgets
import numpy as np
import traitlets
from astropy.time import Time, TimeDelta
from bqplot.interacts import BrushIntervalSelector, PanZoom

from ..analysis.curve_values import axis_label, inverted, takes_log
from ..analysis.decimate import Decimated, minmax_columns
from ..analysis.light_curve_samples import CurveSamples
from ..analysis.rebin import Rebinned, rebin
from ..analysis.time_axis import MODES, TimeAxis, duration_text, range_text
from .events import Events
from .source_colours import source_colour
from .spectrum_marks import log_ticks

__all__ = ["LightCurveView"]

#: Seconds to wait after the last change of the visible range before re-decimating.
DEBOUNCE_S = 0.06
#: A range change this long after the last redraw is drawn at once.
QUIET_S = 0.2
#: Draw dots on the samples when no more than this many are visible.
DOTS_UP_TO = 400

_AXIS_NAMES = {"utc": "UTC", "mjd": "MJD", "t1": "s since T1"}
_CSS = """
.oda-lightcurve .oda-lc-note { color: var(--jp-ui-font-color2, #555); }
.oda-lightcurve .oda-error-text { color: #b00020; font-weight: bold; }
.oda-lightcurve .oda-lc-swatch { display: inline-block; width: 1.4em; height: 0.35em;
  margin-right: 0.3em; vertical-align: middle; }
"""


def _text(text: str, css: str = "oda-lc-note") -> str:
    return f'<span class="{css}">{html.escape(text)}</span>'


def _as_curves(light_curves: Any) -> list[tuple[str, Any]]:
    if isinstance(light_curves, Mapping):
        items = [(str(name), lc) for name, lc in light_curves.items()]
    elif isinstance(light_curves, Sequence) and not isinstance(light_curves, str):
        items = [(str(getattr(lc, "source", None) or getattr(lc, "name", f"curve {i + 1}")), lc)
                 for i, lc in enumerate(light_curves)]
    elif hasattr(light_curves, "hdu"):
        items = [(str(getattr(light_curves, "source", None) or light_curves.name), light_curves)]
    else:
        raise TypeError("LightCurveView takes a LightCurve, a list of them or a dict of them by "
                        f"source (e.g. products.light_curves), not {type(light_curves).__name__}")
    if not items:
        raise ValueError("LightCurveView got no light curves: the product set has none "
                         "(was the product a light curve, e.g. isgri_lc?)")
    return items


class LightCurveView(widgets.VBox):
    """Light curves with error bars, a legend, rebinning, zoom and a time brush.

    Parameters
    ----------
    light_curves : dict, list or LightCurve
        ``products.light_curves`` (by source), a list of
        :class:`~oda_widgets.client.products.light_curve.LightCurve`, or one.
    form : QueryForm, optional
        The form that "Use this time range" fills.
    t1 : astropy.time.Time or str, optional
        The origin of the "seconds since T1" axis (by default the start of the earliest bin).
    time_axis : {"utc", "mjd", "t1"}
        The first time axis.
    log_rate : bool
        Start with a logarithmic rate axis.
    columns : int
        Columns across the visible plot (about its width in pixels): each keeps its minimum and
        maximum.

    Attributes
    ----------
    selected_range : tuple of astropy.time.Time, or None
        The time range chosen with the brush (observable: ``view.observe(fn, "selected_range")``).
    time_axis : str
        ``"utc"``, ``"mjd"`` or ``"t1"`` (observable; setting it switches the axis).
    log_rate : bool
        Whether the rate axis is logarithmic (observable).
    status : str
        What the view says under its controls and plot, as plain text, one line each: the bin
        (after a rebin), what is in view and whether every sample is drawn or decimated, the
        range selected, what "Use this time range" did (observable; synced).
    """

    selected_range = traitlets.Any(None, allow_none=True)
    time_axis = traitlets.Enum(MODES, default_value="utc")
    log_rate = traitlets.Bool(False)
    highlighted = traitlets.List(traitlets.Unicode())
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, light_curves: Any, form: Any = None, *, t1: Any = None,
                 time_axis: str = "utc", log_rate: bool = False, columns: int = 1000) -> None:
        super().__init__()
        self.add_class("oda-lightcurve")
        self.form = form
        self._form_filled = Events()
        self._said: dict[str, str] = {}   # each line's text, by its widget's name: the status
        self.columns = int(columns)
        samples = [CurveSamples.from_light_curve(lc, source=name)
                   for name, lc in _as_curves(light_curves)]
        quantities = sorted({s.quantity for s in samples})
        if len(quantities) > 1:
            raise ValueError(f"these light curves hold different quantities "
                             f"({', '.join(quantities)}): show each kind in a view of its own")
        #: What the curves' values are: "RATE", "FLUX", "MAG" (drawn downwards) or "COUNTS".
        self.quantity: str = quantities[0]
        log_rate = log_rate and takes_log(self.quantity)
        reference = min((s.reference for s in samples), key=lambda t: t.tt.mjd)
        self.curves: list[CurveSamples] = [s.rebased(reference) for s in samples]
        self._set_shown([rebin(s, factor=1) for s in self.curves])
        start = min(s.start for s in self.curves)
        stop = max(s.stop for s in self.curves)
        if stop <= start:
            stop = start + 1.0
        self._full = (start, stop)
        self._visible = (start, stop)
        t1_time = Time(t1, scale="utc") if isinstance(t1, str) else t1
        # T1 is by default the start of the earliest bin
        self.axis = TimeAxis(reference, t1_time if t1_time is not None else
                             reference + TimeDelta(start, format="sec"))
        self._timer: Any = None
        self._drawing = False
        self._drawn: tuple[float, float] | None = None
        self._last_redraw = 0.0
        self.redraws = 0
        self.last_redraw_bytes = 0

        self.set_trait("time_axis", time_axis)
        self.set_trait("log_rate", log_rate)
        self._build_controls()
        self._tell("bin_text", self.bin_words)
        self._build_figure()
        self.children = [
            widgets.HTML(f"<style>{_CSS}</style>", layout=widgets.Layout(display="none")),
            self.controls, self.rebin_row, self.legend_row, self.figure, self.info,
            self.selection_row,
        ]
        self.observe(self._axis_changed, names=["time_axis", "log_rate"])

    # --- building ------------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.axis_buttons = widgets.ToggleButtons(
            options=[(_AXIS_NAMES[m], m) for m in MODES], value=self.time_axis,
            description="Time", tooltips=["UTC dates", "Modified Julian Date (UTC)",
                                          "seconds since T1"],
            style={"button_width": "7em", "description_width": "3em"},
            layout=widgets.Layout(width="auto"),
        )
        self.axis_buttons.add_class("oda-lc-time-axis")
        self.rate_buttons = widgets.ToggleButtons(
            options=[("linear", False), ("log", True)], value=self.log_rate,
            description=axis_label(self.quantity, []),
            tooltips=["linear rate axis", "logarithmic rate axis"],
            style={"button_width": "5em", "description_width": "3em"},
            layout=widgets.Layout(width="auto"),
        )
        self.rate_buttons.add_class("oda-lc-rate-scale")
        if not takes_log(self.quantity):
            self.rate_buttons.layout.display = "none"  # a magnitude is a logarithm already
        self.mode_buttons = widgets.ToggleButtons(
            options=[("Zoom / pan", "zoom"), ("Select time", "select")], value="zoom",
            tooltips=["wheel to zoom the time axis, drag to pan",
                      "drag across the plot to select a time range"],
            style={"button_width": "8em"}, layout=widgets.Layout(width="auto"),
        )
        self.mode_buttons.add_class("oda-lc-mode")
        self.reset_button = widgets.Button(description="Whole curve", icon="expand",
                                           tooltip="show the whole time range")
        self.reset_button.add_class("oda-lc-reset")
        self.axis_buttons.observe(lambda c: setattr(self, "time_axis", c["new"]), names="value")
        self.rate_buttons.observe(lambda c: setattr(self, "log_rate", c["new"]), names="value")
        self.mode_buttons.observe(lambda c: self._set_interaction(), names="value")
        self.reset_button.on_click(lambda _b: self.show_range(*self._full))
        self.controls = widgets.HBox([self.axis_buttons, self.rate_buttons, self.mode_buttons,
                                      self.reset_button],
                                     layout=widgets.Layout(flex_flow="row wrap"))

        native = max(s.native_bin for s in self.curves)
        span = self._full_span()
        factors = [1] + [2 ** k for k in range(1, 21) if native * 2 ** k <= span / 2]
        self.rebin_select = widgets.Dropdown(
            options=[("native" if f == 1 else f"x{f}", f) for f in factors], value=1,
            description="Bin", style={"description_width": "3em"},
            layout=widgets.Layout(width="12em"),
            tooltip="combine bins: counts conserved, errors propagated",
        )
        self.rebin_select.add_class("oda-lc-rebin")
        self.bin_seconds = widgets.FloatText(
            value=round(native, 6), description="or (s)", style={"description_width": "4em"},
            layout=widgets.Layout(width="13em"), tooltip="a bin width in seconds",
        )
        self.bin_seconds.add_class("oda-lc-bin-seconds")
        self.bin_button = widgets.Button(description="Rebin", tooltip="rebin to this many "
                                         "seconds", layout=widgets.Layout(width="6em"))
        self.bin_button.add_class("oda-lc-bin-apply")
        self.bin_text = widgets.HTML("")
        self.bin_text.add_class("oda-lc-bin-text")
        self.rebin_select.observe(lambda c: self.rebin(factor=c["new"]), names="value")
        self.bin_button.on_click(lambda _b: self._rebin_to_seconds())
        self.rebin_row = widgets.HBox([self.rebin_select, self.bin_seconds, self.bin_button,
                                       self.bin_text],
                                      layout=widgets.Layout(flex_flow="row wrap",
                                                            align_items="center"))

        self.toggles: list[widgets.Checkbox] = []
        items = []
        for index, curve in enumerate(self.curves):
            colour = source_colour(curve.source)
            swatch = widgets.HTML(
                f'<span class="oda-lc-swatch" style="background:{colour}"></span>'
            )
            toggle = widgets.Checkbox(value=True, description=curve.source, indent=False,
                                      layout=widgets.Layout(width="auto"),
                                      tooltip=f"show or hide {curve.source}")
            toggle.add_class("oda-lc-toggle")
            toggle.observe(lambda c, i=index: self._toggle(i, c["new"]), names="value")
            self.toggles.append(toggle)
            items.append(widgets.HBox([swatch, toggle], layout=widgets.Layout(
                align_items="center", margin="0 1em 0 0")))
        self.legend_row = widgets.HBox(items, layout=widgets.Layout(flex_flow="row wrap"))
        self.legend_row.add_class("oda-lc-legend")

        self.info = widgets.HTML("")
        self.info.add_class("oda-lc-info")
        self.selection_text = widgets.HTML("")
        self.selection_text.add_class("oda-lc-selection")
        self._tell("selection_text", "No time range selected: choose Select time and drag "
                   "across the plot.")
        self.use_button = widgets.Button(
            description="Use this time range", icon="clock", disabled=True,
            layout=widgets.Layout(width="auto"),
            tooltip="set the form's T1 and T2 to the selected range for the next query",
        )
        self.use_button.add_class("oda-lc-use-range")
        self.use_message = widgets.HTML("")
        self.use_message.add_class("oda-lc-use-message")
        self.use_button.on_click(lambda _b: self._use_clicked())
        self.selection_row = widgets.HBox([self.selection_text, self.use_button,
                                           self.use_message],
                                          layout=widgets.Layout(align_items="center",
                                                                flex_flow="row wrap"))

    def _full_span(self) -> float:
        return self._full[1] - self._full[0]

    def _build_figure(self) -> None:
        mode = self.time_axis
        lo, hi = (self.axis.to_axis(np.array(self._visible), mode))
        if mode == "utc":
            self.x_scale = bqplot.DateScale(min=_py_date(lo), max=_py_date(hi))
            # a DateScale's min and max changed by PanZoom in the browser never come back to
            # the kernel (a LinearScale's do): a linear twin in milliseconds, zoomed and panned
            # with it, tells the kernel what is visible
            self.range_scale = bqplot.LinearScale(min=_ms(lo), max=_ms(hi))
        else:
            self.x_scale = bqplot.LinearScale(min=float(lo), max=float(hi))
            self.range_scale = self.x_scale
        # brighter is up: a magnitude axis runs downwards
        self.y_scale = (bqplot.LogScale() if self.log_rate
                        else bqplot.LinearScale(reverse=inverted(self.quantity)))
        units = sorted({c.rate_unit for c in self.curves if c.rate_unit})
        rate_label = axis_label(self.quantity, units)
        self.x_axis = bqplot.Axis(scale=self.x_scale, label=self.axis.label(mode),
                                  grid_lines="none")
        self.y_axis = bqplot.Axis(scale=self.y_scale, side="left", label=rate_label,
                                  tick_format="~g", grid_lines="dashed", label_offset="4em")
        scales = {"x": self.x_scale, "y": self.y_scale}
        self.lines: list[bqplot.Lines] = []
        self.bars: list[bqplot.Lines] = []
        self.points: list[bqplot.Scatter] = []
        for index, curve in enumerate(self.curves):
            colour = source_colour(curve.source)
            visible = self.toggles[index].value
            self.bars.append(bqplot.Lines(
                x=np.zeros(0), y=np.zeros(0), scales=scales, colors=[colour], opacities=[0.8],
                stroke_width=1.2, visible=visible, preserve_domain={"x": True, "y": True},
            ))
            self.lines.append(bqplot.Lines(
                x=np.zeros(0), y=np.zeros(0), scales=scales, colors=[colour], stroke_width=1.3,
                labels=[curve.source], visible=visible,
                preserve_domain={"x": True, "y": True},
            ))
            self.points.append(bqplot.Scatter(
                x=np.zeros(0), y=np.zeros(0), scales=scales, colors=[colour], stroke="#333333",
                default_size=20, visible=visible, preserve_domain={"x": True, "y": True},
                tooltip=None,
            ))
        twin = [] if self.range_scale is self.x_scale else [self.range_scale]
        self.panzoom = PanZoom(scales={"x": [self.x_scale, *twin]})
        self.brush = BrushIntervalSelector(scale=self.x_scale, marks=self.lines,
                                                  color="#ff7f0e")
        self.brush.observe(self._brushed, names=["selected"])
        self.figure = bqplot.Figure(
            marks=[*self.bars, *self.lines, *self.points], axes=[self.x_axis, self.y_axis],
            fig_margin={"top": 24, "bottom": 50, "left": 80, "right": 20},
            layout=widgets.Layout(width="100%", height="420px"),
            interaction=self.panzoom if self.mode_buttons.value == "zoom" else self.brush,
            animation_duration=0,
        )
        self.figure.add_class("oda-lc-figure")
        self.range_scale.observe(self._range_changed, names=["min", "max"])
        self._show_highlight()
        self._redraw()

    @traitlets.validate("log_rate")
    def _check_log(self, proposal: Any) -> bool:
        if proposal["value"] and not takes_log(getattr(self, "quantity", "RATE")):
            raise traitlets.TraitError("magnitudes have no logarithmic axis: they are "
                                       "logarithms already")
        return bool(proposal["value"])

    def _axis_changed(self, change: Any) -> None:
        self.axis_buttons.value = self.time_axis
        self.rate_buttons.value = self.log_rate
        old = self.figure
        self._build_figure()
        self.children = tuple(self.figure if child is old else child for child in self.children)
        old.close()

    def _set_interaction(self) -> None:
        self.figure.interaction = (self.panzoom if self.mode_buttons.value == "zoom"
                                   else self.brush)

    # --- the visible range ----------------------------------------------------------------------
    @property
    def visible_range(self) -> tuple[Time, Time]:
        """The time range shown, as astropy ``Time`` (UTC)."""
        times = self.axis.to_time(np.array(self._visible))
        return times[0], times[1]

    def show_range(self, start: Any, stop: Any) -> None:
        """Show ``start`` to ``stop`` (astropy ``Time``, or seconds since the first sample)."""
        a, b = (float(self.axis.from_time(t)) if isinstance(t, Time) else float(t)
                for t in (start, stop))
        if b <= a:
            raise ValueError(f"the range must end after it starts ({start} to {stop})")
        self._visible = (a, b)
        lo, hi = self.axis.to_axis(np.array([a, b]), self.time_axis)
        self._drawing = True     # not a change from the browser: redraw once, below
        try:
            if self.time_axis == "utc":
                with self.x_scale.hold_sync():
                    self.x_scale.min, self.x_scale.max = _py_date(lo), _py_date(hi)
                # the browser may have zoomed away from what the kernel last set: send anyway
                self.x_scale.send_state(["min", "max"])
                with self.range_scale.hold_sync():
                    self.range_scale.min, self.range_scale.max = _ms(lo), _ms(hi)
                self.range_scale.send_state(["min", "max"])
            else:
                with self.x_scale.hold_sync():
                    self.x_scale.min, self.x_scale.max = float(lo), float(hi)
                self.x_scale.send_state(["min", "max"])
        finally:
            self._drawing = False
        self._cancel_timer()
        self._redraw()

    def _range_changed(self, change: Any) -> None:
        if self._drawing:
            return
        low, high = self.range_scale.min, self.range_scale.max
        if low is None or high is None:
            return
        values = [np.datetime64(round(float(v)), "ms") for v in (low, high)] \
            if self.time_axis == "utc" else [float(low), float(high)]
        a, b = self.axis.from_axis(values, self.time_axis)
        if not (np.isfinite(a) and np.isfinite(b)) or b <= a:
            return
        self._visible = (float(a), float(b))
        self._schedule_redraw()

    def _schedule_redraw(self) -> None:
        """Redraw now if the view was still, else once the range stops changing.

        A wheel step or the start of a drag is drawn at once (leading edge); the changes that
        follow it (one per mouse move) are drawn once, ``DEBOUNCE_S`` after the last.
        """
        if self._visible == self._drawn:
            return          # min and max arrive together, as two changes
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        still = time.monotonic() - self._last_redraw > QUIET_S
        if loop is None or (self._timer is None and still):
            self._cancel_timer()
            self._redraw()
        else:
            self._cancel_timer()
            self._timer = loop.call_later(DEBOUNCE_S, self._redraw)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # --- drawing --------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self._timer = None
        a, b = self._visible
        self._drawn = (a, b)
        margin = 0.5 * (b - a)
        start, stop = a - margin, b + margin
        mode = self.time_axis
        y_low, y_high = np.inf, -np.inf
        total_points, total_bytes, decimated = 0, 0, None
        self._drawing = True
        try:
            for index, shown in enumerate(self._shown):
                curve = shown.samples
                low, high = self._bar_ends[index]
                d = minmax_columns(curve.time, curve.rate, start, stop, 2 * self.columns,
                                   low, high)
                total_bytes += self._send_curve(index, d, mode)
                if d.decimated:
                    decimated = d
                inside = _inside(d, a, b)
                total_points += _points_inside(curve.time, a, b)
                if self.toggles[index].value and inside is not None:
                    y_low = min(y_low, inside[0])
                    y_high = max(y_high, inside[1])
            self._set_y_range(y_low, y_high)
        finally:
            self._drawing = False
        self._label_time_axis()
        self._last_redraw = time.monotonic()
        self.redraws += 1
        self.last_redraw_bytes = total_bytes
        shown = range_text(*self.axis.to_time(np.array([a, b])))
        if decimated is not None:
            text = (f"In view: {shown}; {total_points:,} samples, drawn as the minimum and "
                    f"maximum of each of {self.columns:,} columns of "
                    f"{duration_text(decimated.column_width)}")
        else:
            text = f"In view: {shown}; {total_points:,} samples, all drawn"
        self._tell("info", text)

    def _set_shown(self, shown: list[Rebinned]) -> None:
        self._shown = shown
        # the middle of every gap (a bin's end well before the next bin's start), per curve
        self._gaps = []
        for s in shown:
            t, w = s.samples.time, s.samples.width
            ends, starts = t[:-1] + w[:-1] / 2, t[1:] - w[1:] / 2
            gap = starts - ends > 0.01 * np.minimum(w[:-1], w[1:])
            self._gaps.append(0.5 * (ends[gap] + starts[gap]))
        # the error bars' ends, computed once per binning rather than per redraw
        self._bar_ends = []
        for s in shown:
            error = s.samples.error
            if np.isnan(error).any():
                error = np.nan_to_num(error)
            self._bar_ends.append((s.samples.rate - error, s.samples.rate + error))

    def _send_curve(self, index: int, d: Decimated, mode: str) -> int:
        samples = self._shown[index].samples
        line_x, line_y = d.x, d.y
        bar_x, low, high = d.bar_x, d.bar_low, d.bar_high
        few = not d.decimated and d.points <= DOTS_UP_TO
        # every bin in view drawn on its own: its point, and its width as a horizontal bar
        at = np.searchsorted(samples.time, bar_x) if few else np.zeros(0, dtype=np.intp)
        point_x = bar_x if few else bar_x[:0]
        point_y = samples.rate[at] if few else line_y[:0]
        half = samples.width[at] / 2 if few else bar_x[:0]
        if self.log_rate:
            # a log axis has no place for rates <= 0: leave them out (bqplot would place a
            # curve's label at a last point of NaN height)
            keep = line_y > 0
            line_x, line_y = line_x[keep], line_y[keep]
            keep = high > 0
            floor = float(line_y.min()) / 10 if line_y.size else float(high.min(initial=1.0)) / 10
            low = np.where(low > 0, low, floor)
            keep_points = point_y > 0
            point_x, point_y, half = point_x[keep_points], point_y[keep_points], half[keep_points]
            bar_x, low, high = bar_x[keep], low[keep], high[keep]
        line_x, line_y = self._broken_at_gaps(index, line_x, line_y)
        x = self.axis.to_axis(line_x, mode)
        y = line_y.astype(np.float32)
        n_bars, n_widths = len(bar_x), len(point_x)
        # one path: per bin NaN, low, high (the error), then NaN, left, right (the width); the
        # NaN that breaks the path comes first: bqplot places a curve's label at its last point
        path_x = np.empty(3 * n_bars + 3 * n_widths)
        path_y = np.empty(3 * n_bars + 3 * n_widths, dtype=np.float32)
        path_x[: 3 * n_bars] = np.repeat(bar_x, 3)
        path_y[0: 3 * n_bars: 3], path_y[1: 3 * n_bars: 3], path_y[2: 3 * n_bars: 3] = (
            np.nan, low, high)
        widths = slice(3 * n_bars, None)
        path_x[widths] = np.column_stack([point_x - half, point_x - half,
                                          point_x + half]).ravel()
        path_y[widths] = np.column_stack([np.full(n_widths, np.nan), point_y,
                                          point_y]).ravel()
        bar_axis_x = self.axis.to_axis(path_x, mode)
        line, bars, points = self.lines[index], self.bars[index], self.points[index]
        with line.hold_sync():
            line.x, line.y = x, y
            line.opacities = [0.45 if few else 1.0]
        with bars.hold_sync():
            bars.x, bars.y = bar_axis_x, path_y
        with points.hold_sync():
            points.x = self.axis.to_axis(point_x, mode)
            points.y = point_y.astype(np.float32)
        x_bytes = 8  # bqplot sends dates and floats as float64
        return (len(x) * x_bytes + y.nbytes + len(path_x) * x_bytes + path_y.nbytes
                + len(point_x) * (x_bytes + 4))

    def _broken_at_gaps(self, index: int, x: np.ndarray, y: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray]:
        """``x, y`` with a NaN between two samples that have a gap between them, so the line
        never crosses a gap between science windows."""
        gaps = self._gaps[index]
        if not gaps.size or x.size < 2:
            return x, y
        across = np.flatnonzero(np.searchsorted(gaps, x[:-1]) != np.searchsorted(gaps, x[1:]))
        if not across.size:
            return x, y
        x = np.insert(x.astype(float), across + 1, 0.5 * (x[across] + x[across + 1]))
        y = np.insert(y.astype(float), across + 1, np.nan)
        return x, y

    def _label_time_axis(self) -> None:
        """UTC ticks as clock times fine enough for the visible span; the date in the label."""
        if self.time_axis != "utc":
            return
        a, b = self._visible
        span = b - a
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
        first, last = (t.utc.isot[:10] for t in self.axis.to_time(np.array([a, b])))
        day = first if first == last else f"{first} to {last}"
        label = f"Time (UTC), {day}"
        if self.x_axis.tick_format != tick_format:
            self.x_axis.tick_format = tick_format
        # dates are wide: at most 8, on midnights, whole days apart (else d3 chooses)
        ticks = _day_ticks(first, last) if 4 * 86400 <= span < 400 * 86400 else None
        if ticks is None:
            if self.x_axis.tick_values is not None:
                self.x_axis.tick_values = None
        elif self.x_axis.tick_values is None or not np.array_equal(ticks,
                                                                    self.x_axis.tick_values):
            self.x_axis.tick_values = ticks
        if self.x_axis.label != label:
            self.x_axis.label = label

    def _set_y_range(self, low: float, high: float) -> None:
        if not (np.isfinite(low) and np.isfinite(high)):
            return
        if self.log_rate:
            positives = [c.rate[c.rate > 0] for c in (s.samples for s in self._shown)]
            smallest = min((float(p.min()) for p in positives if p.size), default=1e-3)
            low = max(low, smallest / 2)
            high = max(high, low * 10)
            low, high = low / 1.2, high * 1.2
            ticks, tick_format = log_ticks(low, high), "~g"
        else:
            pad = 0.03 * (high - low) if high > low else max(abs(high), 1.0) * 0.05
            ticks, decimals = nice_ticks(low - pad, high + pad)
            # the axis ends on ticks: the top one is drawn whole, and every label has one format
            low, high = float(ticks[0]), float(ticks[-1])
            tick_format = _linear_tick_format(ticks, decimals)
        with self.y_scale.hold_sync():
            self.y_scale.min, self.y_scale.max = low, high
        with self.y_axis.hold_sync():
            self.y_axis.tick_values = ticks
            self.y_axis.tick_format = tick_format

    def _toggle(self, index: int, shown: bool) -> None:
        self.lines[index].visible = shown
        self.bars[index].visible = shown
        self.points[index].visible = shown
        self._redraw()

    # --- highlighting ---------------------------------------------------------------------------
    def highlight(self, sources: Sequence[str]) -> None:
        """Draw the curves of ``sources`` thicker and dim the others (the sources selected in
        a linked catalog); an empty list, or no curve of those names, draws every curve alike."""
        self.highlighted = [str(s) for s in sources]

    @traitlets.observe("highlighted")
    def _highlight_changed(self, _change: Any) -> None:
        if hasattr(self, "lines"):
            self._show_highlight()

    def _show_highlight(self) -> None:
        wanted = set(self.highlighted) & {c.source for c in self.curves}
        for curve, line, bars, points in zip(self.curves, self.lines, self.bars, self.points,
                                             strict=True):
            lit = curve.source in wanted
            dim = bool(wanted) and not lit
            with line.hold_sync():
                line.stroke_width = 3.0 if lit else 1.3
                line.opacities = [0.2 if dim else 1.0]
            bars.opacities = [0.15 if dim else 0.8]
            with points.hold_sync():
                points.default_size = 48 if lit else 20
                points.default_opacities = [0.2 if dim else 1.0]
        if hasattr(self, "figure"):
            # the highlighted curves are drawn last: in front of the others
            order = sorted(range(len(self.curves)), key=lambda i: self.curves[i].source in wanted)
            self.figure.marks = [*(self.bars[i] for i in order), *(self.lines[i] for i in order),
                                 *(self.points[i] for i in order)]

    # --- rebinning ------------------------------------------------------------------------------
    def rebin(self, factor: float | None = None, bin_width: float | None = None) -> str:
        """Rebin every curve (``factor`` times its native bin, or ``bin_width`` seconds).

        Returns the bin in words, as shown under the controls.
        """
        if factor is not None and bin_width is None:
            self._set_shown([rebin(c, factor=factor) for c in self.curves])
        else:
            self._set_shown([rebin(c, bin_width=bin_width) for c in self.curves])
        words = self.bin_words
        self._tell("bin_text", words)
        self._cancel_timer()
        self._redraw()
        return words

    def _rebin_to_seconds(self) -> None:
        try:
            self.rebin(bin_width=float(self.bin_seconds.value))
        except ValueError as exc:
            self._tell("bin_text", f"⚠ {exc}", "oda-error-text")

    @property
    def bin_words(self) -> str:
        """The bin in words (e.g. ``"600 s bins (native)"``)."""
        heads = [s.describe(partial=False) for s in self._shown]
        if len(set(heads)) > 1:
            return "; ".join(f"{c.source}: {s.describe()}"
                             for c, s in zip(self.curves, self._shown, strict=True))
        partial = [(c.source, int(s.partial.sum()), len(s.partial))
                   for c, s in zip(self.curves, self._shown, strict=True) if s.partial.any()]
        if not partial:
            return heads[0]
        if len(self._shown) == 1:
            return self._shown[0].describe()
        counts = ", ".join(f"{source} {n} of {total}" for source, n, total in partial)
        return (f"{heads[0]}; partly covered bins (gaps or ends, their rate over the exposure "
                f"they hold): {counts}")

    # --- the time brush -------------------------------------------------------------------------
    def _brushed(self, change: Any) -> None:
        selected = change["new"]
        if selected is None or len(selected) < 2:
            self.selected_range = None
            return
        values = list(selected)[:2]
        if self.time_axis == "utc":
            values = [np.datetime64(v, "us") for v in values]
        seconds = np.sort(self.axis.from_axis(values, self.time_axis))
        times = self.axis.to_time(seconds)
        self.selected_range = (times[0], times[1])

    @traitlets.observe("selected_range")
    def _selection_changed(self, change: Any) -> None:
        selected = change["new"]
        if selected is None:
            self._tell("selection_text", "No time range selected: choose Select time and "
                       "drag across the plot.")
            self.use_button.disabled = True
            return
        self._tell("selection_text", "Selected: " + range_text(*selected))
        self.use_button.disabled = self.form is None
        self._tell("use_message", "")

    def use_time_range(self, form: Any) -> tuple[str, str]:
        """Set ``form``'s T1 and T2 (ISOT) to the selected range, for the next query.

        Returns
        -------
        tuple of str
            The T1 and T2 given to the form.

        Raises
        ------
        ValueError
            If no range is selected.
        """
        if self.selected_range is None:
            raise ValueError("no time range is selected: choose Select time and drag across "
                             "the plot first")
        start, stop = self.selected_range
        form.set_time_range(start, stop)
        values = form.values
        t1, t2 = str(values.get("T1")), str(values.get("T2"))
        self._form_filled(f"T1 is now {t1} and T2 {t2} (from a light curve)")
        return t1, t2

    def on_form_filled(self, callback: Any, remove: bool = False) -> None:
        """Call ``callback(text)`` each time this view puts its time range into a form.

        ``text`` says what changed, e.g. ``"T1 is now 2019-03-01T00:00:00.000 and T2 ...
        (from a light curve)"``; ``remove=True`` unregisters.
        """
        self._form_filled.register_callback(callback, remove=remove)

    def _use_clicked(self) -> None:
        if self.form is None:
            self._tell("use_message", "⚠ No form to fill: give one, "
                       "LightCurveView(..., form=form)", "oda-error-text")
            return
        try:
            t1, t2 = self.use_time_range(self.form)
        except (ValueError, KeyError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            self._tell("use_message", f"⚠ {message}", "oda-error-text")
            return
        self._tell("use_message", f"The form's T1 and T2 are now {t1} and {t2}.")

    def _tell(self, line: str, text: str, css: str = "oda-lc-note") -> None:
        """Show ``text`` on the line widget named ``line``; ``status`` is every line's text."""
        getattr(self, line).value = _text(text, css) if text else ""
        self._said[line] = text
        order = ("bin_text", "info", "selection_text", "use_message")
        self.status = "\n".join(self._said[k] for k in order if self._said.get(k))

    def __repr__(self) -> str:
        names = ", ".join(c.source for c in self.curves)
        return f"LightCurveView({names}; {sum(len(c) for c in self.curves):,} samples)"


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


def _points_inside(time: np.ndarray, a: float, b: float) -> int:
    return int(np.searchsorted(time, b, side="right") - np.searchsorted(time, a, side="left"))


def _inside(d: Decimated, a: float, b: float) -> tuple[float, float] | None:
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


def _ms(value: np.datetime64) -> float:
    """A ``datetime64`` as milliseconds since 1970 (a browser's Date value)."""
    return float(np.datetime64(value, "ms").astype("int64"))


def _py_date(value: np.datetime64) -> Any:
    """A ``datetime64`` as the Python ``datetime`` a bqplot DateScale's min/max take."""
    return np.datetime64(value, "us").astype(object)


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


def _day_ticks(first: str, last: str) -> np.ndarray:
    """Midnights from ``first`` to ``last`` (ISO dates), 1, 2, 5, 7, 14, 30 ... days apart:
    at most 8 ticks, so dates never overlap."""
    start = np.datetime64(first, "D") + 1
    stop = np.datetime64(last, "D")
    days = int((stop - start) / np.timedelta64(1, "D")) + 1
    step = next((s for s in (1, 2, 5, 7, 14, 30, 61, 91) if days / s <= 8), 182)
    return np.arange(start, stop + 1, step).astype("datetime64[ms]")
