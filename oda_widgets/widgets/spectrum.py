"""SpectrumView: count spectra on an energy axis, overlaid, with a spectral fit one click away.

Composed of bqplot pieces: one log-log figure of count rate per keV against the channel energies
of each RMF's EBOUNDS (points with error bars built from ``Lines`` segments, see
``spectrum_marks``), a residuals figure sharing its energy scale, and the unfolded spectrum
E^2 N(E). A model menu, the energy range (typed, or dragged on the plot) and the systematic
fraction feed :func:`oda_widgets.analysis.spectral_fit.fit_spectrum` when Fit is pressed; the
numbers appear beside the plot as plain-text labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import bqplot as bq
import ipywidgets as widgets
import numpy as np
import traitlets

from ..analysis.channels import ChannelSpectrum, channel_spectrum
from ..analysis.fit_extra import FitUnavailable
from ..analysis.spectral_fit import SpectralFit, fit_spectrum
from ..analysis.spectral_models import MODELS
from ..client.products.spectrum import Spectrum
from .spectrum_marks import PALETTE, SYMBOLS, darker, error_bars, log_ticks, positive, step_curve

__all__ = ["SpectrumView"]

DEFAULT_RANGE_KEV = (20.0, 300.0)

_CSS = """
.oda-spectrum-view .oda-fit-results { min-width: 17em; padding-left: 8px; }
.oda-spectrum-view .oda-fit-results .widget-label { font-family: var(--jp-code-font-family,
  monospace); font-size: 12px; height: auto; line-height: 1.4; white-space: normal; }
.oda-spectrum-view .oda-fit-source .widget-label { font-weight: bold; }
.oda-spectrum-view .oda-fit-status .widget-label { white-space: normal; }
"""


def _as_spectra(spectra: Any) -> dict[str, Spectrum]:
    """A label per spectrum, from a Spectrum, a dict, a list or a ProductSet."""
    if isinstance(spectra, Spectrum):
        spectra = [spectra]
    elif hasattr(spectra, "spectra") and isinstance(spectra.spectra, Mapping):
        spectra = spectra.spectra
    if isinstance(spectra, Mapping):
        items = [(str(label), spectrum) for label, spectrum in spectra.items()]
    elif isinstance(spectra, Iterable):
        items = []
        for spectrum in spectra:
            label = str(getattr(spectrum, "source", None) or getattr(spectrum, "name", "spectrum"))
            while label in dict(items):  # two spectra of one source: keep both
                label += "'"
            items.append((label, spectrum))
    else:
        raise TypeError(
            f"SpectrumView takes a Spectrum, a dict or a list of them (products.spectra), "
            f"not {type(spectra).__name__}"
        )
    for label, spectrum in items:
        if not isinstance(spectrum, Spectrum):
            raise TypeError(f"{label!r} is a {type(spectrum).__name__}, not a Spectrum")
    if not items:
        raise ValueError("SpectrumView needs at least one spectrum; products.spectra is empty")
    return dict(items)


def _default_range(channels: Iterable[ChannelSpectrum]) -> tuple[float, float]:
    """20-300 keV where every spectrum covers it (ISGRI), else the channels' own span."""
    channels = list(channels)
    lo = max(float(c.e_lo[c.e_lo > 0].min()) for c in channels)
    hi = min(float(c.e_hi.max()) for c in channels)
    if lo <= DEFAULT_RANGE_KEV[0] and hi >= DEFAULT_RANGE_KEV[1]:
        return DEFAULT_RANGE_KEV
    return (round(lo, 3), round(hi, 3))


