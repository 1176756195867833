"""The sandbox sky: the bundled sources, their spectra and variability."""

import numpy as np
import pytest

from oda_widgets.sandbox.simulate.sky import (
    band_flux,
    get_source,
    load_sources,
    sources_near,
    variability,
)

pytestmark = pytest.mark.sandbox

REQUIRED = [
    "Crab", "1A 0535+262", "OAO 1657-415", "4U 1700-377", "GX 349+2", "GX 354-0",
    "1E 1740.7-2942", "GX 1+4", "H 1705-440", "4U 1735-444", "GRS 1747-312", "GRS 1716-249",
    "IGR J17091-3624", "Cyg X-1", "GRS 1915+105",
]


def test_the_sky_has_at_least_forty_sources_including_the_well_known_ones():
    table = load_sources()
    assert len(table) >= 40
    names = set(table["name"])
    assert set(REQUIRED) <= names
    assert len(names) == len(table)
    assert np.all((table["ra"] >= 0) & (table["ra"] < 360))
    assert np.all(np.abs(table["dec"]) <= 90)


def test_sources_near_finds_the_galactic_centre_sources_nearest_first():
    near = sources_near(265.9785, -29.7452, 1.0)
    assert near["name"][0] == "1E 1740.7-2942"
    assert list(near["offset"]) == sorted(near["offset"])
    assert all(near["offset"] <= 1.0)
    assert "Crab" not in set(near["name"])


def test_crab_is_a_thousand_millicrab_in_the_reference_band():
    crab = get_source("Crab")
    ratio = band_flux(get_source("GX 1+4"), 20, 40) / band_flux(crab, 20, 40)
    assert ratio == pytest.approx(get_source("GX 1+4")["flux_mcrab"] / 1000.0, rel=1e-6)


def test_a_wider_band_gives_more_photons():
    source = get_source("Cyg X-1")
    assert band_flux(source, 20, 100) > band_flux(source, 20, 40) > band_flux(source, 30, 40)


def test_variability_is_deterministic_and_follows_the_kind():
    times = np.linspace(53000, 53010, 500)
    flaring = get_source("4U 1700-377")
    assert np.array_equal(variability(flaring, times), variability(flaring, times))
    assert np.std(variability(flaring, times)) > 0
    crab = variability(get_source("Crab"), times)
    assert np.allclose(crab, crab[0])
    transient = get_source("MAXI J1820+070")
    peak = variability(transient, float(transient["var_epoch_mjd"]))[0]
    quiet = variability(transient, float(transient["var_epoch_mjd"]) - 300)[0]
    assert peak > 50 * quiet
