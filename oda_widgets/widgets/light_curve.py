"""LightCurveView: light curves drawn with bqplot, fast at millions of points, with a time brush.

Composed of bqplot's pieces: one x scale (a date scale for UTC, linear for MJD and seconds since
T1), a linear or log rate scale, two axes, and per curve three marks (error and bin-width bars,
the line through the bins broken at gaps, the bins: :mod:`.light_curve_marks`). A ``PanZoom``
zooms and pans the time axis; a brush selects a time range (:mod:`.light_curve_brush`). The
controls around the figure are :mod:`.light_curve_controls`; the ticks :mod:`.light_curve_ticks`.
Each source has its colour in every view (:mod:`oda_widgets.widgets.source_colours`).

Nothing sends every sample to the browser: the kernel keeps the full curves and, whenever the
visible time range changes (debounced), sends only the minimum and maximum of each pixel column
(:func:`oda_widgets.analysis.minmax_columns`) over the visible range and half a width on each
side, so a pan shows data at once and every peak stays drawn at any zoom. bqplot sends the arrays
as binary buffers.

The first paint is built once: the first drawing, its ticks and its looks are computed before
the marks, scales and axes are made, so each opens holding its state and the browser draws the
figure once. In a kernel the figure and the words under it are sent first and the controls on the
event loop's next turn (the browser creates every model of a view before it shows it); the
brush is made only when first used.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from typing import Any

import bqplot
import ipywidgets as widgets
import numpy as np
import traitlets
from astropy.time import Time, TimeDelta
from bqplot.interacts import PanZoom

from ..analysis.curve_values import axis_label, inverted, takes_log
from ..analysis.decimate import minmax_columns
from ..analysis.light_curve_samples import CurveSamples
from ..analysis.rebin import Rebinned, rebin
from ..analysis.time_axis import MODES, TimeAxis, duration_text, range_text
from .light_curve_brush import TimeBrush
from .light_curve_controls import NO_SELECTION, Controls, note
from .light_curve_marks import (
    CurveMarks,
    Drawing,
    bar_ends,
    drawn_range,
    gaps_between,
    mark_arrays,
    samples_inside,
)
from .light_curve_ticks import epoch_ms, nice_ticks, py_date, rate_axis, utc_ticks
from .source_colours import source_colour

__all__ = ["LightCurveView", "nice_ticks"]

#: The view's attributes that are its controls (built just after the figure).
_CONTROLS = frozenset({
    "controls", "axis_buttons", "rate_buttons", "mode_buttons", "reset_button", "rebin_select",
    "bin_seconds", "bin_button", "bin_text", "rebin_row", "toggles", "legend_row",
    "selection_text", "use_button", "use_message", "selection_row"})

#: Seconds to wait after the last change of the visible range before re-decimating.
DEBOUNCE_S = 0.06
#: A range change this long after the last redraw is drawn at once.
QUIET_S = 0.2


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


class LightCurveView(TimeBrush, widgets.VBox):
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
        What the view says around its plot, as plain text, one line each: the bin (after a
        rebin), what is in view and whether every sample is drawn or decimated, the range
        selected, what "Use this time range" did (observable; synced).
    """

    time_axis = traitlets.Enum(MODES, default_value="utc")
    log_rate = traitlets.Bool(False)
    highlighted = traitlets.List(traitlets.Unicode())
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, light_curves: Any, form: Any = None, *, t1: Any = None,
                 time_axis: str = "utc", log_rate: bool = False, columns: int = 1000) -> None:
        super().__init__(_dom_classes=("oda-lightcurve",))
        self.form = form
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
        # the figure and the words under it first; the controls around them once the view is
        # on its way to the browser (the next turn of the kernel's event loop), or at once
        # without a running loop, or when a program reaches for one of them
        plain = widgets.Layout()
        self.info = widgets.HTML("", layout=plain, _dom_classes=("oda-lc-info",))
        self._above, self._below = widgets.VBox(layout=plain), widgets.VBox(layout=plain)
        self._build_figure()
        self.children = [self._above, self.figure, self.info, self._below]
        self.observe(self._axis_changed, names=["time_axis", "log_rate"])
        try:
            asyncio.get_running_loop().call_soon(self._build_controls)
        except RuntimeError:
            self._build_controls()

    def __getattr__(self, name: str) -> Any:
        # a control asked for before the event loop built them: build them now
        if name in _CONTROLS and "_above" in self.__dict__ and "toggles" not in self.__dict__:
            self._build_controls()
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # --- building ------------------------------------------------------------------------------
    def _build_controls(self) -> None:
        if "toggles" in self.__dict__:
            return
        native = max(s.native_bin for s in self.curves)
        span = self._full[1] - self._full[0]
        factors = [1] + [2 ** k for k in range(1, 21) if native * 2 ** k <= span / 2]
        c = Controls([curve.source for curve in self.curves], axis_label(self.quantity, []),
                     takes_log(self.quantity), self.time_axis, self.log_rate, factors, native)
        self.controls = c.top
        for name in _CONTROLS - {"controls"}:
            setattr(self, name, getattr(c, name))
        self._tell("bin_text", self.bin_words)
        if self.selected_range is None:
            self._tell("selection_text", NO_SELECTION)
        self.axis_buttons.observe(lambda c: setattr(self, "time_axis", c["new"]), names="value")
        self.rate_buttons.observe(lambda c: setattr(self, "log_rate", c["new"]), names="value")
        self.mode_buttons.observe(lambda c: self._set_interaction(), names="value")
        self.reset_button.on_click(lambda _b: self.show_range(*self._full))
        self.rebin_select.observe(lambda c: self.rebin(factor=c["new"]), names="value")
        self.bin_button.on_click(lambda _b: self._rebin_to_seconds())
        for index, toggle in enumerate(self.toggles):
            toggle.observe(lambda c, i=index: self._toggle(i, c["new"]), names="value")
        self.use_button.on_click(lambda _b: self._use_clicked())
        if self.selected_range is not None:
            self._selection_changed({"new": self.selected_range})
        self._above.children = [self.controls, self.rebin_row, self.legend_row]
        self._below.children = [self.selection_row]

    def _build_figure(self) -> None:
        """Scales, axes, marks and figure, each made holding its first state (sent once)."""
        mode = self.time_axis
        lo, hi = (self.axis.to_axis(np.array(self._visible), mode))
        if mode == "utc":
            self.x_scale = bqplot.DateScale(min=py_date(lo), max=py_date(hi))
            # a DateScale's min and max changed by PanZoom in the browser never come back to
            # the kernel (a LinearScale's do): a linear twin in milliseconds, zoomed and panned
            # with it, tells the kernel what is visible
            self.range_scale = bqplot.LinearScale(min=epoch_ms(lo), max=epoch_ms(hi))
        else:
            self.x_scale = bqplot.LinearScale(min=float(lo), max=float(hi))
            self.range_scale = self.x_scale
        drawing = self._drawing_now()
        y = self._rate_axis(*drawing.y_range)
        # brighter is up: a magnitude axis runs downwards
        y_ends = {"min": y[0], "max": y[1]} if y else {}
        self.y_scale = (bqplot.LogScale(**y_ends) if self.log_rate
                        else bqplot.LinearScale(reverse=inverted(self.quantity), **y_ends))
        units = sorted({c.rate_unit for c in self.curves if c.rate_unit})
        y_ticks = {"tick_values": y[2], "tick_format": y[3]} if y else {"tick_format": "~g"}
        self.y_axis = bqplot.Axis(scale=self.y_scale, side="left", grid_lines="dashed",
                                  label=axis_label(self.quantity, units), label_offset="4em",
                                  **y_ticks)
        x_ticks = dict(zip(("tick_format", "tick_values", "label"), self._time_ticks(),
                           strict=True)) if mode == "utc" else {"label": self.axis.label(mode)}
        self.x_axis = bqplot.Axis(scale=self.x_scale, grid_lines="none", **x_ticks)
        scales = {"x": self.x_scale, "y": self.y_scale}
        wanted = self._wanted()
        self.curve_marks = [
            CurveMarks(curve.source, source_colour(curve.source), scales, arrays,
                       visible=self._curve_shown(index), lit=curve.source in wanted,
                       dim=bool(wanted) and curve.source not in wanted)
            for index, (curve, arrays) in enumerate(zip(self.curves, drawing.arrays,
                                                        strict=True))
        ]
        twin = [] if self.range_scale is self.x_scale else [self.range_scale]
        self.panzoom = PanZoom(scales={"x": [self.x_scale, *twin]})
        self._drop_brush()
        self.figure = bqplot.Figure(
            marks=self._ordered_marks(), axes=[self.x_axis, self.y_axis],
            fig_margin={"top": 24, "bottom": 50, "left": 80, "right": 20},
            layout=widgets.Layout(width="100%", height="420px"),
            interaction=self.panzoom if self._zooming() else self.brush,
            animation_duration=0, _dom_classes=("oda-lc-figure",),
        )
        self.range_scale.observe(self._range_changed, names=["min", "max"])
        self._drawn = self._visible
        self._sent = drawing
        self._drawn_once(drawing)

    @property
    def lines(self) -> list[bqplot.Lines]:
        """Each curve's line through its bins (the mark carrying its label)."""
        return [m.line for m in self.curve_marks]

    @property
    def bars(self) -> list[bqplot.Lines]:
        """Each curve's error and bin-width bars (one path)."""
        return [m.bars for m in self.curve_marks]

    @property
    def points(self) -> list[bqplot.Scatter]:
        """Each curve's bins as points (drawn when few are in view)."""
        return [m.points for m in self.curve_marks]

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
        old_parts = [old.layout, old.scale_x, old.scale_y, self.panzoom, *old.axes, self.x_scale,
                     self.range_scale, self.y_scale,
                     *(mark for marks in self.curve_marks for mark in marks.marks)]
        self._build_figure()
        self.children = [self.figure if child is old else child for child in self.children]
        # the replaced figure's parts are closed with it (their arrays freed): a view switched
        # many times holds only the widgets it shows
        old.close()
        for part in dict.fromkeys(old_parts):
            part.close()

    def _set_interaction(self) -> None:
        self.figure.interaction = self.panzoom if self._zooming() else self.brush

    def _zooming(self) -> bool:
        """Whether the plot zooms and pans (else the brush selects); zooms until the controls
        are built."""
        buttons = self.__dict__.get("mode_buttons")
        return buttons is None or buttons.value == "zoom"

    def _curve_shown(self, index: int) -> bool:
        """Whether a curve is shown (its legend toggle; shown until the controls are built)."""
        toggles = self.__dict__.get("toggles")
        return toggles is None or bool(toggles[index].value)

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
                    self.x_scale.min, self.x_scale.max = py_date(lo), py_date(hi)
                # the browser may have zoomed away from what the kernel last set: send anyway
                self.x_scale.send_state(["min", "max"])
                with self.range_scale.hold_sync():
                    self.range_scale.min, self.range_scale.max = epoch_ms(lo), epoch_ms(hi)
                self.range_scale.send_state(["min", "max"])
            else:
                with self.x_scale.hold_sync():
                    self.x_scale.min, self.x_scale.max = float(lo), float(hi)
                self.x_scale.send_state(["min", "max"])
        finally:
            self._drawing = False
        self._cancel_timer()
        self._redraw(moved=True)

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
            self._redraw(moved=True)
        else:
            self._cancel_timer()
            self._timer = loop.call_later(DEBOUNCE_S, self._redraw, True)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # --- drawing --------------------------------------------------------------------------------
    def _drawing_now(self) -> Drawing:
        """What to draw of every curve over the visible range and half a width each side."""
        a, b = self._visible
        margin = 0.5 * (b - a)
        start, stop = a - margin, b + margin
        mode = self.time_axis
        y_low, y_high = np.inf, -np.inf
        total_points, decimated, arrays = 0, None, []
        for index, shown in enumerate(self._shown):
            curve = shown.samples
            low, high = self._bar_ends[index]
            d = minmax_columns(curve.time, curve.rate, start, stop, 2 * self.columns, low, high)
            arrays.append(mark_arrays(curve, d, self._gaps[index], self.log_rate,
                                      lambda x: self.axis.to_axis(x, mode)))
            if d.decimated:
                decimated = d
            inside = drawn_range(d, a, b)
            total_points += samples_inside(curve.time, a, b)
            if self._curve_shown(index) and inside is not None:
                y_low = min(y_low, inside[0])
                y_high = max(y_high, inside[1])
        shown_text = range_text(*self.axis.to_time(np.array([a, b])))
        if decimated is not None:
            text = (f"In view: {shown_text}; {total_points:,} samples, drawn as the minimum and "
                    f"maximum of each of {self.columns:,} columns of "
                    f"{duration_text(decimated.column_width)}")
        else:
            text = f"In view: {shown_text}; {total_points:,} samples, all drawn"
        return Drawing(arrays, (y_low, y_high), text, start, stop, decimated is not None)

    def _redraw(self, moved: bool = False) -> None:
        """Draw the visible range. ``moved``: only the range changed (a zoom or pan), so marks
        whose samples the browser already holds are not sent again (the browser's zoom has
        drawn them); a rebinning, a toggle or a new axis sends every mark."""
        self._timer = None
        self._drawn = self._visible
        drawing = self._drawing_now()
        resend = not (moved and self._sent.holds(drawing))
        self._drawing = True
        try:
            if resend:
                for marks, arrays in zip(self.curve_marks, drawing.arrays, strict=True):
                    marks.draw(arrays)
                self._sent = drawing
            self._set_y_range(*drawing.y_range)
        finally:
            self._drawing = False
        self._label_time_axis()
        self._drawn_once(drawing, resend)

    def _drawn_once(self, drawing: Drawing, sent: bool = True) -> None:
        self._last_redraw = time.monotonic()
        self.redraws += 1
        self.last_redraw_bytes = sum(a.nbytes for a in drawing.arrays) if sent else 0
        self._tell("info", drawing.text)

    def _tell(self, line: str, text: str, css: str = "oda-lc-note") -> None:
        """Show ``text`` on the line widget named ``line`` (if built yet: asking for it would
        build the controls); ``status`` holds every line's text."""
        self._said[line] = text
        order = ("bin_text", "info", "selection_text", "use_message")
        self.status = "\n".join(self._said[k] for k in order if self._said.get(k))
        widget = self.__dict__.get(line)
        if widget is not None:
            widget.value = note(text, css) if text else ""

    def _set_shown(self, shown: list[Rebinned]) -> None:
        self._shown = shown
        self._gaps = [gaps_between(s.samples) for s in shown]
        self._bar_ends = [bar_ends(s.samples) for s in shown]

    def _time_ticks(self) -> tuple[str, np.ndarray | None, str]:
        """The UTC axis' tick format, tick values and label for the visible range."""
        a, b = self._visible
        first, last = (t.utc.isot[:10] for t in self.axis.to_time(np.array([a, b])))
        return utc_ticks(b - a, first, last)

    def _label_time_axis(self) -> None:
        """UTC ticks as clock times fine enough for the visible span; the date in the label."""
        if self.time_axis != "utc":
            return
        tick_format, ticks, label = self._time_ticks()
        if self.x_axis.tick_format != tick_format:
            self.x_axis.tick_format = tick_format
        if ticks is None:
            if self.x_axis.tick_values is not None:
                self.x_axis.tick_values = None
        elif self.x_axis.tick_values is None or not np.array_equal(ticks,
                                                                    self.x_axis.tick_values):
            self.x_axis.tick_values = ticks
        if self.x_axis.label != label:
            self.x_axis.label = label

    def _rate_axis(self, low: float, high: float
                   ) -> tuple[float, float, np.ndarray, str] | None:
        """The rate scale's ends, ticks and format for drawn values from ``low`` to ``high``."""
        if not (np.isfinite(low) and np.isfinite(high)):
            return None
        smallest = 1e-3
        if self.log_rate:
            positives = [s.samples.rate[s.samples.rate > 0] for s in self._shown]
            smallest = min((float(p.min()) for p in positives if p.size), default=1e-3)
        return rate_axis(low, high, self.log_rate, smallest)

    def _set_y_range(self, low: float, high: float) -> None:
        y = self._rate_axis(low, high)
        if y is None:
            return
        with self.y_scale.hold_sync():
            self.y_scale.min, self.y_scale.max = y[0], y[1]
        with self.y_axis.hold_sync():
            self.y_axis.tick_values = y[2]
            self.y_axis.tick_format = y[3]

    def _toggle(self, index: int, shown: bool) -> None:
        self.curve_marks[index].show(shown)
        self._redraw()

    # --- highlighting ---------------------------------------------------------------------------
    def highlight(self, sources: Sequence[str]) -> None:
        """Draw the curves of ``sources`` thicker and dim the others (the sources selected in
        a linked catalog); an empty list, or no curve of those names, draws every curve alike."""
        self.highlighted = [str(s) for s in sources]

    def _wanted(self) -> set[str]:
        return set(self.highlighted) & {c.source for c in self.curves}

    @traitlets.observe("highlighted")
    def _highlight_changed(self, _change: Any) -> None:
        if not hasattr(self, "figure"):
            return
        wanted = self._wanted()
        for curve, marks in zip(self.curves, self.curve_marks, strict=True):
            marks.highlight(curve.source in wanted, bool(wanted) and curve.source not in wanted)
        marks_now = self._ordered_marks()
        if list(self.figure.marks) != marks_now:
            self.figure.marks = marks_now

    def _ordered_marks(self) -> list[Any]:
        """Every curve's bars, then lines, then points; the highlighted curves last (in front)."""
        wanted = self._wanted()
        order = sorted(range(len(self.curves)), key=lambda i: self.curves[i].source in wanted)
        return [*(self.bars[i] for i in order), *(self.lines[i] for i in order),
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

    def __repr__(self) -> str:
        names = ", ".join(c.source for c in self.curves)
        return f"LightCurveView({names}; {sum(len(c) for c in self.curves):,} samples)"

