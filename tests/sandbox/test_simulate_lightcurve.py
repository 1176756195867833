"""Simulated ISGRI and JEM-X light curves."""

import json

import numpy as np
import pytest
from astropy.io import fits
from support import shared
from support.sandbox_products import meta, to_hdulist

from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.pointings import science_windows

pytestmark = pytest.mark.sandbox

PARAMS = dict(RA=255.98, DEC=-37.84, T1="2003-03-15T00:00:00", T2="2003-03-16T00:00:00",
              E1_keV=25.0, E2_keV=80.0, time_bin=600.0, selected_catalog=None,
              catalog_selected_objects=None, src_name="OAO 1657-415")


@pytest.fixture(scope="module")
def scws():
    return science_windows(PARAMS["T1"], PARAMS["T2"], PARAMS["RA"], PARAMS["DEC"], 15.0, 50, None)


@pytest.fixture(scope="module")
def answer(scws):
    return make_products("isgri", "isgri_lc", PARAMS, scws)


def test_one_product_per_source_named_isgri_lc_with_its_source(answer):
    products = answer["numpy_data_product_list"]
    assert products[0]["name"] == "isgri_lc"
    assert meta(products[0])["src_name"] == "OAO 1657-415"
    names = [meta(p)["src_name"] for p in products]
    assert len(names) == len(set(names)) > 1


def test_isgri_columns_units_and_time_keywords(answer):
    hdus = to_hdulist(answer["numpy_data_product_list"][0])
    lc = hdus["ISGR-SRC.-LCR"]
    assert lc.columns.names == ["TIME", "TIMEDEL", "TOT_COUNTS", "BACKV", "BACKE", "RATE", "ERROR",
                                "XAX_E", "FRACEXP"]
    units = {c.name: c.unit for c in lc.columns}
    assert units["TIME"] == "d" and units["TIMEDEL"] == "d"
    assert units["RATE"] == units["ERROR"] == units["BACKV"] == "count/s"
    h = lc.header
    assert h["MJDREF"] == 51544 and h["TIMESYS"] == "TT" and h["TIMEUNIT"] == "d"
    assert h["TIMEREF"] == "LOCAL" and h["NAME"] == "OAO 1657-415"
    assert h["TSTART"] <= lc.data["TIME"].min() and lc.data["TIME"].max() <= h["TSTOP"]


def test_bins_respect_time_bin_and_lie_inside_science_windows(answer, scws):
    lc = to_hdulist(answer["numpy_data_product_list"][0])[1].data
    assert np.allclose(lc["TIMEDEL"] * 86400, 600.0)
    assert np.all((lc["FRACEXP"] > 0) & (lc["FRACEXP"] <= 1.0 + 1e-6))
    windows = [(s.start_mjd - 51544, s.stop_mjd - 51544) for s in scws]
    half = 300.0 / 86400
    for t in lc["TIME"]:
        assert any(lo - half - 0.002 <= t <= hi + half + 0.002 for lo, hi in windows)


def test_rate_follows_the_source_brightness(answer):
    means = {meta(p)["src_name"]: np.mean(to_hdulist(p)[1].data["RATE"])
             for p in answer["numpy_data_product_list"]}
    assert means["4U 1700-377"] > 2 * means["OAO 1657-415"] > 0


@pytest.mark.shared
def test_jemx_light_curve_matches_the_real_jemx_file_columns(scws):
    answer = make_products("jemx", "jemx_lc", {**PARAMS, "E1_keV": 3.0, "E2_keV": 20.0,
                                                "jemx_num": 1}, scws)
    ours = to_hdulist(answer["numpy_data_product_list"][0])["JMX1-SRC.-LCR"]
    path = shared.INTEGRAL / "jemx_lc.fits"
    with fits.open(path) as real:
        theirs = real["JMX1-SRC.-LCR"]
        assert ours.columns.names == theirs.columns.names
        assert [c.format for c in ours.columns] == [c.format for c in theirs.columns]
        assert [c.unit for c in ours.columns] == [c.unit for c in theirs.columns]
        for key in ("MJDREF", "TIMESYS", "TIMEUNIT", "TIMEREF", "TIMEPIXR"):
            assert ours.header[key] == theirs.header[key]


def test_selected_catalog_changes_which_light_curves_come_out(scws):
    catalog = {"cat_frame": "fk5", "cat_coord_units": "deg",
               "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
               "cat_column_list": [[0, 1], ["GX 349+2", "4U 1700-377"], [50.0, 300.0],
                                   [256.4354, 255.9866], [-36.4231, -37.8441]],
               "cat_lat_name": "dec", "cat_lon_name": "ra"}
    products = make_products("isgri", "isgri_lc", {**PARAMS, "selected_catalog": catalog},
                             scws)["numpy_data_product_list"]
    assert [meta(p)["src_name"] for p in products] == ["GX 349+2", "4U 1700-377"]
    products = make_products("isgri", "isgri_lc",
                             {**PARAMS, "selected_catalog": catalog,
                              "catalog_selected_objects": [1]}, scws)["numpy_data_product_list"]
    assert [meta(p)["src_name"] for p in products] == ["4U 1700-377"]


def test_light_curves_are_deterministic(answer, scws):
    again = make_products("isgri", "isgri_lc", PARAMS, scws)
    assert json.dumps(again, sort_keys=True) == json.dumps(answer, sort_keys=True)


def test_time_bin_above_the_real_limit_is_refused(scws):
    with pytest.raises(ValueError, match="time_bin"):
        make_products("isgri", "isgri_lc", {**PARAMS, "time_bin": 5000.0}, scws)
