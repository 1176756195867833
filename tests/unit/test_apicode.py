"""The oda_api code of a query: the dispatcher's shape, never a token."""

from __future__ import annotations

import ast

import jwt
import pytest

from oda_widgets.client.query.apicode import api_code

pytestmark = pytest.mark.unit
# made here rather than written out: a test token, signed with a throwaway secret
TOKEN = jwt.encode({"sub": "x"}, "throwaway-secret-of-thirty-two-bytes", algorithm="HS256")


def par_dict_of(code: str) -> dict:
    tree = ast.parse(code)
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "par_dict":
            return ast.literal_eval(node.value)
    raise AssertionError("no par_dict")


def test_the_code_has_the_dispatchers_shape():
    code = api_code("https://example.org/dispatch-data", "isgri", "isgri_image", "Real",
                    {"RA": 83.63, "scw_list": ["066500220010.001"], "DEC": 22.01,
                     "osa_version": "OSA11.2", "flag": True, "nothing": None,
                     "query_status": "new", "session_id": "S", "job_id": "J"})
    assert "from oda_api.api import DispatcherAPI" in code
    assert "disp = DispatcherAPI(url='https://example.org/dispatch-data', instrument='mock')" in code
    par_dict = par_dict_of(code)
    assert list(par_dict) == sorted(par_dict)
    # the server's names renamed to oda_api's: product_type -> product, query_type -> product_type
    assert par_dict["product"] == "isgri_image" and par_dict["product_type"] == "Real"
    assert par_dict["flag"] is True and par_dict["scw_list"] == ["066500220010.001"]
    assert not {"nothing", "query_status", "session_id", "job_id"} & set(par_dict)
    assert code.rstrip().endswith("data_collection = disp.get_product(**par_dict)")


def test_the_token_is_read_at_run_time_never_written():
    code = api_code("https://example.org/dispatch-data", "isgri", "isgri_image", "Real",
                    {"RA": 1, "token": TOKEN})
    assert TOKEN not in code
    assert "token" not in par_dict_of(code)
    assert 'par_dict["token"] = oda_api.token.discover_token()' in code
    assert "ODA_TOKEN" in code and "~/.oda-token" in code
    compile(code, "<api_code>", "exec")


def test_strings_that_look_like_json_words_are_left_alone():
    code = api_code("https://example.org/dispatch-data", "x", "y", "Real",
                    {"src_name": "true null false", "sel": '{"a": true}'})
    par_dict = par_dict_of(code)
    assert par_dict["src_name"] == "true null false"
    assert par_dict["sel"] == '{"a": true}'
