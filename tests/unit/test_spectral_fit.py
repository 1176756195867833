"""Spectral fits recover what was put in: known spectra folded through the real ISGRI RMF."""

from __future__ import annotations

import numpy as np
import pytest
from support.simulated_spectra import (
    Simulator,
    bknpower,
    cutoffpl,
    pha_hdulist,
    photon_flux_per_bin,
    spectrum_product,
)

from oda_widgets.analysis.spectral_models import KEV_TO_ERG, energy_flux

pytestmark = pytest.mark.unit

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")

SEEDS = (1, 2, 3, 4, 5, 6)
EXPOSURE = 2000.0  # s: about 240 000 counts of a 0.5 ph/cm2/s/keV-at-1-keV cut-off power law
# chi-square with errors from the data themselves is biased where channels hold few counts
# (a known property of the statistic, which C-stat does not have): the chi2 case gets the
# counts of an ISGRI spectrum of a bright source, tens to thousands per channel up to 300 keV
EXPOSURE_CHI2 = 20000.0
CUTOFFPL = dict(index=1.5, ecut=120.0, norm=0.5)
BKNPOWER = dict(index1=1.8, ebreak=60.0, index2=2.6, norm=1.0)


@pytest.fixture(scope="module")
def simulator(shared_data):
    return Simulator()


def _pulls(fits, truth):
    return {name: np.array([(f.values[name][0] - value) / f.values[name][1] for f in fits])
            for name, value in truth.items()}


def _assert_recovered(fits, truth, names):
    pulls = _pulls(fits, truth)
    for name in names:
        # each seed within 3 sigma of the input, and the errors are honest: the scatter of
        # the fitted values across seeds is about the quoted error (neither much larger nor
        # much smaller)
        assert np.all(np.abs(pulls[name]) < 3), (name, pulls[name])
        rms = float(np.sqrt(np.mean(pulls[name] ** 2)))
        assert 0.25 < rms < 2.0, (name, rms, pulls[name])


@pytest.mark.parametrize("as_rate", [False, True], ids=["counts-cstat", "rate-chi2"])
def test_a_cut_off_power_law_is_recovered_within_its_errors(simulator, as_rate):
    fits = []
    for seed in SEEDS:
        exposure = EXPOSURE_CHI2 if as_rate else EXPOSURE
        spectrum = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), exposure, seed, as_rate)
        fit = spectrum.fit(model="cutoffpl", energy_range=(20, 300))
        assert fit.statistic_name == ("chi2" if as_rate else "cstat")
        assert set(fit.values) == {"index", "ecut", "norm"}
        assert 0.6 < fit.statistic / fit.dof < 1.5
        fits.append(fit)
    _assert_recovered(fits, CUTOFFPL, ("index", "ecut", "norm"))


def test_a_broken_power_law_is_recovered_within_its_errors(simulator):
    fits = []
    for seed in SEEDS:
        spectrum = simulator.spectrum(lambda e: bknpower(e, **BKNPOWER), EXPOSURE_CHI2, seed,
                                      True)
        fit = spectrum.fit(model="bknpower", energy_range=(20, 300), start={"ebreak": 90})
        assert set(fit.values) == {"index1", "ebreak", "index2", "norm"}
        fits.append(fit)
    _assert_recovered(fits, BKNPOWER, ("index1", "index2", "ebreak"))


def test_a_frozen_break_stays_where_it_was_put_and_has_no_error(simulator):
    spectrum = simulator.spectrum(lambda e: bknpower(e, **BKNPOWER), EXPOSURE, 7, True)
    fit = spectrum.fit("bknpower", (20, 500), 0.01, start={"ebreak": 100.0}, freeze=("ebreak",))
    assert fit.values["ebreak"] == (100.0, None)
    assert fit.dof == fit.channels.rate.size - 3
    assert "100 (frozen)" in fit.summary()


