"""SpectrumView: count spectra on an energy axis, overlaid, with a spectral fit one click away.

Composed of bqplot pieces: one log-log figure of count rate per keV against the channel energies
of each RMF's EBOUNDS (points with error bars built from ``Lines`` segments, see
``spectrum_marks``), a residuals figure sharing its energy scale, and the unfolded spectrum
E^2 N(E). For display the channels are grouped to a minimum significance per bin, as XSPEC's
``setplot rebin`` does (:mod:`oda_widgets.analysis.display_groups`); a group that stays
insignificant (zero or negative rates included) is an upper limit, so nothing is dropped from the
log axis unsaid. The fit uses every channel. A model menu, the energy range (typed, or dragged
on the plot) and the systematic fraction feed :func:`oda_widgets.analysis.spectral_fit.fit_spectrum`
when Fit is pressed; the numbers appear in a table under the plot.

Each source has its colour and marker in every view (:mod:`oda_widgets.widgets.source_colours`);
the legend is a row above the plot, outside the data, and its boxes show or hide a source.
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
from ._style import style_widget
from .fit_table import fit_table_html, fit_table_text
from .source_colours import marker_svg
from .spectrum_figure_marks import SpectrumMarks
from .spectrum_marks import log_ticks, positive

__all__ = ["SpectrumView"]

DEFAULT_RANGE_KEV = (20.0, 300.0)
#: Display grouping: summed significance a bin must reach (the most channels in one bin:
#: ``MAX_GROUP``, with the marks).
MIN_SIGNIFICANCE = 3.0
#: Plain tick labels (20, 50, 100; 0.001, 0.01): d3's shortest general format.
PLAIN = "~g"


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
    min_significance : float
        Display grouping: neighbouring channels are drawn as one bin until it reaches this many
        sigma (0 draws every channel); the fit always uses the channels.

    Attributes
    ----------
    spectra : dict
        ``{label: Spectrum}`` in the order shown.
    fits : dict
        ``{label: SpectralFit}`` of the last fit (observable trait).
    status : str
        The line under the controls: what the last fit did, or why it could not run.
    results_text : str
        The table of the last fit as plain text (tab-separated), with its notes and hints.
    """

    model = traitlets.Enum(tuple(MODELS), default_value="cutoffpl")
    energy_range = traitlets.Tuple(traitlets.Float(), traitlets.Float(),
                                   default_value=DEFAULT_RANGE_KEV)
    systematic = traitlets.Float(0.0, min=0.0, max=0.99)
    min_significance = traitlets.Float(MIN_SIGNIFICANCE, min=0.0)
    fits = traitlets.Dict()
    status = traitlets.Unicode("").tag(sync=True)
    highlighted = traitlets.List(traitlets.Unicode())

    def __init__(
        self,
        spectra: Any,
        model: str = "cutoffpl",
        energy_range: tuple[float, float] | None = None,
        systematic: float = 0.0,
        min_significance: float = MIN_SIGNIFICANCE,
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
        self.set_trait("min_significance", float(min_significance))
        self._marks = {label: SpectrumMarks(label, channels[label], self._scales,
                                             self.min_significance)
                       for label in self.spectra}
        self.results_text = ""
        self._build()
        self.model = model
        self.systematic = float(systematic)
        self.energy_range = tuple(energy_range) if energy_range else _default_range(
            channels.values())
        self._on_range({"new": self.energy_range})  # also when it equals the default
        self.add_class("oda-spectrum-view")

    # -- layout ----------------------------------------------------------------------------
    def _rate_span(self) -> tuple[float, float]:
        spans = [m.rate_span() for m in self._marks.values()]
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def _energy_axis(self, scale: Any) -> Any:
        return bq.Axis(scale=scale, label="Energy (keV)", tick_format=PLAIN,
                       tick_values=log_ticks(*self._e_span))

    def _build(self) -> None:
        s = self._scales
        self._band = bq.Lines(x=[[20.0, 20.0], [300.0, 300.0]], y=[[0.0, 1.0], [0.0, 1.0]],
                              scales={"x": s["x"], "y": s["band"]}, colors=["#777777"],
                              line_style="dashed", stroke_width=1)
        self._rate_axis = bq.Axis(scale=s["rate"], side="left", label="counts s⁻¹ keV⁻¹",
                                  tick_format=PLAIN, label_offset="55px")
        self._set_rate_range()
        self.figure = bq.Figure(
            marks=self._data_marks(), axes=[self._energy_axis(s["x"]), self._rate_axis],
            fig_margin=dict(top=12, bottom=45, left=80, right=20),
            layout=widgets.Layout(width="100%", height="360px"),
        )
        self._brush = bq.interacts.BrushIntervalSelector(scale=s["x"], marks=[self._band],
                                                         color="#999999")
        self._brush.observe(self._on_brush, names="selected")
        self.figure.interaction = self._brush
        zero = bq.Lines(x=[list(self._e_span)], y=[[0.0, 0.0]],
                        scales={"x": s["x"], "y": s["residual"]}, colors=["#777777"],
                        line_style="dashed")
        self._zero = zero
        self._residual_axis = bq.Axis(scale=s["residual"], side="left",
                                      label="(data − model) / error", tick_format=PLAIN,
                                      label_offset="55px")
        self.residual_figure = bq.Figure(
            marks=self._residual_marks(),
            axes=[self._energy_axis(s["x"]), self._residual_axis],
            fig_margin=dict(top=10, bottom=45, left=80, right=20),
            layout=widgets.Layout(width="100%", height="180px"),
        )
        self._unfolded_axis = bq.Axis(scale=s["unfolded"], side="left", tick_format=PLAIN,
                                      label="E² N(E) (keV² ph cm⁻² s⁻¹ keV⁻¹)",
                                      label_offset="55px")
        self.unfolded_figure = bq.Figure(
            marks=self._unfolded_marks(),
            axes=[self._energy_axis(s["x_unfolded"]), self._unfolded_axis],
            fig_margin=dict(top=12, bottom=45, left=80, right=20),
            layout=widgets.Layout(width="100%", height="300px"),
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
        self._grouping = widgets.BoundedFloatText(
            value=self.min_significance, description="plot bins ≥", min=0.0, max=100.0,
            step=1.0, layout=widgets.Layout(width="10em"),
            tooltip="display only: neighbouring channels are drawn as one bin until it reaches "
                    "this many sigma (0: every channel); the fit uses every channel",
        )
        self._grouping.style.description_width = "5.5em"
        self._grouping.add_class("oda-spectrum-grouping")
        widgets.link((self._grouping, "value"), (self, "min_significance"))
        self._status = widgets.Label()
        self._status.add_class("oda-fit-status")
        traitlets.dlink((self, "status"), (self._status, "value"))

        self._toggles_by_label: dict[str, widgets.Checkbox] = {}
        items = []
        for label, marks in self._marks.items():
            glyph = widgets.HTML(marker_svg(marks.style, 13))
            box = widgets.Checkbox(value=True, description=label, indent=False,
                                   layout=widgets.Layout(width="auto"),
                                   tooltip=f"show or hide {label}")
            box.add_class("oda-spectrum-toggle")
            box.observe(lambda change, lbl=label: self._on_toggle(lbl, change["new"]),
                        names="value")
            self._toggles_by_label[label] = box
            item = widgets.HBox([glyph, box], layout=widgets.Layout(align_items="center",
                                                                    width="auto"))
            item.add_class("oda-spectrum-legend-item")
            items.append(item)
        self._toggles = widgets.HBox(list(self._toggles_by_label.values()))  # (for tests)
        self.legend = widgets.HBox(items, layout=widgets.Layout(flex_flow="row wrap"))
        self.legend.add_class("oda-spectrum-legend")
        self._results = widgets.HTML("")
        self._results.add_class("oda-fit-results")

        controls = widgets.HBox([self._model_menu, self._e_min, self._e_max, widgets.Label("keV"),
                                 self._systematic, self.fit_button],
                                layout=widgets.Layout(flex_flow="row wrap",
                                                      align_items="center"))
        controls.add_class("oda-fit-controls")
        display = widgets.HBox([self._grouping, widgets.Label("σ")],
                               layout=widgets.Layout(align_items="center", margin="0 0 0 auto"))
        display.add_class("oda-spectrum-display")
        legend_row = widgets.HBox([self.legend, display],
                                  layout=widgets.Layout(align_items="center", width="100%"))
        self._style = style_widget("spectrum")
        # the residuals and the unfolded spectrum join once there is a fit: a figure laid out
        # while hidden has no size, and bqplot would draw it with negative ones
        self._heading_unfolded = widgets.HTML("Unfolded spectrum (through the fitted model)")
        self._heading_unfolded.add_class("oda-spectrum-heading")
        self.children = [self._style, controls, self._status, legend_row, self.figure]

    def _data_marks(self) -> list[Any]:
        return [self._band, *(m for marks in self._ordered() for m in marks.data_marks())]

    def _residual_marks(self) -> list[Any]:
        zero = getattr(self, "_zero", None)
        marks = [m for marks in self._ordered() for m in marks.residual_marks()]
        return [zero, *marks] if zero is not None else marks

    def _unfolded_marks(self) -> list[Any]:
        return [m for marks in self._ordered() for m in marks.unfolded_marks()]

    def _ordered(self) -> list[SpectrumMarks]:
        """The spectra, highlighted ones last: drawn in front of the others."""
        lit = set(self.highlighted)
        return sorted(self._marks.values(), key=lambda marks: marks.label in lit)

    def _set_rate_range(self) -> None:
        low, high = self._rate_span()
        low, high = low / 1.6, high * 1.6
        scale = self._scales["rate"]
        with scale.hold_sync():
            scale.min, scale.max = low, high
        self._rate_axis.tick_values = log_ticks(low, high)

    def _set_residual_range(self, drawn: list[SpectrumMarks]) -> None:
        """A symmetric residual axis with whole-number ticks (at most seven)."""
        values = np.asarray(
            np.concatenate([np.ravel(m.residual_bars.y) for m in drawn] or [np.zeros(0)]),
            dtype=np.float64)
        values = values[np.isfinite(values)]
        reach = max(3.0, float(np.ceil(np.abs(values).max()))) if values.size else 3.0
        step = max(1.0, float(np.ceil(reach / 3)))
        reach = step * np.ceil(reach / step)
        scale = self._scales["residual"]
        with scale.hold_sync():
            scale.min, scale.max = -reach, reach
        self._residual_axis.tick_values = np.arange(-reach, reach + step / 2, step)

    def _show_fitted_figures(self) -> None:
        wanted = [self.figure, self.residual_figure]
        if self.residual_figure in self.children:
            return
        at = list(self.children).index(self.figure)
        children = list(self.children)
        children[at:at + 1] = wanted
        children += [self._results, self._heading_unfolded, self.unfolded_figure]
        self.children = children

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

    @traitlets.observe("min_significance")
    def _on_grouping(self, change: dict[str, Any]) -> None:
        if not hasattr(self, "_marks"):
            return
        for label, marks in self._marks.items():
            marks.group(change["new"])
            if label in self.fits:
                marks.show_fit(self.fits[label], change["new"])
        self._set_rate_range()

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

    # -- highlighting ----------------------------------------------------------------------
    def highlight(self, labels: Iterable[str]) -> None:
        """Draw the spectra of ``labels`` (sources) in front, larger, and fade the others; an
        empty list, or no spectrum of those labels, draws every spectrum alike."""
        self.highlighted = [str(label) for label in labels]

    @traitlets.observe("highlighted")
    def _highlight_changed(self, change: dict[str, Any]) -> None:
        wanted = set(change["new"]) & set(self._marks)
        for label, marks in self._marks.items():
            lit = label in wanted
            marks.fade(bool(wanted) and not lit)
            with marks.points.hold_sync():
                marks.points.default_size = 80 if lit else 28
            item = self.legend.children[list(self._marks).index(label)]
            (item.add_class if lit else item.remove_class)("oda-spectrum-lit")
        self.figure.marks = self._data_marks()
        self.residual_figure.marks = self._residual_marks()
        self.unfolded_figure.marks = self._unfolded_marks()

    # -- the fit ---------------------------------------------------------------------------
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
        for label, marks in self._marks.items():
            if label in results:
                marks.show_fit(results[label], self.min_significance)
            else:
                marks.show(marks.visible, fitted=False)
        self.fits = results
        self._show_numbers(results)
        if results:  # the residuals and the unfolded spectrum exist once there is a fit
            self._show_fitted_figures()
        drawn = [m for label, m in self._marks.items() if label in results]
        span = np.asarray(
            np.concatenate([np.ravel(m.unfolded_bars.y) for m in drawn] or [np.zeros(0)]),
            dtype=np.float64)
        span = span[positive(span)]
        if span.size:
            low, high = float(span.min()) / 1.3, float(span.max()) * 1.3
            with self._scales["unfolded"].hold_sync():
                self._scales["unfolded"].min, self._scales["unfolded"].max = low, high
            self._unfolded_axis.tick_values = log_ticks(low, high)
        self._set_residual_range([m for label, m in self._marks.items() if label in results])
        lo, hi = self.energy_range
        done = f"{self.model} fitted to {len(results)} of {len(shown)} spectra, {lo:g}-{hi:g} keV"
        self.status = "; ".join([done, *(f"⚠ {p}" for p in problems)])
        return results

    def _show_numbers(self, results: dict[str, SpectralFit]) -> None:
        self.results_text = fit_table_text(results)
        if not results:
            self._results.value = "<p>No spectrum could be fitted.</p>"
            if self._results not in self.children:
                self.children = [*self.children, self._results]
            return
        self._results.value = fit_table_html(results, self.model)
