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

        threading.Timer(0.2, lambda: job._finish(JobStatus.DONE, products=products)).start()
        result, _ = await asyncio.gather(job, ticker())
        return result, ticks

    result, ticks = _run_in_own_loop(main())
    assert result is products
    assert ticks > 3  # the loop kept running while the job was awaited


def test_await_raises_the_jobs_error():
    job = make_job()
    job._finish(JobStatus.FAILED, error=JobFailed("failed: dummy", "TypeError"))

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
    job._finish(JobStatus.DONE, products={})
    assert not job._update(status=JobStatus.FAILED)
    assert job.status is JobStatus.DONE and job.finished_at is not None


def test_a_batch_summarises_and_returns_results_in_submission_order():
    jobs = [make_job(str(i)) for i in range(12)]
    batch = JobBatch(jobs)
    for job in jobs[:7]:
        job._finish(JobStatus.DONE, products={"n": job.instrument})
    jobs[7]._finish(JobStatus.FAILED, error=JobFailed("boom"))
    assert batch.summary() == "7 of 12 done, 1 failed, 4 running"
    with pytest.raises(TimeoutError, match="7 of 12 done"):
        batch.wait(0.05)
    for job in jobs[8:]:
        job._finish(JobStatus.DONE, products={"n": job.instrument})
    outcomes = batch.results()
    assert outcomes[0] == {"n": "0"} and outcomes[11] == {"n": "11"}
    assert isinstance(outcomes[7], JobFailed)
    assert len(batch) == 12 and batch[3] is jobs[3]


def test_a_listener_added_late_is_told_the_current_state_at_once():
    job = Job("i", "p", url="http://x", session_id="S", job_id="abc", status=JobStatus.SUBMITTED)
    job._update(status=JobStatus.PROGRESS, progress=Progress(done=3, total=10))
    seen: list = []
    job.add_listener(seen.append)
    assert [(e.job, e.status, e.progress.done) for e in seen] == [(job, JobStatus.PROGRESS, 3)]
    job.add_listener(seen.append)  # already registered: neither added nor told again
    assert len(seen) == 1
    job._update(status=JobStatus.DONE)
    assert [e.status for e in seen] == [JobStatus.PROGRESS, JobStatus.DONE]


def test_a_listener_of_a_job_not_yet_sent_is_told_nothing_until_it_changes():
    job = Job("i", "p", url="http://x", session_id="S")
    seen: list = []
    job.add_listener(seen.append)
    assert seen == []
    job._update(status=JobStatus.SUBMITTED)
    assert [e.status for e in seen] == [JobStatus.SUBMITTED]
