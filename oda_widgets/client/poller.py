"""The scheduling of the requests that follow jobs: one thread, a pool of workers, retries, timing.

What each answer means for its job (status, progress, products, or why the job fails) is read by
:mod:`.answers`; the poller sends the requests, applies the readings through the job's own
methods, and decides when to ask next and when to give up.

Design
------
* **One scheduler thread** keeps a heap of (next-due time, job). It sleeps on a
  ``threading.Condition`` until the earliest job is due or a new job arrives, so an idle poller
  costs nothing; it ends when no job is left and starts again with the next one.
* **A pool of request workers** (daemon threads fed by a queue) sends the requests. The
  dispatcher may take seconds or minutes to answer one request (it runs the query inside a
  ``new``/``ready`` request), and a hanging server holds a request until its deadline (the HTTP
  timeout, a deadline for the whole answer). So the pool is elastic: ``workers`` threads are kept,
  and whenever a job is due while every worker is busy another one is started (up to
  ``max_workers``), so a job whose requests hang never delays another job's next poll; the extra
  workers end after ``idle_exit`` seconds without work. A job is never in two workers at once (it
  is back on the heap only after its answer is handled), so requests in flight never outnumber
  the jobs. The workers are daemon threads, not a ``ThreadPoolExecutor``'s: the interpreter joins
  those at exit, so a script ending while a request is in flight would wait up to the HTTP
  timeout (120 s). At exit the scheduler is told to leave, and a request still in flight is
  abandoned.
* The request sequence is oda_api's: ``query_status=new`` first, then every original parameter
  again with ``job_id`` and the last status the server gave. ``ready`` means "ask once more",
  at once.
* Poll interval: ``poll_interval`` (1 s) at first and after every change, growing x1.2 up to
  5 s while nothing changes: a job of a few seconds (the sandbox, cached results) is seen done
  within about a second, and a job of minutes settles at the web front end's 5 s cadence.
* Transient faults (connection errors, timeouts, 502/503/504) are retried *per job* with an
  exponential backoff (1, 2, 4, ... capped at 30 s). Every other error ends that job only.
* One give-up clock per job: it starts at the first answer that is of no use (a transient fault,
  or ``unknown``: the dispatcher has no record of the job) and stops at the next answer with a
  status; once it reaches ``give_up_after`` seconds the job fails, with
  :class:`DispatcherUnavailable` after faults, or saying that the dispatcher does not know the
  job. An answer naming another session or job, or a job id that is not a plain id, fails the
  job at once (:func:`.answers.read_answer`).
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .answers import Reading, decoded_products, read_answer
from .errors import DispatcherError, DispatcherUnavailable, OdaError
from .jobs import Job, JobStatus
from .products.budget import DecodeBudget
from .query.wire import run_analysis_fields
from .transport.http import Transport
from .transport.redaction import scrub_token
from .transport.secret import SecretToken, as_secret

__all__ = ["Poller", "default_poller"]

logger = logging.getLogger(__name__)

MAX_POLL_INTERVAL = 5.0
POLL_GROWTH = 1.2
FIRST_RETRY_DELAY = 1.0
MAX_RETRY_DELAY = 30.0
GIVE_UP_AFTER = 600.0
MAX_WORKERS = 64
IDLE_EXIT = 30.0

# Called with (job, raw products) once a job is done and its products decoded, before the job
# is marked done (so the products are stored when waiters wake up).
ProductsSink = Callable[[Job, dict[str, Any]], None]
# Called with (job, the query_status just answered, seconds until its next poll).
PlanListener = Callable[[Job, str, float], None]


@dataclass(eq=False)
class _Followed:
    """The poller's private record of one job (holds the token; the Job never does)."""

    job: Job
    transport: Transport
    token: SecretToken | None = field(repr=False)  # hidden twice: not in this repr, nor its own
    query_status: str
    poll_interval: float
    give_up_after: float
    on_done: ProductsSink | None
    interval: float = 0.0
    faults: int = 0  # transient faults in a row: the next retry's backoff
    # since when the job has had no usable answer (transient faults, or answers that the
    # dispatcher does not know it): the one clock give_up_after is measured on
    troubled_since: float | None = None
    extra_fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.interval = self.poll_interval


