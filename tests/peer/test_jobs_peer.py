"""Jobs followed through the real dispatcher's asynchronous test backends.

The ``empty-async`` backend reports what the status file in the dispatcher's folder says, and the
test plays the backend's part by calling ``/call_back``, exactly as a real backend does.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import JobFailed
from oda_widgets.client.jobs import JobEvent, JobStatus

pytestmark = pytest.mark.peer
WAIT = 120


@pytest.fixture()
def dispatcher(real_dispatcher, registry_root, general_token):
    disp = Dispatcher(
        real_dispatcher.url, token=general_token, registry=registry_root, poll_interval=0.2
    )
    yield disp
    disp.close()


class Recorder:
    """Collects events and lets the test wait for a status."""

    def __init__(self) -> None:
        self.events: list[JobEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: JobEvent) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = WAIT) -> JobEvent:
        with self._changed:
            assert self._changed.wait_for(
                lambda: any(predicate(e) for e in self.events), timeout
            ), f"not seen; events: {[(e.status, e.progress) for e in self.events]}"
            return next(e for e in self.events if predicate(e))

    @property
    def statuses(self) -> list[JobStatus]:
        seen: list[JobStatus] = []
        for event in self.events:
            if not seen or seen[-1] is not event.status:
                seen.append(event.status)
        return seen


def test_an_async_job_goes_submitted_progress_ready_done(async_backend, dispatcher, general_token):
    recorder = Recorder()
    job = dispatcher.submit("empty-async", "dummy", RA=10.5, DEC=20.5)
    job.add_listener(recorder)  # told the current state at once: no early event is missed
    recorder.wait_for(lambda e: e.status is JobStatus.SUBMITTED)
    assert job.job_id and len(job.job_id) == 16

    # The backend finishes right after the poll that saw 'progress'. A listener runs in the
    # poller's worker before that job's next poll is even planned, so no poll can come between
    # the status file and the done callback (one that did would go straight to 'done', which
    # the real dispatcher allows, and skip the 'ready' this test is about).
    finished: list[BaseException | None] = []

    def finish_after_the_progress_poll(event: JobEvent) -> None:
        if event.status is not JobStatus.PROGRESS or finished:
            return
        try:
            async_backend.set_backend_status("done")
            async_backend.call_back(job.job_id, job.session_id, "done")
            finished.append(None)
        except BaseException as exc:  # reported by the test below, not lost in a log
            finished.append(exc)

    job.add_listener(finish_after_the_progress_poll)

    async_backend.call_back(
        job.job_id, job.session_id, "progress",
        stage="imaging", progress="30", progress_max="100", message="mosaic under way",
    )
    event = recorder.wait_for(lambda e: e.status is JobStatus.PROGRESS)
    assert (event.progress.done, event.progress.total) == (30, 100)
    assert event.progress.stage == "imaging"
    assert event.progress.message == "mosaic under way"
    assert event.progress.reports

    assert job.wait(WAIT) is JobStatus.DONE
    assert finished == [None]
    assert recorder.statuses == [
        JobStatus.SUBMITTED, JobStatus.PROGRESS, JobStatus.READY, JobStatus.DONE,
    ]
    products = job.result()
    assert products.analysis_parameters["RA"] == pytest.approx(10.5)
    assert general_token not in str(products.analysis_parameters)


def test_an_async_job_that_fails_carries_the_servers_message(async_backend, dispatcher):
    job = dispatcher.submit("empty-async", "dummy", RA=11.5, DEC=21.5)
    recorder = Recorder()
    job.add_listener(recorder)
    recorder.wait_for(lambda e: e.status is JobStatus.SUBMITTED)
    async_backend.set_backend_status("failed")
    async_backend.call_back(job.job_id, job.session_id, "failed", message="backend crashed")
    assert job.wait(WAIT) is JobStatus.FAILED
    assert isinstance(job.error, JobFailed)
    assert job.error.job_id == job.job_id
    # 1.3.3 answers a failure reported by the backend with an empty exit_status: the backend's
    # words come from the job monitor's report
    assert "backend crashed" in str(job.error)
    with pytest.raises(JobFailed, match="backend crashed"):
        job.result()


def test_dummy_products_arrive_as_the_decoded_pickled_array(dispatcher):
    job = dispatcher.submit("empty-async", "numerical", "Dummy", p=5)
    products = job.result(WAIT)
    (name,) = products.names
    image = next(hdu.data for hdu in products[name].to_hdulist() if hdu.data is not None)
    assert isinstance(image, np.ndarray)
    assert image.shape == (100, 100)
    assert not image.any()


@pytest.mark.parametrize("p", [0, 2, 3])
def test_semi_async_below_four_stays_submitted(dispatcher, p):
    recorder = Recorder()
    job = dispatcher.submit("empty-semi-async", "numerical", p=p)
    job.add_listener(recorder)
    recorder.wait_for(lambda e: e.status is JobStatus.SUBMITTED)
    with pytest.raises(TimeoutError):
        job.wait(1.0)
    assert "Stopped following job" in job.cancel()
    assert job.status is JobStatus.STOPPED


@pytest.mark.parametrize("p", [4, 5, 7.5])
def test_semi_async_from_four_is_done(dispatcher, p):
    job = dispatcher.submit("empty-semi-async", "numerical", p=p)
    assert job.wait(WAIT) is JobStatus.DONE
    assert job.result().analysis_parameters["p"] == pytest.approx(p)


def test_semi_async_minus_one_fails(dispatcher):
    job = dispatcher.submit("empty-semi-async", "numerical", p=-1)
    assert job.wait(WAIT) is JobStatus.FAILED
    assert isinstance(job.error, JobFailed)
    # the server gives no message, only its comment and warning: they are kept for the user
    assert job.error.message == "the job failed on the server (it gave no reason)"
    assert "comment: mock comment" in job.error.debug_message
    assert "warning: mock warning" in job.error.debug_message


def test_a_batch_of_jobs_is_followed_together(dispatcher):
    batch = dispatcher.submit_many(
        [{"instrument": "empty-semi-async", "product": "numerical", "p": p} for p in (5, 6, -1)]
    )
    batch.wait(WAIT)
    assert batch.summary() == "2 of 3 done, 1 failed, 0 running"
    outcomes = batch.results()
    assert [type(o).__name__ for o in outcomes] == ["ProductSet", "ProductSet", "JobFailed"]


def test_a_stopped_job_is_reattached_by_id_and_followed_to_the_end(
    async_backend, dispatcher, real_dispatcher, registry_root, general_token
):
    job = dispatcher.submit("empty-async", "dummy", RA=12.5, DEC=22.5)
    recorder = Recorder()
    job.add_listener(recorder)
    recorder.wait_for(lambda e: e.status is JobStatus.SUBMITTED)
    job.cancel()

    # a new kernel: a new Dispatcher with the same registry, same token
    later = Dispatcher(real_dispatcher.url, token=general_token, registry=registry_root,
                       poll_interval=0.2)
    try:
        again = later.reattach(job.job_id, job.session_id)
        assert (again.instrument, again.product) == ("empty-async", "dummy")
        assert again.parameters["RA"] == pytest.approx(12.5)
        async_backend.set_backend_status("done")
        async_backend.call_back(job.job_id, job.session_id, "done")
        assert again.wait(WAIT) is JobStatus.DONE
        assert again.result().analysis_parameters["RA"] == pytest.approx(12.5)
    finally:
        later.close()
