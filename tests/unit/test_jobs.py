"""A job's state as users and widgets see it, without any server."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest

from oda_widgets.client.errors import JobFailed, JobNotFinished
from oda_widgets.client.jobs import Job, JobBatch, JobStatus, Progress

pytestmark = pytest.mark.unit


def _run_in_own_loop(coroutine):
    """``asyncio.run`` in a thread of its own: the browser tier's Playwright (sync API) keeps an
    event loop running in the main thread for the whole session, where asyncio.run refuses."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def make_job(name: str = "x") -> Job:
    return Job(name, "image", "Real", {"RA": 1.0}, url="http://127.0.0.1:1", session_id="S" * 16)


def test_progress_is_read_from_the_job_monitor():
    monitor = {"full_report_dict": {"stage": "fit", "substage": "bkg", "progress": "3",
                                    "progress_max": "4", "message": "fitting"},
               "full_report_dict_list": [{"message": "a"}, {"message": "fitting"}]}
    progress = Progress.from_job_monitor(monitor)
    assert (progress.done, progress.total, progress.fraction) == (3, 4, 0.75)
    assert progress.stage == "fit: bkg" and progress.message == "fitting"
    assert len(progress.reports) == 2
    assert Progress.from_job_monitor({"status": "submitted"}) == Progress()
    assert Progress.from_job_monitor({"full_report_dict": {"progress": "n/a"}}).fraction is None


def test_await_gives_the_products_without_blocking_the_loop():
    job = make_job()
    products = object()

    async def main():
        ticks = 0

        async def ticker():
            nonlocal ticks
            while not job.is_finished:
                ticks += 1
                await asyncio.sleep(0.01)

        threading.Timer(0.2, lambda: job.finish(JobStatus.DONE, products=products)).start()
        result, _ = await asyncio.gather(job, ticker())
        return result, ticks

    result, ticks = _run_in_own_loop(main())
    assert result is products
    assert ticks > 3  # the loop kept running while the job was awaited


def test_await_raises_the_jobs_error():
    job = make_job()
    job.finish(JobStatus.FAILED, error=JobFailed("failed: dummy", "TypeError"))

    async def main():
        return await job

    with pytest.raises(JobFailed, match="failed: dummy"):
        _run_in_own_loop(main())


def test_a_stopped_job_has_no_result():
    job = make_job()
    job.cancel()
    with pytest.raises(JobNotFinished, match="reattach"):
        job.result()


def test_a_finished_job_never_changes_again():
    job = make_job()
    job.finish(JobStatus.DONE, products={})
    finished_at = job.finished_at
    assert not job.finish(JobStatus.FAILED, error=JobFailed("late"))
    assert not job.apply_answer(progress=Progress(done=1, total=2), job_id="late")
    assert job.status is JobStatus.DONE and job.finished_at == finished_at is not None
    assert job.error is None and job.progress == Progress() and job.job_id is None


def test_the_dispatchers_first_job_id_is_kept_and_never_replaced():
    job = make_job()
    assert not job.apply_answer(job_id="aaaa000011112222")  # an id alone is not an event
    assert job.apply_answer(status=JobStatus.SUBMITTED, job_id="bbbb000011112222")
    assert job.job_id == "aaaa000011112222"


def test_a_running_answer_cannot_end_a_job_and_finish_needs_a_final_status():
    job = make_job()
    with pytest.raises(ValueError, match="finish"):
        job.apply_answer(status=JobStatus.DONE)
    with pytest.raises(ValueError, match="apply_answer"):
        job.finish(JobStatus.PROGRESS)
    with pytest.raises(ValueError, match="restored"):
        Job("i", "p", url="http://x", session_id="S", status=JobStatus.DONE)
    assert job.status is JobStatus.PREPARED and not job.is_finished


def test_listeners_see_the_products_or_error_of_the_final_event_and_waiters_wake_after():
    job = make_job()
    seen: list = []
    job.add_listener(lambda event: seen.append((event.status, event.job.products)))
    products = {"image": 1}
    assert job.finish(JobStatus.DONE, products=products)
    assert seen == [(JobStatus.DONE, products)]
    assert job.wait(0) is JobStatus.DONE and job.result(0) is products


