"""SpectrumView in the kernel: what it plots, and what Fit does, without a browser."""

from __future__ import annotations

import numpy as np
import pytest
from support.simulated_spectra import Simulator, cutoffpl

import oda_widgets as ow
from oda_widgets.analysis.channels import channel_spectrum

pytestmark = pytest.mark.unit

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")


@pytest.fixture(scope="module")
def spectra(shared_data):
    simulator = Simulator()
    return {
        "2017": simulator.spectrum(lambda e: cutoffpl(e, 1.5, 120.0, 0.5), 2e4, 1, True),
        "<i>2018</i>": simulator.spectrum(lambda e: cutoffpl(e, 1.8, 200.0, 0.6), 2e4, 2, True),
    }


def _labels(widget):
    found = []
    for child in getattr(widget, "children", ()):
        if hasattr(child, "value") and type(child).__name__ == "Label":
            found.append(child.value)
        found.extend(_labels(child))
    return found


def test_every_channel_is_a_point_or_an_upper_limit_on_the_rmf_energies(spectra):
    view = ow.SpectrumView(spectra, min_significance=0)   # no grouping: one bin per channel
    for label, spectrum in spectra.items():
        ch = channel_spectrum(spectrum)
        rate = spectrum.pha["SPECTRUM"].data["RATE"]
        ebounds = spectrum.rmf["EBOUNDS"].data
        width = ebounds["E_MAX"] - ebounds["E_MIN"]
        shown = rate > 0
        marks = view._marks[label]
        assert np.allclose(marks.points.y, (rate / width)[shown])
        assert np.allclose(marks.points.x, np.sqrt(ebounds["E_MIN"] * ebounds["E_MAX"])[shown])
        # a vertical and a horizontal bar per point
        assert marks.bars.x.shape == (2 * shown.sum(), 2)
        assert np.allclose(marks.bars.y[: shown.sum(), 1] - marks.points.y,
                           ch.error_per_kev[shown])
        # a channel at or below zero is an upper limit: bar and arrow, two errors above zero
        assert len(marks.limit_heads.x) == (~shown).sum()
        limits = (np.maximum(rate, 0) + 2 * ch.error) / width
        assert np.allclose(marks.limits.y[: (~shown).sum(), 0], limits[~shown])
    assert view.energy_range == (20.0, 300.0)


def test_channels_are_grouped_for_display_to_three_sigma_and_lose_nothing(spectra):
    view = ow.SpectrumView(spectra)
    assert view.min_significance == 3.0
    for label, spectrum in spectra.items():
        ch = channel_spectrum(spectrum)
        groups = view._marks[label].groups
        # the groups tile the channels: every count is in one group, none twice
        assert groups.start[0] == 0 and groups.stop[-1] == ch.rate.size
        assert np.array_equal(groups.start[1:], groups.stop[:-1])
        assert np.isclose(groups.rate.sum(), ch.rate.sum())
        points = groups.significant
        assert np.all(groups.rate[points] >= 3 * groups.error[points])
        # upper limits only where a group of the largest size stayed below 3 sigma
        assert np.all((groups.stop - groups.start)[~points][:-1] == 24)
    # and back to channels on request, without a new view
    view.min_significance = 0
    first = next(iter(spectra))
    assert len(view._marks[first].groups) == channel_spectrum(spectra[first]).rate.size


def test_the_fit_button_fits_every_spectrum_shown_and_lists_its_numbers(spectra):
    view = ow.SpectrumView(spectra, model="cutoffpl", systematic=0.01)
    assert view.residual_figure not in view.children   # nothing laid out before a fit
    view.fit_button.click()
    assert set(view.fits) == set(spectra)
    direct = spectra["2017"].fit("cutoffpl", (20, 300), 0.01)
    assert view.fits["2017"].values == direct.values
    table = view.results_text.splitlines()
    header = table[0].split("\t")
    row = next(line.split("\t") for line in table if line.startswith("2017\t"))
    for name, value, _ in direct.parameter_rows():
        column = next(i for i, h in enumerate(header) if h.split(" ")[0] == name)
        assert row[column] == value.replace(" +/- ", " ± ")
    assert row[-2] == f"{direct.statistic:.1f} / {direct.dof}"
    # a label is text, never markup, in the table the page shows
    assert "&lt;i&gt;2018&lt;/i&gt;" in view._results.value
    assert "<i>2018</i>" not in view._results.value
    assert view.residual_figure in view.children and view.unfolded_figure in view.children
    marks = view._marks["2017"]
    assert marks.folded.visible and marks.residual_points.visible and marks.model_curve.visible
    # residuals on the display groups of the fitted channels: about unit scatter
    assert 0.5 < float(np.std(marks.residual_points.y)) < 2.0
    assert view.status.startswith("cutoffpl fitted to 2 of 2 spectra, 20-300 keV")