def test_the_flux_in_a_band_agrees_with_the_input_spectrum(simulator):
    spectrum = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE, 8, True)
    fit = spectrum.fit("cutoffpl", (20, 300))
    edges = np.geomspace(20, 80, 2001)
    true_flux = KEV_TO_ERG * photon_flux_per_bin(
        lambda e: e * cutoffpl(e, **CUTOFFPL), edges[:-1], edges[1:]).sum()
    assert abs(fit.flux(20, 80) - true_flux) < 3 * fit.flux_error(20, 80)
    assert 1e-9 < fit.flux(20, 80) < 1e-7  # erg cm^-2 s^-1, not keV


def test_energy_flux_of_a_power_law_is_the_analytic_integral():
    k, g = 9.7, 2.1
    analytic = k * (80 ** (2 - g) - 20 ** (2 - g)) / (2 - g) * KEV_TO_ERG
    assert energy_flux("powerlaw", {"index": g, "norm": k}, 20, 80) == pytest.approx(analytic,
                                                                                      rel=1e-6)


def test_a_systematic_fraction_is_added_in_quadrature_to_each_channel(simulator):
    spectrum = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE, 9, True)
    plain = spectrum.fit("cutoffpl", (20, 300), systematic=0.0)
    with_sys = spectrum.fit("cutoffpl", (20, 300), systematic=0.05)
    rate, stat = with_sys.channels.rate, with_sys.channels.error
    assert np.allclose(with_sys.total_error, np.hypot(stat, 0.05 * np.abs(rate)), rtol=1e-5)
    assert with_sys.statistic < plain.statistic
    assert with_sys.values["index"][1] > plain.values["index"][1]
    assert with_sys.systematic == 0.05


def test_the_pha_own_sys_err_is_used_when_no_systematic_is_given(simulator):
    spectrum = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE, 10, True)
    spectrum.pha["SPECTRUM"].header["SYS_ERR"] = 0.02
    fit = spectrum.fit("cutoffpl", (20, 300))
    assert fit.systematic == 0.02
    assert spectrum.fit("cutoffpl", (20, 300), systematic=0.0).systematic == 0.0


def test_residuals_and_unfolded_spectrum_follow_the_model(simulator):
    spectrum = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE, 11, True)
    fit = spectrum.fit("cutoffpl", (20, 300))
    assert abs(np.mean(fit.residuals)) < 0.3
    assert 0.7 < np.std(fit.residuals) < 1.3
    energy, e2n, error = fit.unfolded()
    true = energy**2 * cutoffpl(energy, **CUTOFFPL)
    # the unfolded points scatter about E^2 N(E) of the input as their errors say
    assert 0.6 < np.std((e2n - true) / error) < 1.5


def test_summary_text_and_html_name_every_parameter(simulator):
    spectrum = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE, 12, True)
    spectrum.source = "<b>X</b>"
    fit = spectrum.fit("cutoffpl", (20, 300), systematic=0.01)
    text = fit.summary()
    for word in ("cutoffpl", "index", "ecut", "norm", "chi2", f"{fit.dof} dof", "erg cm^-2 s^-1"):
        assert word in text
    page = fit._repr_html_()
    assert "&lt;b&gt;X&lt;/b&gt;" in page and "<b>X</b>" not in page


def test_a_model_the_data_reject_gets_no_errors_and_says_why(simulator):
    # a strongly curved spectrum fitted with a straight power law: reduced chi2 far above 3
    spectrum = simulator.spectrum(lambda e: cutoffpl(e, 1.0, 40.0, 0.5), EXPOSURE_CHI2, 14, True)
    fit = spectrum.fit("powerlaw", (20, 300))
    assert fit.reduced_statistic > 3
    assert all(np.isnan(error) for _, error in fit.values.values())
    assert any("does not describe these data" in note for note in fit.notes)
    assert "(no error)" in fit.summary() and "note: no errors" in fit.summary()


