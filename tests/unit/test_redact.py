"""Tokens are removed from answers, parameters and api_code before anything shows them."""

from __future__ import annotations

import jwt
import pytest

from oda_widgets.client.transport.redaction import REMOVED, scrub_token, scrub_url_text

pytestmark = pytest.mark.unit

TOKEN = jwt.encode({"sub": "jane@x.org", "roles": "general"}, "a-secret-of-at-least-thirty-two-bytes", algorithm="HS256")


def test_token_keys_are_replaced_at_any_depth():
    answer = {
        "products": {"analysis_parameters": {"token": TOKEN, "RA": 10.0}, "list": [{"token": "opaque"}]},
        "token": None,
    }
    cleaned = scrub_token(answer)
    assert cleaned["products"]["analysis_parameters"] == {"token": REMOVED, "RA": 10.0}
    assert cleaned["products"]["list"] == [{"token": REMOVED}]
    assert cleaned["token"] is None
    assert answer["products"]["analysis_parameters"]["token"] == TOKEN, "the original is left alone"


def test_api_code_text_is_cleaned():
    api_code = (
        "from oda_api.api import DispatcherAPI\n"
        "par_dict = {\n"
        f'"RA": "265.97",\n"token": "{TOKEN}",\n'
        "}\n"
        'disp = DispatcherAPI(url="https://www.astro.unige.ch/mmoda/dispatch-data")\n'
    )
    cleaned = scrub_token(api_code)
    assert TOKEN not in cleaned
    assert f'"token": "{REMOVED}"' in cleaned
    assert '"RA": "265.97"' in cleaned


def test_jwts_inside_urls_and_messages_are_removed():
    url = f"https://host/run_analysis?token={TOKEN}&instrument=isgri"
    assert scrub_token(url) == f"https://host/run_analysis?token={REMOVED}&instrument=isgri"
    assert scrub_token((f"bad {TOKEN}", 3)) == (f"bad {REMOVED}", 3)


def test_a_given_token_is_removed_even_if_it_is_not_a_jwt():
    assert scrub_token({"message": "rejected opaque-123"}, token="opaque-123") == {"message": f"rejected {REMOVED}"}


def test_other_values_are_kept():
    data = {"ra": [1.5, 2], "name": "eyJ-not-a-jwt", "ok": True, "n": None}
    assert scrub_token(data) == data


def test_query_string_tokens_are_removed_even_when_they_are_not_jwts():
    text = "GET /api/meta-data?instrument=isgri&token=plain-secret-123&x=1 'token=abc'"
    cleaned = scrub_url_text(text)
    assert "plain-secret-123" not in cleaned and "abc'" not in cleaned
    assert "instrument=isgri&token=<token removed>&x=1" in cleaned
