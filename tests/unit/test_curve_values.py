"""Light curves of rates, fluxes, magnitudes and counts: how they combine and how they are drawn."""

from __future__ import annotations

import numpy as np
import pytest
import traitlets
from astropy.io import fits
from astropy.time import Time

from oda_widgets.analysis.curve_values import axis_label, pretty_unit
from oda_widgets.analysis.light_curve_samples import CurveSamples
from oda_widgets.analysis.rebin import rebin
from oda_widgets.client.products.light_curve import LightCurve
from oda_widgets.widgets.light_curve import LightCurveView

pytestmark = pytest.mark.unit


def _samples(quantity: str, values: list[float], errors: list[float]) -> CurveSamples:
    n = len(values)
    return CurveSamples("x", Time("2021-01-01T00:00:00", scale="utc"), np.arange(n) * 10.0 + 5,
                        np.full(n, 10.0), np.array(values, dtype=float),
                        np.array(errors, dtype=float), np.full(n, 10.0), "", quantity)


def _curve(column: str, values: list[float], errors: list[float], unit: str | None = None,
           name: str = "curve") -> LightCurve:
    n = len(values)
    table = fits.BinTableHDU.from_columns([
        fits.Column("TIME", "D", unit="d", array=59000.0 + np.arange(n)),
        fits.Column(column, "D", unit=unit, array=np.array(values, dtype=float)),
        fits.Column("ERROR", "D", unit=unit, array=np.array(errors, dtype=float))], name="LC")
    return LightCurve(name, fits.HDUList([fits.PrimaryHDU(), table]))


def test_counts_per_bin_add_up_and_their_errors_add_in_quadrature():
    combined = rebin(_samples("COUNTS", [100, 300, 50, 70], [10, 17, 7, 8]), factor=2).samples
    assert combined.rate.tolist() == pytest.approx([400.0, 120.0])
    assert combined.error.tolist() == pytest.approx([np.hypot(10, 17), np.hypot(7, 8)])
    assert combined.quantity == "COUNTS"


def test_magnitudes_are_averaged_in_flux_where_light_adds():
    mags, errors = [15.0, 16.0], [0.1, 0.2]
    combined = rebin(_samples("MAG", mags, errors), factor=2).samples
    flux = 10 ** (-0.4 * np.array(mags))
    assert combined.rate[0] == pytest.approx(-2.5 * np.log10(flux.mean()))
    flux_error = np.hypot(*(flux * np.array(errors) * np.log(10) / 2.5)) / 2
    assert combined.error[0] == pytest.approx(2.5 / np.log(10) * flux_error / flux.mean())
    # brighter than the fainter bin, fainter than the brighter one
    assert mags[0] < combined.rate[0] < mags[1]


def test_rates_and_fluxes_take_the_exposure_weighted_mean():
    for quantity in ("RATE", "FLUX"):
        combined = rebin(_samples(quantity, [1.0, 3.0], [0.1, 0.1]), factor=2).samples
        assert combined.rate[0] == pytest.approx(2.0)
        assert combined.error[0] == pytest.approx(np.hypot(0.1, 0.1) / 2)


def test_units_read_as_astronomers_write_them():
    assert pretty_unit("count/s") == "count/s" and pretty_unit("deg") == "deg"
    assert pretty_unit("photon / (s cm**2)") == "ph s⁻¹ cm⁻²"
    assert pretty_unit("erg/cm2/s") == "erg s⁻¹ cm⁻²"
    assert pretty_unit("what**ever") == "what**ever"
    assert axis_label("MAG", []) == "Magnitude"
    assert axis_label("RATE", ["count/s", "count/s"]) == "Rate (count/s)"
    assert axis_label("COUNTS", [""]) == "Counts"


def test_a_magnitude_axis_runs_downwards_and_has_no_log_scale():
    view = LightCurveView(_curve("MAG", [18.0, 17.5, 18.2], [0.1, -0.05, 0.1]))
    assert view.quantity == "MAG" and view.y_scale.reverse and view.y_axis.label == "Magnitude"
    assert view.rate_buttons.layout.display == "none"
    with pytest.raises(traitlets.TraitError, match="magnitudes have no logarithmic axis"):
        view.log_rate = True
    # a negative error (simulated curves have them) is drawn as its size
    low, high = view.bars[0].y.reshape(-1, 3)[1, 1:]
    assert (high - low) / 2 == pytest.approx(0.05, abs=1e-6)
    assert not LightCurveView(_curve("MAG", [18.0], [0.1]), log_rate=True).log_rate


def test_a_flux_curve_says_its_unit_and_curves_of_different_kinds_are_not_mixed():
    flux = _curve("FLUX", [1e-11, 2e-11], [1e-12, 1e-12], unit="erg/cm2/s")
    view = LightCurveView(flux)
    assert view.y_axis.label == "Flux (erg s⁻¹ cm⁻²)" and view.rate_buttons.description == "Flux"
    assert not view.y_scale.reverse
    with pytest.raises(ValueError, match=r"different quantities \(FLUX, MAG\)"):
        LightCurveView([flux, _curve("MAG", [18.0], [0.1], name="other")])


def test_a_table_with_no_values_to_draw_says_which_columns_it_has():
    table = fits.BinTableHDU.from_columns([
        fits.Column("TIME", "D", unit="d", array=np.array([59000.0])),
        fits.Column("BACKV", "D", array=np.array([1.0]))], name="LC")
    curve = LightCurve("odd", fits.HDUList([fits.PrimaryHDU(), table]))
    assert curve.quantity is None
    with pytest.raises(ValueError, match="it needs TIME and one of RATE, FLUX, MAG, COUNTS"):
        LightCurveView(curve)
