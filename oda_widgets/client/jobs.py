"""One job's observable state: status, progress, result or error.

A :class:`Job` is created by :meth:`Dispatcher.submit` and changed only through its own methods:
the poller applies each answer (:meth:`Job.apply_answer`) and ends it (:meth:`Job.finish`), the
registry rebuilds a finished one (:meth:`Job.restored`). Everything a user or a widget needs is
here: the status and progress at any moment, listeners told about every change, and ways to wait
for the outcome that never block an event loop.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from .callbacks import Callbacks
from .errors import JobNotFinished, OdaError

if TYPE_CHECKING:
    from .products.product_set import ProductSet

__all__ = ["Listener", "STOP_EXPLANATION", "JobStatus", "Progress", "JobEvent", "Job", "JobBatch"]

logger = logging.getLogger(__name__)

Listener = Callable[["JobEvent"], None]

STOP_EXPLANATION = (
    "Stopped following job {job_id}. The ODA dispatcher has no way to cancel a job: it may go on "
    "running on the server; reattach with Dispatcher.reattach(job_id, session_id) to follow it again."
)


class JobStatus(enum.StrEnum):
    """Where a job is in its life; the values are the dispatcher's ``query_status`` words."""

    PREPARED = "prepared"
    SUBMITTED = "submitted"
    PROGRESS = "progress"
    READY = "ready"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"  # no longer followed by this client; the server may still run it

    @property
    def is_finished(self) -> bool:
        """True when nothing more will happen to the job in this client."""
        return self in (JobStatus.DONE, JobStatus.FAILED, JobStatus.STOPPED)


def _as_int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Progress:
    """What the dispatcher's job monitor says about a running job.

    ``done``/``total`` come from the backend's ``progress``/``progress_max`` callback fields,
    ``stage`` from ``stage`` (and ``substage``), ``message`` from the last report, and
    ``reports`` holds every report the job monitor lists (oda_api counts them as "messages").
    """

    done: int | None = None
    total: int | None = None
    stage: str | None = None
    message: str | None = None
    reports: tuple[dict[str, Any], ...] = ()

    @property
    def fraction(self) -> float | None:
        """``done / total`` between 0 and 1, when the backend reported both."""
        if self.done is None or not self.total:
            return None
        return max(0.0, min(1.0, self.done / self.total))

    @classmethod
    def from_job_monitor(cls, job_monitor: Mapping[str, Any] | None) -> Progress:
        """Read the ``job_monitor`` part of a dispatcher answer.

        Parameters
        ----------
        job_monitor : mapping or None
            ``{"full_report_dict": {...}, "full_report_dict_list": [...], ...}``; the values of the
            reports are strings (they are the backend's callback query fields).
        """
        if not isinstance(job_monitor, Mapping):
            return cls()
        reports_raw = job_monitor.get("full_report_dict_list") or []
        reports = tuple(r for r in reports_raw if isinstance(r, Mapping))
        last = job_monitor.get("full_report_dict")
        if not isinstance(last, Mapping):
            last = reports[-1] if reports else {}
        stage = last.get("stage") or None
        substage = last.get("substage") or None
        if stage and substage:
            stage = f"{stage}: {substage}"
        elif substage:
            stage = str(substage)
        message = last.get("message")
        return cls(
            done=_as_int(last.get("progress")),
            total=_as_int(last.get("progress_max")),
            stage=str(stage) if stage else None,
            message=str(message) if message not in (None, "") else None,
            reports=tuple(dict(r) for r in reports),
        )


def _failure_logger(job: Job) -> Callable[[Callable[..., Any], BaseException], None]:
    """What logs a listener of ``job`` that raised, holding the job weakly: a job takes part in
    no reference cycle, so one that nobody holds is freed at once, with its products."""
    job_ref = weakref.ref(job)

    def log_failure(fn: Callable[..., Any], exc: BaseException) -> None:
        held = job_ref()
        logger.error("a listener of job %s raised; it stays registered",
                     held.job_id if held is not None else None, exc_info=exc)

    return log_failure


@dataclass(frozen=True)
class JobEvent:
    """A change of a job's status or progress, as given to listeners."""

    job: Job
    status: JobStatus
    progress: Progress
    time: float = field(default_factory=time.time)


