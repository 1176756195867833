"""The sandbox's sky is one model: a source's 20-40 keV rate is the same in its spectrum, its
light curve and the mosaic of the same science windows, within the noise of each.

Asked over HTTP for the class's field (4U 1700-377, 2003-03-15/16), as a user would; each source's
rates are compared pairwise with the errors each product states.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.wcs import WCS

from oda_widgets.analysis.channels import channel_spectrum
from oda_widgets.client.dispatcher import Dispatcher

pytestmark = pytest.mark.sandbox

FIELD = dict(RA=255.986542, DEC=-37.844167, T1="2003-03-15T23:27:40.0",
             T2="2003-03-16T00:03:15.0", E1_keV=20.0, E2_keV=40.0)
BAND = (20.0, 40.0)


@pytest.fixture(scope="module")
def products():
    from oda_widgets.sandbox import start_sandbox

    server = start_sandbox(port=0, duration=0)
    dispatcher = Dispatcher(url=server.url, token="", registry=False)
    try:
        asked = {kind: dispatcher.submit("isgri", kind, **FIELD, **extra)
                 for kind, extra in (("isgri_image", {}), ("isgri_spectrum", {}),
                                     ("isgri_lc", {"time_bin": 100.0}))}
        yield {kind: job.result(timeout=120) for kind, job in asked.items()}
    finally:
        dispatcher.close()
        server.stop()


def _spectrum_rate(spectrum) -> tuple[float, float]:
    """counts/s in the channels of the band, and its error."""
    channels = channel_spectrum(spectrum)
    inside = (channels.e_hi > BAND[0]) & (channels.e_lo < BAND[1])
    return float(channels.rate[inside].sum()), float(np.sqrt((channels.error[inside] ** 2).sum()))


def _light_curve_rate(light_curve) -> tuple[float, float]:
    """The weighted mean rate of the curve's bins, and its error."""
    rate = np.asarray(light_curve.hdu.data["RATE"], float)
    error = np.asarray(light_curve.hdu.data["ERROR"], float)
    weights = 1.0 / error**2
    return float(np.sum(weights * rate) / weights.sum()), float(1.0 / np.sqrt(weights.sum()))


def _image_rate(image, ra: float, dec: float) -> tuple[float, float]:
    """The mosaic's intensity at the source's pixel, and its error (the variance map's)."""
    intensity, variance = image.extensions["INTENSITY"], image.extensions["VARIANCE"]
    x, y = WCS(intensity.header).all_world2pix([[ra, dec]], 0)[0]
    iy, ix = int(round(y)), int(round(x))
    return float(intensity.data[iy, ix]), float(np.sqrt(variance.data[iy, ix]))


def _pull(a: tuple[float, float], b: tuple[float, float]) -> float:
    return abs(a[0] - b[0]) / np.hypot(a[1], b[1])


def test_a_sources_rate_in_its_spectrum_and_its_light_curve_agree(products):
    spectra, curves = products["isgri_spectrum"].spectra, products["isgri_lc"].light_curves
    assert sorted(spectra) == sorted(curves) and len(spectra) == 5
    pulls = {name: _pull(_spectrum_rate(spectra[name]), _light_curve_rate(curves[name]))
             for name in spectra}
    assert max(pulls.values()) < 3.0, pulls
    # the brightest in one is the brightest in the other (4U 1700-377 was the faintest curve)
    brightest = max(spectra, key=lambda n: _spectrum_rate(spectra[n])[0])
    assert brightest == max(curves, key=lambda n: _light_curve_rate(curves[n])[0])


def test_the_mosaic_shows_each_source_at_the_rate_of_its_spectrum(products):
    image, catalog = products["isgri_image"].image, products["isgri_image"].catalog
    spectra = products["isgri_spectrum"].spectra
    for row in catalog.table:
        name = str(row["src_names"])
        pull = _pull(_image_rate(image, float(row["ra"]), float(row["dec"])),
                     _spectrum_rate(spectra[name]))
        assert pull < 3.5, (name, pull)
