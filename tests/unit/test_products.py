"""Decoding real and dispatcher-encoded products into astropy objects with oda_api's names."""

from __future__ import annotations

import base64
import json
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from astropy.table import Table
from astropy.time import Time
from support import shared
from support.encoding_helpers import (
    encode_binary,
    encode_hdulist,
    encode_picture,
    encode_table,
)
from support.odaapi_encoder import encode_with_odaapi

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.errors import ProductDecodeError, UnsafePayload
from oda_widgets.client.products.product_set import (
    BinaryProduct,
    LightCurve,
    NumpyProduct,
    PictureProduct,
    ProductSet,
    SkyImage,
    Spectrum,
    TableProduct,
    TextProduct,
    decode_products,
)

pytestmark = pytest.mark.unit

OLD = shared.CAPTURES_133
NEW = shared.CAPTURES_136
INTEGRAL = shared.INTEGRAL


def _png() -> bytes:
    """A valid 1x1 grey PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def _old_answers() -> list[Path]:
    return sorted(p for p in OLD.glob("*.json") if "numpy_data_product_list" in p.read_text())


def _full_numerical_product() -> dict:
    """The complete numerical product of the 1.3.3 capture (the 1.3.6 captures cut the pickle)."""
    answer = json.loads((OLD / "11_run_empty_numerical_Dummy_token_done.json").read_text())
    return answer["products"]["numpy_data_product_list"][0]


# -- real captures ---------------------------------------------------------------------------


@pytest.mark.shared
def test_every_product_answer_of_dispatcher_1_3_3_decodes_as_oda_api_named_it():
    files = _old_answers()
    assert files, f"no product answers in {OLD}"
    for path in files:
        answer = json.loads(path.read_text())
        products = decode_products(answer["products"], product="numerical", instrument="empty")
        # odaapi_transcript.txt: as_list[0] prod_name numerical_0, data (100, 100) float64
        assert products.names == ["numerical_0"], path.name
        item = products.numerical_0
        assert isinstance(item, NumpyProduct) and not isinstance(item, SkyImage)
        data = item.hdulist[1].data
        assert data.shape == (100, 100) and data.dtype == np.float64
        assert item.hdulist[1].name == "TABLE"


@pytest.mark.shared
def test_transcript_agrees_on_the_names():
    transcript = (OLD / "odaapi_transcript.txt").read_text()
    assert "'prod_name': 'numerical_0'" in transcript
    assert "shape=(100, 100) dtype=float64" in transcript


@pytest.mark.shared
def test_every_done_answer_without_products_decodes_to_an_empty_set():
    for path in sorted(OLD.glob("*.json")):
        answer = json.loads(path.read_text())
        if not isinstance(answer, dict) or not isinstance(answer.get("products"), dict):
            continue
        products = decode_products(answer["products"], product="dummy")
        assert isinstance(products, ProductSet)
        if "numpy_data_product_list" not in answer["products"]:
            assert len(products) == 0, path.name


@pytest.mark.shared
def test_dispatcher_1_3_6_catalog_answer_decodes_with_oda_api_names():
    exchange = json.loads((NEW / "catalog.exchange.json").read_text())
    products = dict(exchange[1]["resp"]["products"])
    products["numpy_data_product_list"] = [_full_numerical_product()]
    result = decode_products(products, product="numerical", instrument="empty")
    assert result.names == ["numerical_0", "dispatcher_catalog_1"]
    assert isinstance(result.catalog, Catalog) and result.catalog is result.dispatcher_catalog_1
    assert result.catalog.to_dict() == products["catalog"]
    assert result.catalog.names == ["GRS 1915+105", "MAXI J1820+070"]


@pytest.mark.shared
def test_dispatcher_1_3_6_truncated_capture_is_reported_as_damaged_not_unsafe():
    exchange = json.loads((NEW / "numerical.exchange.json").read_text())
    with pytest.raises(ProductDecodeError, match="damaged or truncated"):
        decode_products(exchange[1]["resp"]["products"], product="numerical")


@pytest.mark.shared
def test_tokens_are_removed_from_parameters_and_api_code():
    exchange = json.loads((NEW / "catalog.exchange.json").read_text())
    products = dict(exchange[1]["resp"]["products"])
    products["numpy_data_product_list"] = [_full_numerical_product()]
    token = products["analysis_parameters"]["token"].split("...")[0]
    result = decode_products(products, product="numerical")
    assert token[:40] not in json.dumps(result.analysis_parameters)
    assert result.analysis_parameters["RA"] == 265.97845833
    assert result.api_code and "eyJ" not in result.api_code
    assert "eyJ" not in repr(result.extras)


# -- INTEGRAL products encoded by oda_api, as the dispatcher's plugins encode them --------------


@pytest.mark.shared
def test_mosaic_is_a_sky_image_with_a_working_wcs(tmp_path):
    path = INTEGRAL / "isgri_mosaic_1E1740.7-2942_25-40keV.fits.gz"
    original = fits.open(path)
    [encoded] = encode_with_odaapi((path, "mosaic_image", {"product": "mosaic"}))
    products = decode_products({"numpy_data_product_list": [encoded]}, product="isgri_image")
    assert products.names == ["mosaic_image_0_mosaic"]
    image = products.image
    assert isinstance(image, SkyImage) and image is products.mosaic_image_0_mosaic
    header = original[0].header
    sky = image.wcs.pixel_to_world(header["CRPIX1"] - 1, header["CRPIX2"] - 1)
    assert sky.ra.deg == pytest.approx(header["CRVAL1"]) and sky.dec.deg == pytest.approx(
        header["CRVAL2"]
    )
    assert np.array_equal(image.significance, original[0].data, equal_nan=True)
    [path] = image.write_fits(tmp_path)
    with fits.open(path) as back:
        assert np.array_equal(back[0].data, original[0].data, equal_nan=True)
        assert back[0].header["CTYPE1"] == "RA---TAN" and back[0].header["MJDREF"] == 51544.0


@pytest.mark.shared
def test_isgri_style_mosaic_extensions_are_found_by_kind(tmp_path):
    original = fits.open(INTEGRAL / "isgri_mosaic_1E1740.7-2942_25-40keV.fits.gz")
    base = original[0]
    hdus = [fits.PrimaryHDU()]
    for factor, kind in enumerate(("INTENSITY", "VARIANCE", "SIGNIFICANCE", "EXPOSURE"), 1):
        hdu = fits.ImageHDU(
            data=base.data * factor, header=base.header.copy(), name="ISGR-MOSA-IMA"
        )
        hdu.header["IMATYPE"] = kind
        hdus.append(hdu)
    fits.HDUList(hdus).writeto(tmp_path / "mosaic.fits")
    # no meta_data: recognised by its EXTNAME alone
    [encoded] = encode_with_odaapi((tmp_path / "mosaic.fits", "mosaic_image", None))
    image = decode_products({"numpy_data_product_list": [encoded]}).image
    assert list(image.extensions) == ["INTENSITY", "VARIANCE", "SIGNIFICANCE", "EXPOSURE"]
    assert np.array_equal(image.significance, base.data * 3, equal_nan=True)
    assert np.array_equal(image.intensity, base.data, equal_nan=True)
    assert image.extension("EXPOSURE").header["IMATYPE"] == "EXPOSURE"
    assert image.wcs.has_celestial


@pytest.mark.shared
def test_jemx_light_curve_has_units_source_and_times(tmp_path):
    path = INTEGRAL / "jemx_lc.fits"
    original = fits.open(path)
    [encoded] = encode_with_odaapi((path, None, {"src_name": "GRB 221009A"}))
    products = decode_products({"numpy_data_product_list": [encoded]}, product="jemx_lc")
    assert products.names == ["jemx_lc_0_GRB221009A"]
    lc = products.light_curves["GRB 221009A"]
    assert isinstance(lc, LightCurve) and lc.source == "GRB 221009A"
    assert len(lc.table) == 198 and "RATE" in lc.table.colnames
    time = lc.time
    assert isinstance(time, Time) and time.scale == "tt"
    expected = 51544.0 + original[1].data["TIME"][0]
    assert time[0].mjd == pytest.approx(expected, abs=1e-9)
    [path] = lc.write_fits(tmp_path / "lc.fits")
    with fits.open(path) as back:
        assert back[1].name == "JMX1-SRC.-LCR" and back[1].header["TIMEUNIT"] == "d"
        assert np.array_equal(back[1].data["RATE"], original[1].data["RATE"])
        assert "CHECKSUM" not in back[1].header  # the original's checksum no longer applies


def _pha_and_arf(rmf: fits.HDUList) -> tuple[fits.HDUList, fits.HDUList]:
    channels = rmf["EBOUNDS"].data["CHANNEL"]
    rate = np.linspace(1.0, 0.01, len(channels)).astype("f4")
    pha = fits.BinTableHDU.from_columns(
        [
            fits.Column(name="CHANNEL", format="I", array=channels),
            fits.Column(name="RATE", format="E", unit="count/s", array=rate),
            fits.Column(name="STAT_ERR", format="E", unit="count/s", array=rate * 0.1),
            fits.Column(name="SYS_ERR", format="E", array=np.zeros(len(channels), "f4")),
        ],
        name="ISGR-PHA1-SPE",
    )
    for key, value in {
        "HDUCLASS": "OGIP", "HDUCLAS1": "SPECTRUM", "HDUCLAS2": "TOTAL", "HDUCLAS3": "RATE",
        "TELESCOP": "INTEGRAL", "INSTRUME": "IBIS", "DETCHANS": len(channels), "CHANTYPE": "PI",
        "EXPOSURE": 10000.0, "POISSERR": False, "BACKSCAL": 1.0, "AREASCAL": 1.0,
        "RESPFILE": "somewhere/else.rmf", "ANCRFILE": "somewhere/else.arf",
    }.items():  # fmt: skip
        pha.header[key] = value
    matrix = rmf["SPECRESP MATRIX"].data
    arf = fits.BinTableHDU.from_columns(
        [
            fits.Column(name="ENERG_LO", format="E", unit="keV", array=matrix["ENERG_LO"]),
            fits.Column(name="ENERG_HI", format="E", unit="keV", array=matrix["ENERG_HI"]),
            fits.Column(name="SPECRESP", format="E", unit="cm2", array=np.full(len(matrix), 500.0)),
        ],
        name="SPECRESP",
    )
    for key, value in {"HDUCLASS": "OGIP", "HDUCLAS1": "RESPONSE", "HDUCLAS2": "SPECRESP"}.items():
        arf.header[key] = value
    return fits.HDUList([fits.PrimaryHDU(), pha]), fits.HDUList([fits.PrimaryHDU(), arf])


@pytest.mark.shared
def test_spectrum_with_real_rmf_writes_three_ogip_files(tmp_path):
    rmf_path = INTEGRAL / "isgri_rmf_Crab.fits"
    rmf = fits.open(rmf_path)
    pha, arf = _pha_and_arf(rmf)
    pha.writeto(tmp_path / "in.pha")
    arf.writeto(tmp_path / "in.arf")
    parts = encode_with_odaapi(*(
        (path, None, {"src_name": "Crab", "product": f"isgri_{kind}"})
        for path, kind in ((tmp_path / "in.pha", "spectrum"), (tmp_path / "in.arf", "arf"),
                           (rmf_path, "rmf"))
    ))
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    products = decode_products({"numpy_data_product_list": parts}, product="isgri_spectrum")
    assert products.names == [
        "isgri_spectrum_0_Crab_isgri_spectrum",
        "isgri_spectrum_1_Crab_isgri_arf",
        "isgri_spectrum_2_Crab_isgri_rmf",
    ]
    spectrum = products.spectra["Crab"]
    assert isinstance(spectrum, Spectrum) and spectrum.source == "Crab"
    assert spectrum.arf is products.isgri_spectrum_1_Crab_isgri_arf.hdulist
    assert spectrum.rmf is products.isgri_spectrum_2_Crab_isgri_rmf.hdulist

    pha_path, arf_path, rmf_path = spectrum.write_fits(tmp_path / "crab.pha", systematic=0.02)
    assert pha_path.parent == arf_path.parent == rmf_path.parent == tmp_path
    with fits.open(pha_path) as written:
        spec = written["ISGR-PHA1-SPE"]
        assert spec.header["RESPFILE"] == rmf_path.name
        assert spec.header["ANCRFILE"] == arf_path.name
        assert np.allclose(spec.data["SYS_ERR"], 0.02)
        for key in ("HDUCLASS", "HDUCLAS1", "EXPOSURE", "DETCHANS", "CHANTYPE", "POISSERR",
                    "BACKFILE", "BACKSCAL", "AREASCAL"):  # fmt: skip
            assert key in spec.header, key
        channels = spec.data["CHANNEL"]
    with fits.open(rmf_path) as written:
        assert np.array_equal(written["EBOUNDS"].data["CHANNEL"], channels)
        matrix = written["SPECRESP MATRIX"]
        # variable-length column keeps a TFORM XSPEC can parse, and its values
        assert re.fullmatch(r"1?PE\(\d+\)", matrix.header["TFORM6"])
        original = rmf["SPECRESP MATRIX"].data["MATRIX"]
        assert np.allclose(matrix.data["MATRIX"][100], original[100])
    with fits.open(arf_path) as written:
        assert len(written["SPECRESP"].data) == len(rmf["SPECRESP MATRIX"].data)
    with pytest.raises(FileExistsError):
        spectrum.write_fits(tmp_path / "crab.pha")


@pytest.mark.shared
def test_spectrum_without_sys_err_column_gets_the_keyword(tmp_path):
    rmf = fits.open(INTEGRAL / "isgri_rmf_Crab.fits")
    pha, _ = _pha_and_arf(rmf)
    pha[1].columns.del_col("SYS_ERR")
    pha = fits.HDUList(
        [fits.PrimaryHDU(), fits.BinTableHDU(data=pha[1].data, header=pha[1].header)]
    )
    pha.writeto(tmp_path / "in.pha")
    [part] = encode_with_odaapi(
        (tmp_path / "in.pha", None, {"src_name": "Crab", "product": "jemx_spectrum"}))
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    spectrum = decode_products({"numpy_data_product_list": [part]}).spectra["Crab"]
    [path] = spectrum.write_fits(tmp_path, systematic=0.01)
    with fits.open(path) as written:
        assert written[1].header["SYS_ERR"] == 0.01
        assert written[1].header["RESPFILE"] == "NONE" and written[1].header["ANCRFILE"] == "NONE"


# -- every product key, naming, and files ---------------------------------------------------------


def _synthetic_products() -> dict:
    """One of every product kind, as in the protocol's captured synthetic round trip."""
    lc = fits.HDUList(
        [
            fits.PrimaryHDU(),
            fits.BinTableHDU.from_columns(
                [
                    fits.Column(name="TIME", format="D", array=[1.0, 2.0]),
                    fits.Column(name="RATE", format="E", array=[3.0, 4.0]),
                ],  # fmt: skip
                name="ISGR-SRC.-LCR",
            ),
        ]
    )
    lc[1].header["MJDREF"] = 51544.0
    image = fits.HDUList([fits.PrimaryHDU(data=np.arange(6.0).reshape(2, 3))])
    table = Table({"a": [1, 2], "b": ["x", "yy"]})
    return {
        "numpy_data_product_list": [
            encode_hdulist(lc, name="lc", meta_data={"src_name": "GX 1+4", "product": "isgri_lc"}),
            encode_hdulist(image),
        ],
        "binary_data_product_list": [encode_binary(b"\x00\x01binary")],
        "catalog": {
            "cat_frame": "fk5",
            "cat_coord_units": "deg",
            "cat_column_list": [[0], ["Crab"], [10.0], [83.63], [22.01]],
            "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
            "cat_column_descr": [
                ["meta_ID", "<i8"],
                ["src_names", "<U4"],
                ["significance", "<f8"],
                ["ra", "<f8"],
                ["dec", "<f8"],
            ],  # fmt: skip
            "cat_lat_name": "dec",
            "cat_lon_name": "ra",
        },
        "astropy_table_product_ascii_list": [encode_table(table, "my_table")],
        "astropy_table_product_binary_list": [encode_table(table, None, binary=True)],
        "binary_image_product_list": [encode_picture(_png(), name=None)],
        "text_product_list": [
            {"name": "comment", "value": "hello"},
            json.dumps({"value": 3.5, "meta_data": {"uri": "http://odahub.io/ontology#Float"}}),
        ],
        "echo": {"p": 1},
    }


