"""The token leaves no trace: not in the frames of a traceback, not in texts taken from answers.

Real 400/403/500 and HTML answers come from a scripted dispatcher over real sockets, through the
real Dispatcher, poller and Transport. Tracebacks are formatted the two ways that print every
frame's locals: ``traceback.TracebackException(..., capture_locals=True)`` and IPython's verbose
mode (``%xmode Verbose``). The token is searched for whole and by its parts (the signature alone
is as secret as the whole).
"""

from __future__ import annotations

import copy
import gzip
import logging
import pickle
import time
import traceback

import jwt
import pytest
from support.scripted_dispatcher import Reply, envelope

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import (
    DispatcherError,
    DispatcherUnavailable,
    OdaError,
    RequestRejected,
    Unauthorized,
)
from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.poller import Poller
from oda_widgets.client.transport.redaction import scrub_text
from oda_widgets.client.transport.secret import SecretToken
from oda_widgets.client.transport.token import decode_token

pytestmark = pytest.mark.unit
WAIT = 60

TOKEN = jwt.encode(
    {"sub": "ada@example.org", "name": "Ada", "roles": "general",
     "exp": int(time.time()) + 86400},
    "a-throwaway-secret-of-at-least-32-bytes", algorithm="HS256",
)
HEADER, PAYLOAD, SIGNATURE = TOKEN.split(".")


def traces(text: str) -> list[str]:
    """The pieces of the token ``text`` shows (empty when it shows none)."""
    return [name for name, part in (("token", TOKEN), ("payload", PAYLOAD),
                                    ("signature", SIGNATURE)) if part in text]


def every_rendering(error: BaseException) -> str:
    """The error as every traceback printer with frame locals would show it."""
    from IPython.core.ultratb import VerboseTB

    captured = traceback.TracebackException.from_exception(error, capture_locals=True)
    plain = "".join(captured.format())
    verbose = VerboseTB(theme_name="nocolor").text(type(error), error, error.__traceback__)
    return "\n".join([plain, verbose, repr(error), str(error), repr(getattr(error, "payload", ""))])


@pytest.fixture()
def poller():
    running = Poller(give_up_after=0.5, first_retry_delay=0.05, max_retry_delay=0.1)
    yield running
    running.close()


@pytest.fixture()
def dispatcher(server, poller, tmp_path):
    disp = Dispatcher(server.url, token=TOKEN, registry=tmp_path, poller=poller,
                      poll_interval=0.02, timeout=10)
    yield disp
    disp.close()


# what a dispatcher that echoes the request (or its token) back may answer
ECHOING_ANSWERS = {
    "400": Reply(400, {"error_message": f"Parameter RA wrong value a (token={TOKEN})",
                       "error": "RequestNotUnderstood()"}),
    "403": Reply(403, {"error_message": f"token {TOKEN} is expired",
                       "debug_message": f"Signature verification failed for {SIGNATURE}"}),
    "500": Reply(500, {"error_message": f"internal error handling {TOKEN}"}),
    "500 html": Reply(500, f"<html><body><h1>Internal Server Error</h1><p>{TOKEN}</p></body></html>"),
}


@pytest.mark.parametrize("case", sorted(ECHOING_ANSWERS))
def test_a_failed_job_shows_no_token_in_any_traceback_printer(server, dispatcher, case):
    server.script("*", [ECHOING_ANSWERS[case]])
    job = dispatcher.submit("x", "image", validate=False, RA="a")
    assert job.wait(WAIT) is JobStatus.FAILED
    with pytest.raises(OdaError) as caught:
        job.result()
    rendered = every_rendering(caught.value)
    assert "_request" in rendered and "run_analysis" in rendered  # the frames are there ...
    assert "<token hidden>" in rendered  # ... with the token's local, shown hidden ...
    assert traces(rendered) == []  # ... and nothing of the token
    assert server.sent("*")[0]["token"] == TOKEN  # while the request did carry it


