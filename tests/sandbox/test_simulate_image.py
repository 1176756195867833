"""Simulated mosaics and their catalogs."""

import json

import numpy as np
import pytest
from astropy.wcs import WCS
from support import shared
from support.sandbox_products import to_hdulist

from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.pointings import science_windows

pytestmark = pytest.mark.sandbox

PARAMS = dict(RA=255.98, DEC=-37.84, T1="2003-03-15T00:00:00", T2="2003-03-16T00:00:00",
              E1_keV=25.0, E2_keV=40.0, detection_threshold=7.0, selected_catalog=None,
              catalog_selected_objects=None, src_name="4U 1700-377")


@pytest.fixture(scope="module")
def scws():
    return science_windows(PARAMS["T1"], PARAMS["T2"], PARAMS["RA"], PARAMS["DEC"], 15.0, 50, None)


@pytest.fixture(scope="module")
def answer(scws):
    return make_products("isgri", "isgri_image", PARAMS, scws)


def _rows(catalog):
    return [dict(zip(catalog["cat_column_names"], row, strict=True))
            for row in zip(*catalog["cat_column_list"], strict=True)]


def test_mosaic_is_laid_out_like_osa_with_significance_in_data_unit_four(answer):
    (product,) = answer["numpy_data_product_list"]
    assert product["name"] == "mosaic_image"
    assert json.loads(product["meta_data"])["product"] == "mosaic"
    hdus = to_hdulist(product)
    assert [h.header.get("IMATYPE") for h in hdus[2:]] == [
        "INTENSITY", "VARIANCE", "SIGNIFICANCE", "EXPOSURE"]
    assert hdus[4].header["EXTNAME"] == "ISGR-MOSA-IMA"
    assert hdus[4].header["CTYPE1"] == "RA---TAN"
    # 4.94 arcmin pixels, as the real ISGRI mosaic
    assert abs(WCS(hdus[4].header).proj_plane_pixel_scales()[0].value) == pytest.approx(
        0.0823, rel=0.01)


def test_each_catalog_source_sits_on_its_pixel_peak(answer):
    hdus = to_hdulist(answer["numpy_data_product_list"][0])
    significance = hdus[4].data
    wcs = WCS(hdus[4].header)
    rows = _rows(answer["catalog"])
    isolated = [
        r for r in rows if r["significance"] > 20 and all(
            np.hypot(r["ra"] - o["ra"], r["dec"] - o["dec"]) > 0.4 for o in rows if o is not r)
    ]
    assert len(isolated) >= 3
    for row in rows:
        x, y = wcs.all_world2pix([[row["ra"], row["dec"]]], 0)[0]
        assert significance[int(round(y)), int(round(x))] == pytest.approx(row["significance"],
                                                                          rel=1e-5)
    for row in isolated:
        x, y = wcs.all_world2pix([[row["ra"], row["dec"]]], 0)[0]
        ix, iy = int(round(x)), int(round(y))
        patch = significance[iy - 2: iy + 3, ix - 2: ix + 3]
        assert significance[iy, ix] == pytest.approx(patch.max())


def test_only_detections_above_the_threshold_are_listed(scws):
    for threshold in (7.0, 30.0):
        rows = _rows(make_products("isgri", "isgri_image",
                                   {**PARAMS, "detection_threshold": threshold}, scws)["catalog"])
        assert all(r["significance"] > threshold for r in rows)
    assert len(_rows(make_products("isgri", "isgri_image", PARAMS, scws)["catalog"])) > len(rows)


def test_bright_known_sources_are_named_in_the_catalog(answer):
    names = {r["src_names"] for r in _rows(answer["catalog"])}
    assert {"4U 1700-377", "OAO 1657-415", "GX 349+2"} <= names


@pytest.mark.shared
def test_catalog_shape_equals_the_real_captured_catalog(answer):
    path = shared.CAPTURES_136 / "catalog.exchange.json"
    exchanges = json.loads(path.read_text())
    real = next(e["resp"]["products"]["catalog"] for e in exchanges
                if isinstance(e.get("resp"), dict) and "catalog" in e["resp"].get("products", {}))
    ours = answer["catalog"]
    assert set(ours) == set(real)
    assert ours["cat_column_names"] == real["cat_column_names"]
    assert [d[1][:2] for d in ours["cat_column_descr"]] == [d[1][:2] for d in real["cat_column_descr"]]
    for our_col, real_col in zip(ours["cat_column_list"], real["cat_column_list"], strict=True):
        assert {type(v) for v in our_col} == {type(v) for v in real_col}


def test_same_parameters_give_identical_bytes(scws):
    first = json.dumps(make_products("isgri", "isgri_image", PARAMS, scws), sort_keys=True)
    again = json.dumps(make_products("isgri", "isgri_image", PARAMS, scws), sort_keys=True)
    assert first == again
    other = json.dumps(make_products("isgri", "isgri_image", {**PARAMS, "E1_keV": 30.0}, scws),
                       sort_keys=True)
    assert other != first


def test_energy_band_changes_the_flux(scws):
    def intensity_of(name, e1, e2):
        answer = make_products("isgri", "isgri_image", {**PARAMS, "E1_keV": e1, "E2_keV": e2}, scws)
        hdus = to_hdulist(answer["numpy_data_product_list"][0])
        row = next(r for r in _rows(answer["catalog"]) if r["src_names"] == name)
        x, y = WCS(hdus[2].header).all_world2pix([[row["ra"], row["dec"]]], 0)[0]
        return hdus[2].data[int(round(y)), int(round(x))]

    assert intensity_of("4U 1700-377", 25, 80) > 1.3 * intensity_of("4U 1700-377", 25, 40)


def test_selected_catalog_decides_which_sources_are_fitted(answer, scws):
    full = answer["catalog"]
    rows = _rows(full)
    keep = [r for r in rows if r["src_names"] != "OAO 1657-415" and not r["src_names"].startswith("NEW")]
    edited = {**full, "cat_column_list": [[r[c] for r in keep] for c in full["cat_column_names"]]}
    again = _rows(make_products("isgri", "isgri_image", {**PARAMS, "selected_catalog": edited},
                                scws)["catalog"])
    names = [r["src_names"] for r in again]
    assert "OAO 1657-415" not in names
    # the source is still in the sky: it comes back as a new detection at its position
    new = [r for r in again if r["src_names"].startswith("NEW_")]
    assert any(abs(r["ra"] - 255.2038) < 0.2 and abs(r["dec"] + 41.656) < 0.2 for r in new)
    only = _rows(make_products("isgri", "isgri_image",
                               {**PARAMS, "selected_catalog": full,
                                "catalog_selected_objects": [keep[0]["meta_ID"]]},
                               scws)["catalog"])
    assert [r["meta_ID"] for r in only if not r["src_names"].startswith("NEW_")] == [keep[0]["meta_ID"]]


def test_jemx_mosaic_has_finer_pixels(scws):
    answer = make_products("jemx", "jemx_image", {**PARAMS, "E1_keV": 3.0, "E2_keV": 20.0,
                                                  "jemx_num": 1}, scws)
    hdus = to_hdulist(answer["numpy_data_product_list"][0])
    assert hdus[4].header["EXTNAME"] == "JMX1-MOSA-IMA"
    assert abs(WCS(hdus[4].header).proj_plane_pixel_scales()[0].value) < 0.05
    assert np.isfinite(hdus[4].data).all()
