"""Unmodified oda_api 1.3.5 drives the sandbox through the flows of the ODA user guide.

Each test runs a script in oda_api's own environment (it cannot share ours) against an in-process
sandbox over real HTTP, and checks what the script reports.
"""

from __future__ import annotations

import re

import pytest
from support.dispatcher_answers import CAPTURES, capture

pytestmark = pytest.mark.sandbox

PREAMBLE = """
import json, logging, os, sys
from oda_api.api import DispatcherAPI
URL = os.environ["SANDBOX_URL"]
"""

# the user guide's ISGRI example: 4U 1700-377 in March 2003
ISGRI = dict(T1="2003-03-15T23:27:40.0", T2="2003-03-16T00:03:15.0", RA=255.986542,
             DEC=-37.844167, osa_version="OSA10.2", radius=15.0)


def transcript_raise(step: str) -> tuple[str, str]:
    """The exception class and first line of ``str(e)`` oda_api 1.3.5 raised at ``step`` against
    the real dispatcher, from the captures' ``odaapi_transcript.txt``."""
    path = CAPTURES / "dispatcher-1.3.3" / "odaapi_transcript.txt"
    found = re.search(rf"^===== {re.escape(step)}\n-> RAISED [\w.]*\.(\w+): (.*)$", path.read_text(),
                      re.MULTILINE)
    assert found, f"no step {step!r} in {path}"
    return found.group(1), found.group(2)


def test_instruments_and_descriptions(sandbox, run_odaapi):
    out = run_odaapi(PREAMBLE + """
disp = DispatcherAPI(url=URL, instrument="mock")
instruments = disp.get_instruments_list()
description = disp.get_instrument_description("isgri")
product = disp.get_product_description(instrument="isgri", product_name="isgri_image")
print(json.dumps({"instruments": instruments, "queries": [q[0]["query_name"] if isinstance(q, list)
                  else None for q in description[0][2:]], "n_product": len(product[0])}))
""", SANDBOX_URL=sandbox.url)
    assert out["instruments"] == ["isgri", "jemx", "spi_acs", "polar", "gev_sky"]
    assert out["queries"] == ["src_query", "isgri_parameters", "isgri_image_query",
                              "isgri_spectrum_query", "isgri_lc_query"]
    assert out["n_product"] == 5


@pytest.mark.shared
def test_bad_requests_raise_what_oda_api_raises(sandbox, run_odaapi):
    token = sandbox.make_token(["general"])
    out = run_odaapi(PREAMBLE + """
from oda_api.api import RequestNotUnderstood, Unauthorized, UnexpectedDispatcherStatusCode
disp = DispatcherAPI(url=URL, instrument="mock")
results = {}
def attempt(name, **kw):
    try:
        disp.get_product(product_type="Real", **kw)
        results[name] = "no error"
    except Exception as e:
        results[name] = [type(e).__name__, str(e)]
attempt("RA", instrument="isgri", product="isgri_image", RA="a")
attempt("energy", instrument="isgri", product="isgri_image", E1_keV=5)
attempt("instrument", instrument="nosuch", product="isgri_image")
attempt("role", instrument="isgri", product="isgri_image", max_pointings=100, token=os.environ["TOKEN"])
attempt("token", instrument="isgri", product="isgri_image", token="garbage")
print(json.dumps(results))
""", SANDBOX_URL=sandbox.url, TOKEN=token)
    assert out["RA"][0] == "RequestNotUnderstood"
    assert "Parameter RA wrong value a. could not convert string to float: 'a'" in out["RA"][1]
    assert "ISGRI energy range is restricted to 15 - 800 keV" in out["energy"][1]
    # oda_api raises what it raised against the real dispatcher, whose text names its own
    # installed instruments (capture 67, the run_analysis answer oda_api read); ours are the sandbox's
    their_class, their_text = transcript_raise("err_unknown_instrument")
    their_known = capture("dispatcher-1.3.3/67_odaapi_err_unknown_instrument_run_analysis.json")[
        "installed_instruments"]
    assert str(their_known) in their_text
    ours = str(["isgri", "jemx", "spi_acs", "polar", "gev_sky"])
    assert out["instrument"] == [their_class, their_text.replace(str(their_known), ours)]
    assert out["role"][0] == "Unauthorized"
    assert "unige-hpc-full" in out["role"][1]
    assert out["token"][0] == "RequestNotUnderstood" and "Not enough segments" in out["token"][1]


def test_image_catalog_round_trip_spectrum_and_light_curve(sandbox, run_odaapi, tmp_path):
    out = run_odaapi(PREAMBLE + f"""
ISGRI = {ISGRI!r}
disp = DispatcherAPI(url=URL, instrument="mock")
image = disp.get_product(instrument="isgri", product="isgri_image", product_type="Real",
                         detection_threshold=5.0, **ISGRI)
names = [p.name for p in image._p_list]
catalog = image.dispatcher_catalog_1
api_cat = catalog.get_api_dictionary()
spectrum = disp.get_product(instrument="isgri", product="isgri_spectrum", product_type="Real",
                            selected_catalog=api_cat, **ISGRI)
written = []
for i, item in enumerate(spectrum._p_list):
    path = f"spectrum_{{i}}.fits"
    item.write_fits_file(path)
    written.append(path)
lc = disp.get_product(instrument="isgri", product="isgri_lc", product_type="Real", time_bin=100,
                      selected_catalog=api_cat, **ISGRI)
from astropy.io import fits
hdus = [[h.header.get("EXTNAME", "PRIMARY") for h in fits.open(p)] for p in written]
print(json.dumps({{"image_items": image.as_list() if hasattr(image, "as_list") else names,
                  "catalog_rows": len(catalog.table), "spectrum_hdus": hdus,
                  "lc_items": len(lc._p_list)}}))
""", SANDBOX_URL=sandbox.url)
    assert out["catalog_rows"] >= 1
    assert len(out["spectrum_hdus"]) >= 3  # PHA, ARF and RMF of at least one source
    assert out["lc_items"] >= 1