class Poller:
    """Follows jobs in the background until each is done, failed or stopped.

    Parameters
    ----------
    workers : int
        Request workers kept ready (more are started while every one is busy).
    max_workers : int
        Requests in flight at most: the most workers the pool grows to when requests are slow.
    idle_exit : float
        Seconds an extra worker waits for work before it ends.
    give_up_after : float
        Seconds without a usable answer (transient faults, or ``unknown`` answers) after which
        a job fails.
    max_poll_interval : float
        The longest pause between two polls of a job whose status does not change.
    first_retry_delay, max_retry_delay : float
        The backoff after a transient fault: doubling from the first, capped at the max.
    on_plan : callable, optional
        ``on_plan(job, query_status, delay)`` each time the next poll of a job is planned,
        ``delay`` seconds after the answer to ``query_status`` (0 for ``ready``; retries after
        faults are not included). It shows the poll cadence without timing anything.
    """

    def __init__(
        self,
        workers: int = 4,
        *,
        max_workers: int = MAX_WORKERS,
        idle_exit: float = IDLE_EXIT,
        give_up_after: float = GIVE_UP_AFTER,
        max_poll_interval: float = MAX_POLL_INTERVAL,
        first_retry_delay: float = FIRST_RETRY_DELAY,
        max_retry_delay: float = MAX_RETRY_DELAY,
        on_plan: PlanListener | None = None,
    ) -> None:
        self.workers = workers
        self.max_workers = max(workers, max_workers)
        self.idle_exit = idle_exit
        self.on_plan = on_plan
        self.give_up_after = give_up_after
        self.max_poll_interval = max_poll_interval
        self.first_retry_delay = first_retry_delay
        self.max_retry_delay = max_retry_delay
        self._heap: list[tuple[float, int, _Followed]] = []
        self._counter = itertools.count()
        self._worker_numbers = itertools.count()
        self._in_flight = 0
        self._followed: dict[int, _Followed] = {}
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._requests: queue.SimpleQueue[_Followed | None] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._closed = False
        _live_pollers.add(self)

    # --- public ------------------------------------------------------------------------------
    def follow(
        self,
        job: Job,
        transport: Transport,
        *,
        token: str | SecretToken | None = None,
        query_status: str = "new",
        poll_interval: float = 1.0,
        give_up_after: float | None = None,
        on_done: ProductsSink | None = None,
        extra_fields: Mapping[str, Any] | None = None,
    ) -> None:
        """Start following ``job``: its first request is sent at once.

        Parameters
        ----------
        job : Job
            The job to follow (its ``job_id`` must be set unless ``query_status`` is ``"new"``).
        transport : Transport
            The HTTP access to the job's dispatcher.
        token : str or SecretToken, optional
            Sent with every request of this job; kept here (wrapped), never on the job.
        query_status : str
            ``"new"`` to submit; ``"submitted"`` to re-attach to a running job.
        poll_interval : float
            The first (and shortest) pause between polls.
        on_done : callable, optional
            ``on_done(job, raw_products)`` once the products are decoded (to cache them).
        extra_fields : mapping, optional
            More request fields sent with every request of this job (not shown as parameters).
        """
        if query_status != "new" and not job.job_id:
            raise ValueError("a job followed with a status other than 'new' needs its job_id")
        entry = _Followed(
            job=job,
            transport=transport,
            token=as_secret(token),
            query_status=query_status,
            poll_interval=poll_interval,
            give_up_after=self.give_up_after if give_up_after is None else give_up_after,
            on_done=on_done,
            extra_fields=dict(extra_fields or {}),
        )
        job.set_stop_hook(self._forget)
        with self._lock:
            if self._closed:
                raise RuntimeError("this poller was closed")
            self._followed[id(job)] = entry
            self._push(entry, time.monotonic())
            self._ensure_running()
            self._wakeup.notify_all()

    @property
    def jobs(self) -> list[Job]:
        """The jobs being followed now."""
        with self._lock:
            return [entry.job for entry in self._followed.values()]

    @property
    def is_running(self) -> bool:
        """True while the scheduler thread is alive (only while jobs are followed)."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def close(self, wait: bool = True) -> None:
        """Stop every job (``STOPPED``) and the threads."""
        with self._lock:
            self._closed = True
            entries = list(self._followed.values())
            self._followed.clear()
            self._heap.clear()
            self._wakeup.notify_all()
            workers, self._workers = self._workers, []
        for entry in entries:
            entry.job.finish(JobStatus.STOPPED)
        for _ in workers:
            self._requests.put(None)  # one "leave" per worker, after any request queued before
        if wait:
            current = threading.current_thread()
            for worker in workers:
                if worker is not current:  # close() called from a listener, in a worker
                    worker.join()

    def _leave_at_exit(self) -> None:
        """At interpreter exit: let the scheduler and idle workers end, wait for nothing."""
        with self._lock:
            self._closed = True
            self._heap.clear()
            self._wakeup.notify_all()
            workers, self._workers = self._workers, []
        for _ in workers:
            self._requests.put(None)

    # --- scheduling ----------------------------------------------------------------------------
    def _push(self, entry: _Followed, due: float) -> None:
        heapq.heappush(self._heap, (due, next(self._counter), entry))

    def _ensure_running(self) -> None:
        # called with the lock held
        while len(self._workers) < self.workers:
            self._start_worker()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._schedule, name="oda-widgets-poller", daemon=True
            )
            self._thread.start()

    def _start_worker(self) -> None:
        # called with the lock held
        worker = threading.Thread(
            target=self._work,
            name=f"oda-widgets-request-{next(self._worker_numbers)}",
            daemon=True,
        )
        self._workers.append(worker)
        worker.start()

    def _forget(self, job: Job) -> None:
        with self._lock:
            self._followed.pop(id(job), None)
            self._wakeup.notify_all()

    def _schedule(self) -> None:
        """The scheduler thread: hand due jobs to the request pool, sleep until the next one."""
        with self._lock:
            while not self._closed:
                if not self._heap:
                    if self._in_flight == 0:
                        # nothing left to follow: end the thread; follow() starts a new one
                        self._thread = None
                        return
                    self._wakeup.wait()
                    continue
                due = self._heap[0][0]
                now = time.monotonic()
                if due > now:
                    self._wakeup.wait(due - now)
                    continue
                entry = heapq.heappop(self._heap)[2]
                if self._followed.get(id(entry.job)) is entry and not entry.job.is_finished:
                    self._in_flight += 1
                    if self._in_flight > len(self._workers) < self.max_workers:
                        # every worker is busy (a slow or hanging answer): one more, so this
                        # job is asked on time rather than after someone else's answer
                        self._start_worker()
                    self._requests.put(entry)
                # not kept while waiting: a finished job must not be held by this thread
                del entry
            self._thread = None

    def _work(self) -> None:
        """A request worker: take the next due job from the queue until told to leave, or
        until it has waited ``idle_exit`` seconds for one while the pool is larger than needed."""
        me = threading.current_thread()
        while True:
            try:
                entry = self._requests.get(timeout=self.idle_exit)
            except queue.Empty:
                with self._lock:
                    # the queued requests (in flight minus those being sent) have enough
                    # workers left without this one
                    if self._closed or (
                        len(self._workers) > self.workers and self._in_flight < len(self._workers)
                    ):
                        if me in self._workers:
                            self._workers.remove(me)
                        return
                continue
            if entry is None:
                return
            self._step(entry)
            del entry  # not kept while idle: a finished job must not be held by this thread

    def _step(self, entry: _Followed) -> None:
        """One request of one job, in a pool worker; the job goes back on the heap after."""
        next_due: float | None = None
        try:
            next_due = self._request(entry)
        except Exception as exc:  # never lose a job silently to a bug
            logger.exception("following job %s failed unexpectedly", entry.job.job_id)
            self._fail(entry, DispatcherError(f"unexpected error while following the job: {exc!r}"))
        finally:
            with self._lock:
                self._in_flight -= 1
                followed = self._followed.get(id(entry.job)) is entry
                if next_due is not None and followed and not entry.job.is_finished:
                    self._push(entry, next_due)
                elif followed and entry.job.is_finished:
                    self._followed.pop(id(entry.job), None)
                self._wakeup.notify_all()

    def _request(self, entry: _Followed) -> float | None:
        """Send the job's next request and apply the answer; return when to ask next."""
        job = entry.job
        if job.is_finished:
            return None
        fields = run_analysis_fields(job, entry.query_status, entry.token)
        fields.update(entry.extra_fields)
        # one budget for the whole answer: its bytes, its JSON and its decoded products
        budget = DecodeBudget()
        try:
            answer = entry.transport.run_analysis(fields, budget)
        except DispatcherUnavailable as exc:
            return self._transient(entry, exc)
        except OdaError as exc:
            self._fail(entry, exc)
            return None
        entry.faults = 0
        return self._apply(entry, read_answer(job, answer, entry.token), budget)

    def _out_of_patience(self, entry: _Followed, now: float) -> bool:
        """Start or read the job's give-up clock: True once it has gone ``give_up_after``
        seconds without a usable answer."""
        if entry.troubled_since is None:
            entry.troubled_since = now
        return now - entry.troubled_since >= entry.give_up_after

    def _transient(self, entry: _Followed, exc: DispatcherUnavailable) -> float | None:
        now = time.monotonic()
        if self._out_of_patience(entry, now):
            self._fail(
                entry,
                DispatcherUnavailable(
                    f"{exc.message} (gave up after {entry.give_up_after:.0f} s of retries; the "
                    "job may still run on the server: reattach it later with "
                    "Dispatcher.reattach(job_id, session_id))",
                    exc.status_code,
                    exc.payload,
                ),
            )
            return None
        delay = min(self.max_retry_delay, self.first_retry_delay * 2.0**entry.faults)
        entry.faults += 1
        logger.info("job %s: %s; retrying in %.0f s", entry.job.job_id, exc.message, delay)
        return now + delay

    def _apply(
        self, entry: _Followed, reading: Reading, budget: DecodeBudget | None = None
    ) -> float | None:
        job = entry.job
        if reading.error is not None:
            self._fail(entry, reading.error, job_id=reading.job_id)
            return None
        if reading.products is not None:
            self._finish_done(entry, reading, budget)
            return None
        now = time.monotonic()
        if reading.status is not None:
            entry.troubled_since = None
        elif self._out_of_patience(entry, now):
            # 'unknown'/'unaccessible' are polled like 'submitted' by the dispatcher: keep
            # asking, but not for ever
            self._fail(
                entry,
                DispatcherError(
                    f"the dispatcher kept answering {reading.query_status!r} for this job for "
                    f"{entry.give_up_after:.0f} s: it has no record of it (it may have lost "
                    "it in a restart); submit the query again",
                    200,
                ),
                job_id=reading.job_id,
            )
            return None
        changed = job.apply_answer(
            status=reading.status, progress=reading.progress, job_id=reading.job_id
        )
        entry.query_status = reading.query_status or entry.query_status
        if reading.query_status == "ready":
            entry.interval = entry.poll_interval
            self._planned(entry, entry.query_status, 0.0)
            return now  # the products are built on the next request: ask at once
        if changed:
            entry.interval = entry.poll_interval
        else:
            ceiling = max(self.max_poll_interval, entry.poll_interval)
            entry.interval = min(ceiling, entry.interval * POLL_GROWTH)
        self._planned(entry, entry.query_status, entry.interval)
        return now + entry.interval

    def _planned(self, entry: _Followed, query_status: str, delay: float) -> None:
        if self.on_plan is not None:
            try:
                self.on_plan(entry.job, query_status, delay)
            except Exception:
                logger.exception("the poller's on_plan callback raised")

    def _finish_done(
        self, entry: _Followed, reading: Reading, budget: DecodeBudget | None = None
    ) -> None:
        job, raw = entry.job, reading.products or {}
        try:
            products = decoded_products(job, raw, budget)
        except OdaError as exc:
            self._fail(entry, exc, job_id=reading.job_id)
            return
        if reading.job_id and not job.job_id:
            job.apply_answer(job_id=reading.job_id)  # the registry files the products by id
        if entry.on_done is not None:
            try:
                entry.on_done(job, scrub_token(raw, entry.token))
            except Exception:
                logger.exception("storing the products of job %s failed", job.job_id)
        job.finish(JobStatus.DONE, progress=reading.progress, job_id=reading.job_id,
                   products=products)

    def _fail(self, entry: _Followed, error: OdaError, job_id: str | None = None) -> None:
        logger.info("job %s failed: %s", entry.job.job_id or job_id, error)
        entry.job.finish(JobStatus.FAILED, error=error, job_id=job_id)


_default_poller: Poller | None = None
_default_lock = threading.Lock()
_live_pollers: weakref.WeakSet[Poller] = weakref.WeakSet()


@atexit.register
def _leave_at_exit() -> None:
    # Runs after the interpreter has joined its non-daemon threads and before it stops the
    # daemon ones: the scheduler leaves its loop instead of dying in the middle of it.
    for poller in list(_live_pollers):
        poller._leave_at_exit()


def default_poller() -> Poller:
    """The process-wide poller: one thread follows every job of every Dispatcher."""
    global _default_poller
    with _default_lock:
        if _default_poller is None or _default_poller._closed:
            _default_poller = Poller()
        return _default_poller
