"""Products by what the server says they are: ``prod_uris`` first, names and EXTNAMEs after.

Answers are those of the sandbox's notebook-workflow instrument (shaped as the nb2workflow
plugin shapes them, compared with the real plugin's in the mmoda tier) and small hand-made ones
for the cases a workflow server can send and the sandbox does not.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from astropy.time import Time
from support.encoding_helpers import encode_binary, encode_hdulist, encode_table

from oda_widgets.client.products.announced import (
    IMAGE,
    LIGHT_CURVE,
    ODA,
    PICTURE,
    SPECTRUM,
    TABLE,
    TEXT,
    Announcements,
    short_uri,
)
from oda_widgets.client.products.kinds import (
    NumpyProduct,
    PictureProduct,
    TableProduct,
    TextProduct,
)
from oda_widgets.client.products.light_curve import LightCurve, time_origin, value_column
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.client.products.sky_image import SkyImage
from oda_widgets.sandbox.simulate import COMMENT_KEY, make_products

pytestmark = pytest.mark.unit

GEV = dict(src_name="GX 301-2", RA=186.6567, DEC=-62.7706, T1="2019-01-01T00:00:00.000",
           T2="2019-03-01T00:00:00.000", radius=4.0, pixel_size=0.2, E1=1.0, E2=100.0,
           n_bins=20)


def _curve_table(name: str = "DATA") -> fits.HDUList:
    table = fits.BinTableHDU.from_columns([
        fits.Column("TIME", "D", unit="d", array=np.array([59000.0, 59001.0, 59002.0])),
        fits.Column("FLUX", "D", unit="erg/cm2/s", array=np.array([1e-11, 2e-11, 1.5e-11])),
        fits.Column("ERROR", "D", unit="erg/cm2/s", array=np.array([1e-12, 1e-12, 1e-12])),
    ], name=name)
    return fits.HDUList([fits.PrimaryHDU(), table])


def _announced(outputs: dict[str, str], labels: dict[str, str] | None = None) -> dict:
    labels = labels or {}
    return {"prod_uris": outputs,
            "extra_metadata": {k: ({"label": labels[k]} if k in labels else {})
                               for k in outputs}}


def test_the_workflow_image_answer_decodes_by_its_classes_with_its_labels():
    answer = make_products("gev_sky", "image", GEV, [])
    products = decode_products(answer, product="image", instrument="gev_sky")
    kinds = {name: (type(item).__name__, item.kind, short_uri(item.uri), item.title)
             for name, item in products.items()}
    assert kinds == {
        "sky_map_0": ("SkyImage", "sky image", "oda:Image", "Counts map"),
        "sources_1": ("TableProduct", "table", "oda:ODAAstropyTable", "Sources in the field"),
        "quicklook_2": ("PictureProduct", "picture", "oda:ODAPictureProduct", "Quick look"),
        "n_detected_3": ("TextProduct", "workflow parameter", "oda:Integer",
                         "Sources detected"),
        "summary_4": ("TextProduct", "text", "oda:ODATextProduct", "Summary"),
    }
    assert products.image is products.sky_map_0 and products.image.wcs is not None
    assert "Sources detected" in repr(products)


def test_a_light_curve_not_named_like_one_is_a_light_curve_when_prod_uris_says_so():
    encoded = encode_hdulist(_curve_table("DATA"), name="measurements")
    plain = decode_products({"numpy_data_product_list": [encoded]}, product="analysis")
    assert type(plain.measurements_0) is NumpyProduct and not plain.light_curves
    said = decode_products({"numpy_data_product_list": [encoded],
                            **_announced({"result": LIGHT_CURVE}, {"result": "Flux"})},
                           product="analysis")
    curve = said.measurements_0
    assert isinstance(curve, LightCurve) and curve.title == "Flux"
    assert (curve.quantity, curve.value_column, curve.error_column) == ("FLUX", "FLUX", "ERROR")
    assert curve.value_unit == "erg/cm2/s"
    assert said.light_curves == {"measurements_0": curve}


def test_oda_apis_own_light_curve_layout_is_recognised_without_prod_uris():
    # older dispatchers send no prod_uris: from_arrays' table "LC" with TIME and FLUX is enough
    products = decode_products({"numpy_data_product_list": [
        encode_hdulist(_curve_table("LC"), name="anything")]})
    assert isinstance(products.anything_0, LightCurve)


def test_what_the_server_says_cannot_be_shown_stays_plain_fits():
    image_without_wcs = fits.HDUList([fits.PrimaryHDU(np.ones((4, 4)))])
    no_table = fits.HDUList([fits.PrimaryHDU(np.ones(3))])
    not_ogip = _curve_table("DATA")
    answer = {"numpy_data_product_list": [encode_hdulist(image_without_wcs, name="a"),
                                          encode_hdulist(no_table, name="b"),
                                          encode_hdulist(not_ogip, name="c")],
              **_announced({"a": IMAGE, "b": LIGHT_CURVE, "c": SPECTRUM})}
    products = decode_products(answer)
    assert [type(p) for p in products.values()] == [NumpyProduct] * 3
    assert [p.uri for p in products.values()] == [IMAGE, LIGHT_CURVE, SPECTRUM]


def test_items_pair_by_position_within_their_list_and_by_name_when_counts_disagree():
    texts = [{"name": "first", "value": 1, "meta_data": {"uri": ODA + "Integer"}},
             {"name": "second", "value": "two"}, {"name": "unannounced", "value": "x"}]
    answer = {"text_product_list": texts,
              "astropy_table_product_ascii_list": [encode_table(Table({"a": [1]}), "own_name")],
              **_announced({"tbl": TABLE, "first": ODA + "Integer", "second": TEXT,
                            "progress": None}, {"tbl": "A table", "second": "Second"})}
    products = decode_products(answer)
    table, first, second, extra = products.values()
    assert isinstance(table, TableProduct) and table.title == "A table"  # by position
    assert first.kind == "workflow parameter" and second.title == "Second"  # by name
    assert extra.announced is None and extra.title == extra.name


def test_the_pairing_rules_themselves():
    announced = Announcements(_announced({"a": PICTURE, "b": PICTURE, "t": TEXT}))
    assert [a.output for a in announced.pair("binary_image_product_list", [{}, {}])] == ["a", "b"]
    assert announced.pair("binary_image_product_list", [{"name": "b"}]) == [
        announced.by_list["binary_image_product_list"][1]]
    assert announced.pair("numpy_data_product_list", [{"name": "x"}]) == [None]
    assert not Announcements({})


def test_a_workflow_comment_is_a_note_of_the_product_set():
    answer = make_products("gev_sky", "light_curve", GEV, [])
    comment = answer.pop(COMMENT_KEY)
    products = decode_products({**answer, "exit_status": {"comment": comment, "warning": ""}})
    assert products.notes == [comment] and "bins above 3 sigma" in comment
    assert decode_products({"exit_status": {"comment": "", "warning": " "}}).notes == []


def test_the_workflow_light_curve_counts_its_mjd_times_in_utc():
    answer = make_products("gev_sky", "light_curve", GEV, [])
    answer.pop(COMMENT_KEY)
    (curve,) = decode_products(answer).light_curves.values()
    assert curve.quantity == "FLUX" and curve.uri == LIGHT_CURVE
    origin = time_origin(curve.hdu)
    assert origin is not None and origin.mjd_utc
    width = (Time(GEV["T2"]) - Time(GEV["T1"])).sec / GEV["n_bins"]
    assert abs((curve.time[0] - Time(GEV["T1"], scale="utc")).sec - width / 2) < 1e-3


@pytest.mark.parametrize(("columns", "found"), [
    (["TIME", "RATE", "ERROR"], ("RATE", "RATE")),
    (["time", "flux", "flux_err"], ("flux", "FLUX")),
    (["TIME", "MAG", "ERROR"], ("MAG", "MAG")),
    (["TIME", "COUNTS", "ERROR"], ("COUNTS", "COUNTS")),
    (["TIME", "FLUX_100_300", "FLUX_100_300_ERR"], ("FLUX_100_300", "FLUX")),
    (["TIME", "BACKV"], None),
])
def test_a_light_curves_values_are_found_by_their_column(columns, found):
    assert value_column(columns) == found


def test_a_time_is_read_as_mjd_only_where_nothing_else_can_be_meant():
    def table(unit: str | None, values: list[float], name: str = "LC", **header) -> fits.BinTableHDU:
        hdu = fits.BinTableHDU.from_columns(
            [fits.Column("TIME", "D", unit=unit, array=np.array(values)),
             fits.Column("RATE", "D", array=np.ones(len(values)))], name=name)
        hdu.header.update(header)
        return hdu

    assert time_origin(table("d", [59000.5, 59001.5])).mjd_utc
    assert time_origin(table(None, [59000.5], name="LIGHTCURVE")).mjd_utc
    assert time_origin(table(None, [59000.5], name="POLAR_LC")) is None  # seconds from T1?
    assert time_origin(table("s", [20000.0, 20001.0])) is None
    assert time_origin(table("d", [0.5, 1.5])) is None  # no MJD: days since what?
    ijd = time_origin(table("d", [6000.0], MJDREF=51544.0, TIMESYS="TT"))
    assert not ijd.mjd_utc and ijd.reference.scale == "tt"


def test_pictures_sent_as_plain_binaries_keep_their_type_in_the_file_name(tmp_path):
    png = make_products("gev_sky", "image", GEV, [])["binary_image_product_list"][0]["b64data"]
    data = base64.urlsafe_b64decode(png)
    products = decode_products({"binary_data_product_list": [encode_binary(data, "plot")]})
    (written,) = products.plot_0.write_fits(tmp_path)
    assert written.name == "plot_0.png" and written.read_bytes() == data
    assert isinstance(decode_products(make_products("gev_sky", "image", GEV, []))
                      .quicklook_2, PictureProduct)
    assert isinstance(decode_products(make_products("gev_sky", "image", GEV, [])).sky_map_0,
                      SkyImage)


def test_text_products_say_what_they_are():
    products = decode_products({"text_product_list": [{"name": "n", "value": 3}]})
    assert isinstance(products.n_0, TextProduct) and products.n_0.kind == "text"
    assert products.n_0.uri is None and products.n_0.label is None