# A day of the sandbox's Crab campaign (revolution 665, a 5x5 dither on the Crab): JEM-X's
# small field (radius 4 deg) sees the Crab from the inner pointings of the pattern only.
CRAB_DAY = dict(T1="2008-04-02T00:00:00", T2="2008-04-03T00:00:00", RA=83.6331, DEC=22.0145)


def test_spi_acs_light_curve_and_jemx_image(sandbox, run_odaapi):
    out = run_odaapi(PREAMBLE + f"""
disp = DispatcherAPI(url=URL, instrument="mock")
lc = disp.get_product(instrument="spi_acs", product="spi_acs_lc", product_type="Real",
                      T1="2003-03-15T23:27:40.0", T2="2003-03-15T23:57:12.0", time_bin=2)
jemx = disp.get_product(instrument="jemx", product="jemx_image", product_type="Real", jemx_num=2,
                        osa_version="OSA11.2", **{CRAB_DAY!r})
print(json.dumps({{"lc": [p.name for p in lc._p_list], "jemx": [p.name for p in jemx._p_list],
                  "catalog": jemx.dispatcher_catalog_1.table["src_names"].tolist()}}))
""", SANDBOX_URL=sandbox.url)
    assert len(out["lc"]) >= 1
    assert out["jemx"][0].startswith("mosaic_image")
    assert "Crab" in out["catalog"]


def test_polar_light_curve_and_its_root_file(sandbox, run_odaapi, tmp_path):
    # the quick-start's POLAR step: a light curve and a ROOT file the user writes to disk
    root_path = tmp_path / "lc.root"
    out = run_odaapi(PREAMBLE + """
disp = DispatcherAPI(url=URL, instrument="mock")
data = disp.get_product(instrument="polar", product="polar_lc", product_type="Real",
                        T1="2016-12-18T08:32:21.000", T2="2016-12-18T08:34:01.000", time_bin=0.5)
open(os.environ["ROOT_PATH"], "wb").write(data._p_list[1])
lc = data._p_list[0].data_unit[0].data
print(json.dumps({"names": [p.name if hasattr(p, "name") else type(p).__name__
                            for p in data._p_list], "items": data.as_list(),
                  "rate": lc["rate"].tolist(), "time": lc["time"].tolist()}))
""", SANDBOX_URL=sandbox.url, ROOT_PATH=str(root_path))
    assert [item["prod_name"] for item in out["items"]] == ["polar_lc_0_lc", "polar_lc_1"]
    uproot = pytest.importorskip("uproot", reason="the sandbox extra (uproot) is not installed")
    with uproot.open(root_path) as root:
        arrays = root["lc"].arrays(library="np")
    assert arrays["rate"].tolist() == out["rate"] and arrays["time"].tolist() == out["time"]


def test_jemx_outside_its_field_fails_the_job_and_says_why(sandbox, run_odaapi):
    # the same day, but while the dither pattern is on its outer row: no pointing within 4 deg
    out = run_odaapi(PREAMBLE + """
from oda_api.api import RemoteException
disp = DispatcherAPI(url=URL, instrument="mock")
try:
    disp.get_product(instrument="jemx", product="jemx_image", product_type="Real", jemx_num=2,
                     T1="2008-04-02T12:20:00", T2="2008-04-02T15:30:00", RA=83.6331, DEC=22.0145)
    print(json.dumps({"error": None}))
except RemoteException as e:
    print(json.dumps({"error": [e.message, e.debug_message]}))
""", SANDBOX_URL=sandbox.url)
    message, debug = out["error"]
    assert message == "failed: jemx_image"
    assert "scwlist empty" in debug


def test_asynchronous_pattern_of_several_jobs(sandbox, run_odaapi):
    out = run_odaapi(PREAMBLE + """
import time
jobs = {}
for name, ra, dec in [("Crab", 83.6331, 22.0145), ("4U 1700-377", 255.986542, -37.844167)]:
    T = ("2008-04-02T12:00:00", "2008-04-02T16:00:00") if name == "Crab" else (
        "2003-03-15T23:27:40.0", "2003-03-16T00:03:15.0")
    disp = DispatcherAPI(url=URL, instrument="mock", wait=False)
    jobs[name] = (disp, dict(instrument="isgri", product="isgri_image", product_type="Real",
                             src_name=name, RA=ra, DEC=dec, T1=T[0], T2=T[1]))
results = {}
for _ in range(120):
    for name, (disp, pars) in jobs.items():
        if name in results:
            continue
        data = disp.get_product(**pars)
        if disp.is_complete:
            results[name] = disp.query_status
    if len(results) == len(jobs):
        break
    time.sleep(1)
print(json.dumps(results))
""", SANDBOX_URL=sandbox.url)
    assert out == {"Crab": "done", "4U 1700-377": "done"}