def test_every_product_key_decodes_in_oda_api_order_with_its_names():
    products = decode_products(_synthetic_products(), product="myprod", instrument="empty")
    # the protocol's captured synthetic round trip (section 4.4)
    assert products.names == [
        "lc_0_GX1p4_isgri_lc",
        "myprod_1",
        "blob_2",
        "dispatcher_catalog_3",
        "my_table_4",
        "myprod_5",
        "myprod_6",
        "comment_7",
        "myprod_8",
    ]
    kinds = [type(products[name]) for name in products]
    assert kinds == [LightCurve, NumpyProduct, BinaryProduct, Catalog, TableProduct,
                     TableProduct, PictureProduct, TextProduct, TextProduct]  # fmt: skip
    assert products.light_curves["GX 1+4"] is products.lc_0_GX1p4_isgri_lc
    assert products.blob_2.data == b"\x00\x01binary"
    assert list(products.my_table_4.table["b"]) == ["x", "yy"]
    assert list(products.myprod_5.table["a"]) == [1, 2]
    assert products.myprod_6.img_type == "png" and products.myprod_6._repr_png_() == _png()
    assert products.comment_7.value == "hello" and products.myprod_8.value == 3.5
    assert products.extras["echo"] == {"p": 1}
    assert [entry["prod_name"] for entry in products.as_list()] == products.names
    with pytest.raises(AttributeError, match="no product named 'nothing'"):
        _ = products.nothing


