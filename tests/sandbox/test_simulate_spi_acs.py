"""Simulated SPI-ACS light curves."""

import json

import numpy as np
import pytest
from support.sandbox_products import meta, to_hdulist

from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.spi_acs import _bursts

pytestmark = pytest.mark.sandbox

PARAMS = dict(T1="2008-03-01T00:00:00", T2="2008-03-01T02:00:00", time_bin=0.05,
              RA=83.63, DEC=22.01)


def _table(params):
    (product,) = make_products("spi_acs", "spi_acs_lc", params, [])["numpy_data_product_list"]
    return product, to_hdulist(product)["RATE"]


def test_rate_table_shaped_like_the_real_plugin():
    product, table = _table(PARAMS)
    assert table.columns.names == ["TIME", "RATE", "ERROR"]
    assert {c.name: c.unit for c in table.columns} == {"TIME": "s", "RATE": "count/s",
                                                       "ERROR": "count/s"}
    assert meta(product)["src_name"] == "query"
    assert table.header["INSTRUME"] == "SPI-ACS" and table.header["MJDREF"] == 51544
    assert len(table.data) == 2 * 3600 / 0.05


def test_mean_rate_is_about_75000_with_poisson_noise():
    _, table = _table(PARAMS)
    rate = table.data["RATE"]
    assert np.median(rate) == pytest.approx(75000, rel=0.05)
    expected_sigma = np.sqrt(75000 * 0.05) / 0.05
    assert np.median(table.data["ERROR"]) == pytest.approx(expected_sigma, rel=0.05)


@pytest.mark.parametrize("asked, used", [(0.05, 0.05), (1.0, 1.0), (0.12, 0.1), (0.01, 0.05)])
def test_bins_are_multiples_of_50_ms(asked, used):
    product, table = _table({**PARAMS, "time_bin": asked})
    steps = np.diff(table.data["TIME"])[:-1]
    assert np.allclose(steps, used)
    assert meta(product)["time_bin"] == pytest.approx(used)
    assert table.header["TIMEDEL"] == pytest.approx(used)


def test_bursts_show_as_spikes_above_the_background():
    # find a burst in the deterministic sky and ask for the minute around it
    hour = next(h for h in range(72_000, 82_000) if _bursts(h * 3600.0, h * 3600.0 + 1))
    start = next(b for b in _bursts(hour * 3600.0, hour * 3600.0 + 1) if b[0] > hour * 3600.0)[0]
    from astropy.time import Time

    t0 = Time(51544 + (start - 10) / 86400, format="mjd", scale="tt").utc.isot
    t1 = Time(51544 + (start + 60) / 86400, format="mjd", scale="tt").utc.isot
    _, table = _table({**PARAMS, "T1": t0, "T2": t1, "time_bin": 0.5})
    rate = table.data["RATE"]
    assert rate.max() > 75000 + 10 * np.median(table.data["ERROR"])


def test_spi_acs_is_deterministic():
    a = make_products("spi_acs", "spi_acs_lc", PARAMS, [])
    b = make_products("spi_acs", "spi_acs_lc", PARAMS, [])
    assert json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
