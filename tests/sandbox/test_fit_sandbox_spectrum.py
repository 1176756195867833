"""A Crab spectrum from the sandbox, fetched over HTTP, fits with the index the sandbox simulates."""

from __future__ import annotations

import pytest

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.sandbox.simulate.sky import get_source

pytestmark = pytest.mark.sandbox

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")

# the user guide's Crab year (seed flow B), ten science windows
CRAB_YEAR = dict(RA=83.5, DEC=22.0, T1="2017-01-01T00:00:00.0", T2="2017-12-31T23:59:59.0",
                 radius=10, max_pointings=10, osa_version="OSA11.2")


def test_a_sandbox_crab_spectrum_fits_with_the_simulated_index(sandbox, monkeypatch, tmp_path):
    monkeypatch.setenv("ODA_WIDGETS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("ODA_WIDGETS_HOME", str(tmp_path))
    products = Dispatcher(url="sandbox").submit("isgri", "isgri_spectrum", **CRAB_YEAR).result(
        timeout=120)
    crab = products.spectra["Crab"]
    truth = get_source("Crab")  # the sandbox's own sky: what it simulated
    assert truth["cutoff_kev"] == 0, "the Crab of the sandbox sky is a plain power law"
    fit = crab.fit(model="powerlaw", energy_range=(20, 300), systematic=0.01)
    index, error = fit.values["index"]
    assert abs(index - truth["photon_index"]) < 3 * error
    assert 0 < error < 0.05
    assert 0.5 < fit.statistic / fit.dof < 1.5
    # and a cut-off power law finds no cut-off it could measure inside the band
    cut = crab.fit(model="cutoffpl", energy_range=(20, 300), systematic=0.01)
    assert cut.values["ecut"][0] > 300


def test_a_jemx_spectrum_whose_first_channel_starts_at_zero_fits_and_draws():
    import numpy as np

    import oda_widgets as ow
    from oda_widgets.client.products.product_set import decode_products
    from oda_widgets.sandbox.simulate import make_products
    from oda_widgets.sandbox.simulate.pointings import science_windows

    params = dict(RA=83.63, DEC=22.01, T1="2008-03-01T00:00:00", T2="2008-04-30T00:00:00",
                  E1_keV=3.0, E2_keV=35.0, selected_catalog=None, catalog_selected_objects=None,
                  src_name="Crab", jemx_num=2)
    scws = science_windows(params["T1"], params["T2"], params["RA"], params["DEC"], 5.0, 10,
                           None)
    products = decode_products(make_products("jemx", "jemx_spectrum", params, scws),
                               product="jemx_spectrum", instrument="jemx")
    crab = products.spectra["Crab"]
    assert crab.rmf["EBOUNDS"].data["E_MIN"][0] == 0
    fit = crab.fit("powerlaw", (5, 30), 0.01)
    index, error = fit.values["index"]
    assert abs(index - get_source("Crab")["photon_index"]) < 3 * error
    whole = crab.fit("powerlaw")  # every channel: the span still starts above 0 keV
    assert whole.energy_range[0] > 0 and whole.flux(*whole.flux_band()) > 0
    view = ow.SpectrumView(products.spectra)
    assert 0 < view.energy_range[0] < view.energy_range[1] <= 42
    marks = view._marks["Crab"]
    assert np.min(marks.points.x) > 0 and np.isfinite(marks.bars.y).all()
    view.fit()
    assert np.min(marks.residual_points.x) > 0 and np.min(marks.unfolded_points.x) > 0


# the class's field (notebooks/explorer.ipynb): five sources, most too faint for a cut-off
CLASS_FIELD = dict(RA=255.986542, DEC=-37.844167, T1="2003-03-15T23:27:40.0",
                   T2="2003-03-16T00:03:15.0")


def test_the_default_fit_of_the_class_spectra_gives_every_source_an_index_with_an_error(sandbox):
    import math

    import oda_widgets as ow

    dispatcher = Dispatcher(url=sandbox.url, token="", registry=False)
    products = dispatcher.submit("isgri", "isgri_spectrum", **CLASS_FIELD).result(timeout=120)
    assert len(products.spectra) == 5
    view = ow.SpectrumView(products.spectra)   # its defaults: cutoffpl, 20-300 keV
    fits = view.fit()
    assert sorted(fits) == sorted(products.spectra)
    for source, fit in fits.items():
        index, error = fit.values["index"]
        assert math.isfinite(error) and 0 < error < 2, (source, fit.summary())
        # a cut-off the data cannot measure is a limit, not a number with "no error"
        ecut_error = fit.values["ecut"][1]
        assert math.isfinite(ecut_error) or "ecut" in fit.limits, (source, fit.summary())
    assert any(fit.limits for fit in fits.values())
    assert "(no error)" not in view.results_text
    dispatcher.close()
