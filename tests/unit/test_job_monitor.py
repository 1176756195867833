"""JobMonitor rows, aggregate line, failed rows and the throttle, with no server.

The jobs are real :class:`Job` objects fed the way the poller feeds them (``Job.apply_answer``,
``Job.finish``); time is a fake clock driven by the test, so the throttle's behaviour is checked without sleeping.
"""

from __future__ import annotations

import pytest

from oda_widgets.client.errors import DispatcherError, JobFailed
from oda_widgets.client.jobs import Job, JobStatus, Progress
from oda_widgets.widgets.job_monitor import JobMonitor, describe_parameters
from oda_widgets.widgets.throttle import Throttle

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self, t: float = 1000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def make_job(year: int = 2004, **extra) -> Job:
    parameters = {
        "src_name": "Crab",
        "RA": 83.633,
        "DEC": 22.0145,
        "T1": f"{year}-01-01T00:00:00.0",
        "T2": f"{year}-12-31T23:59:59.0",
        "max_pointings": 10,
        **extra,
    }
    return Job("isgri", "isgri_spectrum", "Real", parameters, url="http://127.0.0.1:1",
               session_id="ABCDEFGHIJKLMNOP")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def monitor_factory(clock):
    made: list[JobMonitor] = []

    def make(jobs=None, **kwargs) -> JobMonitor:
        monitor = JobMonitor(jobs, clock=clock, autostart=False, **kwargs)
        made.append(monitor)
        return monitor

    yield make
    for monitor in made:
        monitor.close()


# --- what a row says ---------------------------------------------------------------------------
def test_row_shows_the_query_in_short():
    assert describe_parameters(make_job().parameters) == (
        "Crab · 2004-01-01 00:00:00 → 2004-12-31 23:59:59 · ≤10 ScW"
    )
    by_position = describe_parameters(
        {"RA": "83.6331", "DEC": "22.0145", "scw_list": "066500220010.001,066500230010.001"}
    )
    assert by_position == "RA 83.633 Dec +22.015 · 2 ScW"
    assert describe_parameters({"E1_keV": 20, "E2_keV": 80}) == "20–80 keV"


def test_rows_follow_status_and_progress(monitor_factory, clock):
    job = make_job()
    monitor = monitor_factory([job])
    [row] = monitor.rows
    assert (row["instrument"], row["product"]) == ("isgri", "isgri_spectrum")
    assert row["status_label"] == "prepared" and row["icon"] and row["color"].startswith("#")

    job.apply_answer(status=JobStatus.PROGRESS, job_id="a1b2c3d4e5f60718",
                progress=Progress(done=3, total=10, stage="spectrum", message="ScW 3 of 10"))
    clock.advance(1.0)
    monitor._throttle.flush()
    [row] = monitor.rows
    assert row["status"] == "progress" and row["status_label"] == "running"
    assert (row["done"], row["total"]) == (3, 10)
    assert row["stage"] == "spectrum: ScW 3 of 10"
    assert row["job_id"] == "a1b2c3d4e5f60718"
    assert row["can_stop"] and not row["can_retry"] and not row["can_open"]


def test_a_done_row_keeps_its_science_window_count(monitor_factory, clock):
    job = make_job()
    monitor = monitor_factory([job])
    job.apply_answer(status=JobStatus.PROGRESS, progress=Progress(done=7, total=10))
    clock.advance(1.0)
    monitor._throttle.flush()
    job.finish(JobStatus.DONE, progress=Progress())  # the final answer has no report
    monitor._throttle.flush()
    [row] = monitor.rows
    assert (row["status"], row["done"], row["total"]) == ("done", 10, 10)
    assert row["can_open"] and not row["can_stop"]


def test_aggregate_line_counts_each_state(monitor_factory, clock):
    jobs = [make_job(2003 + i) for i in range(6)]
    monitor = monitor_factory(jobs)
    assert monitor.summary == "0 of 6 done, 0 failed, 6 running"
    jobs[0].finish(JobStatus.DONE)
    jobs[1].finish(JobStatus.DONE)
    jobs[2].finish(JobStatus.FAILED, error=JobFailed("failed: get dataserver products"))
    jobs[3].apply_answer(status=JobStatus.PROGRESS)
    clock.advance(1.0)
    monitor._throttle.flush()
    assert monitor.summary == "2 of 6 done, 1 failed, 3 running"
    monitor.stop(jobs[4])
    assert monitor.summary == "2 of 6 done, 1 failed, 1 stopped, 2 running"
    assert monitor.status == monitor.summary   # the status line, under every view's name