@pytest.mark.parametrize("case", sorted(ECHOING_ANSWERS))
def test_a_failed_description_shows_no_token_in_any_traceback_printer(server, dispatcher, case):
    server.script("*", [ECHOING_ANSWERS[case]], path="/api/meta-data")
    with pytest.raises(OdaError) as caught:
        dispatcher.describe("isgri")
    rendered = every_rendering(caught.value)
    assert "get_json" in rendered and "_decode" in rendered
    assert traces(rendered) == []
    assert server.sent("*", "/api/meta-data")[0]["token"] == TOKEN


def test_an_unreachable_dispatcher_shows_no_token_in_the_traceback_or_its_cause(server, poller,
                                                                               tmp_path):
    server.script("*", [Reply(drop=True)])
    server.script("*", [Reply(drop=True)], path="/api/instr-list")
    disp = Dispatcher(server.url, token=TOKEN, registry=False, poller=poller, poll_interval=0.02)
    job = disp.submit("x", "image", validate=False)
    assert job.wait(WAIT) is JobStatus.FAILED and isinstance(job.error, DispatcherUnavailable)
    with pytest.raises(DispatcherUnavailable) as caught:
        disp.instruments()  # a GET: the token is in the request URL
    for error in (job.error, caught.value):
        assert traces(every_rendering(error)) == []
    # the low-level cause (its text names the request URL) is kept, scrubbed
    cause = caught.value.__cause__
    assert cause is not None and "token=<token removed>" in str(cause)
    assert traces(every_rendering(cause)) == []
    disp.close()


def test_errors_are_logged_without_the_token(server, dispatcher, caplog):
    caplog.set_level(logging.DEBUG)
    server.script("*", [ECHOING_ANSWERS["403"]])
    job = dispatcher.submit("x", "image", validate=False)
    assert job.wait(WAIT) is JobStatus.FAILED
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert "job" in logged and traces(logged) == []


# --- HTML answers that hide the token from a plain search ------------------------------------
HIDDEN_IN_HTML = {
    "dots as entities": TOKEN.replace(".", "&#46;"),
    "dots as hex entities": TOKEN.replace(".", "&#x2E;"),
    "split by tags": f"{HEADER[:9]}<b></b>{HEADER[9:]}.<span>{PAYLOAD[:20]}</span>"
                     f"{PAYLOAD[20:]}.<i>{SIGNATURE}</i>",
    "entities and tags": f"{HEADER}&#46;<em>{PAYLOAD}</em>&#46;{SIGNATURE[:5]}<b>{SIGNATURE[5:]}</b>",
}


@pytest.mark.parametrize("status", [200, 502])
@pytest.mark.parametrize("spelling", sorted(HIDDEN_IN_HTML))
def test_a_token_spelled_out_in_html_is_scrubbed_after_the_page_becomes_text(
    server, dispatcher, status, spelling, caplog
):
    caplog.set_level(logging.DEBUG)
    page = f"<html><body><h1>Proxy error</h1><p>request token {HIDDEN_IN_HTML[spelling]}</p></body></html>"
    server.script("*", [Reply(status, page)])
    job = dispatcher.submit("x", "image", validate=False)
    assert job.wait(WAIT) is JobStatus.FAILED
    error = job.error
    assert isinstance(error, DispatcherError | DispatcherUnavailable)
    assert "Proxy error" in str(error)  # the page's text is reported ...
    assert traces(str(error)) == [] and traces(every_rendering(error)) == []  # ... not the token
    assert traces(caplog.text) == []

    from ipywidgets.embed import embed_data

    from oda_widgets.widgets.job_monitor import JobMonitor

    monitor = JobMonitor([job], autostart=False)
    try:
        state = repr(monitor.rows) + repr(embed_data(views=[monitor]))
        assert "Proxy error" in state and traces(state) == []
    finally:
        monitor.close()


def test_a_token_split_only_by_tags_is_scrubbed_from_text():
    html_text = f"see {HEADER}<b>.</b>{PAYLOAD}<br/>.{SIGNATURE} here"
    assert traces(scrub_text(html_text, TOKEN)) == []


