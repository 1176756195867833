"""The sandbox answers as the real dispatcher does: shapes, status codes and texts, over HTTP."""

from __future__ import annotations

import json

import pytest
import requests
from support.dispatcher_answers import capture, exchange_response
from support.json_shape import shape

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

IMAGE = {"instrument": "isgri", "product_type": "isgri_image", "query_type": "Real",
         "query_status": "new"}


def error_keys(body: dict) -> set[str]:
    return set(body) - {"config"}


def python_error(convert, text: str) -> str:
    """What Python says when ``convert(text)`` fails (the dispatcher quotes it after its own words)."""
    try:
        convert(text)
    except ValueError as e:
        return str(e)
    raise AssertionError(f"{convert.__name__}({text!r}) did not fail")


def wrong_value_message(name: str, value: str, convert) -> str:
    """1.3.6's text for a parameter value its type refuses, from the capture of ``ang=abc``.

    The capture names the test instrument's parameter ``ang`` and the value ``abc``; ours are
    substituted, and Python's own words for the failed conversion replace float's.
    """
    status, reference = exchange_response("badangle.exchange.json", 1)
    their = reference["error_message"]
    their_frame = f"Parameter ang wrong value abc. {python_error(float, 'abc')}"
    assert status == 400 and their == their_frame, their  # the frame the substitution relies on
    return f"Parameter {name} wrong value {value}. {python_error(convert, value)}"


def with_our_instrument(text: str) -> str:
    """A 1.3.3 test-instrument text (``empty-async``) as it reads for ISGRI."""
    assert "empty-async" in text, text
    return text.replace("empty-async", "isgri")


def test_instr_list_redirects_then_lists(sandbox):
    answer = requests.get(f"{sandbox.url}/api/instr-list", params={"instrument": "mock"},
                          allow_redirects=False)
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/instr-list?instrument=mock")
    assert requests.get(f"{sandbox.url}/api/instr-list?instrument=mock").json() == [
        "isgri", "jemx", "spi_acs", "polar", "gev_sky"]


@pytest.mark.shared
def test_instr_list_of_protocol_133_needs_an_instrument_argument():
    with start_sandbox(generation="1.3.3") as old:
        refused = requests.get(f"{old.url}/api/instr-list")
        assert refused.status_code == 400
        assert error_keys(refused.json()) == error_keys(
            capture("dispatcher-1.3.3/01_instr_list_no_params.json"))
        assert refused.json()["error"].startswith("NoInstrumentSpecified():have parameters:")
        assert requests.get(f"{old.url}/api/instr-list?instrument=mock").json()[0] == "isgri"


@pytest.mark.shared
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


@pytest.mark.shared
def test_meta_data_of_protocol_133_is_string_encoded():
    reference = capture("dispatcher-1.3.3/03_meta_data_empty-async.json")[0]
    with start_sandbox(generation="1.3.3") as old:
        described = requests.get(f"{old.url}/api/meta-data", params={"instrument": "jemx"}).json()[0]
    assert [type(item) for item in described] == [dict, dict] + [str] * 5
    assert [type(item) for item in reference] == [dict, dict] + [str] * 4
    source = json.loads(described[2])
    assert source == json.loads(reference[2])  # the same source query, strings and all
    instrument = json.loads(described[3])
    assert all(set(entry) == {"name", "units", "value"} for entry in instrument[1:])


@pytest.mark.shared
def test_unknown_instrument_is_400_like_the_real_one(sandbox):
    reference = capture("dispatcher-1.3.3/07_meta_data_unknown_instrument.json")
    answer = requests.get(f"{sandbox.url}/api/meta-data", params={"instrument": "nosuch"})
    assert answer.status_code == 400
    assert error_keys(answer.json()) == error_keys(reference)
    # the real text names the real dispatcher's installed instruments; ours are the sandbox's
    their_known, our_known = reference["installed_instruments"], answer.json()["installed_instruments"]
    assert our_known == ["isgri", "jemx", "spi_acs", "polar", "gev_sky"]
    assert str(their_known) in reference["error"]
    assert answer.json()["error"] == reference["error"].replace(str(their_known), str(our_known))
    assert shape(answer.json()["installed_instruments"]) == shape(reference["installed_instruments"])