class Job:
    """A query submitted to the dispatcher, followed in the background.

    Parameters
    ----------
    instrument, product, query_type : str
        What was asked (``query_type`` ``"Real"`` or ``"Dummy"``).
    parameters : mapping
        The parameters as put on the wire, never the token.
    url : str
        The dispatcher's URL.
    session_id : str
        The session the job belongs to.
    job_id : str, optional
        Known when the job is re-attached; otherwise assigned by the dispatcher's first answer.
    status : JobStatus
        ``PREPARED`` for a new query, ``SUBMITTED`` for one re-attached; a job is made finished
        only by :meth:`finish`, or rebuilt finished by :meth:`restored`.
    submitted_at : float, optional
        When the query was submitted (epoch seconds); now by default.

    Notes
    -----
    A job is thread-safe: the poller updates it from its own threads while users read it or
    wait for it from theirs. Listeners are called from the poller's threads.
    """

    def __init__(
        self,
        instrument: str,
        product: str,
        query_type: str = "Real",
        parameters: Mapping[str, Any] | None = None,
        *,
        url: str,
        session_id: str,
        job_id: str | None = None,
        status: JobStatus = JobStatus.PREPARED,
        submitted_at: float | None = None,
    ) -> None:
        self.instrument = instrument
        self.product = product
        self.query_type = query_type
        self.parameters: dict[str, Any] = dict(parameters or {})
        self.url = url
        self.session_id = session_id
        status = JobStatus(status)
        if status.is_finished:
            raise ValueError(f"a job is not created {status.value}: use Job.restored()")
        self._job_id = job_id
        self._status = status
        self._progress = Progress()
        self._error: OdaError | None = None
        self._products: ProductSet | None = None
        self._products_loader: Callable[[], ProductSet] | None = None
        self.submitted_at = time.time() if submitted_at is None else submitted_at
        self._finished_at: float | None = None
        self._listener_failed = _failure_logger(self)
        self._listeners: Callbacks[[JobEvent]] = Callbacks(on_error=self._listener_failed)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stop_hook: Callable[[Job], None] | None = None
        self._settled = False  # finished and every listener told

    # --- observable state -------------------------------------------------------------------
    @property
    def job_id(self) -> str | None:
        """The dispatcher's id of the job (``None`` until its first answer)."""
        return self._job_id

    @property
    def status(self) -> JobStatus:
        """The job's status now."""
        return self._status

    @property
    def progress(self) -> Progress:
        """The last progress the dispatcher reported."""
        return self._progress

    @property
    def error(self) -> OdaError | None:
        """Why the job failed, once it has."""
        return self._error

    @property
    def finished_at(self) -> float | None:
        """When the job finished (epoch seconds), if it has."""
        return self._finished_at

    @property
    def elapsed(self) -> float:
        """Seconds since submission (until the end, once finished)."""
        end = self._finished_at if self._finished_at is not None else time.time()
        return max(0.0, end - self.submitted_at)

    @property
    def is_finished(self) -> bool:
        """True once the job is done, failed, or no longer followed."""
        return self._status.is_finished

    @property
    def kept_products_unread(self) -> bool:
        """Whether this restored job's products are kept on disk and not decoded yet (the first
        :attr:`products` or :meth:`result` decodes them, which can take seconds)."""
        return self._products_loader is not None

    @property
    def products(self) -> ProductSet | None:
        """The decoded products of a done job (``None`` otherwise); see :meth:`result`."""
        self._load_kept_products()
        return self._products

    # --- listeners -----------------------------------------------------------------------------
    def add_listener(self, fn: Listener) -> None:
        """Call ``fn(JobEvent)`` on every change of status or progress.

        When the job is already past ``PREPARED`` (submitted, running, finished...), ``fn`` is
        also called once at once, in the caller's thread, with the job's current state: a
        listener added after :meth:`Dispatcher.submit` returned does not miss what happened in
        between (it may see that state twice, never an older state after a newer one).

        Later calls run in the poller's threads: keep ``fn`` short, hand work to your own
        thread or event loop if it is long, and never call :meth:`wait` from it (waiters wake
        only after every listener has seen the final event). Listeners are called in the order
        they were added; adding one twice changes nothing (it is not told again). An exception
        in ``fn`` is logged and ``fn`` stays registered (the listeners are a
        :class:`~oda_widgets.client.callbacks.Callbacks`).
        """
        with self._lock:
            if not self._listeners.add(fn) or self._status is JobStatus.PREPARED:
                return
            # Told under the lock: no update can slip between this state and the listener.
            try:
                fn(JobEvent(self, self._status, self._progress))
            except Exception as exc:
                self._listener_failed(fn, exc)

    def remove_listener(self, fn: Listener) -> None:
        """Stop calling ``fn``; nothing happens if it was not registered."""
        self._listeners.remove(fn)


    # --- state changes (the poller's and the registry's) -------------------------------------------
    def apply_answer(
        self,
        *,
        status: JobStatus | None = None,
        progress: Progress | None = None,
        job_id: str | None = None,
    ) -> bool:
        """Take in what a dispatcher answer says of a job that goes on running.

        For the poller (:mod:`oda_widgets.client.poller`), once per answer; users only read a
        job.

        Parameters
        ----------
        status : JobStatus, optional
            The status the answer gives (``SUBMITTED``, ``PROGRESS`` or ``READY``); ``None``
            keeps the current one (an answer whose status this client does not know).
        progress : Progress, optional
            What the answer's job monitor reports.
        job_id : str, optional
            The id the dispatcher gave the job; taken only while the job has none (an id is
            never replaced).

        Returns
        -------
        bool
            True when the status or the progress changed: then every listener has been told,
            in this thread, before this returns. A finished job never changes again: a late
            answer is ignored (False).

        Raises
        ------
        ValueError
            If ``status`` is a final one: :meth:`finish` ends a job.
        """
        if status is not None and status.is_finished:
            raise ValueError(f"{status.value!r} ends the job: call finish(), not apply_answer()")
        return self._change(status, progress, job_id)

    def finish(
        self,
        status: JobStatus,
        *,
        error: OdaError | None = None,
        products: ProductSet | None = None,
        progress: Progress | None = None,
        job_id: str | None = None,
    ) -> bool:
        """End the job: ``DONE`` (with its products), ``FAILED`` (with its error) or ``STOPPED``.

        For the poller (and :meth:`cancel`). It happens at most once: the first call wins and
        later ones change nothing. The products or error are in place before any listener is
        told, every listener sees the final event before :meth:`wait` returns, and
        :attr:`finished_at` is set.

        Parameters
        ----------
        status : JobStatus
            ``DONE``, ``FAILED`` or ``STOPPED``.
        error : OdaError, optional
            Why the job failed (what :meth:`result` raises).
        products : ProductSet, optional
            The decoded products of a done job (what :meth:`result` returns).
        progress, job_id : optional
            As in :meth:`apply_answer`, from the final answer.

        Returns
        -------
        bool
            True when this call finished the job; False when it was finished already.

        Raises
        ------
        ValueError
            If ``status`` is not a final one.
        """
        if not status.is_finished:
            raise ValueError(f"{status.value!r} does not end a job: call apply_answer()")
        return self._change(status, progress, job_id, error=error, products=products)

    @classmethod
    def restored(
        cls,
        instrument: str,
        product: str,
        query_type: str,
        parameters: Mapping[str, Any],
        *,
        url: str,
        session_id: str,
        job_id: str,
        submitted_at: float,
        finished_at: float,
        products: ProductSet | None = None,
        error: OdaError | None = None,
        load_products: Callable[[], ProductSet] | None = None,
    ) -> Job:
        """A job that finished earlier, rebuilt from what was recorded of it.

        For the registry (:meth:`JobRegistry.finished_job
        <oda_widgets.client.registry.JobRegistry.finished_job>`). The job is ``DONE`` with
        ``products`` (or with ``load_products``, called the first time they are asked for) or
        ``FAILED`` with ``error`` (exactly one of them is given), is followed by nobody, and
        behaves as a job that finished here: :meth:`wait` and :meth:`result` answer at once,
        and a listener is told its final state when added. Its one possible change: kept
        products that ``load_products`` cannot read turn it ``FAILED`` with that error (its
        listeners told), so a tampered file fails its own job and no other.

        Raises
        ------
        ValueError
            Unless exactly one of ``products``, ``load_products`` and ``error`` is given.
        """
        if sum(x is not None for x in (products, error, load_products)) != 1:
            raise ValueError("a restored job is done with products or failed with an error")
        job = cls(
            instrument,
            product,
            query_type,
            parameters,
            url=url,
            session_id=session_id,
            job_id=job_id,
            submitted_at=submitted_at,
        )
        status = JobStatus.FAILED if error is not None else JobStatus.DONE
        job._products_loader = load_products
        job._change(status, None, None, error=error, products=products, finished_at=finished_at)
        return job

    def _load_kept_products(self) -> None:
        """Decode the kept products of a restored job on first use; a refusal fails the job."""
        with self._lock:
            loader, self._products_loader = self._products_loader, None
            if loader is None:
                return
            try:
                self._products = loader()
                return
            except OdaError as exc:
                self._error = exc
            except Exception as exc:  # noqa: BLE001 - any failure is this job's, told as text
                self._error = OdaError(f"the kept products could not be read: {exc!r}")
            self._status = JobStatus.FAILED
            event = JobEvent(self, self._status, self._progress)
        self._listeners(event)

    def set_stop_hook(self, hook: Callable[[Job], None] | None) -> None:
        """Have ``hook(job)`` called by :meth:`cancel`, after the job is ``STOPPED``.

        For the poller following the job, so that it forgets it at once. One hook at a time:
        a new one replaces the last (``None`` removes it). It is called once at most, in the
        thread that cancels, and not when the job finishes otherwise.
        """
        with self._lock:
            self._stop_hook = hook

    def _change(
        self,
        status: JobStatus | None,
        progress: Progress | None,
        job_id: str | None,
        *,
        error: OdaError | None = None,
        products: ProductSet | None = None,
        finished_at: float | None = None,
    ) -> bool:
        # the one place a job's state changes; listeners are told outside the lock
        with self._lock:
            if self._status.is_finished:
                return False
            if job_id is not None and self._job_id is None:
                self._job_id = job_id
            changed = False
            if status is not None and status != self._status:
                self._status = status
                changed = True
            if progress is not None and progress != self._progress:
                self._progress = progress
                changed = True
            if error is not None:
                self._error = error
            if products is not None:
                self._products = products
            finished = self._status.is_finished
            if finished:
                self._finished_at = time.time() if finished_at is None else finished_at
            event = JobEvent(self, self._status, self._progress) if changed else None
            if not finished:
                self._changed.notify_all()
        if event is not None:
            self._listeners(event)
        if finished:
            # waiters wake only once every listener has seen the final event (e.g. the registry
            # has written the finished job), so wait() returning means "all settled"
            with self._lock:
                self._settled = True
                self._changed.notify_all()
        return changed

    # --- waiting ---------------------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> JobStatus:
        """Block until the job is finished, or ``timeout`` seconds passed.

        Returns
        -------
        JobStatus
            ``DONE``, ``FAILED`` or ``STOPPED``.

        Raises
        ------
        TimeoutError
            If the job is still running after ``timeout`` seconds.
        """
        with self._changed:
            if not self._changed.wait_for(lambda: self._settled, timeout):
                raise TimeoutError(
                    f"job {self._job_id or '(not yet assigned)'} is still {self._status.value} "
                    f"after {timeout} s; call wait() again or add a listener"
                )
            return self._status

    def result(self, timeout: float | None = None) -> ProductSet:
        """The products of the job, once done.

        Raises
        ------
        TimeoutError
            If the job is still running after ``timeout`` seconds.
        OdaError
            The job's own error when it failed (:class:`JobFailed`, :class:`RequestRejected`,
            :class:`Unauthorized`, :class:`DispatcherUnavailable`, ...), or
            :class:`JobNotFinished` when it is no longer followed.
        """
        status = self.wait(timeout)
        return self._outcome(status)

    def _outcome(self, status: JobStatus) -> ProductSet:
        self._load_kept_products()
        status = self._status
        if status is JobStatus.DONE and self._products is not None:
            return self._products
        if status is JobStatus.FAILED and self._error is not None:
            raise self._error
        raise JobNotFinished(
            f"job {self._job_id} is {status.value}: it is no longer followed, so it has no "
            "result here; Dispatcher.reattach(job_id, session_id) follows it again"
        )

    def __await__(self) -> Generator[Any, None, ProductSet]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> ProductSet:
        # The poller settles a future on the caller's loop through call_soon_threadsafe: no
        # thread is parked per awaited job, and the event loop is never blocked.
        loop = asyncio.get_running_loop()
        future: asyncio.Future[ProductSet] = loop.create_future()

        def settle() -> None:
            if future.done():
                return
            try:
                future.set_result(self._outcome(self._status))
            except OdaError as exc:
                future.set_exception(exc)

        def on_event(event: JobEvent) -> None:
            if event.status.is_finished:
                try:
                    loop.call_soon_threadsafe(settle)
                except RuntimeError:  # the loop was closed meanwhile: nobody is waiting
                    pass

        self.add_listener(on_event)
        try:
            if self.is_finished:
                settle()
            return await future
        finally:
            self.remove_listener(on_event)

    # --- stopping ----------------------------------------------------------------------------------
    def cancel(self) -> str:
        """Stop following the job; returns the plain explanation of what that means.

        The dispatcher has no way to cancel a job, so the server may go on running it.
        """
        explanation = STOP_EXPLANATION.format(job_id=self._job_id or "(not yet assigned)")
        with self._lock:
            hook, self._stop_hook = self._stop_hook, None
        self.finish(JobStatus.STOPPED)
        if hook is not None:
            hook(self)
        return explanation

    def api_code(self) -> str:
        """The oda_api code that runs the same query (the token is read from the environment)."""
        from .query.apicode import api_code

        return api_code(self.url, self.instrument, self.product, self.query_type, self.parameters)

    def share_url(self) -> str:
        """The MMODA web URL that runs this query again (no token, job id or session id;
        ``selected_catalog`` included); see :mod:`oda_widgets.client.query.share`."""
        from .query.share import share_url

        return share_url(self.url, self.instrument, self.product, self.query_type,
                         self.parameters)

    def __repr__(self) -> str:
        return (
            f"<Job {self.instrument}/{self.product} job_id={self._job_id} "
            f"status={self._status.value} elapsed={self.elapsed:.0f}s>"
        )