def test_a_parameter_the_data_do_not_constrain_is_a_limit_and_the_others_keep_errors(simulator):
    def power_law(e):
        return 1.0 * e**-2.0

    spectrum = simulator.spectrum(power_law, EXPOSURE_CHI2, 15, True)
    fit = spectrum.fit("cutoffpl", (20, 100))  # a pure power law: no cut-off to find
    side, limit = fit.limits["ecut"]
    assert side == "lower" and 20 < limit < 1e4
    # the profile says it: the statistic with ecut fixed at its limit is 2.7 above the best
    assert np.isnan(fit.values["ecut"][1])
    index, error = fit.values["index"]
    # (ecut frozen at its limit, 1e4 keV, still bends the spectrum by 1 % at 100 keV)
    assert np.isfinite(error) and 0 < error < 0.02 and abs(index - 2.0) < 0.02
    assert np.isfinite(fit.values["norm"][1])
    rows = {name: (value, unit) for name, value, unit in fit.parameter_rows()}
    assert rows["ecut"] == (f"> {limit:.3g}", "keV (90 %)")
    assert any(note.startswith("ecut is not constrained by these data") for note in fit.notes)
    # the power law inside the cut-off power law fits as well, and the fit says so
    assert fit.simpler[0] == "powerlaw" and fit.simpler[2] == 1
    assert fit.simpler[1] - fit.statistic < 2.706
    assert any("a power law (powerlaw) fits as well" in hint for hint in fit.hints)
    assert "hint: a power law" in fit.summary()
    # a real cut-off in range: every error from the covariance, nothing to say
    plain = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE_CHI2, 15, True)
    fitted = plain.fit("cutoffpl", (20, 300))
    assert fitted.notes == () and fitted.hints == () and fitted.limits == {}
    assert fitted.simpler[1] - fitted.statistic > 100  # the power law is far worse


def test_a_loose_cut_off_limit_follows_the_profile_of_the_statistic(simulator):
    spectrum = simulator.spectrum(lambda e: 1.0 * e**-2.0, EXPOSURE_CHI2, 16, True)
    fit = spectrum.fit("cutoffpl", (20, 100))
    _, limit = fit.limits["ecut"]
    # fixing ecut just below the limit costs more than 2.706 in chi2, just above it less
    below = spectrum.fit("cutoffpl", (20, 100), start={"ecut": 0.8 * limit}, freeze=["ecut"])
    above = spectrum.fit("cutoffpl", (20, 100), start={"ecut": 1.25 * limit}, freeze=["ecut"])
    assert below.statistic - fit.statistic > 2.706 > above.statistic - fit.statistic


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (dict(model="cutoff"), "use one of powerlaw, cutoffpl, bknpower"),
        (dict(model="powerlaw", energy_range=(300, 20)), "0 < low < high"),
        (dict(model="powerlaw", energy_range="20-300"), "two numbers in keV"),
        (dict(model="powerlaw", systematic=1.0), "fraction of the rate"),
        (dict(model="powerlaw", energy_range=(2000, 3000)), "widen energy_range"),
        (dict(model="powerlaw", start={"gamma": 2}), "parameters are index, norm"),
        (dict(model="powerlaw", statistic="cstat"), "fit it with statistic='chi2'"),
    ],
)
def test_bad_options_say_what_to_change(simulator, kwargs, words):
    spectrum = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE, 13, True)
    with pytest.raises(ValueError, match=None) as info:
        spectrum.fit(**kwargs)
    assert words in str(info.value)


def test_a_spectrum_without_its_rmf_says_so(simulator):
    counts = np.ones(256)
    spectrum = spectrum_product(pha_hdulist(counts, 100.0, True), simulator.arf, None)
    with pytest.raises(ValueError, match="without its RMF"):
        spectrum.fit("powerlaw")


def test_a_spectrum_whose_rmf_holds_the_area_fits_without_an_arf(simulator):
    with_arf = simulator.spectrum(lambda e: cutoffpl(e, **CUTOFFPL), EXPOSURE_CHI2, 16, True)
    without = spectrum_product(with_arf.pha, None, simulator.rmf)
    a = with_arf.fit("cutoffpl", (20, 300))
    b = without.fit("cutoffpl", (20, 300))
    for name in ("index", "ecut", "norm"):
        assert b.values[name][0] == pytest.approx(a.values[name][0], rel=1e-6)
