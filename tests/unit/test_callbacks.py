"""The callback helper every headless object tells its listeners with, and a job's use of it."""

from __future__ import annotations

import gc
import logging
import threading
import weakref

import pytest

from oda_widgets.client.callbacks import Callbacks
from oda_widgets.client.jobs import Job, JobStatus, Progress

pytestmark = pytest.mark.unit

WAIT = 10


def test_callables_are_called_in_the_order_they_were_added_with_the_arguments():
    calls: list = []
    callbacks: Callbacks = Callbacks()
    for name in "cab":
        callbacks.add(lambda *args, name=name, **kwargs: calls.append((name, args, kwargs)))
    callbacks(1, key="v")
    assert calls == [(name, (1,), {"key": "v"}) for name in "cab"]


def test_a_callable_added_twice_is_registered_and_called_once():
    calls: list = []
    callbacks: Callbacks = Callbacks()
    assert callbacks.add(calls.append)
    assert not callbacks.add(calls.append)
    callbacks("x")
    assert calls == ["x"]


def test_a_raising_callable_stops_no_other_stays_registered_and_is_reported():
    calls: list = []
    reported: list = []

    def broken(value):
        raise RuntimeError(f"broken by {value}")

    callbacks: Callbacks = Callbacks(on_error=lambda fn, exc: reported.append((fn, exc)))
    callbacks.add(broken)
    callbacks.add(calls.append)
    callbacks(1)
    callbacks(2)
    assert calls == [1, 2]
    assert [(fn, str(exc)) for fn, exc in reported] == [(broken, "broken by 1"),
                                                        (broken, "broken by 2")]


def test_a_raising_callable_is_logged_by_default(caplog):
    callbacks: Callbacks = Callbacks()

    def broken():
        raise ValueError("the listener's own words")

    callbacks.add(broken)
    with caplog.at_level(logging.ERROR, logger="oda_widgets.client.callbacks"):
        callbacks()
    [record] = caplog.records
    assert "stays registered" in record.getMessage()
    assert record.exc_info[1].args == ("the listener's own words",)


def test_a_removed_callable_is_not_called_and_removing_an_unknown_one_is_harmless():
    calls: list = []
    callbacks: Callbacks = Callbacks()
    callbacks.add(calls.append)
    callbacks.remove(calls.append)
    callbacks.remove(print)
    callbacks("x")
    assert calls == []


def test_a_call_sees_the_list_as_it_began_while_another_thread_adds_and_removes():
    inside, release = threading.Event(), threading.Event()
    calls: list = []

    def slow(tag):
        calls.append(("slow", tag))
        inside.set()
        assert release.wait(WAIT)

    def removed(tag):
        calls.append(("removed", tag))

    def added(tag):
        calls.append(("added", tag))

    callbacks: Callbacks = Callbacks()
    callbacks.add(slow)
    callbacks.add(removed)
    caller = threading.Thread(target=callbacks, args=("first",))
    caller.start()
    assert inside.wait(WAIT)
    # the call is under way in the other thread: changing the list neither blocks nor
    # changes what that call does
    callbacks.remove(removed)
    assert callbacks.add(added)
    release.set()
    caller.join(WAIT)
    assert calls == [("slow", "first"), ("removed", "first")]
    calls.clear()
    callbacks("second")
    assert calls == [("slow", "second"), ("added", "second")]


def test_a_listener_may_remove_itself_while_it_is_told():
    calls: list = []
    callbacks: Callbacks = Callbacks()

    def once(value):
        calls.append(value)
        callbacks.remove(once)

    callbacks.add(once)
    callbacks.add(calls.append)
    callbacks(1)
    callbacks(2)
    assert calls == [1, 1, 2]


def _job() -> Job:
    return Job("i", "p", url="http://127.0.0.1:1", session_id="S", job_id="abcdabcdabcdabcd",
               status=JobStatus.SUBMITTED)


def test_a_jobs_raising_listener_is_logged_with_the_job_id_and_the_others_are_told(caplog):
    job = _job()
    seen: list = []

    def broken(event):
        raise RuntimeError("listener bug")

    with caplog.at_level(logging.ERROR, logger="oda_widgets.client.jobs"):
        job.add_listener(broken)  # told at once: the job is past PREPARED
        job.add_listener(seen.append)
        job.apply_answer(status=JobStatus.PROGRESS, progress=Progress(done=1, total=2))
    assert [event.status for event in seen] == [JobStatus.SUBMITTED, JobStatus.PROGRESS]
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["a listener of job abcdabcdabcdabcd raised; it stays registered"] * 2
    job.remove_listener(broken)
    caplog.clear()
    job.finish(JobStatus.DONE, products={})
    assert caplog.records == [] and seen[-1].status is JobStatus.DONE


def test_a_job_with_listeners_is_freed_as_soon_as_nobody_holds_it():
    gc.disable()  # freed by reference counting alone: a job is in no reference cycle
    try:
        job = _job()
        job.add_listener(lambda event: None)
        job.apply_answer(status=JobStatus.PROGRESS)
        ref = weakref.ref(job)
        del job
        assert ref() is None
    finally:
        gc.enable()
