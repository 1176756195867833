"""TimeResolvedSpectra: how a source's spectrum changes with time, in a few clicks.

Intervals are brushed on a light curve (several, one after the other), or made N equal, per
year or per INTEGRAL revolution (:mod:`oda_widgets.analysis.time_resolved`); one spectrum job per
interval goes to the dispatcher as one batch, each spectrum is fitted with the chosen model as
it arrives, and every free parameter (and the band flux) is drawn against time with its errors,
under the light curve. Hovering (or clicking) an interval, on the light curve or on a parameter
plot, shows its spectrum with the folded model. ``table`` holds the results as an astropy
Table (``save`` writes ECSV or FITS).

Composed of bqplot's pieces, as :class:`~oda_widgets.widgets.light_curve.LightCurveView` is
(:mod:`.time_resolved_plots`): the intervals are shaded bands and numbered handles added to the
light curve's figure; each parameter plot is a figure of its own on one shared time scale.
"""

from __future__ import annotations

import functools
import html
import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import bqplot
import ipywidgets as widgets
import numpy as np
import traitlets
from astropy.table import Table
from astropy.time import Time

from ..analysis.fit_extra import FIT_EXTRA_HINT, fitting_available
from ..analysis.spectral_models import MODELS, model_spec
from ..analysis.time_resolved import (
    INTERVAL_KINDS,
    Interval,
    equal_intervals,
    interval_queries,
    intervals_from_ranges,
    results_table,
    revolution_intervals,
    yearly_intervals,
)
from ..client.dispatcher import Dispatcher
from ..client.jobs import Job, JobBatch, JobEvent, JobStatus
from ._style import style_widget
from .light_curve import LightCurveView
from .time_resolved_plots import (
    IntervalBands,
    SpectrumPlot,
    parameter_figures,
    results_html,
    spectrum_caption,
)

__all__ = ["TimeResolvedSpectra"]

logger = logging.getLogger(__name__)

def _text(text: str, css: str = "oda-trs-note") -> str:
    return f'<span class="{css}">{html.escape(text)}</span>'


def _light_curve_and_range(source: Any) -> tuple[Any, tuple[Time, Time]]:
    """(LightCurveView or None, the time range) of what the widget was given."""
    if isinstance(source, LightCurveView):
        view = source
    elif hasattr(source, "light_curves") and not hasattr(source, "hdu"):  # a ProductSet
        view = LightCurveView(source.light_curves)
    elif hasattr(source, "hdu") or isinstance(source, Mapping):
        view = LightCurveView(source)
    elif isinstance(source, Sequence) and len(source) == 2 and not isinstance(source, str) and \
            not hasattr(source[0], "hdu"):
        start, stop = (Time(v, scale="utc") if not isinstance(v, Time) else v.utc
                       for v in source)
        if not stop > start:
            raise ValueError(f"the time range must end after it starts ({start.isot} to "
                             f"{stop.isot})")
        return None, (start, stop)
    else:
        view = LightCurveView(source)
    first, last = view.visible_range
    return view, (first, last)