@pytest.mark.shared
def test_unknown_product_is_an_html_500_for_descriptions_and_400_for_runs(sandbox):
    meta = requests.get(f"{sandbox.url}/api/par-names",
                        params={"instrument": "isgri", "product_type": "nosuch"})
    assert meta.status_code == 500 and meta.headers["Content-Type"].startswith("text/html")
    run = requests.get(f"{sandbox.url}/run_analysis", params={**IMAGE, "product_type": "nosuch"})
    assert run.status_code == 400
    # capture 34 is the same request to empty-async; the text quotes the instrument's product to
    # query dictionary, which /api/meta-data's prod_dict holds, for 1.3.3's instrument and ours
    reference = capture("dispatcher-1.3.3/34_err_unknown_product.json")
    their_queries = capture("dispatcher-1.3.3/03_meta_data_empty-async.json")[0][1]["prod_dict"]
    our_queries = requests.get(f"{sandbox.url}/api/meta-data",
                               params={"instrument": "isgri"}).json()[0][1]["prod_dict"]
    assert str(their_queries) in reference["error_message"]
    expected = with_our_instrument(reference["error_message"]).replace(
        str(their_queries), str(our_queries))
    assert run.json()["error_message"] == expected
    assert run.json()["error"] == with_our_instrument(reference["error"]).replace(
        str(their_queries), str(our_queries))


def test_par_names_are_the_production_list(sandbox):
    names = requests.get(f"{sandbox.url}/api/par-names",
                         params={"instrument": "isgri", "product_type": "isgri_image"}).json()
    # the production list for isgri_image, plus T_format that current dispatchers add
    assert names == ["src_name", "RA", "DEC", "T1", "T_format", "T2", "token", "scw_list",
                     "selected_catalog", "radius", "max_pointings", "osa_version",
                     "integral_data_rights", "E1_keV", "E2_keV", "detection_threshold",
                     "image_scale_min", "image_scale_max"]


# Texts of refusals no capture holds (the captured test instruments have no such parameter):
# the 1.3.6 dispatcher's and its INTEGRAL plugin's words, kept as literals.
UNCAPTURED_REFUSALS = [
    ({"E1_keV": "5"}, "ISGRI energy range is restricted to 15 - 800 keV"),
    ({"T1": "58000"}, "Parameter T1 wrong value 58000: can't be parsed as Time of isot format"),
    ({"integral_data_rights": "mine"},
     "Parameter integral_data_rights wrong value mine: not in allowed ['public', 'all-private']"),
    ({"RA": "\x00"}, "Non-optional parameter RA is set to None"),
    ({"scw_list": "066500220010.001 066500230010.001"},
     "a space separated science windows list is an unsupported format, please provide it as "
     "a comme separated list"),
]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        # the capture's refusal of ang=abc, said of our float and int parameters
        ({"RA": "a"}, lambda: wrong_value_message("RA", "a", float)),
        ({"max_pointings": "4.5"}, lambda: wrong_value_message("max_pointings", "4.5", int)),
        *[(arguments, lambda text=text: text) for arguments, text in UNCAPTURED_REFUSALS],
    ],
    ids=["RA", "max_pointings", "E1_keV", "T1", "integral_data_rights", "RA_nul", "scw_list"],
)
@pytest.mark.shared
def test_bad_values_get_the_real_texts(sandbox, arguments, message):
    status, reference = exchange_response("badangle.exchange.json", 1)
    answer = requests.get(f"{sandbox.url}/run_analysis", params={**IMAGE, **arguments})
    assert answer.status_code == status == 400
    body = answer.json()
    assert error_keys(body) == error_keys(reference)
    expected = message()
    assert body["error_message"] == expected
    # the error field prefixes the exception's class as the capture's does
    their_class = reference["error"][: -len(reference["error_message"])]
    assert their_class == "RequestNotUnderstood():"
    assert body["error"] == f"{their_class}{expected}"


@pytest.mark.shared
def test_protocol_133_reports_angles_as_it_did():
    reference = capture("dispatcher-1.3.3/32_err_RA_a.json")  # the same RA=a, to empty-async
    with start_sandbox(generation="1.3.3") as old:
        answer = requests.get(f"{old.url}/run_analysis", params={**IMAGE, "RA": "a"})
    assert answer.status_code == 400
    assert answer.json()["error_message"] == with_our_instrument(reference["error_message"])
    assert answer.json()["error"] == with_our_instrument(reference["error"])


@pytest.mark.shared
def test_tokens_expired_foreign_and_garbage(sandbox):
    expired = requests.get(f"{sandbox.url}/run_analysis",
                           params={**IMAGE, "token": sandbox.make_token(hours=-1)})
    assert expired.status_code == 403
    assert expired.json()["debug_message"] == ""
    # no capture holds an expired token's answer: the text of the dispatcher's
    # flask_app/dispatcher_query.py (1.3.3), which a browser user of the real site also sees
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
    assert garbage.json()["error"] == reference["error"]
    listing = requests.get(f"{sandbox.url}/instr-list", params={"token": "garbage"})
    assert (listing.status_code, listing.text) == (403, "The token provided is not valid.")


