"""Every captured run_analysis answer of the real dispatchers, served again over real sockets.

Each answer of ``../shared/data/dispatcher-1.3.3`` (``requests.md`` gives the request and HTTP
status of each numbered file) and of ``dispatcher-1.3.6`` (``*.exchange.json`` hold request,
status and answer) is served with its recorded HTTP status by the scripted server, to a job
followed by the real Transport and Poller as the captured request left it. What the user gets
(status, error class, the server's message) is derived from the capture itself, and checked
word for word where the client adds its own reading (parameter named, backend report...).
The description answers are covered by test_spec.py.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from support import shared
from support.scripted_dispatcher import Reply, ScriptedDispatcher

from oda_widgets.client.errors import JobFailed, ProductDecodeError, RequestRejected, Unauthorized
from oda_widgets.client.jobs import Job, JobEvent, JobStatus
from oda_widgets.client.poller import Poller
from oda_widgets.client.transport.http import Transport

pytestmark = [pytest.mark.unit, pytest.mark.shared]

OLD = shared.CAPTURES_133
NEW = shared.CAPTURES_136
WAIT = 60


@dataclass
class Capture:
    name: str
    status: int
    request: dict[str, Any]
    answer: Any


def _single(values: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in values.items()}


def _old_captures() -> list[Capture]:
    if not (OLD / "requests.md").exists():
        return []
    captures = []
    sections = re.split(r"^### ", (OLD / "requests.md").read_text(), flags=re.M)[1:]
    for section in sections:
        name = section.split("\n", 1)[0].strip()
        request = re.search(r"^- `(?:GET|POST) (\S+)`", section, re.M)
        status = re.search(r"^- HTTP (\d{3})", section, re.M)
        if not (request and status and name.endswith(".json")):
            continue
        url = urlsplit(request.group(1))
        if url.path != "/run_analysis" or not (OLD / name).exists():
            continue
        captures.append(Capture(name, int(status.group(1)), _single(parse_qs(url.query)),
                                json.loads((OLD / name).read_text())))
    return captures


def _new_captures() -> list[Capture]:
    captures = []
    for path in sorted(NEW.glob("*.exchange.json")) if NEW.exists() else []:
        for number, exchange in enumerate(json.loads(path.read_text())):
            url = urlsplit(exchange["url"])
            if url.path != "/run_analysis":
                continue
            request = _single(parse_qs(url.query))
            if isinstance(exchange.get("body"), dict):
                request.update(exchange["body"])
            captures.append(Capture(f"{path.name}#{number}", int(exchange["status"]), request,
                                    exchange["resp"]))
    return captures


CAPTURES = {c.name: c for c in _old_captures() + _new_captures()}

# Product payloads the 1.3.6 captures cut short: the client must say so, not fail open.
TRUNCATED = {"numerical.exchange.json#1", "catalog.exchange.json#1"}


@pytest.fixture(scope="module")
def server():
    with ScriptedDispatcher() as running:
        yield running


@pytest.fixture(scope="module")
def poller():
    running = Poller(workers=4)
    yield running
    running.close()


def _session_of(request: dict, capture: Capture) -> str:
    # A request sent without a session_id gets one from the server, and the 1.3.6 captures cut
    # long URLs inside it ("session_id=BW2SX...<266 chars total>"): the answer names it then.
    sent = str(request.get("session_id") or "")
    if re.fullmatch(r"[A-Z0-9]{16}", sent):
        return sent
    answer = capture.answer if isinstance(capture.answer, dict) else {}
    return str(answer.get("session_id") or "SESSIONSESSION01")


def _job_for(capture: Capture, key: str) -> Job:
    request = dict(capture.request)
    job_id = request.get("job_id")
    if job_id is not None and not re.fullmatch(r"[0-9a-f]{16}", str(job_id)):
        # the 1.3.6 captures cut long URLs ("job_id=c6...<214 chars total>"): the answer says
        # which job the request was about
        monitor = capture.answer.get("job_monitor") if isinstance(capture.answer, dict) else None
        request["job_id"] = (monitor or {}).get("job_id")
    parameters = {k: v for k, v in request.items() if k not in {
        "instrument", "product_type", "query_type", "query_status", "session_id", "job_id",
        "token", "off_line", "api", "oda_api_version", "verbose", "client-name", "dry_run"}}
    return Job(key, str(request.get("product_type", "dummy")),
               str(request.get("query_type", "Real")), parameters, url="http://unused",
               session_id=_session_of(request, capture),
               job_id=request.get("job_id"))


def _follow(server, poller, key: str, replies: list[Reply], job: Job, query_status: str) -> list:
    server.script(key, replies)
    events: list[JobEvent] = []
    job.add_listener(events.append)
    poller.follow(job, Transport(server.url, timeout=30, retries=0),
                  query_status=query_status, poll_interval=0.02)
    return events


def _first_status(events: list[JobEvent], job: Job) -> JobStatus:
    seen = threading.Event()
    job.add_listener(lambda event: seen.set())
    assert seen.wait(WAIT)
    return (events[0].status if events else job.status)


def _backend_report(answer: dict) -> str:
    report = (answer.get("job_monitor") or {}).get("full_report_dict") or {}
    return f"{report.get('message')} at {report.get('node_id')}" if report else ""


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_a_captured_answer_reaches_the_user_as_the_server_meant_it(server, poller, name):
    capture = CAPTURES[name]
    key = f"case-{re.sub(r'[^A-Za-z0-9]', '-', name)}"
    job = _job_for(capture, key)
    query_status = str(capture.request.get("query_status") or "new")
    if query_status != "new" and not job.job_id:
        query_status = "new"
    answer = capture.answer
    events = _follow(server, poller, key, [Reply(capture.status, answer)], job, query_status)

    answered = answer.get("query_status") if isinstance(answer, dict) else None
    if capture.status == 200 and answered in ("submitted", "progress", "ready"):
        assert _first_status(events, job) is JobStatus(answered)
        assert not job.is_finished
        job.cancel()
        return

    assert job.wait(WAIT) in (JobStatus.DONE, JobStatus.FAILED)
    error = job.error
    if capture.status == 400:
        assert job.status is JobStatus.FAILED and isinstance(error, RequestRejected)
        assert error.message == answer["error_message"]
    elif capture.status == 403:
        assert job.status is JobStatus.FAILED and isinstance(error, Unauthorized)
        assert error.message == answer["exit_status"]["message"]
    elif answered == "failed":
        assert job.status is JobStatus.FAILED and isinstance(error, JobFailed)
        server_words = answer["exit_status"].get("message") or _backend_report(answer)
        if server_words:
            assert server_words in str(error)
        else:  # no message at all: the dispatcher's comment and warning are what is left
            assert error.message == "the job failed on the server (it gave no reason)"
            for key in ("comment", "warning"):
                assert answer["exit_status"][key] in error.debug_message
        assert error.job_id == answer["job_monitor"]["job_id"]
    elif name in TRUNCATED:
        assert job.status is JobStatus.FAILED and isinstance(error, ProductDecodeError)
        assert "damaged or truncated" in str(error)
    else:
        assert capture.status == 200 and answered == "done"
        assert job.status is JobStatus.DONE, repr(error)
        assert job.job_id == answer["job_monitor"]["job_id"]
        sent_back = json.dumps(job.products.analysis_parameters)
        assert "eyJ" not in sent_back  # the server echoes the token: the client drops it
    assert "eyJ" not in str(error or "")


def _old(name: str) -> Capture:
    return CAPTURES[name]


def _outcome(server, poller, name: str) -> Job:
    capture = _old(name)
    job = _job_for(capture, f"word-{name}")
    status = str(capture.request.get("query_status") or "new")
    _follow(server, poller, f"word-{name}", [Reply(capture.status, capture.answer)], job,
            status if job.job_id else "new")
    job.wait(WAIT)
    return job


def test_a_job_failed_by_its_backend_says_where(server, poller):
    job = _outcome(server, poller, "28_async_dummy_Real_poll_failed.json")
    assert isinstance(job.error, JobFailed)
    assert "failed at node_failed" in str(job.error)


def test_a_bad_angle_is_rejected_with_the_servers_text_and_the_parameter(server, poller):
    job = _outcome(server, poller, "32_err_RA_a.json")
    assert isinstance(job.error, RequestRejected)
    assert job.error.message == CAPTURES["32_err_RA_a.json"].answer["error_message"]
    assert job.error.parameter == "RA"


def test_a_public_request_for_a_protected_product_is_unauthorized(server, poller):
    job = _outcome(server, poller, "10_run_empty_numerical_Dummy_public_403.json")
    assert isinstance(job.error, Unauthorized)


def test_a_poll_with_a_wrong_job_id_is_rejected_naming_it(server, poller):
    job = _outcome(server, poller, "39_err_poll_wrong_job_id.json")
    assert isinstance(job.error, RequestRejected)
    assert "unable to find any record for 0000000000000000" in job.error.message


def _sequence(server, poller, names: list[str]) -> tuple[Job, list[JobEvent], list[str]]:
    captures = [_old(name) for name in names]
    key = f"seq-{names[0][:2]}"
    job = _job_for(captures[0], key)
    events = _follow(server, poller, key, [Reply(c.status, c.answer) for c in captures], job,
                     "new")
    job.wait(WAIT)
    return job, events, [s["query_status"] for s in server.sent(key)]


def test_the_captured_async_lifecycle_is_followed_to_its_products(server, poller):
    job, events, sent = _sequence(server, poller, [
        "13_async_dummy_Real_new_submitted.json",
        "14_async_dummy_Real_poll_still_submitted.json",
        "16_async_dummy_Real_poll_progress.json",
        "18_async_dummy_Real_poll_after_done_callback_ready.json",
        "19_async_dummy_Real_poll_ready_done.json",
    ])
    assert job.status is JobStatus.DONE
    assert [e.status for e in events] == [
        JobStatus.SUBMITTED, JobStatus.PROGRESS, JobStatus.READY, JobStatus.DONE]
    # the last status the server gave is sent back each time, as oda_api does
    assert sent == ["new", "submitted", "submitted", "progress", "ready"]
    assert job.job_id == CAPTURES["13_async_dummy_Real_new_submitted.json"].answer[
        "job_monitor"]["job_id"]


def test_the_captured_async_failure_is_followed_to_the_backends_words(server, poller):
    job, events, sent = _sequence(server, poller, [
        "26_async_dummy_Real_new_submitted_2.json",
        "28_async_dummy_Real_poll_failed.json",
    ])
    assert [e.status for e in events] == [JobStatus.SUBMITTED, JobStatus.FAILED]
    assert sent == ["new", "submitted"]
    assert isinstance(job.error, JobFailed) and "failed at node_failed" in str(job.error)
