"""Request encoding: the same fields oda_api puts on the wire, and the same GET/POST choice."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.environments import odaapi_python

from oda_widgets.client.query.wire import MAX_GET_SIZE, encode_parameters, new_session_id, use_post

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"scw_list": ["066500220010.001", "066500230010.001"]}, [("scw_list", "066500220010.001"), ("scw_list", "066500230010.001")]),
        ({"scw_list": []}, []),
        ({"p_list": ["a", "b"]}, [("p_list", '["a", "b"]')]),
        ({"struct": {"a": 4.6, "b": 3.4}}, [("struct", '{"a": 4.6, "b": 3.4}')]),
        ({"tags": {"b", "a"}}, [("tags", '["a", "b"]')]),
        ({"p": None}, [("p", "\x00")]),
        ({"token": None}, []),
        ({"token": "abc.def.ghi"}, [("token", "abc.def.ghi")]),
        ({"off_line": False, "api": True}, [("off_line", "False"), ("api", "True")]),
        # positional, not oda_api's "1e-07": 1.3.3's angle parser refuses exponents
        ({"p": 5, "x": 5.0, "y": 1e-7}, [("p", "5"), ("x", "5.0"), ("y", "0.0000001")]),
        ({"big": 1e20, "nan": float("nan")}, [("big", "100000000000000000000.0"), ("nan", "nan")]),
        ({"selected_catalog": '{"cat_frame": "fk5"}'}, [("selected_catalog", '{"cat_frame": "fk5"}')]),
        ({"selected_catalog": {"cat_frame": "fk5"}}, [("selected_catalog", '{"cat_frame": "fk5"}')]),
        ({"catalog_selected_objects": "0,3"}, [("catalog_selected_objects", "0,3")]),
        ({"catalog_selected_objects": [0, 3]}, [("catalog_selected_objects", "0,3")]),
        ({"RA": 265.97845833, "T1": "2003-03-15T23:27:40"}, [("RA", "265.97845833"), ("T1", "2003-03-15T23:27:40")]),
    ],
)
def test_encoding_table(params, fields):
    assert encode_parameters(params) == fields


ODA_API_PROBE = """
import json, sys
import requests
import oda_api
from oda_api.api import DispatcherAPI
out = []
for params in json.load(sys.stdin):
    disp = DispatcherAPI(url="http://127.0.0.1:9", instrument="mock")
    disp.parameters_dict = params
    payload = dict(disp.parameters_dict_payload)
    method = disp.selected_request_method
    payload.pop("api")
    payload.pop("oda_api_version")
    query = requests.models.RequestEncodingMixin._encode_params(payload)
    out.append({"query": query, "post": method == "POST", "version": oda_api.__version__})
json.dump(out, sys.stdout)
"""

CATALOG_TEXT = json.dumps(
    {
        "cat_frame": "fk5",
        "cat_coord_units": "deg",
        "cat_column_list": [[17, 87], ["GRS 1915+105", "MAXI J1820+070"], [29.39, 1803.16], [288.79, 275.09], [10.93, 7.18]] * 4,
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"] * 4,
        "cat_lat_name": "dec",
        "cat_lon_name": "ra",
    }
)

PARITY_CASES = [
    {"scw_list": ["066500220010.001", "066500230010.001"], "instrument": "empty-async", "product_type": "dummy",
     "query_type": "Real", "off_line": False, "query_status": "new", "session_id": "BW2SXC4T6MFWXO88"},
    {"p_list": ["a", "b"], "struct": {"a": 4.6, "b": 3.4}, "nested": [[1, 2], {"x": None}]},
    {"p": None, "token": None, "optional_def_none": None},
    {"flag": False, "other": True, "p": 5, "x": 5.0, "y": 1e-07, "big": 1e20, "neg": -3},
    {"selected_catalog": CATALOG_TEXT, "catalog_selected_objects": "0,3"},
    {"scw_list": ["066500220010.001"] * 70},
    {"token": "abc.def.ghi", "src_name": "GX 1+4", "text": "é ü & = ? %"},
    {"scw_list": [], "p_list": []},
    {"RA": 265.97845833, "DEC": -29.74516667, "T1": "2003-03-15T23:27:40", "T_format": "isot"},
]


@pytest.fixture(scope="module")
def oda_api_encodings() -> list[dict]:
    python = odaapi_python()
    result = subprocess.run(
        [str(python), "-c", ODA_API_PROBE], input=json.dumps(PARITY_CASES), capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(result.stdout)


def _as_number_where_floats(fields):
    """Fields with float texts read as numbers: the client writes floats positionally
    (``0.0000001``) where oda_api writes ``1e-07``; every dispatcher reads the same number."""
    result = []
    for key, text in fields:
        try:
            result.append((key, float(text)) if "." in text or "e" in text else (key, text))
        except ValueError:
            result.append((key, text))
    return result


@pytest.mark.parametrize("index", range(len(PARITY_CASES)))
def test_same_fields_and_method_as_oda_api(index, oda_api_encodings):
    params = PARITY_CASES[index]
    expected = oda_api_encodings[index]
    assert _as_number_where_floats(encode_parameters(params)) == _as_number_where_floats(
        parse_qsl(expected["query"], keep_blank_values=True)
    )
    whole_payload = {**params, "api": "True", "oda_api_version": expected["version"]}
    assert use_post(whole_payload) == expected["post"]


def test_parity_cases_cover_both_methods(oda_api_encodings):
    assert {e["post"] for e in oda_api_encodings} == {True, False}


def test_post_threshold_is_oda_apis():
    def params_of_json_length(n: int) -> dict:
        base = {"a": ""}
        overhead = len(json.dumps(base))
        return {"a": "x" * (n - overhead)}

    assert len(json.dumps(params_of_json_length(MAX_GET_SIZE))) == MAX_GET_SIZE
    assert not use_post(params_of_json_length(MAX_GET_SIZE))
    assert use_post(params_of_json_length(MAX_GET_SIZE + 1))


def test_post_size_counts_lists_as_json():
    assert use_post({"scw_list": ["066500220010.001"] * 60})
    assert not use_post({"scw_list": ["066500220010.001"] * 10})


scalars = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
values = st.one_of(scalars, st.lists(st.text(max_size=10), max_size=4), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
names = st.one_of(st.sampled_from(["scw_list", "p_list", "token", "selected_catalog", "RA", "T1"]), st.text(min_size=1, max_size=8))


@given(st.dictionaries(names, values, max_size=6))
def test_fields_survive_url_encoding(params):
    fields = encode_parameters(params)
    decoded = parse_qsl(urlencode(fields), keep_blank_values=True)
    assert Counter(decoded) == Counter(fields)


@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=5))
def test_science_window_list_round_trips_as_repeated_keys(ids):
    decoded = parse_qsl(urlencode(encode_parameters({"scw_list": ids})), keep_blank_values=True)
    assert [v for k, v in decoded if k == "scw_list"] == ids


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))
def test_dicts_round_trip_as_json(d):
    (field,) = encode_parameters({"struct": d})
    assert json.loads(field[1]) == d


def test_session_ids_look_like_oda_apis():
    ids = {new_session_id() for _ in range(20)}
    assert all(re.fullmatch(r"[A-Z0-9]{16}", i) for i in ids)
    assert len(ids) == 20
