"""The HTTP timeout is a deadline for the whole answer, across trickled bytes and retries, and the
error says it was a read timeout. Against a scripted dispatcher over real sockets; what is
asserted is the order of events (the client gave up while the server was still sending, one
attempt instead of five), not how long anything took."""

from __future__ import annotations

import threading

import jwt
import pytest
from support.scripted_dispatcher import Reply, ScriptedDispatcher, envelope

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import DispatcherUnavailable
from oda_widgets.client.jobs import Job, JobStatus
from oda_widgets.client.poller import Poller
from oda_widgets.client.transport.http import Transport

pytestmark = pytest.mark.unit
TOKEN = jwt.encode({"sub": "x"}, "throwaway-secret-of-thirty-two-bytes", algorithm="HS256")
WAIT = 120


@pytest.fixture()
def server():
    with ScriptedDispatcher() as running:
        yield running


def _slow_body() -> dict:
    # about 300 bytes: at one byte every 0.5 s the server needs minutes to send it all
    return envelope("submitted", "0123456789abcdef")


def test_a_trickled_answer_ends_at_the_deadline_while_the_server_is_still_sending(server):
    reply = Reply(body=_slow_body(), trickle=0.5)
    server.script("*", [reply])
    transport = Transport(server.url, timeout=3)
    with pytest.raises(DispatcherUnavailable) as caught:
        transport.run_analysis({"instrument": "x", "query_status": "new", "token": TOKEN})
    assert not reply.trickled.is_set()  # given up before the last byte, not after it
    message = str(caught.value)
    assert "did not send its whole answer within 3 s" in message and "read timeout" in message
    assert TOKEN not in message
    assert reply.abandoned.wait(WAIT)  # and the connection was closed, not left hanging


def test_a_trickled_description_is_not_retried_past_the_deadline(server):
    reply = Reply(body={"a": 1}, trickle=0.5)
    server.script("*", [reply], path="/api/meta-data")
    transport = Transport(server.url, timeout=3, retries=4, backoff_factor=0.01)
    with pytest.raises(DispatcherUnavailable, match="read timeout"):
        transport.meta_data("isgri")
    assert not reply.trickled.is_set()
    assert len(server.sent("*", "/api/meta-data")) == 1


def test_describe_against_a_silent_server_holds_its_deadline_across_retries(server):
    silent = threading.Event()  # never set while the client waits: the server says nothing
    server.script("*", [Reply(body={}, hold=silent)], path="/api/meta-data")
    disp = Dispatcher(server.url, token=TOKEN, registry=False, timeout=5)
    try:
        with pytest.raises(DispatcherUnavailable) as caught:
            disp.describe("isgri")
    finally:
        silent.set()
        disp.close()
    message = str(caught.value)
    assert "within 5 s (read timeout" in message
    assert "connection failed or was dropped" not in message
    # one attempt: the retries that remained had no time left
    assert len(server.sent("*", "/api/meta-data")) == 1


def test_a_gateway_error_then_silence_is_retried_once_then_reported_as_a_read_timeout(server):
    silent = threading.Event()
    server.script("*", [Reply(503, "busy"), Reply(body={}, hold=silent)], path="/api/meta-data")
    transport = Transport(server.url, timeout=5, retries=4, backoff_factor=0.01)
    try:
        with pytest.raises(DispatcherUnavailable, match="read timeout"):
            transport.meta_data("isgri")
    finally:
        silent.set()
    assert len(server.sent("*", "/api/meta-data")) == 2


def test_a_job_whose_answers_trickle_is_retried_and_others_go_on(server):
    poller = Poller(give_up_after=3600, first_retry_delay=0.05, max_retry_delay=0.1)
    trickling = Reply(body=_slow_body(), trickle=0.5)
    server.script("trickles", [trickling, envelope("done", "1111111111111111",
                                                   products={"api_code": ""})])
    server.script("healthy", [envelope("submitted", "2222222222222222"),
                              envelope("done", "2222222222222222", products={"api_code": ""})])
    slow = Job("trickles", "p", url=server.url, session_id="SESSIONSESSION01")
    fast = Job("healthy", "p", url=server.url, session_id="SESSIONSESSION01")
    try:
        poller.follow(slow, Transport(server.url, timeout=3), poll_interval=0.05)
        poller.follow(fast, Transport(server.url, timeout=3), poll_interval=0.05)
        assert fast.wait(WAIT) is JobStatus.DONE
        # the trickled answer timed out (a transient fault) and the job was asked again
        assert slow.wait(WAIT) is JobStatus.DONE
        assert not trickling.trickled.is_set()
        assert len(server.sent("trickles")) == 2
    finally:
        poller.close()