class _SpectrumMarks:
    """The marks of one spectrum in the three figures."""

    def __init__(self, label: str, colour: str, symbol: str, channels: ChannelSpectrum,
                 scales: dict[str, Any]) -> None:
        self.channels = channels
        x, y, e = channels.energy, channels.rate_per_kev, channels.error_per_kev
        shown = positive(y) & (channels.e_lo > 0)  # a channel from 0 keV has no log position
        self.hidden_channels = int((~shown).sum())
        data = {"x": scales["x"], "y": scales["rate"]}
        self.points = bq.Scatter(
            x=x[shown], y=y[shown], scales=data, colors=[colour], stroke=colour, marker=symbol,
            default_size=10, labels=[label], display_legend=True, tooltip=None,
        )
        bx, by = error_bars(x[shown], y[shown], e[shown], channels.e_lo[shown],
                            channels.e_hi[shown])
        self.bars = bq.Lines(x=bx, y=by, scales=data, colors=[colour], stroke_width=1)
        self.folded = bq.Lines(x=[1.0, 2.0], y=[1.0, 1.0], scales=data, colors=[darker(colour)],
                               stroke_width=2.5, visible=False)
        residual = {"x": scales["x"], "y": scales["residual"]}
        self.residual_points = bq.Scatter(x=[1.0], y=[0.0], scales=residual, colors=[colour],
                                          stroke=colour, marker=symbol, default_size=10,
                                          visible=False)
        self.residual_bars = bq.Lines(x=[[1.0, 1.0]], y=[[0.0, 0.0]], scales=residual,
                                      colors=[colour], stroke_width=1, visible=False)
        unfolded = {"x": scales["x_unfolded"], "y": scales["unfolded"]}
        self.unfolded_points = bq.Scatter(x=[1.0], y=[1.0], scales=unfolded, colors=[colour],
                                          stroke=colour, marker=symbol, default_size=10,
                                          labels=[label], display_legend=False, visible=False)
        self.unfolded_bars = bq.Lines(x=[[1.0, 1.0]], y=[[1.0, 1.0]], scales=unfolded,
                                      colors=[colour], stroke_width=1, visible=False)
        self.model_curve = bq.Lines(x=[1.0, 2.0], y=[1.0, 1.0], scales=unfolded,
                                    colors=[darker(colour)], stroke_width=2.5, visible=False)
        self.visible = True

    def data_marks(self) -> list[Any]:
        return [self.bars, self.points, self.folded]

    def residual_marks(self) -> list[Any]:
        return [self.residual_bars, self.residual_points]

    def unfolded_marks(self) -> list[Any]:
        return [self.unfolded_bars, self.unfolded_points, self.model_curve]

    def show(self, visible: bool, fitted: bool) -> None:
        self.visible = visible
        self.points.visible = self.bars.visible = visible
        self.points.display_legend = visible  # bqplot lists hidden marks in its legend too
        for mark in (self.folded, *self.residual_marks(), *self.unfolded_marks()):
            mark.visible = visible and fitted
        self.unfolded_points.display_legend = visible and fitted

    def show_fit(self, fit: SpectralFit) -> None:
        ch = fit.channels
        on_axis = ch.e_lo > 0  # a channel from 0 keV has no place on a log axis
        lo, hi, energy = ch.e_lo[on_axis], ch.e_hi[on_axis], ch.energy[on_axis]
        with self.folded.hold_sync():
            self.folded.x, self.folded.y = step_curve(lo, hi, (fit.folded / ch.width)[on_axis])
        residuals = fit.residuals[on_axis]
        with self.residual_points.hold_sync():
            self.residual_points.x, self.residual_points.y = energy, residuals
        rx, ry = error_bars(energy, residuals, np.ones_like(residuals), log_y=False)
        with self.residual_bars.hold_sync():
            self.residual_bars.x, self.residual_bars.y = rx, ry
        _, e2n, error = fit.unfolded()
        shown = positive(e2n) & on_axis
        with self.unfolded_points.hold_sync():
            self.unfolded_points.x, self.unfolded_points.y = ch.energy[shown], e2n[shown]
        ux, uy = error_bars(ch.energy[shown], e2n[shown], error[shown], ch.e_lo[shown],
                            ch.e_hi[shown])
        with self.unfolded_bars.hold_sync():
            self.unfolded_bars.x, self.unfolded_bars.y = ux, uy
        grid = np.geomspace(*fit.energy_range, 200)
        with self.model_curve.hold_sync():
            self.model_curve.x, self.model_curve.y = grid, grid**2 * fit.photon_density(grid)
        self.show(self.visible, fitted=True)