class TimeResolvedSpectra(widgets.VBox):
    """Spectra of a source in time intervals, each fitted, parameters against time.

    Parameters
    ----------
    light_curve_or_range : LightCurve, LightCurveView, ProductSet, dict of them, or (start, stop)
        A light curve to brush intervals on (and the time range), or just the range (``Time``,
        ISO text).
    intervals : int, "year", "revolution", list of (start, stop), or None
        ``N`` equal intervals, one per calendar year, one per INTEGRAL revolution in which the
        source was observed, given ranges, or ``None`` to brush them on the light curve.
    form : QueryForm, optional
        The query: its instrument, position, energies, catalog ... (its product is switched to
        the instrument's spectrum; T1/T2 are each interval's).
    dispatcher : Dispatcher, optional
        Where to submit (the form's by default).
    query : dict, optional
        The query without a form: ``instrument`` and the parameters (``RA``, ``DEC``,
        ``src_name``, ``max_pointings`` ...).
    model : str
        The model fitted to every spectrum (``powerlaw``, ``cutoffpl``, ``bknpower``).
    energy_range : (float, float)
        keV fitted.
    systematic : float
        Fractional systematic error added to every channel.
    source : str, optional
        Whose spectrum to fit (the query's ``src_name`` by default).
    submit : bool, optional
        Submit at once (default when ``intervals`` is given).

    Attributes
    ----------
    intervals : list of Interval
        The intervals (observable).
    table : astropy.table.Table
        One row per interval: times, parameters and errors, flux, statistic (observable).
    hovered : int
        The interval whose spectrum is shown (-1: none; observable, settable).
    batch : JobBatch or None
        The spectrum jobs, one per interval.
    status : str
        The line under the controls, as plain text: what the last action did (intervals made,
        jobs submitted) or, after ``"⚠ "``, why it could not (observable; synced).
    """

    intervals: traitlets.List[Interval] = traitlets.List()
    table = traitlets.Instance(Table, allow_none=True)
    hovered = traitlets.Int(-1)
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        light_curve_or_range: Any,
        intervals: Any = None,
        form: Any = None,
        *,
        dispatcher: Dispatcher | None = None,
        query: Mapping[str, Any] | None = None,
        model: str = "powerlaw",
        energy_range: tuple[float, float] = (20.0, 300.0),
        systematic: float = 0.01,
        source: str | None = None,
        submit: bool | None = None,
    ) -> None:
        super().__init__()
        self.add_class("oda-trs")
        model_spec(model)  # an unknown model is refused here, with the known ones
        self.form = form
        found: Dispatcher | None = dispatcher or getattr(form, "dispatcher", None)
        self._query = dict(query or {})
        if form is None and not self._query:
            raise ValueError("give the query: form=QueryForm(...) or query={'instrument': "
                             "'isgri', 'RA': ..., 'DEC': ..., 'src_name': ...}")
        if found is None:
            raise ValueError("give dispatcher=Dispatcher(...) (or a form, whose dispatcher is "
                             "used) to submit the spectra")
        self.dispatcher: Dispatcher = found
        self.model = model
        self.energy_range = (float(energy_range[0]), float(energy_range[1]))
        self.systematic = float(systematic)
        self._source = source
        self.light_curve, self.time_range = _light_curve_and_range(light_curve_or_range)
        self.batch: JobBatch | None = None
        self.fits: list[Any] = []
        self.errors: list[str | None] = []
        self.spectra: list[Any] = []
        self._fitter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oda-trs-fit")
        self._lock = threading.RLock()
        self._generation = 0
        self._build()
        self.set_trait("table", self._table())
        if intervals is not None:
            self.set_intervals(intervals)
        if submit if submit is not None else intervals is not None:
            self.submit()

    # --- intervals --------------------------------------------------------------------------
    def set_intervals(self, intervals: Any) -> list[Interval]:
        """Replace the intervals: a number, ``"year"``, ``"revolution"`` or (start, stop) pairs."""
        start, stop = self.time_range
        if isinstance(intervals, int | np.integer) and not isinstance(intervals, bool):
            made = equal_intervals(start, stop, int(intervals))
        elif intervals == "year":
            made = yearly_intervals(start, stop)
        elif intervals == "revolution":
            made = self._revolutions()
        elif isinstance(intervals, str):
            raise ValueError(f"intervals must be a number, one of {', '.join(INTERVAL_KINDS)} "
                             f"or a list of (start, stop), not {intervals!r}")
        else:
            made = intervals_from_ranges(intervals)
        self.intervals = made
        return made

    def _revolutions(self) -> list[Interval]:
        from ..client.long.science_windows import archive_science_windows

        parameters = self._base_parameters()[2]
        start, stop = self.time_range
        radius = parameters.get("radius", 15.0)
        windows = archive_science_windows(self.dispatcher._transport, start, stop,
                                          float(parameters["RA"]), float(parameters["DEC"]),
                                          float(radius))
        return revolution_intervals(windows)

    def add_interval(self, start: Any, stop: Any) -> Interval:
        """Add one interval (``Time``, ISO text or MJD); refused if it overlaps another."""
        pairs = [(i.start, i.stop) for i in self.intervals] + [(start, stop)]
        self.intervals = intervals_from_ranges(pairs)
        return next(i for i in self.intervals if i.start == Time(start, scale="utc")
                    or abs((i.start - Time(start, scale="utc")).sec) < 1e-3)

    def add_selected_range(self) -> Interval | None:
        """Add the light curve's brushed range as an interval (what the button does)."""
        if self.light_curve is None or self.light_curve.selected_range is None:
            self._say("No range brushed: choose Select time on the light curve and drag across "
                      "it, then Add interval.", error=True)
            return None
        start, stop = self.light_curve.selected_range
        try:
            interval = self.add_interval(start, stop)
        except ValueError as exc:
            self._say(str(exc), error=True)
            return None
        self._say(f"{len(self.intervals)} intervals; Get spectra submits one job each.")
        return interval

    def clear_intervals(self) -> None:
        """Forget the intervals (and any results)."""
        self.intervals = []

    @traitlets.observe("intervals")
    def _intervals_changed(self, _change: Any) -> None:
        with self._lock:
            self._generation += 1
            self.batch = None
            n = len(self.intervals)
            self.fits, self.errors, self.spectra = [None] * n, [None] * n, [None] * n
        self.hovered = -1
        self._draw_bands()
        self._refresh()

    # --- the jobs ---------------------------------------------------------------------------
    def _base_parameters(self) -> tuple[str, str, dict[str, Any]]:
        """(instrument, spectrum product, parameters) of the query, before each interval."""
        if self.form is not None:
            instrument = self.form.instrument
            parameters = dict(self.form.parameters())
        else:
            parameters = dict(self._query)
            instrument = parameters.pop("instrument", None)
            parameters.pop("product", None)
        if not instrument:
            raise ValueError("the query names no instrument")
        spec = self.dispatcher.describe(instrument)
        products = [name for name in spec.products if name.endswith("_spectrum")]
        if not products:
            raise ValueError(f"{instrument} has no spectrum product (it offers "
                             f"{', '.join(spec.products)})")
        product = products[0]
        known = {p.name for p in spec.parameters(product)}
        parameters = {k: v for k, v in parameters.items() if k in known or
                      k == "catalog_selected_objects"}
        return instrument, product, parameters

    @property
    def source(self) -> str | None:
        """Whose spectrum is fitted."""
        if self._source:
            return self._source
        try:
            return self._base_parameters()[2].get("src_name") or None
        except Exception:
            return None

    def submit(self) -> JobBatch:
        """Submit one spectrum job per interval (one batch); each is fitted as it arrives."""
        if not self.intervals:
            raise ValueError("no intervals yet: brush some on the light curve (Add interval), "
                             "or give intervals=N, 'year' or 'revolution'")
        instrument, product, parameters = self._base_parameters()
        queries = [dict(q, instrument=instrument, product=product)
                   for q in interval_queries(parameters, self.intervals)]
        batch = self.dispatcher.submit_many(queries)
        with self._lock:
            self.batch = batch
            generation = self._generation
        self.monitor_box.children = [self._monitor(batch)]
        for index, job in enumerate(batch):
            job.add_listener(functools.partial(self._job_changed, index, generation))
        self._say(f"{len(batch)} spectrum jobs submitted, one per interval; each is fitted "
                  f"with {self.model} as it arrives.")
        return batch

    def _monitor(self, batch: JobBatch) -> widgets.Widget:
        from .job_monitor import JobMonitor

        self.monitor = JobMonitor(batch, dispatcher=self.dispatcher)
        return self.monitor

    def _job_changed(self, index: int, generation: int, event: JobEvent) -> None:
        if not event.status.is_finished:
            return
        self._fitter.submit(self._fit_one, index, generation, event.job)

    def _fit_one(self, index: int, generation: int, job: Job) -> None:
        fit, error, spectrum = None, None, None
        try:
            if job.status is not JobStatus.DONE:
                error = f"the job {job.status.value}: {job.error}"
            else:
                products = job.result(timeout=60)
                source = self.source
                spectra = products.spectra
                spectrum = spectra.get(source) if source else (
                    next(iter(spectra.values())) if len(spectra) == 1 else None)
                if spectrum is None:
                    error = (f"no spectrum of {source or 'the source'} in this interval "
                             f"(extracted: {', '.join(spectra) or 'none'})")
                elif not fitting_available():
                    error = FIT_EXTRA_HINT
                else:
                    fit = spectrum.fit(self.model, self.energy_range, self.systematic)
        except Exception as exc:  # a refused fit is said on its interval, the others go on
            error = f"{type(exc).__name__}: {exc}"
        with self._lock:
            if generation != self._generation:
                return  # the intervals changed meanwhile
            self.fits[index], self.errors[index], self.spectra[index] = fit, error, spectrum
        self._refresh()
        if self.hovered == index:
            self._show_spectrum(index)

    def wait(self, timeout: float | None = None) -> Table:
        """Wait for every job and fit; the results table."""
        if self.batch is None:
            raise ValueError("nothing submitted yet: call submit()")
        self.batch.wait(timeout)
        self._fitter.submit(lambda: None).result(timeout)
        return self.table

    # --- results ----------------------------------------------------------------------------
    def _table(self) -> Table:
        with self._lock:
            return results_table(self.intervals, list(self.fits), self.model,
                                 source=self._source, errors=list(self.errors))

    def save(self, path: str | Path, overwrite: bool = False) -> Path:
        """Write the results table: ECSV for ``.ecsv``, FITS for ``.fits`` (by the suffix)."""
        target = Path(path)
        formats = {".ecsv": "ascii.ecsv", ".fits": "fits", ".fit": "fits"}
        if target.suffix.lower() not in formats:
            raise ValueError(f"save to a .ecsv or .fits file, not {target.name!r}")
        table = self.table
        if table is None:  # made in __init__: only a view still being built has none
            raise RuntimeError("there is no results table yet")
        table.write(target, format=formats[target.suffix.lower()], overwrite=overwrite)
        return target

    def _refresh(self) -> None:
        table = self._table()
        self.set_trait("table", table)
        fitted = sum(f is not None for f in self.fits)
        failed = sum(e is not None for e in self.errors)
        if self.intervals:
            words = f"{fitted} of {len(self.intervals)} intervals fitted"
            if failed:
                words += f", {failed} without a fit (see the table's note)"
            self.progress_text.value = _text(words)
        else:
            self.progress_text.value = _text(
                "No intervals: brush ranges on the light curve and press Add interval, or "
                "make N equal intervals, or one per year or revolution.")
        self._draw_parameters()
        self.table_html.value = results_html(table)

    # --- drawing ----------------------------------------------------------------------------
    def _build(self) -> None:
        self.count_box = widgets.BoundedIntText(value=4, min=1, max=500, description="N",
                                                layout=widgets.Layout(width="9em"),
                                                style={"description_width": "1.5em"})
        buttons = {
            "add": ("Add interval", "add the brushed range as an interval"),
            "equal": ("N equal", "N intervals of equal length over the range"),
            "year": ("Per year", "one interval per calendar year"),
            "revolution": ("Per revolution", "one interval per INTEGRAL revolution with data"),
            "clear": ("Clear", "forget the intervals"),
            "submit": ("Get spectra", "one spectrum job per interval, each fitted on arrival"),
        }
        self.buttons = {}
        for key, (label, tip) in buttons.items():
            button = widgets.Button(description=label, tooltip=tip,
                                    layout=widgets.Layout(width="auto"),
                                    button_style="primary" if key == "submit" else "")
            button.add_class(f"oda-trs-{key}")
            self.buttons[key] = button
        self.buttons["add"].disabled = self.light_curve is None
        self.buttons["add"].on_click(lambda _b: self.add_selected_range())
        self.buttons["equal"].on_click(lambda _b: self._make(self.count_box.value))
        self.buttons["year"].on_click(lambda _b: self._make("year"))
        self.buttons["revolution"].on_click(lambda _b: self._make("revolution"))
        self.buttons["clear"].on_click(lambda _b: self.clear_intervals())
        self.buttons["submit"].on_click(lambda _b: self._submit_clicked())
        self.model_select = widgets.Dropdown(options=list(MODELS), value=self.model,
                                             description="Model",
                                             layout=widgets.Layout(width="14em"),
                                             style={"description_width": "3.5em"})
        self.model_select.observe(self._model_changed, names="value")
        controls = widgets.HBox([self.buttons["add"], self.count_box, self.buttons["equal"],
                                 self.buttons["year"], self.buttons["revolution"],
                                 self.buttons["clear"], self.model_select,
                                 self.buttons["submit"]],
                                layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.message = widgets.HTML("")
        self.message.add_class("oda-trs-message")
        self.progress_text = widgets.HTML("")
        self.progress_text.add_class("oda-trs-progress")
        self.monitor_box = widgets.VBox()
        self.parameters_box = widgets.VBox()
        self.parameters_box.add_class("oda-trs-parameters")
        self.spectrum_title = widgets.HTML(_text("Hover or click an interval to see its "
                                                 "spectrum."))
        self.spectrum_title.add_class("oda-trs-spectrum-title")
        self._spectrum = SpectrumPlot()
        self.spectrum_figure = self._spectrum.figure
        self._model_line = self._spectrum.model_line
        self.table_html = widgets.HTML("")
        self.table_html.add_class("oda-trs-table")
        self._time_scale = bqplot.DateScale()
        children: list[widgets.Widget] = [style_widget("time_resolved_spectra")]
        self._bands = None if self.light_curve is None else \
            IntervalBands(self.light_curve, self._pick)
        if self.light_curve is not None:
            self._add_band_marks()
            self.light_curve.observe(lambda _c: self._add_band_marks(), names="children")
            children.append(self.light_curve)
        children += [controls, self.message, self.progress_text, self.monitor_box,
                     widgets.HBox([self.parameters_box,
                                   widgets.VBox([self.spectrum_title, self.spectrum_figure])],
                                  layout=widgets.Layout(flex_flow="row wrap")),
                     self.table_html]
        self.children = children
        self._refresh()

    def _make(self, kind: Any) -> None:
        try:
            self.set_intervals(kind)
        except Exception as exc:
            self._say(str(exc), error=True)
            return
        self._say(f"{len(self.intervals)} intervals; Get spectra submits one job each.")

    def _submit_clicked(self) -> None:
        try:
            self.submit()
        except Exception as exc:  # shown, never lost: the intervals stay
            self._say(f"Not submitted: {exc}", error=True)

    def _model_changed(self, change: Any) -> None:
        self.model = change["new"]
        with self._lock:
            batch, generation = self.batch, self._generation
            n = len(self.intervals)
            self.fits, self.errors = [None] * n, [None] * n
        self._refresh()
        if batch is not None:  # fit the spectra already here again with the new model
            for index, job in enumerate(batch):
                if job.is_finished:
                    self._fitter.submit(self._fit_one, index, generation, job)

    def _say(self, text: str, error: bool = False) -> None:
        self.status = f"⚠ {text}" if error else text

    @traitlets.observe("status")
    def _show_status(self, change: Any) -> None:
        # the line shows the trait, so that code setting ``status`` is seen too
        text = change["new"]
        css = "oda-error-text" if text.startswith("⚠") else "oda-trs-note"
        self.message.value = _text(text, css)

    # the figures (:mod:`.time_resolved_plots`)
    def _pick(self, index: int) -> None:
        self.hovered = index

    def _add_band_marks(self) -> None:
        if self._bands is not None and self._bands.attach():
            self._draw_bands()

    def _draw_bands(self) -> None:
        bands: IntervalBands | None = getattr(self, "_bands", None)  # None until built
        if bands is not None:
            bands.draw(self.intervals, self.hovered)

    @traitlets.observe("hovered")
    def _hovered_changed(self, change: Any) -> None:
        self._draw_bands()
        self._draw_parameters()
        if 0 <= change["new"] < len(self.intervals):
            self._show_spectrum(change["new"])

    def _draw_parameters(self) -> None:
        if not hasattr(self, "parameters_box"):
            return
        table = self.table
        if table is None or not len(table):
            self.parameters_box.children = []
            return
        old = self.parameters_box.children
        self.parameters_box.children = parameter_figures(table, self.intervals, self.model,
                                                         self.hovered, self._time_scale,
                                                         self._pick)
        for figure in old:
            figure.close()

    def _show_spectrum(self, index: int) -> None:
        fit, error = self.fits[index], self.errors[index]
        if fit is not None:
            self._spectrum.show(fit)
        self.spectrum_title.value = _text(spectrum_caption(self.intervals[index], fit, error))

    def close(self) -> None:
        """Close the widget and stop fitting."""
        self._fitter.shutdown(wait=False, cancel_futures=True)
        super().close()

    def __repr__(self) -> str:
        fitted = sum(f is not None for f in self.fits)
        return (f"TimeResolvedSpectra({len(self.intervals)} intervals, {fitted} fitted, "
                f"{self.model})")
