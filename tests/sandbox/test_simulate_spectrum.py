"""Simulated spectra: PHA, ARF and RMF per source, consistent with each other."""

import json

import numpy as np
import pytest
from support import shared
from support.sandbox_products import meta, to_hdulist

from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.extraction import sources_to_extract
from oda_widgets.sandbox.simulate.instruments import ISGRI
from oda_widgets.sandbox.simulate.pointings import science_windows
from oda_widgets.sandbox.simulate.response import isgri_response
from oda_widgets.sandbox.simulate.sky import photon_spectrum
from oda_widgets.sandbox.simulate.spectrum import background_count_rate

pytestmark = pytest.mark.sandbox

PARAMS = dict(RA=83.63, DEC=22.01, T1="2008-03-01T00:00:00", T2="2008-04-30T00:00:00",
              E1_keV=20.0, E2_keV=80.0, selected_catalog=None, catalog_selected_objects=None,
              src_name="Crab")


@pytest.fixture(scope="module")
def scws():
    return science_windows(PARAMS["T1"], PARAMS["T2"], PARAMS["RA"], PARAMS["DEC"], 10.0, 10, None)


@pytest.fixture(scope="module")
def answer(scws):
    return make_products("isgri", "isgri_spectrum", PARAMS, scws)


def test_three_products_per_source_named_as_oda_api_expects(answer):
    products = answer["numpy_data_product_list"]
    assert len(products) % 3 == 0
    kinds = [meta(p)["product"] for p in products]
    assert kinds[:3] == ["isgri_spectrum", "isgri_arf", "isgri_rmf"]
    assert meta(products[0])["src_name"] == "Crab"
    assert {meta(p)["src_name"] for p in products[:3]} == {"Crab"}


def test_pha_arf_rmf_grids_agree(answer):
    pha, arf, rmf = (to_hdulist(p) for p in answer["numpy_data_product_list"][:3])
    spectrum = pha["SPECTRUM"]
    assert spectrum.header["HDUCLAS1"] == "SPECTRUM"
    assert spectrum.columns.names == ["CHANNEL", "RATE", "SYS_ERR", "STAT_ERR", "QUALITY",
                                      "GROUPING"]
    ebounds, matrix = rmf["EBOUNDS"], rmf["SPECRESP MATRIX"]
    assert len(spectrum.data) == len(ebounds.data) == ebounds.header["DETCHANS"] == 256
    assert np.array_equal(spectrum.data["CHANNEL"], ebounds.data["CHANNEL"])
    assert np.array_equal(arf["SPECRESP"].data["ENERG_LO"], matrix.data["ENERG_LO"])
    assert np.array_equal(arf["SPECRESP"].data["ENERG_HI"], matrix.data["ENERG_HI"])
    assert matrix.columns["MATRIX"].format.startswith("PE")


@pytest.mark.shared
def test_rmf_structure_matches_the_real_isgri_rmf(answer):
    from astropy.io import fits

    path = shared.INTEGRAL / "isgri_rmf_Crab.fits"
    ours = to_hdulist(answer["numpy_data_product_list"][2])
    with fits.open(path) as real:
        for name in ("EBOUNDS", "SPECRESP MATRIX"):
            assert ours[name].columns.names == real[name].columns.names
            assert len(ours[name].data) == len(real[name].data)
        assert np.allclose(ours["EBOUNDS"].data["E_MIN"], real["EBOUNDS"].data["E_MIN"])
        assert np.allclose(ours["EBOUNDS"].data["E_MAX"], real["EBOUNDS"].data["E_MAX"])
        assert np.array_equal(ours["SPECRESP MATRIX"].data["N_CHAN"],
                              real["SPECRESP MATRIX"].data["N_CHAN"])
        assert ours["SPECRESP MATRIX"].data["ENERG_LO"][0] == pytest.approx(
            real["SPECRESP MATRIX"].data["ENERG_LO"][0], rel=1e-5)


def test_counts_are_the_spectrum_folded_through_arf_and_rmf(answer, scws):
    pha, arf, rmf = (to_hdulist(p) for p in answer["numpy_data_product_list"][:3])
    exposure = pha["SPECTRUM"].header["EXPOSURE"]
    measured = pha["SPECTRUM"].data["RATE"].sum() * exposure
    (view,) = [v for v in sources_to_extract(PARAMS, ISGRI, isgri_response(), scws)
               if v.source.name == "Crab"]
    lo, hi = arf["SPECRESP"].data["ENERG_LO"], arf["SPECRESP"].data["ENERG_HI"]
    flux = photon_spectrum(view.source.row, 0.5 * (lo + hi)) * (hi - lo) * view.mean_variability
    matrix = np.array(rmf["SPECRESP MATRIX"].data["MATRIX"].tolist())
    expected = (flux * arf["SPECRESP"].data["SPECRESP"]) @ matrix * exposure
    background = background_count_rate("isgri", isgri_response()) * exposure
    noise = np.sqrt(expected.sum() + background.sum())
    assert abs(measured - expected.sum()) < 5 * noise
    # and channel by channel, within the Poisson noise of source plus background
    counts = pha["SPECTRUM"].data["RATE"] * exposure
    pulls = (counts - expected) / np.sqrt(expected + background)
    assert np.abs(pulls).max() < 6
    assert abs(pulls.mean()) < 0.3


def test_selected_catalog_decides_which_sources_are_extracted(scws):
    catalog = {"cat_frame": "fk5", "cat_coord_units": "deg",
               "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
               "cat_column_list": [[3, 7], ["Crab", "My source"], [100.0, 10.0],
                                   [83.6331, 84.7274], [22.0145, 26.3158]],
               "cat_lat_name": "dec", "cat_lon_name": "ra"}
    products = make_products("isgri", "isgri_spectrum", {**PARAMS, "selected_catalog": catalog},
                             scws)["numpy_data_product_list"]
    assert [meta(p)["src_name"] for p in products[::3]] == ["Crab", "My source"]
    only = make_products("isgri", "isgri_spectrum",
                         {**PARAMS, "selected_catalog": catalog, "catalog_selected_objects": "7"},
                         scws)["numpy_data_product_list"]
    assert [meta(p)["src_name"] for p in only[::3]] == ["My source"]


def test_jemx_spectrum_products(scws):
    products = make_products("jemx", "jemx_spectrum", {**PARAMS, "E1_keV": 3.0, "E2_keV": 20.0},
                             scws)["numpy_data_product_list"]
    assert [meta(p)["product"] for p in products[:3]] == ["jemx_spectrum", "jemx_arf", "jemx_rmf"]
    pha, arf, rmf = (to_hdulist(p) for p in products[:3])
    assert len(pha["SPECTRUM"].data) == len(rmf["EBOUNDS"].data)
    assert np.array_equal(arf["SPECRESP"].data["ENERG_LO"], rmf["SPECRESP MATRIX"].data["ENERG_LO"])


def test_spectra_are_deterministic(scws, answer):
    again = make_products("isgri", "isgri_spectrum", PARAMS, scws)
    assert json.dumps(again, sort_keys=True) == json.dumps(answer, sort_keys=True)