class SpectrumView(widgets.VBox):
    """Spectra of one or many sources (or years), a model menu and a Fit button.

    Parameters
    ----------
    spectra : Spectrum, dict of Spectrum, list of Spectrum or ProductSet
        What to show, e.g. ``products.spectra`` (labelled by source), or
        ``{"2017": crab_2017, "2018": crab_2018}`` to overlay one source year by year.
    model : str
        The model the menu starts on (``"powerlaw"``, ``"cutoffpl"`` or ``"bknpower"``).
    energy_range : (float, float), optional
        keV; 20-300 keV by default where every spectrum covers it.
    systematic : float
        Fractional systematic error (``SYS_ERR``) added to every channel in fits.

    Attributes
    ----------
    spectra : dict
        ``{label: Spectrum}`` in the order shown.
    fits : dict
        ``{label: SpectralFit}`` of the last fit (observable trait).
    status : str
        The line under the controls: what the last fit did, or why it could not run.
    """

    model = traitlets.Enum(tuple(MODELS), default_value="cutoffpl")
    energy_range = traitlets.Tuple(traitlets.Float(), traitlets.Float(),
                                   default_value=DEFAULT_RANGE_KEV)
    systematic = traitlets.Float(0.0, min=0.0, max=0.99)
    fits = traitlets.Dict()
    status = traitlets.Unicode("")
    highlighted = traitlets.List(traitlets.Unicode())

    def __init__(
        self,
        spectra: Any,
        model: str = "cutoffpl",
        energy_range: tuple[float, float] | None = None,
        systematic: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.spectra = _as_spectra(spectra)
        channels = {label: channel_spectrum(s) for label, s in self.spectra.items()}
        # the energy axes span the channels (a mark's extent would otherwise set them)
        self._e_span = (min(float(c.e_lo[c.e_lo > 0].min()) for c in channels.values()) / 1.15,
                        max(float(c.e_hi.max()) for c in channels.values()) * 1.15)
        self._scales = {
            "x": bq.LogScale(min=self._e_span[0], max=self._e_span[1]), "rate": bq.LogScale(),
            "residual": bq.LinearScale(),
            "x_unfolded": bq.LogScale(min=self._e_span[0], max=self._e_span[1]),
            "unfolded": bq.LogScale(),
            "band": bq.LinearScale(min=0.0, max=1.0),
        }
        self._marks = {
            label: _SpectrumMarks(label, PALETTE[i % len(PALETTE)], SYMBOLS[i % len(SYMBOLS)],
                                  channels[label], self._scales)
            for i, label in enumerate(self.spectra)
        }
        self._build(channels)
        self.model = model
        self.systematic = float(systematic)
        self.energy_range = tuple(energy_range) if energy_range else _default_range(
            channels.values())
        self._on_range({"new": self.energy_range})  # also when it equals the default
        self.add_class("oda-spectrum-view")

    # -- layout ----------------------------------------------------------------------------
    @staticmethod
    def _rate_span(channels: dict[str, ChannelSpectrum]) -> tuple[float, float]:
        """Smallest and largest positive rate per keV, error bars included."""
        values = []
        for c in channels.values():
            y = c.rate_per_kev
            shown = positive(y)
            values += [y[shown] + c.error_per_kev[shown], 0.1 * y[shown], y[shown]]
        every = np.concatenate(values) if values else np.array([1.0])
        every = every[positive(every)]
        return (float(every.min()), float(every.max())) if every.size else (1e-3, 1.0)

    def _build(self, channels: dict[str, ChannelSpectrum]) -> None:
        s = self._scales
        self._band = bq.Lines(x=[[20.0, 20.0], [300.0, 300.0]], y=[[0.0, 1.0], [0.0, 1.0]],
                              scales={"x": s["x"], "y": s["band"]}, colors=["#777777"],
                              line_style="dashed", stroke_width=1)
        data_marks = [m for marks in self._marks.values() for m in marks.data_marks()]
        energy_axis = bq.Axis(scale=s["x"], label="Energy (keV)")
        self.figure = bq.Figure(
            marks=[self._band, *data_marks],
            axes=[energy_axis, bq.Axis(scale=s["rate"], side="left",
                                       label="counts s⁻¹ keV⁻¹", tick_format=".0e",
                                       tick_values=log_ticks(*self._rate_span(channels)),
                                       label_offset="50px")],
            legend_location="top-right", fig_margin=dict(top=20, bottom=45, left=75, right=20),
            layout=widgets.Layout(width="100%", height="340px"), title="Count spectrum",
        )
        self._brush = bq.interacts.BrushIntervalSelector(scale=s["x"], marks=[self._band],
                                                         color="#999999")
        self._brush.observe(self._on_brush, names="selected")
        self.figure.interaction = self._brush
        zero = bq.Lines(x=[list(self._e_span)], y=[[0.0, 0.0]], scales={"x": s["x"], "y": s["residual"]},
                        colors=["#777777"], line_style="dashed")
        residual_marks = [m for marks in self._marks.values() for m in marks.residual_marks()]
        self.residual_figure = bq.Figure(
            marks=[zero, *residual_marks],
            axes=[bq.Axis(scale=s["x"], label="Energy (keV)"),
                  bq.Axis(scale=s["residual"], side="left",
                          label="(data − model) / error")],
            fig_margin=dict(top=10, bottom=45, left=75, right=20),
            layout=widgets.Layout(width="100%", height="170px", display="none"),
        )
        unfolded_marks = [m for marks in self._marks.values() for m in marks.unfolded_marks()]
        self._unfolded_axis = bq.Axis(scale=s["unfolded"], side="left", tick_format=".0e",
                                      label="E² F(E) (keV² ph cm⁻² s⁻¹ keV⁻¹)",
                                      label_offset="50px")
        self.unfolded_figure = bq.Figure(
            marks=unfolded_marks,
            axes=[bq.Axis(scale=s["x_unfolded"], label="Energy (keV)"), self._unfolded_axis],
            legend_location="top-right", title="Unfolded spectrum (after a fit)",
            fig_margin=dict(top=30, bottom=45, left=75, right=20),
            layout=widgets.Layout(width="100%", height="300px", display="none"),
        )
        self.figure.add_class("oda-spectrum-figure")
        self.residual_figure.add_class("oda-residual-figure")
        self.unfolded_figure.add_class("oda-unfolded-figure")

        self._model_menu = widgets.Dropdown(options=list(MODELS), description="Model",
                                            layout=widgets.Layout(width="15em"))
        self._model_menu.style.description_width = "3.5em"
        self._model_menu.add_class("oda-fit-model")
        widgets.link((self._model_menu, "value"), (self, "model"))
        self._e_min = widgets.BoundedFloatText(description="from", min=0.001, max=1e5,
                                               layout=widgets.Layout(width="10em"))
        self._e_max = widgets.BoundedFloatText(description="to", min=0.001, max=1e5,
                                               layout=widgets.Layout(width="10em"))
        self._e_min.add_class("oda-fit-emin")
        self._e_max.add_class("oda-fit-emax")
        for box in (self._e_min, self._e_max):
            box.style.description_width = "2.5em"
            box.observe(self._on_range_typed, names="value")
        self._systematic = widgets.BoundedFloatText(description="systematic", min=0.0, max=0.99,
                                                    step=0.005,
                                                    layout=widgets.Layout(width="12em"))
        self._systematic.add_class("oda-fit-systematic")
        widgets.link((self._systematic, "value"), (self, "systematic"))
        self.fit_button = widgets.Button(description="Fit", button_style="primary",
                                         tooltip="Fit the model to every spectrum shown",
                                         icon="line-chart")
        self.fit_button.add_class("oda-fit-button")
        self.fit_button.on_click(lambda _: self.fit())
        self._status = widgets.Label()
        self._status.add_class("oda-fit-status")
        traitlets.dlink((self, "status"), (self._status, "value"))

        toggles = []
        for label, marks in self._marks.items():
            box = widgets.Checkbox(value=True, description=label, indent=False,
                                   layout=widgets.Layout(width="auto"))
            box.add_class("oda-spectrum-toggle")
            box.observe(lambda change, lbl=label: self._on_toggle(lbl, change["new"]),
                        names="value")
            toggles.append(box)
            if marks.hidden_channels:
                self.status = (f"{marks.hidden_channels} channels of {label} with a rate (or "
                               "an energy) of zero or below are not drawn on the log axes")
        self._toggles = widgets.HBox(toggles, layout=widgets.Layout(flex_flow="row wrap"))
        self._results = widgets.VBox([widgets.Label("No fit yet: choose a model and press Fit.")])
        self._results.add_class("oda-fit-results")

        units = widgets.Label("keV")
        controls = widgets.HBox([self._model_menu, self._e_min, self._e_max, units,
                                 self._systematic, self.fit_button],
                                layout=widgets.Layout(flex_flow="row wrap",
                                                      align_items="center"))
        controls.add_class("oda-fit-controls")
        plots = widgets.VBox([self.figure, self.residual_figure],
                             layout=widgets.Layout(flex="1 1 0%", min_width="420px"))
        self._results.layout = widgets.Layout(width="24em", flex="0 0 auto")
        self.children = [
            widgets.HTML(f"<style>{_CSS}</style>", layout=widgets.Layout(display="none")),
            controls,
            self._status,
            self._toggles,
            widgets.HBox([plots, self._results], layout=widgets.Layout(width="100%")),
            self.unfolded_figure,
        ]

    # -- reactions -------------------------------------------------------------------------
    @traitlets.validate("energy_range")
    def _valid_range(self, proposal: dict[str, Any]) -> tuple[float, float]:
        lo, hi = proposal["value"]
        if not 0 < lo < hi:
            raise traitlets.TraitError(
                f"energy_range needs 0 < low < high keV, got ({lo:g}, {hi:g})")
        return (float(lo), float(hi))

    @traitlets.observe("energy_range")
    def _on_range(self, change: dict[str, Any]) -> None:
        lo, hi = change["new"]
        with self._band.hold_sync():
            self._band.x = [[lo, lo], [hi, hi]]
        self._typing = True
        try:
            self._e_min.value, self._e_max.value = lo, hi
        finally:
            self._typing = False

    _typing = False

    def _on_range_typed(self, _: dict[str, Any]) -> None:
        if self._typing:
            return
        lo, hi = self._e_min.value, self._e_max.value
        if 0 < lo < hi:
            self.energy_range = (lo, hi)
            self.status = ""
        else:
            self.status = f"⚠ the energy range needs from < to (now {lo:g} to {hi:g} keV)"

    def _on_brush(self, change: dict[str, Any]) -> None:
        selected = change["new"]
        if selected is None or len(selected) != 2:
            return
        lo, hi = sorted(float(v) for v in selected)
        if 0 < lo < hi:
            self.energy_range = (round(lo, 2), round(hi, 2))

    def _on_toggle(self, label: str, visible: bool) -> None:
        self._marks[label].show(visible, fitted=label in self.fits)

    # -- the fit ---------------------------------------------------------------------------
    def highlight(self, labels: Iterable[str]) -> None:
        """Draw the spectra of ``labels`` (sources) larger and dim the others; an empty list,
        or no spectrum of those labels, draws every spectrum alike."""
        self.highlighted = [str(label) for label in labels]

    @traitlets.observe("highlighted")
    def _highlight_changed(self, change: dict[str, Any]) -> None:
        wanted = set(change["new"]) & set(self._marks)
        for label, marks in self._marks.items():
            lit = label in wanted
            dim = bool(wanted) and not lit
            with marks.points.hold_sync():
                marks.points.default_size = 40 if lit else 10
                marks.points.opacities = [0.25 if dim else 1.0]
            marks.bars.opacities = [0.25 if dim else 1.0]

    def fit(self) -> dict[str, SpectralFit]:
        """Fit :attr:`model` in :attr:`energy_range` to every spectrum shown (what Fit does).

        Returns
        -------
        dict
            ``{label: SpectralFit}``; also in :attr:`fits`. Spectra that could not be fitted
            are left out and :attr:`status` says why.
        """
        shown = [label for label, marks in self._marks.items() if marks.visible]
        if not shown:
            self.status = "⚠ no spectrum is shown: tick one to fit it"
            return {}
        results: dict[str, SpectralFit] = {}
        problems: list[str] = []
        self.status = f"fitting {self.model} to {len(shown)} spectra …"
        for label in shown:
            try:
                results[label] = fit_spectrum(self.spectra[label], self.model, self.energy_range,
                                              self.systematic)
            except FitUnavailable as exc:
                self.status = f"⚠ {exc}"
                return {}
            except ValueError as exc:
                problems.append(f"{label}: {exc}")
        if results:  # the residuals and the unfolded spectrum exist once there is a fit
            self.residual_figure.layout.display = None
            self.unfolded_figure.layout.display = None
        for label, marks in self._marks.items():
            if label in results:
                marks.show_fit(results[label])
            else:
                marks.show(marks.visible, fitted=False)
        self.fits = results
        self._show_numbers(results)
        drawn = [m for label, m in self._marks.items() if label in results]
        span = np.concatenate([np.ravel(m.unfolded_bars.y) for m in drawn]) if drawn else []
        span = np.asarray(span, dtype=float)
        span = span[positive(span)]
        if span.size:
            self._unfolded_axis.tick_values = log_ticks(float(span.min()), float(span.max()))
        lo, hi = self.energy_range
        done = f"{self.model} fitted to {len(results)} of {len(shown)} spectra, {lo:g}-{hi:g} keV"
        self.status = "; ".join([done, *(f"⚠ {p}" for p in problems)])
        return results

    def _show_numbers(self, results: dict[str, SpectralFit]) -> None:
        blocks = []
        for label, fit in results.items():
            head = widgets.Label(f"{label}: {fit.model}")
            head.add_class("oda-fit-source")
            rows = [widgets.Label(f"{name} = {value}{' ' + unit if unit else ''}")
                    for name, value, unit in fit.parameter_rows()]
            for row in rows:
                row.add_class("oda-fit-param")
            notes = [widgets.Label(f"note: {note}") for note in fit.notes]
            blocks.append(widgets.VBox([head, *rows, widgets.Label(fit.statistic_text()),
                                        widgets.Label(fit.flux_text()), *notes]))
        self._results.children = blocks or [widgets.Label("No spectrum could be fitted.")]
