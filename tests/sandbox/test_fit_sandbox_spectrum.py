"""A Crab spectrum from the sandbox, fetched over HTTP, fits with the index the sandbox simulates."""

from __future__ import annotations

import pytest

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.sandbox.sky import get_source

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