def test_failed_row_carries_the_server_texts(monitor_factory, clock):
    job = make_job()
    monitor = monitor_factory([job])
    job.finish(
        JobStatus.FAILED,
        error=JobFailed("failed: get dataserver products", "ISGRI spectrum extraction crashed",
                        "Traceback (most recent call last): ...", job_id="ff00"),
    )
    monitor._throttle.flush()  # a finished job is urgent: no need to wait for the interval
    [row] = monitor.rows
    assert row["status_label"] == "failed"
    assert row["error"] == {
        "kind": "JobFailed",
        "plain": "",
        "message": "failed: get dataserver products",
        "error_message": "ISGRI spectrum extraction crashed",
        "debug_message": "Traceback (most recent call last): ...",
    }
    assert row["can_retry"] and not row["can_stop"] and not row["can_open"]


def test_server_text_is_kept_as_plain_text(monitor_factory):
    # The front end sets textContent: the row must hold the raw text, neither escaped (it would
    # show "&lt;") nor interpreted. A dispatcher HTML error page is the realistic case.
    hostile = '<img src=x onerror="alert(1)"> & <b>500</b>'
    job = make_job(src_name='<script>alert("src")</script>')
    monitor = monitor_factory([job])
    job.finish(JobStatus.FAILED, error=DispatcherError(hostile, 500))
    monitor._throttle.flush()
    [row] = monitor.rows
    assert row["error"]["message"] == hostile
    assert row["error"]["kind"] == "DispatcherError"
    assert row["params"].startswith('<script>alert("src")</script> · ')


def test_stop_explains_that_the_server_keeps_running(monitor_factory):
    job = make_job()
    monitor = monitor_factory([job])
    text = monitor.stop(job)
    [row] = monitor.rows
    assert row["status"] == "stopped" and row["status_label"] == "not followed"
    assert row["note"] == text and "may go on running on the server" in text
    assert row["can_retry"] and not row["can_stop"]


def test_remove_takes_the_row_off_and_stops_listening(monitor_factory, clock):
    jobs = [make_job(2004), make_job(2005)]
    monitor = monitor_factory(jobs)
    monitor.remove(jobs[0])
    assert [r["params"][:4] for r in monitor.rows] == ["Crab"]
    assert monitor.jobs == [jobs[1]]
    jobs[0].finish(JobStatus.DONE)
    clock.advance(5)
    assert monitor._throttle.flush() is None  # no pending update for a removed row
    assert monitor.summary == "0 of 1 done, 0 failed, 1 running"


def test_add_accepts_batches_and_ignores_duplicates(monitor_factory):
    monitor = monitor_factory()
    assert monitor.rows == [] and monitor.summary == "0 of 0 done, 0 failed, 0 running"
    job = make_job()
    monitor.add(job)
    monitor.add([job, make_job(2005)])
    assert len(monitor.rows) == 2
    with pytest.raises(TypeError, match="takes Job objects"):
        monitor.add([{"instrument": "isgri"}])


def test_actions_without_dispatcher_say_what_to_do(monitor_factory):
    job = make_job()
    monitor = monitor_factory([job])
    job.finish(JobStatus.FAILED, error=JobFailed("failed"))
    with pytest.raises(RuntimeError, match=r"JobMonitor\(dispatcher="):
        monitor.retry(job)
    with pytest.raises(RuntimeError, match=r"JobMonitor\(dispatcher="):
        monitor.submit_many([])


def test_front_end_message_for_a_missing_row_is_harmless(monitor_factory):
    monitor = monitor_factory([make_job()])
    monitor._on_front_end_message(monitor, {"action": "stop", "key": "r999"}, [])
    monitor._on_front_end_message(monitor, {"action": "format_disk", "key": "r1"}, [])
    assert monitor.rows[0]["status"] == "prepared"
    monitor._on_front_end_message(monitor, {"action": "stop", "key": "r1"}, [])
    assert monitor.rows[0]["status"] == "stopped"


def test_results_in_row_order_with_errors(monitor_factory):
    jobs = [make_job(2004), make_job(2005)]
    monitor = monitor_factory(jobs)
    monitor.stop(jobs[0])
    jobs[1].finish(JobStatus.FAILED, error=JobFailed("failed: no data"))
    outcome = monitor.results(timeout=0)
    assert type(outcome[0]).__name__ == "JobNotFinished"
    assert isinstance(outcome[1], JobFailed) and outcome[1].message == "failed: no data"


