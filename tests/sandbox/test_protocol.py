"""The sandbox answers as the real dispatcher does: shapes, status codes and texts, over HTTP."""

from __future__ import annotations

import json

import pytest
import requests
from conftest import capture, exchange_response

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

IMAGE = {"instrument": "isgri", "product_type": "isgri_image", "query_type": "Real",
         "query_status": "new"}


def shape(value):
    """Key sets and value types of a JSON value (lists by their first item)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool) or value is None:
        return type(value).__name__
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def error_keys(body: dict) -> set[str]:
    return set(body) - {"config"}


def test_instr_list_redirects_then_lists(sandbox):
    answer = requests.get(f"{sandbox.url}/api/instr-list", params={"instrument": "mock"},
                          allow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/instr-list?instrument=mock")
    assert requests.get(f"{sandbox.url}/api/instr-list?instrument=mock").json() == [
        "isgri", "jemx", "spi_acs"]


def test_instr_list_of_protocol_133_needs_an_instrument_argument():
    with start_sandbox(protocol="1.3.3") as old:
        refused = requests.get(f"{old.url}/api/instr-list")
        assert refused.status_code == 400
        assert error_keys(refused.json()) == error_keys(
            capture("dispatcher-1.3.3/01_instr_list_no_params.json"))
        assert refused.json()["error"].startswith("NoInstrumentSpecified():have parameters:")
        assert requests.get(f"{old.url}/api/instr-list?instrument=mock").json()[0] == "isgri"


def test_meta_data_has_the_current_generation_shape(sandbox):
    real = exchange_response("async_full.exchange.json", 0)  # for the file to exist
    assert real[0] == 200
    reference = capture("dispatcher-1.3.6/api_meta-data_instrument=empty.json")
    described = requests.get(f"{sandbox.url}/api/meta-data", params={"instrument": "isgri"}).json()
    assert len(described) == 1
    header, prod_dict, source = described[0][:3]
    assert set(header) == set(reference[0][0]) == {"instrumet"}
    assert list(prod_dict["prod_dict"]) == ["isgri_image", "isgri_spectrum", "isgri_lc"]
    real_source = {entry.get("name"): entry for entry in reference[0][2]}
    ours = {entry.get("name"): entry for entry in source}
    assert list(ours) == list(real_source)  # src_query, src_name, RA, DEC, T1, T_format, T2, token
    for name in ("RA", "T1", "T_format", "token"):
        assert set(ours[name]) - {"extra_metadata"} == set(real_source[name])
        assert ours[name]["units"] == real_source[name]["units"]
        assert ours[name].get("owl_uri") == real_source[name].get("owl_uri")


def test_meta_data_product_filter_and_isgri_defaults(sandbox):
    described = requests.get(f"{sandbox.url}/api/meta-data",
                             params={"instrument": "isgri", "product_type": "isgri_lc"}).json()[0]
    assert len(described) == 5 and described[4][1] == {"product_name": "isgri_lc"}
    instrument = {e["name"]: e for e in described[3][1:]}
    assert instrument["radius"]["value"] == 15.0 and instrument["radius"]["units"] == "deg"
    assert instrument["max_pointings"]["value"] == 50
    assert instrument["osa_version"]["restrictions"]["allowed_values"] == ["OSA10.2", "OSA11.2"]
    assert instrument["integral_data_rights"]["restrictions"]["allowed_values"] == [
        "public", "all-private"]
    assert (instrument["E1_keV"]["value"], instrument["E2_keV"]["value"]) == (20.0, 40.0)
    time_bin = described[4][2]
    assert (time_bin["name"], time_bin["units"], time_bin["value"]) == ("time_bin", "sec", 1000.0)
    assert described[4][3] == {"name": "time_bin_format", "units": "str", "value": "sec"}
    assert instrument["E1_keV"]["extra_metadata"]["label"]


def test_meta_data_of_protocol_133_is_string_encoded():
    reference = capture("dispatcher-1.3.3/03_meta_data_empty-async.json")[0]
    with start_sandbox(protocol="1.3.3") as old:
        described = requests.get(f"{old.url}/api/meta-data", params={"instrument": "jemx"}).json()[0]
    assert [type(item) for item in described] == [dict, dict] + [str] * 5
    assert [type(item) for item in reference] == [dict, dict] + [str] * 4
    source = json.loads(described[2])
    assert source == json.loads(reference[2])  # the same source query, strings and all
    instrument = json.loads(described[3])
    assert all(set(entry) == {"name", "units", "value"} for entry in instrument[1:])


def test_unknown_instrument_is_400_like_the_real_one(sandbox):
    reference = capture("dispatcher-1.3.3/07_meta_data_unknown_instrument.json")
    answer = requests.get(f"{sandbox.url}/api/meta-data", params={"instrument": "nosuch"})
    assert answer.status_code == 400
    assert error_keys(answer.json()) == error_keys(reference)
    assert answer.json()["error"] == (
        "InstrumentNotRecognized():instrument: \"nosuch\", known: ['isgri', 'jemx', 'spi_acs']")
    assert shape(answer.json()["installed_instruments"]) == shape(reference["installed_instruments"])


def test_unknown_product_is_an_html_500_for_descriptions_and_400_for_runs(sandbox):
    meta = requests.get(f"{sandbox.url}/api/par-names",
                        params={"instrument": "isgri", "product_type": "nosuch"})
    assert meta.status_code == 500 and meta.headers["Content-Type"].startswith("text/html")
    run = requests.get(f"{sandbox.url}/run_analysis", params={**IMAGE, "product_type": "nosuch"})
    assert run.status_code == 400
    assert run.json()["error_message"] == (
        "[ InstrumentQueryBackEnd : isgri ] constructor failed: product type nosuch not in "
        "query_dictionary {'isgri_image': 'isgri_image_query', 'isgri_spectrum': "
        "'isgri_spectrum_query', 'isgri_lc': 'isgri_lc_query'}")


def test_par_names_are_the_production_list(sandbox):
    names = requests.get(f"{sandbox.url}/api/par-names",
                         params={"instrument": "isgri", "product_type": "isgri_image"}).json()
    # the production list for isgri_image, plus T_format that current dispatchers add
    assert names == ["src_name", "RA", "DEC", "T1", "T_format", "T2", "token", "scw_list",
                     "selected_catalog", "radius", "max_pointings", "osa_version",
                     "integral_data_rights", "E1_keV", "E2_keV", "detection_threshold",
                     "image_scale_min", "image_scale_max"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"RA": "a"}, "Parameter RA wrong value a. could not convert string to float: 'a'"),
        ({"E1_keV": "5"}, "ISGRI energy range is restricted to 15 - 800 keV"),
        ({"max_pointings": "4.5"},
         "Parameter max_pointings wrong value 4.5. invalid literal for int() with base 10: '4.5'"),
        ({"T1": "58000"}, "Parameter T1 wrong value 58000: can't be parsed as Time of isot format"),
        ({"integral_data_rights": "mine"},
         "Parameter integral_data_rights wrong value mine: not in allowed ['public', 'all-private']"),
        ({"RA": "\x00"}, "Non-optional parameter RA is set to None"),
        ({"scw_list": "066500220010.001 066500230010.001"},
         "a space separated science windows list is an unsupported format, please provide it as "
         "a comme separated list"),
    ],
)
def test_bad_values_get_the_real_texts(sandbox, arguments, message):
    status, reference = exchange_response("badangle.exchange.json", 1)
    answer = requests.get(f"{sandbox.url}/run_analysis", params={**IMAGE, **arguments})
    assert answer.status_code == status == 400
    body = answer.json()
    assert error_keys(body) == error_keys(reference)
    assert body["error_message"] == message
    assert body["error"] == f"RequestNotUnderstood():{message}"


def test_protocol_133_reports_angles_as_it_did():
    with start_sandbox(protocol="1.3.3") as old:
        body = requests.get(f"{old.url}/run_analysis", params={**IMAGE, "RA": "a"}).json()
    assert body["error_message"] == (
        "[ InstrumentQueryBackEnd : isgri ] constructor failed: Invalid character at col 0 "
        "parsing angle 'a'")


def test_tokens_expired_foreign_and_garbage(sandbox):
    expired = requests.get(f"{sandbox.url}/run_analysis",
                           params={**IMAGE, "token": sandbox.make_token(hours=-1)})
    assert expired.status_code == 403
    assert expired.json()["debug_message"] == ""
    assert expired.json()["error"] == (
        "RequestNotAuthorized():The token provided is expired, please try to logout and login "
        "again. If already logged out, please clean the cookies, and resubmit you request.")
    with start_sandbox() as other:
        foreign = requests.get(f"{sandbox.url}/run_analysis",
                               params={**IMAGE, "token": other.make_token()})
    assert foreign.status_code == 403
    assert "The token provided is not valid" in foreign.json()["error_message"]
    garbage = requests.get(f"{sandbox.url}/run_analysis", params={**IMAGE, "token": "garbage"})
    reference = capture("dispatcher-1.3.3/37_err_bad_token.json")
    assert garbage.status_code == 400
    assert garbage.json()["error_message"] == reference["error_message"]
    listing = requests.get(f"{sandbox.url}/instr-list", params={"token": "garbage"})
    assert (listing.status_code, listing.text) == (403, "The token provided is not valid.")


def test_missing_roles_get_the_403_envelope(sandbox):
    reference = capture("dispatcher-1.3.3/10_run_empty_numerical_Dummy_public_403.json")
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**IMAGE, "max_pointings": "60", "integral_data_rights": "all-private",
                                  "token": sandbox.make_token(["general"])})
    assert answer.status_code == 403
    body = answer.json()
    assert shape({**body, "time_request": 0}) == shape({**reference, "time_request": 0})
    assert body["exit_status"]["message"] == (
        "Unfortunately, your priviledges are not sufficient to make the request for this "
        "particular product and parameter combination.\n"
        "- Your priviledge roles include ['general']\n"
        "- You are lacking all of the following roles:\n"
        " - integral-private-qla: this role is needed to access private INTEGRAL data requested "
        "with integral_data_rights == \"all-private\"\n"
        " - unige-hpc-full: it is needed to request > 50 ScW, you requested max_pointings=60\n"
        "You can request support if you think you should be able to make this request.")


def test_a_poll_of_an_unknown_job_is_refused(sandbox):
    reference = capture("dispatcher-1.3.3/39_err_poll_wrong_job_id.json")
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**IMAGE, "query_status": "submitted", "job_id": "0000000000000000",
                                  "session_id": "ABCDEFGHIJKLMNOP"})
    assert answer.status_code == 400
    assert answer.json()["error"] == reference["error"]


def test_missing_instrument_and_query_type(sandbox):
    reference = capture("dispatcher-1.3.3/35_err_no_instrument.json")
    answer = requests.get(f"{sandbox.url}/run_analysis", params={"query_status": "new"})
    assert answer.status_code == 400
    assert answer.json()["error"] == reference["error"]
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={k: v for k, v in IMAGE.items() if k != "query_type"})
    assert answer.json()["error"] == "MissingRequestParameter():KeyError('query_type')"


def test_dry_run_with_unknown_args_allowed(sandbox):
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**IMAGE, "dry_run": "True", "allow_unknown_args": "True"}).json()
    assert answer["query_status"] == "done"
    assert answer["exit_status"]["message"] == "dry-run"
    assert answer["products"]["instrument_parameters"][1]["prod_dict"]["isgri_image"]


def test_resolve_name(sandbox):
    found = requests.get(f"{sandbox.url}/resolve_name", params={"name": "crab"}).json()
    assert set(found) == {"name", "RA", "DEC", "object_ids", "object_type", "entity_portal_link",
                          "message"}
    assert abs(found["RA"] - 83.63) < 0.01 and abs(found["DEC"] - 22.01) < 0.01
    assert found["message"] == "crab successfully resolved"
    spaced = requests.get(f"{sandbox.url}/resolve_name", params={"name": "1a 0535 + 262"}).json()
    assert "RA" in spaced
    unknown = requests.get(f"{sandbox.url}/resolve_name", params={"name": "Nowhere X-1"}).json()
    assert unknown == {"name": "Nowhere X-1", "message": "Nowhere X-1 could not be resolved"}