def test_a_highlighted_spectrum_is_drawn_in_front_and_the_others_fade(spectra):
    view = ow.SpectrumView(spectra)
    last = view.figure.marks[-1]
    view.highlight(["2017"])
    front = view._marks["2017"]
    assert view.figure.marks[-len(front.data_marks()):] == front.data_marks()
    assert front.points.default_size > view._marks["<i>2018</i>"].points.default_size
    assert view._marks["<i>2018</i>"].points.default_opacities == [0.2]
    assert front.points.default_opacities == [1.0]
    view.highlight([])
    assert view.figure.marks[-1] is last
    assert view._marks["<i>2018</i>"].points.default_opacities == [1.0]


def test_a_source_has_its_colour_in_the_spectra_and_the_light_curves(spectra):
    from oda_widgets.widgets.source_colours import source_colour

    view = ow.SpectrumView(spectra)
    for label, marks in view._marks.items():
        assert marks.points.colors == [source_colour(label)]


def test_controls_set_the_fit_and_a_hidden_spectrum_is_not_fitted(spectra):
    view = ow.SpectrumView(spectra)
    view._model_menu.value = "bknpower"
    view._e_min.value, view._e_max.value = 30.0, 250.0
    view._toggles.children[1].value = False
    assert view.model == "bknpower" and view.energy_range == (30.0, 250.0)
    assert view._band.x.tolist() == [[30.0, 30.0], [250.0, 250.0]]
    fits = view.fit()
    assert list(fits) == ["2017"] and fits["2017"].energy_range == (30.0, 250.0)
    assert set(fits["2017"].values) == {"index1", "ebreak", "index2", "norm"}
    assert not view._marks["<i>2018</i>"].points.visible
    assert not view._marks["<i>2018</i>"].limit_heads.visible


def test_an_inverted_range_is_refused_in_words_and_the_last_good_one_kept(spectra):
    view = ow.SpectrumView(spectra)
    view._e_min.value = 400.0
    assert "needs from < to" in view.status
    assert view.energy_range == (20.0, 300.0)


def test_a_range_without_channels_reports_each_spectrum_and_keeps_the_plot(spectra):
    view = ow.SpectrumView(spectra, energy_range=(2000.0, 3000.0))
    assert view.fit() == {}
    assert view.status.count("widen energy_range") == 2
    assert "No spectrum could be fitted." in view._results.value


def test_wrong_input_says_what_is_expected():
    with pytest.raises(TypeError, match="products.spectra"):
        ow.SpectrumView(42)
    with pytest.raises(ValueError, match="at least one spectrum"):
        ow.SpectrumView({})


def test_dragging_across_the_plot_sets_the_energy_range(spectra):
    view = ow.SpectrumView(spectra)
    view._brush.selected = [180.0, 40.0]  # what bqplot's brush sends, in keV, either order
    assert view.energy_range == (40.0, 180.0)
    assert (view._e_min.value, view._e_max.value) == (40.0, 180.0)


def test_log_axes_get_ticks_a_reader_can_label():
    from oda_widgets.widgets.spectrum_marks import log_ticks

    assert np.allclose(log_ticks(2e-6, 30), [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])
    assert np.allclose(log_ticks(0.3, 12), [0.5, 1.0, 2.0, 5.0, 10.0])
    assert np.allclose(log_ticks(3, 9), [3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    assert len(log_ticks(1e-12, 1e6)) <= 8