def test_unnamed_products_fall_back_to_instrument_then_prod():
    encoded = {"numpy_data_product_list": [_synthetic_products()["numpy_data_product_list"][1]]}
    assert decode_products(encoded, instrument="isgri").names == ["isgri_0"]
    assert decode_products(encoded).names == ["prod_0"]


def test_single_numpy_data_product_wins_over_the_list():
    synthetic = _synthetic_products()
    encoded = {
        "numpy_data_product": synthetic["numpy_data_product_list"][1],
        "numpy_data_product_list": synthetic["numpy_data_product_list"],
    }
    assert decode_products(encoded, product="p").names == ["p_0"]


def test_every_kind_is_written_and_read_back(tmp_path):
    products = decode_products(_synthetic_products(), product="myprod")
    written = products.write_fits(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        [
            "lc_0_GX1p4_isgri_lc.fits",
            "myprod_1.fits",
            "blob_2.bin",
            "dispatcher_catalog_3.fits",
            "my_table_4.fits",
            "myprod_5.fits",
            "myprod_6.png",
            "comment_7.txt",
            "myprod_8.txt",
        ]
    )
    with fits.open(tmp_path / "lc_0_GX1p4_isgri_lc.fits") as back:
        assert list(back["ISGR-SRC.-LCR"].data["RATE"]) == [3.0, 4.0]
    with fits.open(tmp_path / "myprod_1.fits") as back:
        assert back[0].data.shape == (2, 3)
    assert Table.read(tmp_path / "my_table_4.fits")["b"].tolist() == ["x", "yy"]
    assert Table.read(tmp_path / "myprod_5.fits")["a"].tolist() == [1, 2]
    assert Table.read(tmp_path / "dispatcher_catalog_3.fits")["src_names"][0] == "Crab"
    assert (tmp_path / "blob_2.bin").read_bytes() == b"\x00\x01binary"
    assert (tmp_path / "myprod_6.png").read_bytes() == _png()
    assert (tmp_path / "comment_7.txt").read_text() == "hello"
    with pytest.raises(FileExistsError):
        products.write_fits(tmp_path)


