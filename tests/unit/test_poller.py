"""The background poller against a scripted dispatcher over real sockets.

Every fault a real dispatcher (or what stands in front of it) can produce ends up on the job it
hit, with a plain error, while the other jobs carry on.
"""

from __future__ import annotations

import threading
import time

import pytest
from support.scripted_dispatcher import Reply, ScriptedDispatcher, envelope

from oda_widgets.client.errors import (
    DispatcherError,
    DispatcherUnavailable,
    JobFailed,
    RequestRejected,
    Unauthorized,
)
from oda_widgets.client.jobs import Job, JobEvent, JobStatus
from oda_widgets.client.poller import Poller
from oda_widgets.client.transport.http import Transport

pytestmark = pytest.mark.unit

DONE_PRODUCTS = {
    "analysis_parameters": {"p": 5.0, "instrument": "x"},
    "api_code": "print('no code')",
}
WAIT = 60  # generous upper bound for jobs that finish in well under a second


@pytest.fixture()
def poller():
    # fast retries so that fault tests take a fraction of a second
    running = Poller(workers=4, give_up_after=1.0, first_retry_delay=0.05, max_retry_delay=0.2)
    yield running
    running.close()


def make_job(server: ScriptedDispatcher, name: str, **parameters) -> Job:
    return Job(name, "dummy", "Real", parameters, url=server.url, session_id="SESSIONSESSION01")


def follow(poller: Poller, server: ScriptedDispatcher, job: Job, **kwargs) -> None:
    transport = Transport(server.url, timeout=10, retries=0)
    poller.follow(job, transport, poll_interval=kwargs.pop("poll_interval", 0.02), **kwargs)


def healthy_script(server: ScriptedDispatcher, name: str, job_id: str = "feedfeedfeedfeed") -> None:
    server.script(
        name,
        [
            envelope("submitted", job_id),
            envelope("submitted", job_id),
            envelope("done", job_id, products=DONE_PRODUCTS),
        ],
    )


def test_a_job_goes_through_the_dispatcher_lifecycle_as_oda_api_drives_it(server, poller):
    job_id = "1ef80059775d591d"
    report = {"action": "progress", "stage": "imaging", "substage": "mosaic",
              "progress": "50", "progress_max": "100", "message": "halfway"}
    server.script(
        "life",
        [
            envelope("submitted", job_id),
            envelope("progress", job_id, report=report, reports=[report]),
            envelope("ready", job_id),
            envelope("done", job_id, products=DONE_PRODUCTS),
        ],
    )
    events: list[JobEvent] = []
    job = make_job(server, "life", RA=83.63, scw_list=["066500220010.001", "066500230010.001"])
    job.add_listener(events.append)
    follow(poller, server, job, token="secret-token-value")

    assert job.wait(WAIT) is JobStatus.DONE
    assert job.job_id == job_id
    assert job.result() is job.products

    statuses = [e.status for e in events]
    assert statuses == [JobStatus.SUBMITTED, JobStatus.PROGRESS, JobStatus.READY, JobStatus.DONE]
    progress = events[1].progress
    assert (progress.done, progress.total, progress.fraction) == (50, 100, 0.5)
    assert progress.stage == "imaging: mosaic"
    assert progress.message == "halfway"
    assert len(progress.reports) == 1

    sent = server.sent("life")
    # query_status=new first, then the last status the server gave, as oda_api does
    assert [s["query_status"] for s in sent] == ["new", "submitted", "progress", "ready"]
    assert "job_id" not in sent[0]
    for request in sent:
        # every original parameter is sent again on every poll
        assert request["RA"] == "83.63"
        assert request["scw_list"] == ["066500220010.001", "066500230010.001"]
        assert request["product_type"] == "dummy"
        assert request["query_type"] == "Real"
        assert request["session_id"] == "SESSIONSESSION01"
        assert request["api"] == "True"
        assert request["token"] == "secret-token-value"
        assert request["client-name"] == "oda_widgets"
        assert request["_headers"]["Request-Timeout"] == "10"  # the Transport's timeout
    assert all(s["job_id"] == job_id for s in sent[1:])


