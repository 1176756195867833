"""The sandbox's notebook-workflow instrument over HTTP: a GeV sky served as MMODA serves workflows.

Our client asks ``gev_sky`` for its two workflows and reads back what the simulation put in:
the source at the centre of the counts map detected at its place, the map's WCS on the query,
the table's fluxes those of the sky, the light curve's mean flux the source's within its errors,
and the workflow's comment. A query the workflow refuses fails the job with the reason. (The
answers' agreement with the real plugin's, field by field, is the mmoda tier's test.)
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.jobs import JobStatus
from oda_widgets.sandbox.simulate.gev_sky import gev_flux
from oda_widgets.sandbox.simulate.sky import get_source, variability

pytestmark = pytest.mark.sandbox


@pytest.fixture
def client(sandbox):
    dispatcher = Dispatcher(sandbox.url, token="", registry=False, poll_interval=0.2)
    yield dispatcher
    dispatcher.close()


def test_the_workflow_instrument_is_described_as_workflows_are(client):
    assert "gev_sky" in client.instruments()
    spec = client.describe("gev_sky")
    assert list(spec.products) == ["image", "light_curve"]
    assert {p.name for p in spec.parameters("image") if p.name} >= {
        "src_name", "RA", "DEC", "T1", "T2", "radius", "pixel_size", "E1", "E2"}
    energy = spec.parameter("image", "E1")
    assert (energy.units, energy.label, energy.group) == ("GeV", "Minimum energy", "Energy band")


def test_the_counts_map_finds_the_source_at_its_centre(client):
    products = client.submit("gev_sky", "image", radius=3.0, pixel_size=0.1).result(timeout=60)
    image = products.image
    assert image.title == "Counts map" and image.significance.shape == (61, 61)
    centre = image.wcs.pixel_to_world_values(30, 30)
    assert np.allclose(centre, (186.6567, -62.7706))
    table = products.sources_1.table
    found = table[table["name"] == "GX 301-2"][0]
    assert found["detected"] and found["separation"] == pytest.approx(0.0, abs=1e-6)
    assert products.n_detected_3.value == int(np.count_nonzero(table["detected"]))
    # the brightest pixel is within the PSF of the source
    y, x = np.unravel_index(np.argmax(image.significance), image.significance.shape)
    assert np.hypot(x - 30, y - 30) * 0.1 < 1.0


def test_the_flux_curve_is_the_sources_and_the_comment_comes_with_it(client):
    t1, t2, n = "2019-01-01T00:00:00", "2019-05-01T00:00:00", 40
    products = client.submit("gev_sky", "light_curve", T1=t1, T2=t2, n_bins=n).result(timeout=60)
    (curve,) = products.light_curves.values()
    assert curve.quantity == "FLUX" and len(curve.time) == n and curve.label == "Light curve"
    source = get_source("GX 301-2")
    expected = gev_flux(float(source["flux_mcrab"]), 1.0, 100.0) * variability(
        source, curve.time.mjd)
    flux, error = curve.hdu.data["FLUX"], curve.hdu.data["ERROR"]
    pulls = (flux - expected) / error
    assert abs(np.mean(pulls)) < 4 / np.sqrt(n) and 0.5 < np.std(pulls) < 1.6
    assert Time(t1) < curve.time[0] < curve.time[-1] < Time(t2)
    assert len(products.notes) == 1 and "bins above 3 sigma for GX 301-2" in products.notes[0]


def test_a_map_the_workflow_refuses_fails_the_job_with_the_reason(client):
    job = client.submit("gev_sky", "image", radius=10.0, pixel_size=0.01)
    assert job.wait(timeout=60) is JobStatus.FAILED
    assert "too large" in str(job.error) and "pixel_size" in str(job.error)