def test_md5_mismatch_is_refused_naming_the_product():
    encoded = encode_binary(b"payload", name="polar_lc")
    encoded["md5"] = "0" * 32
    with pytest.raises(ProductDecodeError, match="polar_lc.*md5"):
        decode_products({"binary_data_product_list": [encoded]})


def test_legacy_bare_base64_binaries_are_raw_bytes():
    legacy = base64.urlsafe_b64encode(b"\xfb\xffraw").decode()
    products = decode_products({"binary_data_product_list": [legacy]}, product="polar_lc")
    assert products.names == ["polar_lc_0"] and products.polar_lc_0.data == b"\xfb\xffraw"


def test_pictures_must_be_images():
    with pytest.raises(ProductDecodeError, match="not a PNG, JPEG, GIF or SVG"):
        decode_products({"binary_image_product_list": [encode_picture(b"MZ\x90\x00exe")]})
    svg = encode_picture(b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>", "svg")
    assert decode_products({"binary_image_product_list": [svg]}).plot_0.img_type == "svg"


def test_unreadable_text_entries_are_kept_raw_as_oda_api_does():
    products = decode_products({"text_product_list": ["not json", {"name": "x", "value": 1}]})
    assert products.names == ["prod_0", "prod_1"]
    assert products.prod_0.value == "not json"


def test_a_pickle_that_would_run_code_is_refused_by_the_decoder(tmp_path):
    marker = tmp_path / "pwned"
    evil = f"cposix\nsystem\n(S'touch {marker}'\ntR.".encode()
    unit = {"data": None, "dt": "float64", "name": "X", "header": {}, "hdu_type": "image",
            "binarys": base64.b64encode(evil).decode(), "meta_data": {}, "units_dict": None}  # fmt: skip
    with pytest.raises(UnsafePayload, match="posix.system"):
        decode_products({"numpy_data_product_list": [{"data_unit_list": [unit], "name": None,
                                                      "meta_data": "{}"}]})  # fmt: skip
    assert not marker.exists()
    table = {
        "binary": base64.b64encode(evil).decode(),
        "ascii": None,
        "name": "t",
        "meta_data": "{}",
    }
    with pytest.raises(UnsafePayload):
        decode_products({"astropy_table_product_binary_list": [table]})
    assert not marker.exists()


def test_python_repr_meta_data_is_kept_as_text_not_evaluated():
    encoded = _synthetic_products()["numpy_data_product_list"][1]
    encoded["meta_data"] = "{'src_name': __import__('os').getcwd()}"
    item = decode_products({"numpy_data_product_list": [encoded]}, product="p").p_0
    assert item.meta_data == {} and item.meta_data_text == encoded["meta_data"]


def test_legacy_json_data_units_are_read_without_eval():
    unit = {"data": json.dumps([[1.0, 2.0], [3.0, 4.0]]), "dt": "[('TIME', '<f8'), ('RATE', '<f8')]",
            "name": "LC", "header": {"EXTNAME": "LC", "TUNIT2": "count/s", "BZERO": 5},
            "binarys": None, "meta_data": {}, "hdu_type": "bintable",
            "units_dict": {"TIME": "d"}}  # fmt: skip
    item = decode_products(
        {"numpy_data_product_list": [{"data_unit_list": [unit], "name": "x", "meta_data": "{}"}]}
    ).x_0
    hdu = item.hdulist["LC"]
    assert list(hdu.data["RATE"]) == [2.0, 4.0]
    assert hdu.columns["TIME"].unit == "d" and hdu.columns["RATE"].unit == "count/s"
    assert "BZERO" not in hdu.header


def test_header_cards_are_restored_and_layout_cards_come_from_the_data():
    image = fits.PrimaryHDU(data=np.ones((3, 4), dtype="f4"))
    image.header["OBJECT"] = "Crab"
    image.header["COMMENT"] = "a comment"
    encoded = encode_hdulist(fits.HDUList([image]), name="img")
    encoded["data_unit_list"][0]["header"]["NAXIS1"] = 999  # stale layout must not win
    item = decode_products({"numpy_data_product_list": [encoded]}).img_0
    header = item.hdulist[0].header
    assert header["OBJECT"] == "Crab" and "a comment" in str(header["COMMENT"])
    assert header["NAXIS1"] == 4


def test_html_summary_escapes_server_text():
    synthetic = _synthetic_products()
    synthetic["text_product_list"] = [{"name": "x", "value": "<img src=x onerror=alert(1)>"}]
    text = decode_products(synthetic)._repr_html_()
    assert "<img" not in text and "&lt;img" in text