# --- throttling ----------------------------------------------------------------------------------
def test_monitor_updates_a_busy_job_about_once_per_second(monitor_factory, clock):
    job = make_job()
    monitor = monitor_factory([job])
    published = []
    monitor.observe(lambda change: published.append(change["new"]), names="rows")
    for step in range(50):  # 50 progress events in 5 s
        job.apply_answer(status=JobStatus.PROGRESS, progress=Progress(done=step, total=50))
        clock.advance(0.1)
        monitor._throttle.flush()
    assert 4 <= len(published) <= 6
    job.apply_answer(progress=Progress(done=50, total=50))  # the last state, with no event after it
    clock.advance(1.0)
    monitor._throttle.flush()
    assert published[-1][0]["done"] == 50


def test_throttle_keeps_the_last_value_and_the_interval():
    clock = FakeClock(0.0)
    delivered: list[dict] = []
    throttle = Throttle(delivered.append, interval=1.0, window=0.25, clock=clock, autostart=False)
    throttle.submit("job", 1)
    throttle.flush()
    assert delivered == [{"job": 1}]  # the first value of a key leaves at once
    for value in (2, 3, 4):
        clock.advance(0.2)
        throttle.submit("job", value)
        throttle.flush()
    assert delivered == [{"job": 1}]  # within the interval: held back
    clock.advance(0.4)  # t = 1.0: one interval after the first delivery
    throttle.flush()
    assert delivered == [{"job": 1}, {"job": 4}]  # only the newest value
    clock.advance(10)
    assert throttle.flush() is None and len(delivered) == 2  # nothing new: nothing sent


def test_throttle_batches_many_keys_and_lets_final_states_through():
    clock = FakeClock(0.0)
    delivered: list[dict] = []
    throttle = Throttle(delivered.append, interval=1.0, window=0.25, clock=clock, autostart=False)
    for second in range(5):  # 50 keys, each changing 10 times per second, for 5 s
        for tick in range(10):
            clock.t = second + tick / 10 + 0.01
            for key in range(50):
                throttle.submit(key, (second, tick))
            throttle.flush()
    assert len(delivered) <= 5 * 4 + 1  # at most one batch per grid step (1 / window per s)
    per_key = [sum(key in batch for batch in delivered) for key in range(50)]
    assert max(per_key) <= 6
    clock.t = 5.05
    throttle.submit(7, "done", urgent=True)
    throttle.flush()
    assert delivered[-1] != {7: "done"}  # not yet on the grid
    clock.t = 5.25
    throttle.flush()
    assert delivered[-1][7] == "done"  # final state: no interval wait, next grid step


def test_throttle_thread_delivers_without_further_events():
    import threading

    arrived = threading.Event()
    throttle = Throttle(lambda batch: arrived.set(), interval=0.05, window=0.01)
    try:
        throttle.submit("job", "last")
        assert arrived.wait(5)
    finally:
        throttle.close()


# --- opening results ---------------------------------------------------------------------------
def test_a_failing_results_listener_is_named_on_the_row_and_the_others_still_get_them():
    """Against a real sandbox over HTTP: a done job's products reach every viewer registered
    with on_results; one that fails says so on the job's row instead of stopping the rest."""
    from oda_widgets.client.dispatcher import Dispatcher
    from oda_widgets.sandbox import start_sandbox

    with start_sandbox(port=0) as sandbox:
        dispatcher = Dispatcher(url=sandbox.url, token="", registry=False)
        monitor = JobMonitor(dispatcher=dispatcher, autostart=False)
        try:
            job = dispatcher.submit("isgri", "isgri_image", RA=255.98, DEC=-37.84,
                                    T1="2003-03-15T23:27:40", T2="2003-03-16T00:03:12")
            monitor.add(job)
            assert job.wait(timeout=60) == "done", job.error
            opened: list[tuple[Job, object]] = []

            def broken(_job, _products):
                raise RuntimeError("viewer gone")

            monitor.on_results(broken)
            monitor.on_results(lambda done, products: opened.append((done, products)))
            products = monitor.open_results(job)
            assert opened == [(job, products)]
            assert monitor.rows[0]["note"] == "results failed: viewer gone"

            monitor.on_results(broken, remove=True)
            monitor.open_results(job)
            assert len(opened) == 2
        finally:
            monitor.close()
            dispatcher.close()