# --- the token as a key, and its signature alone ----------------------------------------------
def test_the_token_as_a_json_key_of_a_done_answer_is_kept_nowhere(server, dispatcher, tmp_path):
    products = {"api_code": "", "analysis_parameters": {"p": 1},
                "seen_by": {TOKEN: "first request", "other": {f"k-{TOKEN}": 1}}}
    server.script("*", [envelope("done", "abcdefabcdefabcd", products=products)])
    job = dispatcher.submit("x", "image", validate=False)
    assert job.wait(WAIT) is JobStatus.DONE
    extras = job.products.extras
    assert "first request" in repr(extras) and traces(repr(extras)) == []
    on_disk = b"".join(gzip.decompress(p.read_bytes()) for p in tmp_path.glob("products/*.gz"))
    on_disk += b"".join(p.read_bytes() for p in tmp_path.glob("jobs/*.json"))
    assert b"first request" in on_disk and traces(on_disk.decode()) == []
    # and again from the registry, as a new process would see it
    again = Dispatcher(server.url, token=TOKEN, registry=tmp_path)
    [restored] = [j for j in again.jobs() if j.job_id == "abcdefabcdefabcd"]
    assert traces(repr(restored.products.extras)) == []


def test_the_signature_alone_is_removed_from_a_rejection(server, dispatcher):
    server.script("*", [Reply(400, {"error_message": f"signature {SIGNATURE} does not verify",
                                    "error": "RequestNotUnderstood()"})])
    job = dispatcher.submit("x", "image", validate=False)
    assert job.wait(WAIT) is JobStatus.FAILED
    error = job.error
    assert isinstance(error, RequestRejected)
    assert error.message.startswith("signature <token removed>")
    assert traces(every_rendering(error)) == []


def test_a_403_answer_in_the_envelope_shows_no_token(server, dispatcher):
    answer = envelope("failed", "abcdefabcdefabcd", status_code=403,
                      exit_status={"message": f"bad token {TOKEN}",
                                   "debug_message": f"sig {SIGNATURE}"})
    server.script("*", [Reply(body=answer)])
    job = dispatcher.submit("x", "image", validate=False)
    assert job.wait(WAIT) is JobStatus.FAILED and isinstance(job.error, Unauthorized)
    assert traces(every_rendering(job.error)) == []


# --- the wrapper itself -----------------------------------------------------------------------
def test_the_wrapper_never_shows_the_token():
    secret = SecretToken(TOKEN)
    percent = "%s" % secret  # noqa: UP031 (how logging formats its arguments)
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", percent,
             repr({"token": secret}), repr([secret])]
    assert all(text == "<token hidden>" or traces(text) == [] for text in shown)
    assert secret.reveal() == TOKEN
    assert copy.deepcopy(secret) is secret
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps({"token": secret})


def _mistyped() -> str:
    return "pasted-by-mistake-" + SIGNATURE


def test_an_unreadable_token_leaves_no_trace_in_the_traceback():
    # made by a call, not kept in this test's frame, which is part of the traceback too (and
    # IPython shows the value of simple expressions on the failing line)
    with pytest.raises(OdaError) as caught:
        Dispatcher("http://127.0.0.1:9", token="", registry=False).set_token(_mistyped())
    assert traces(every_rendering(caught.value)) == []
    with pytest.raises(OdaError) as caught:
        decode_token(_mistyped())
    assert traces(every_rendering(caught.value)) == []


def test_the_dispatcher_and_its_jobs_hold_no_plain_token(server, dispatcher):
    server.script("*", [envelope("submitted", "abcdefabcdefabcd")])
    job = dispatcher.submit("x", "image", validate=False)
    assert job.job_id is None or job.job_id
    shown = repr(dispatcher) + repr(vars(dispatcher)) + repr(vars(job)) + repr(dispatcher._poller._followed)
    assert traces(shown) == []
    job.cancel()
