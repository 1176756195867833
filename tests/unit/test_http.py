"""The Transport: answers mapped to the error hierarchy, retries, and no token anywhere."""

from __future__ import annotations

import logging

import jwt
import pytest
from support.scripted_dispatcher import Reply, envelope

from oda_widgets.client.errors import (
    DispatcherError,
    DispatcherUnavailable,
    RequestRejected,
    Unauthorized,
)
from oda_widgets.client.transport.http import Transport, parameter_named_in

pytestmark = pytest.mark.unit
# made here rather than written out: a test token, signed with a throwaway secret
TOKEN = jwt.encode({"sub": "x"}, "throwaway-secret-of-thirty-two-bytes", algorithm="HS256")


def test_description_calls_are_retried_through_gateway_errors(server):
    server.script("*", [Reply(503, "busy"), Reply(502, "bad gateway"), Reply(body=["empty"])],
                  path="/api/instr-list")
    transport = Transport(server.url, retries=3, backoff_factor=0.01)
    assert transport.instruments(TOKEN) == ["empty"]
    sent = server.sent("*", "/api/instr-list")
    assert len(sent) == 3
    assert sent[0]["instrument"] == "mock"  # what dispatchers up to 1.3.3 need
    assert sent[0]["token"] == TOKEN


def test_a_description_call_gives_up_as_unavailable(server):
    server.script("*", [Reply(503, "<html><body>down for maintenance</body></html>")],
                  path="/api/meta-data")
    transport = Transport(server.url, retries=1, backoff_factor=0.01)
    with pytest.raises(DispatcherUnavailable, match="down for maintenance"):
        transport.meta_data("isgri", token=TOKEN)


def test_the_instrument_list_follows_the_newer_dispatchers_redirect(server):
    server.script("*", [Reply(302, "", headers={"Location": f"{server.url}/instr-list?instrument=mock"})],
                  path="/api/instr-list")
    server.script("*", [Reply(body=["isgri", "jemx"])], path="/instr-list")
    assert Transport(server.url).instruments() == ["isgri", "jemx"]


def test_run_analysis_is_not_redirected_nor_retried(server):
    server.script("*", [Reply(302, "", headers={"Location": "https://elsewhere.org/run?token=x"})])
    transport = Transport(server.url)
    with pytest.raises(DispatcherError, match="redirects to https://elsewhere.org/run") as caught:
        transport.run_analysis({"instrument": "x", "query_status": "new"})
    assert "token" not in str(caught.value)
    server.script("*", [Reply(503, "busy")])
    with pytest.raises(DispatcherUnavailable):
        transport.run_analysis({"instrument": "x", "query_status": "new"})
    assert len(server.sent("*")) == 1  # the poller, not the transport, retries run_analysis


def test_long_requests_go_as_a_form_post(server):
    server.script("*", [envelope("submitted")])
    transport = Transport(server.url)
    transport.run_analysis({"instrument": "x", "selected_catalog": "x" * 2000})
    transport.run_analysis({"instrument": "x", "RA": 1})
    assert [s["_method"] for s in server.sent("*")] == ["POST", "GET"]


@pytest.mark.parametrize(
    ("reply", "error_type", "text"),
    [
        (Reply(400, {"error_message": "Parameter T1 wrong value 58000: can't be parsed",
                     "error": "RequestNotUnderstood()"}), RequestRejected, "Parameter T1"),
        (Reply(403, {"error_message": "The token provided is expired", "debug_message": "d"}),
         Unauthorized, "expired"),
        (Reply(403, "A token must be provided."), Unauthorized, "A token must be provided."),
        (Reply(500, {"message": "request not valid", "error_message": "KeyError('x')"}),
         DispatcherError, "KeyError('x')"),
        (Reply(500, "<html><title>500</title><body><p>Internal Server Error</p></body></html>"),
         DispatcherError, "Internal Server Error"),
        (Reply(504, ""), DispatcherUnavailable, "HTTP 504"),
        (Reply(200, "<html>proxy login page</html>"), DispatcherError, "not JSON"),
        (Reply(404, "Not Found"), DispatcherError, "HTTP 404"),
    ],
)
def test_answers_map_to_plain_errors(server, reply, error_type, text):
    server.script("*", [reply])
    with pytest.raises(error_type) as caught:
        Transport(server.url).run_analysis({"instrument": "x", "token": TOKEN})
    assert text in str(caught.value)
    assert "<" not in str(caught.value)


def test_a_400_names_its_parameter_in_both_server_generations():
    assert parameter_named_in("Parameter RA wrong value a. could not convert") == "RA"
    assert parameter_named_in("Non-optional parameter T1 is set to None") == "T1"
    # 1.3.3 only quotes the value: the parameter sent with it is named
    message = "[ InstrumentQueryBackEnd : x ] constructor failed: Invalid character at col 0 parsing angle 'a'"
    assert parameter_named_in(message, {"RA": "a", "DEC": "10"}) == "RA"
    assert parameter_named_in(message, {"RA": "a", "DEC": "a"}) is None


def test_the_token_is_in_no_error_message_and_no_log(caplog):
    caplog.set_level(logging.DEBUG)
    transport = Transport("http://127.0.0.1:9", timeout=2, retries=0)  # nothing listens there
    with pytest.raises(DispatcherUnavailable) as caught:
        transport.run_analysis({"instrument": "x", "query_status": "new", "token": TOKEN})
    with pytest.raises(DispatcherUnavailable) as caught_meta:
        transport.meta_data("x", token=TOKEN)
    for error in (caught.value, caught_meta.value):
        assert TOKEN not in str(error)
        assert TOKEN not in str(error.__cause__)
        assert error.__context__ is None or TOKEN not in str(error.__context__)
    assert TOKEN not in caplog.text


def test_a_server_message_echoing_the_token_is_scrubbed(server):
    server.script("*", [Reply(400, {"error_message": f"Parameter token wrong value {TOKEN}"})])
    with pytest.raises(RequestRejected) as caught:
        Transport(server.url).run_analysis({"instrument": "x", "token": TOKEN})
    assert TOKEN not in str(caught.value) and TOKEN not in repr(caught.value.payload)


def test_a_token_cut_by_the_excerpt_leaves_no_part_of_itself(server):
    # the token starts a few characters before the excerpt's cut (400 characters): cutting first
    # would leave its header and claims, which no longer look like a whole JWT
    body = "x" * 380 + " " + TOKEN + " and the rest of the page"
    server.script("*", [Reply(418, body, "text/plain")], path="/api/meta-data")
    transport = Transport(server.url, retries=0)
    with pytest.raises(DispatcherError) as caught:
        transport.meta_data("isgri", token=TOKEN)
    message = str(caught.value)
    assert "HTTP 418" in message and "xxxx" in message
    header, claims, _ = TOKEN.split(".")
    assert header not in message and claims[:8] not in message and "eyJ" not in message


@pytest.mark.parametrize("depth", [100_000, 5_000])
def test_json_nested_too_deeply_is_a_dispatcher_error_with_words(server, depth):
    # json.loads (or the scrubbing after it) runs out of recursion: never a bare RecursionError
    body = '{"query_status": "done", "products": ' + "[" * depth + "]" * depth + "}"
    server.script("*", [Reply(200, body, content_type="application/json")])
    with pytest.raises(DispatcherError, match="nested too deeply"):
        Transport(server.url).run_analysis({"instrument": "x", "token": TOKEN})
