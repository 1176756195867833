"""The encodings decode with the unmodified oda_api 1.3.5 and write FITS files."""

import json
import subprocess
from pathlib import Path

import pytest
from support.environments import odaapi_python

from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.pointings import science_windows

pytestmark = pytest.mark.sandbox

REPO = Path(__file__).resolve().parents[2]

DECODER = """
import json, sys
from astropy.io import fits
from oda_api.data_products import NumpyDataProduct
out = []
for i, encoded in enumerate(json.load(open(sys.argv[1]))):
    product = NumpyDataProduct.decode(encoded)
    path = f"{sys.argv[2]}/product_{i}.fits"
    product.write_fits_file(path)
    with fits.open(path) as hdus:
        out.append([product.name, product.meta_data.get("src_name"), [h.name for h in hdus],
                    [len(h.data) if h.data is not None and h.is_image is False else None
                     for h in hdus]])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def decoded(tmp_path_factory):
    python = str(odaapi_python())
    scws = science_windows("2003-03-15T00:00:00", "2003-03-16T00:00:00", 255.98, -37.84, 15.0, 5,
                           None)
    params = dict(RA=255.98, DEC=-37.84, T1="2003-03-15T00:00:00", T2="2003-03-16T00:00:00",
                  E1_keV=25.0, E2_keV=80.0, detection_threshold=7.0, time_bin=1000.0,
                  selected_catalog=None, src_name="OAO 1657-415")
    products = []
    for instrument, product in [("isgri", "isgri_image"), ("isgri", "isgri_lc"),
                                ("isgri", "isgri_spectrum"), ("jemx", "jemx_lc"),
                                ("jemx", "jemx_spectrum")]:
        products += make_products(instrument, product, params, scws)["numpy_data_product_list"][:3]
    products += make_products("spi_acs", "spi_acs_lc",
                              {**params, "T2": "2003-03-15T00:10:00", "time_bin": 1.0},
                              [])["numpy_data_product_list"]
    work = tmp_path_factory.mktemp("odaapi")
    (work / "products.json").write_text(json.dumps(products))
    (work / "decode.py").write_text(DECODER)
    result = subprocess.run([python, str(work / "decode.py"), str(work / "products.json"),
                             str(work)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_oda_api_decodes_every_product_and_writes_fits(decoded):
    by_extension = {}
    for name, src_name, extensions, lengths in decoded:
        by_extension.setdefault(extensions[-1], []).append((name, src_name, extensions, lengths))
    (mosaic,) = by_extension["ISGR-MOSA-IMA"]
    assert mosaic[0] == "mosaic_image" and mosaic[2][2:] == ["ISGR-MOSA-IMA"] * 4
    lc = by_extension["ISGR-SRC.-LCR"][0]
    assert lc[0] == "isgri_lc" and lc[1] == "OAO 1657-415"
    assert by_extension["JMX2-SRC.-LCR"][0][0] == "jemx_lc"
    assert len(by_extension["SPECTRUM"]) >= 2 and len(by_extension["SPECRESP"]) >= 2
    isgri_rmf = [d for d in by_extension["SPECRESP MATRIX"] if d[3][2] == 2466]
    assert isgri_rmf and isgri_rmf[0][2][1:] == ["EBOUNDS", "SPECRESP MATRIX"]
    (spi_acs,) = by_extension["RATE"]
    assert spi_acs[2] == ["PRIMARY", "RATE"]