@pytest.mark.parametrize("empty", ["", "None", "\x00"], ids=["empty", "None", "null"])
def test_an_empty_or_null_token_is_no_token(sandbox, empty):
    """The dispatcher takes ``token not in ["", "None", None]`` as given (``"\\x00"`` is None on
    the wire): a request with such a token is public, on every route that reads a user."""
    described = requests.get(f"{sandbox.url}/api/meta-data",
                             params={"instrument": "isgri", "token": empty})
    assert described.status_code == 200
    for send in (requests.get, requests.post):
        public = send(f"{sandbox.url}/run_analysis",
                      params={**IMAGE, "max_pointings": "60", "token": empty})
        # read as a token, it would be refused as no JWT (400); read as none, the request is a
        # public one, refused for the roles that nobody has
        assert public.status_code == 403, public.text
        assert "- Your priviledge roles include []" in public.json()["exit_status"]["message"]
    # the listing checks any token it is given, as the dispatcher's does: an empty one is not valid
    listing = requests.get(f"{sandbox.url}/instr-list", params={"token": ""})
    assert (listing.status_code, listing.text) == (403, "The token provided is not valid.")
    assert requests.get(f"{sandbox.url}/instr-list").status_code == 200


def test_the_former_generation_names_are_still_read():
    """``current`` was the sandbox's name for 1.3.6, and ``--protocol`` its option's: both still
    work, and the sandbox says which dispatcher version it is."""
    from oda_widgets.cli import _parser

    assert _parser().parse_args(["sandbox", "--protocol", "current"]).generation == "current"
    assert _parser().parse_args(["sandbox", "--generation", "1.3.3"]).generation == "1.3.3"
    assert _parser().parse_args(["sandbox"]).generation == "1.3.6"
    with pytest.raises(SystemExit):
        _parser().parse_args(["sandbox", "--generation", "1.3.4"])
    for given, version in (({"generation": "current"}, "1.3.6"), ({"generation": "1.3.6"}, "1.3.6"),
                           ({"generation": "1.3.3"}, "1.3.3"), ({"protocol": "1.3.3"}, "1.3.3")):
        with start_sandbox(**given) as server:
            refused = requests.get(f"{server.url}/api/meta-data", params={"instrument": "nope"})
        assert refused.json()["cdci_data_analysis_version"] == version
    with pytest.raises(ValueError, match="1.3.4"):
        start_sandbox(generation="1.3.4")


@pytest.mark.shared
def test_missing_roles_get_the_403_envelope(sandbox):
    reference = capture("dispatcher-1.3.3/10_run_empty_numerical_Dummy_public_403.json")
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**IMAGE, "max_pointings": "60", "integral_data_rights": "all-private",
                                  "token": sandbox.make_token(["general"])})
    assert answer.status_code == 403
    body = answer.json()
    assert shape({**body, "time_request": 0}) == shape({**reference, "time_request": 0})
    # the capture's frame (a public request lacking 'general'), with our roles and the roles
    # lacking; the lines naming INTEGRAL's roles are the INTEGRAL plugin's, which no capture holds
    intro, their_roles, lacking, their_missing, outro = reference["exit_status"]["message"].split("\n")
    assert (their_roles, their_missing) == (
        "- Your priviledge roles include []", " - general: please refer to support for details")
    our_missing = [
        " - integral-private-qla: this role is needed to access private INTEGRAL data requested "
        "with integral_data_rights == \"all-private\"",
        " - unige-hpc-full: it is needed to request > 50 ScW, you requested max_pointings=60",
    ]
    assert body["exit_status"]["message"] == "\n".join(
        [intro, their_roles.replace("[]", "['general']"), lacking, *our_missing, outro])


@pytest.mark.shared
def test_a_poll_of_an_unknown_job_is_refused(sandbox):
    reference = capture("dispatcher-1.3.3/39_err_poll_wrong_job_id.json")
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**IMAGE, "query_status": "submitted", "job_id": "0000000000000000",
                                  "session_id": "ABCDEFGHIJKLMNOP"})
    assert answer.status_code == 400
    assert answer.json()["error"] == reference["error"]


@pytest.mark.shared
def test_missing_instrument_and_query_type(sandbox):
    reference = capture("dispatcher-1.3.3/35_err_no_instrument.json")
    answer = requests.get(f"{sandbox.url}/run_analysis", params={"query_status": "new"})
    assert answer.status_code == 400
    assert answer.json()["error"] == reference["error"]
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={k: v for k, v in IMAGE.items() if k != "query_type"})
    # no capture lacks query_type alone: the dispatcher (dispatcher_query.py) raises
    # MissingRequestParameter(repr(e)) for the KeyError of the missing field
    assert answer.status_code == 400
    assert answer.json()["error"] == f"MissingRequestParameter():{KeyError('query_type')!r}"


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