def test_a_restored_job_is_finished_at_once_with_its_recorded_outcome():
    products = {"image": 1}
    done = Job.restored("i", "p", "Real", {"RA": 1.0}, url="http://x", session_id="S",
                        job_id="cccc000011112222", submitted_at=100.0, finished_at=160.0,
                        products=products)
    assert done.wait(0) is JobStatus.DONE and done.result(0) is products
    assert (done.finished_at, done.elapsed, done.job_id) == (160.0, 60.0, "cccc000011112222")
    seen: list = []
    done.add_listener(seen.append)
    assert [event.status for event in seen] == [JobStatus.DONE]

    failed = Job.restored("i", "p", "Real", {}, url="http://x", session_id="S",
                          job_id="dddd000011112222", submitted_at=100.0, finished_at=110.0,
                          error=JobFailed("failed: no data"))
    assert failed.status is JobStatus.FAILED
    with pytest.raises(JobFailed, match="no data"):
        failed.result(0)
    for outcome in ({}, {"products": products, "error": JobFailed("x")}):
        with pytest.raises(ValueError, match="products or failed with an error"):
            Job.restored("i", "p", "Real", {}, url="http://x", session_id="S", job_id="e",
                         submitted_at=1.0, finished_at=2.0, **outcome)


def test_the_stop_hook_is_called_once_after_the_job_is_stopped_and_only_by_cancel():
    job = make_job()
    calls: list = []
    job.set_stop_hook(lambda stopped: calls.append((stopped, stopped.status)))
    job.cancel()
    job.cancel()
    assert calls == [(job, JobStatus.STOPPED)]
    other = make_job()
    other.set_stop_hook(calls.append)
    other.finish(JobStatus.DONE, products={})
    assert len(calls) == 1  # finishing otherwise does not call it
    other.cancel()  # already finished: stays done; the hook is still told, to forget the job
    assert other.status is JobStatus.DONE and calls[1:] == [other]


def test_a_batch_summarises_and_returns_results_in_submission_order():
    jobs = [make_job(str(i)) for i in range(12)]
    batch = JobBatch(jobs)
    for job in jobs[:7]:
        job.finish(JobStatus.DONE, products={"n": job.instrument})
    jobs[7].finish(JobStatus.FAILED, error=JobFailed("boom"))
    assert batch.summary() == "7 of 12 done, 1 failed, 4 running"
    with pytest.raises(TimeoutError, match="7 of 12 done"):
        batch.wait(0.05)
    for job in jobs[8:]:
        job.finish(JobStatus.DONE, products={"n": job.instrument})
    outcomes = batch.results()
    assert outcomes[0] == {"n": "0"} and outcomes[11] == {"n": "11"}
    assert isinstance(outcomes[7], JobFailed)
    assert len(batch) == 12 and batch[3] is jobs[3]


def test_a_listener_added_late_is_told_the_current_state_at_once():
    job = Job("i", "p", url="http://x", session_id="S", job_id="abc", status=JobStatus.SUBMITTED)
    job.apply_answer(status=JobStatus.PROGRESS, progress=Progress(done=3, total=10))
    seen: list = []
    job.add_listener(seen.append)
    assert [(e.job, e.status, e.progress.done) for e in seen] == [(job, JobStatus.PROGRESS, 3)]
    job.add_listener(seen.append)  # already registered: neither added nor told again
    assert len(seen) == 1
    job.finish(JobStatus.DONE)
    assert [e.status for e in seen] == [JobStatus.PROGRESS, JobStatus.DONE]


def test_a_listener_of_a_job_not_yet_sent_is_told_nothing_until_it_changes():
    job = Job("i", "p", url="http://x", session_id="S")
    seen: list = []
    job.add_listener(seen.append)
    assert seen == []
    job.apply_answer(status=JobStatus.SUBMITTED)
    assert [e.status for e in seen] == [JobStatus.SUBMITTED]