def test_ready_is_followed_at_once_by_one_more_request(server, poller):
    job_id = "aaaaaaaaaaaaaaaa"
    server.script("ready", [envelope("ready", job_id), envelope("done", job_id, products=DONE_PRODUCTS)])
    job = make_job(server, "ready")
    # a long poll interval: if 'ready' waited for it, the job would still be ready below
    follow(poller, server, job, poll_interval=30)
    assert job.wait(WAIT) is JobStatus.DONE
    assert [s["query_status"] for s in server.sent("ready")] == ["new", "ready"]


FAULTS = {
    "503 for ever": (
        [Reply(503, "<html><body><h1>503 Service Unavailable</h1></body></html>")],
        DispatcherUnavailable,
        "503",
    ),
    "dropped connection": ([Reply(drop=True)], DispatcherUnavailable, "could not reach"),
    "HTML error page": (
        [Reply(500, "<html><head><style>p{}</style></head><body><h1>Internal Server Error</h1>"
                    "<p>The server encountered an internal error</p></body></html>")],
        DispatcherError,
        "Internal Server Error The server encountered an internal error",
    ),
    "malformed JSON": ([Reply(200, '{"query_status": "submitted", ', "application/json")],
                       DispatcherError, "not JSON"),
    "JSON that is not an envelope": ([Reply(200, {"hello": "world"})], DispatcherError,
                                     "no query_status"),
    "400 with the server's message": (
        [Reply(400, {"error_message": "Parameter RA wrong value a. could not convert string to "
                     "float: 'a'", "error": "RequestNotUnderstood()"})],
        RequestRejected,
        "Parameter RA wrong value a",
    ),
    "403 failed envelope": (
        [Reply(403, envelope("failed", exit_status={"status": 1, "message": "Unfortunately, your "
               "priviledges are not sufficient"}, status_code=403))],
        Unauthorized,
        "priviledges are not sufficient",
    ),
    "500 JSON": ([Reply(500, {"message": "request not valid", "error_message": "boom inside"})],
                 DispatcherError, "boom inside"),
    "failed job": (
        [envelope("submitted"),
         envelope("failed", exit_status={"status": 1, "message": "failed: dummy",
                                         "error_message": "TypeError('x')",
                                         "debug_message": "trace"})],
        JobFailed,
        "failed: dummy",
    ),
    "job_id changes": (
        [envelope("submitted", "1111111111111111"), envelope("submitted", "2222222222222222")],
        DispatcherError,
        "answered for job 2222222222222222 while following job 1111111111111111",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_a_fault_ends_up_on_its_own_job_while_another_job_finishes(server, poller, fault):
    replies, error_type, text = FAULTS[fault]
    server.script("faulty", replies)
    healthy_script(server, "healthy")
    faulty, healthy = make_job(server, "faulty"), make_job(server, "healthy")
    follow(poller, server, faulty)
    follow(poller, server, healthy)

    assert healthy.wait(WAIT) is JobStatus.DONE
    assert faulty.wait(WAIT) is JobStatus.FAILED
    assert isinstance(faulty.error, error_type)
    assert text in str(faulty.error)
    assert "<" not in str(faulty.error)  # server pages are shown as text, never HTML
    with pytest.raises(error_type):
        faulty.result()


def test_a_failed_job_carries_the_servers_three_messages(server, poller):
    server.script("failed", FAULTS["failed job"][0])
    job = make_job(server, "failed")
    follow(poller, server, job)
    job.wait(WAIT)
    error = job.error
    assert isinstance(error, JobFailed)
    assert (error.message, error.error_message, error.debug_message) == (
        "failed: dummy", "TypeError('x')", "trace")
    assert error.job_id == "0123456789abcdef"


def test_a_400_names_the_parameter_the_server_complained_about(server, poller):
    server.script("rejected", FAULTS["400 with the server's message"][0])
    job = make_job(server, "rejected", RA="a")
    follow(poller, server, job)
    job.wait(WAIT)
    assert isinstance(job.error, RequestRejected)
    assert job.error.parameter == "RA"


def test_transient_faults_are_retried_with_growing_delays_then_the_job_finishes(server, poller):
    job_id = "bbbbbbbbbbbbbbbb"
    server.script(
        "flaky",
        [Reply(503, "busy"), Reply(drop=True), Reply(502, "bad gateway"), Reply(504, ""),
         envelope("done", job_id, products=DONE_PRODUCTS)],
    )
    job = make_job(server, "flaky")
    follow(poller, server, job, give_up_after=60)
    assert job.wait(WAIT) is JobStatus.DONE
    times = server.times("flaky")
    assert len(times) == 5
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    # 0.05, 0.1, 0.2, 0.2 (capped): never sooner than the backoff says
    for gap, least in zip(gaps, [0.05, 0.1, 0.2, 0.2], strict=True):
        assert gap >= least * 0.9


def test_a_dispatcher_that_stays_down_fails_the_job_after_the_configured_time(server, poller):
    server.script("down", [Reply(503, "down")])
    job = make_job(server, "down")
    started = time.monotonic()
    follow(poller, server, job, give_up_after=0.5)
    assert job.wait(WAIT) is JobStatus.FAILED
    assert time.monotonic() - started >= 0.5
    assert isinstance(job.error, DispatcherUnavailable)
    assert "gave up after" in str(job.error)
    assert "reattach" in str(job.error)


def test_the_poll_interval_grows_while_nothing_changes_and_resets_on_a_change(server):
    planned: list[tuple[str, float]] = []
    poller = Poller(max_poll_interval=0.2,
                    on_plan=lambda job, status, delay: planned.append((status, delay)))
    job_id = "cccccccccccccccc"
    report = {"message": "moving", "progress": "1", "progress_max": "2"}
    server.script(
        "slow",
        [envelope("submitted", job_id)] * 6
        + [envelope("progress", job_id, report=report)] * 3
        + [envelope("done", job_id, products=DONE_PRODUCTS)],
    )
    job = make_job(server, "slow")
    try:
        follow(poller, server, job, poll_interval=0.1)
        assert job.wait(WAIT) is JobStatus.DONE
    finally:
        poller.close()
    # new->submitted is a change (0.1), then each unchanged answer grows the pause x1.2 up to
    # the 0.2 cap; the change to 'progress' starts again from 0.1
    assert [status for status, _ in planned] == ["submitted"] * 6 + ["progress"] * 3
    assert [delay for _, delay in planned] == pytest.approx(
        [0.1, 0.12, 0.144, 0.1728, 0.2, 0.2, 0.1, 0.12, 0.144]
    )
    # and the requests really were that far apart (never sooner)
    times = server.times("slow")
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    for gap, (_, least) in zip(gaps, planned, strict=True):
        assert gap >= least * 0.9


def test_ready_is_planned_at_once(server):
    planned: list[tuple[str, float]] = []
    poller = Poller(on_plan=lambda job, status, delay: planned.append((status, delay)))
    server.script("ready", [envelope("submitted", "aaaaaaaaaaaaaaaa"),
                            envelope("ready", "aaaaaaaaaaaaaaaa"),
                            envelope("done", "aaaaaaaaaaaaaaaa", products=DONE_PRODUCTS)])
    job = make_job(server, "ready")
    try:
        follow(poller, server, job, poll_interval=0.05)
        assert job.wait(WAIT) is JobStatus.DONE
    finally:
        poller.close()
    assert planned == [("submitted", 0.05), ("ready", 0.0)]


def test_one_slow_answer_does_not_hold_up_the_other_jobs(server, poller):
    release = threading.Event()
    server.script("stuck", [Reply(body=envelope("submitted", "dddddddddddddddd"), hold=release)])
    healthy_script(server, "quick")
    stuck, quick = make_job(server, "stuck"), make_job(server, "quick")
    try:
        follow(poller, server, stuck)
        follow(poller, server, quick)
        assert quick.wait(WAIT) is JobStatus.DONE
        # the quick job went through all its requests while the stuck one waited for its first
        # answer, which is held until the assertions are done
        assert stuck.status is JobStatus.PREPARED
        assert len(server.sent("stuck")) == 1
        assert len(server.sent("quick")) == 3
    finally:
        release.set()
    answered = threading.Event()
    stuck.add_listener(lambda event: answered.set())  # told at once if it is already past
    assert answered.wait(WAIT) and stuck.status is JobStatus.SUBMITTED
    stuck.cancel()


def test_a_listener_that_raises_is_logged_and_kept(server, poller, caplog):
    healthy_script(server, "listened")
    calls: list[JobStatus] = []

    def clumsy(event: JobEvent) -> None:
        calls.append(event.status)
        raise RuntimeError("listener bug")

    job = make_job(server, "listened")
    job.add_listener(clumsy)
    follow(poller, server, job)
    assert job.wait(WAIT) is JobStatus.DONE
    assert calls == [JobStatus.SUBMITTED, JobStatus.DONE]
    assert "listener" in caplog.text


def test_cancel_stops_following_and_explains_the_server_may_go_on(server, poller):
    job_id = "eeeeeeeeeeeeeeee"
    server.script("cancelled", [envelope("submitted", job_id)])
    job = make_job(server, "cancelled")
    seen = threading.Event()
    job.add_listener(lambda event: seen.set())
    follow(poller, server, job, poll_interval=0.05)
    assert seen.wait(WAIT)
    explanation = job.cancel()
    assert explanation.startswith(f"Stopped following job {job_id}.")
    assert "no way to cancel" in explanation and "Dispatcher.reattach" in explanation
    assert job.status is JobStatus.STOPPED
    count = len(server.sent("cancelled"))
    time.sleep(0.5)
    assert len(server.sent("cancelled")) <= count + 1  # at most the request already under way
    assert job not in poller.jobs


def test_one_thread_follows_many_jobs_and_ends_when_none_is_left(server):
    poller = Poller()
    try:
        jobs = []
        for number in range(20):
            job_id = f"{number:016x}"
            name = f"job{number}"
            server.script(name, [envelope("submitted", job_id), envelope("done", job_id,
                                                                         products=DONE_PRODUCTS)])
            job = make_job(server, name)
            follow(poller, server, job)
            jobs.append(job)
        schedulers = [t for t in threading.enumerate() if t.name == "oda-widgets-poller"]
        assert len(schedulers) == 1
        for job in jobs:
            assert job.wait(WAIT) is JobStatus.DONE
        deadline = time.monotonic() + WAIT
        while poller.is_running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not poller.is_running
        # and it starts again for the next job
        healthy_script(server, "later")
        later = make_job(server, "later")
        follow(poller, server, later)
        assert later.wait(WAIT) is JobStatus.DONE
    finally:
        poller.close()


def test_wait_raises_timeout_while_the_job_runs(server, poller):
    server.script("running", [envelope("submitted", "ffffffffffffffff")])
    job = make_job(server, "running")
    follow(poller, server, job, poll_interval=0.05)
    with pytest.raises(TimeoutError, match="still"):
        job.wait(0.2)
    job.cancel()


def test_the_poller_record_of_a_job_does_not_show_its_token(server):
    from oda_widgets.client.poller import _Followed

    entry = _Followed(job=make_job(server, "shown"), transport=Transport(server.url),
                      token="secret-token-value", query_status="new", poll_interval=1.0,
                      give_up_after=10.0, on_done=None)
    assert "secret-token-value" not in repr(entry)
    assert "query_status='new'" in repr(entry)


def test_slow_jobs_holding_every_worker_do_not_hold_up_fast_ones(server):
    # five jobs whose first answer is held (a dispatcher taking minutes), then five that answer
    # at once: the fast ones finish while the slow ones are still waiting for their answer
    poller = Poller(workers=4, idle_exit=0.2)
    release = threading.Event()
    slow, fast = [], []
    try:
        for number in range(5):
            name = f"slow{number}"
            server.script(name, [Reply(body=envelope("submitted", f"{number:016x}"), hold=release)])
            slow.append(make_job(server, name))
            follow(poller, server, slow[-1])
        for number in range(5):
            name = f"fast{number}"
            healthy_script(server, name, f"{number + 16:016x}")
            fast.append(make_job(server, name))
            follow(poller, server, fast[-1])
        for job in fast:
            assert job.wait(WAIT) is JobStatus.DONE
        assert all(job.status is JobStatus.PREPARED for job in slow)
        assert all(len(server.sent(f"slow{n}")) == 1 for n in range(5))
        assert all(len(server.sent(f"fast{n}")) == 3 for n in range(5))
    finally:
        release.set()
    for job in slow:
        job.cancel()
    # the extra workers end once there is nothing for them; the ones kept are the usual four
    deadline = time.monotonic() + WAIT
    while len(poller._workers) > poller.workers and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(poller._workers) == poller.workers
    poller.close()


def test_a_hanging_job_does_not_stop_another_jobs_polls(server):
    poller = Poller(workers=1, idle_exit=0.2)
    release = threading.Event()
    server.script("hangs", [Reply(body=envelope("submitted", "1111111111111111"), hold=release)])
    server.script("polled", [envelope("submitted", "2222222222222222")])
    hanging, polled = make_job(server, "hangs"), make_job(server, "polled")
    try:
        follow(poller, server, hanging)
        follow(poller, server, polled, poll_interval=0.05)
        deadline = time.monotonic() + WAIT
        while len(server.sent("polled")) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        # polled again and again while the other job's one request is still unanswered
        assert len(server.sent("polled")) >= 5
        assert len(server.sent("hangs")) == 1 and hanging.status is JobStatus.PREPARED
    finally:
        release.set()
        hanging.cancel()
        polled.cancel()
        poller.close()


def test_a_job_the_dispatcher_keeps_calling_unknown_fails_at_the_give_up_time(server):
    poller = Poller(give_up_after=0.5)
    server.script("lost", [envelope("unknown", "3333333333333333")])
    job = make_job(server, "lost")
    try:
        follow(poller, server, job, poll_interval=0.05)
        assert job.wait(WAIT) is JobStatus.FAILED
        assert isinstance(job.error, DispatcherError)
        assert "kept answering 'unknown'" in str(job.error) and "submit the query again" in str(
            job.error)
        assert len(server.sent("lost")) >= 2  # asked again before giving up
    finally:
        poller.close()


def test_an_answer_with_a_status_stops_the_give_up_clock_whatever_the_trouble_was(server):
    # three spells of trouble (faults, 'unknown', faults), each shorter than give_up_after,
    # together longer: each answer with a status in between starts the clock afresh
    poller = Poller(give_up_after=1.0, first_retry_delay=0.05, max_retry_delay=0.2)
    job_id = "5555555555555555"
    faults = [Reply(503, "busy")] * 4  # 0.05 + 0.1 + 0.2 + 0.2 s of backoff
    server.script("spells", faults + [envelope("submitted", job_id)]
                  + [envelope("unknown", job_id)] * 5 + [envelope("submitted", job_id)]
                  + faults + [envelope("done", job_id, products=DONE_PRODUCTS)])
    job = make_job(server, "spells")
    try:
        follow(poller, server, job, poll_interval=0.05)
        assert job.wait(WAIT) is JobStatus.DONE, job.error
        assert len(server.sent("spells")) == 16
    finally:
        poller.close()


def test_an_answer_for_another_session_is_refused(server, poller):
    server.script("foreign", [envelope("done", "4444444444444444", "OTHERSESSION0000",
                                       products=DONE_PRODUCTS)])
    job = make_job(server, "foreign")
    follow(poller, server, job)
    assert job.wait(WAIT) is JobStatus.FAILED and job.products is None
    assert "answered for session 'OTHERSESSION0000'" in str(job.error)


@pytest.mark.parametrize("job_id", ["0123456789abcdef\n", "../../etc/passwd", "a b", ""])
def test_an_answer_whose_job_id_is_not_an_id_is_refused(server, poller, job_id):
    server.script("odd-id", [envelope("submitted", job_id)])
    job = make_job(server, "odd-id")
    follow(poller, server, job)
    if job_id == "":
        # an empty id is no id: the job is followed as not yet assigned
        seen = threading.Event()
        job.add_listener(lambda event: seen.set())
        assert seen.wait(WAIT) and job.job_id is None and job.status is JobStatus.SUBMITTED
        job.cancel()
        return
    assert job.wait(WAIT) is JobStatus.FAILED and job.job_id is None
    assert "which is not a job id" in str(job.error)


def test_a_job_id_with_a_trailing_newline_is_refused_everywhere(tmp_path):
    from oda_widgets.client import Dispatcher
    from oda_widgets.client.registry import JobRegistry

    with pytest.raises(ValueError, match="is not a job id"):
        JobRegistry(tmp_path).get("0123456789abcdef\n")
    disp = Dispatcher("http://127.0.0.1:9", token="", registry=tmp_path)
    with pytest.raises(ValueError, match="is not a job id"):
        disp.reattach("0123456789abcdef\n", "SESSIONSESSION01", "x", "y", {})