class JobBatch(Sequence[Job]):
    """Several jobs submitted together, in submission order."""

    def __init__(self, jobs: Iterable[Job]) -> None:
        self._jobs = list(jobs)

    @overload
    def __getitem__(self, index: int) -> Job: ...

    @overload
    def __getitem__(self, index: slice) -> list[Job]: ...

    def __getitem__(self, index: int | slice) -> Job | list[Job]:
        return self._jobs[index]

    def __len__(self) -> int:
        return len(self._jobs)

    def wait(self, timeout: float | None = None) -> list[JobStatus]:
        """Block until every job is finished, or ``timeout`` seconds passed in total.

        Raises
        ------
        TimeoutError
            Saying how many jobs are still running.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        for job in self._jobs:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                job.wait(remaining)
            except TimeoutError:
                raise TimeoutError(
                    f"after {timeout} s: {self.summary()}; call wait() again or add listeners"
                ) from None
        return [job.status for job in self._jobs]

    def results(self, timeout: float | None = None) -> list[ProductSet | OdaError]:
        """Each job's products, or its error, in submission order (waits for them first)."""
        self.wait(timeout)
        outcomes: list[ProductSet | OdaError] = []
        for job in self._jobs:
            try:
                outcomes.append(job.result(0))
            except OdaError as exc:
                outcomes.append(exc)
        return outcomes

    def summary(self) -> str:
        """One line such as ``"7 of 12 done, 1 failed, 4 running"``."""
        counts = {status: 0 for status in JobStatus}
        for job in self._jobs:
            counts[job.status] += 1
        running = len(self._jobs) - sum(counts[s] for s in JobStatus if s.is_finished)
        parts = [f"{counts[JobStatus.DONE]} of {len(self._jobs)} done"]
        parts.append(f"{counts[JobStatus.FAILED]} failed")
        if counts[JobStatus.STOPPED]:
            parts.append(f"{counts[JobStatus.STOPPED]} stopped")
        parts.append(f"{running} running")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"<JobBatch {self.summary()}>"
