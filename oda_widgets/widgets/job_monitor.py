"""JobMonitor: many ODA jobs followed in the background, one row each, the notebook always free.

The jobs are followed by the client's poller thread; the monitor only listens. Each job event marks
the job's row as changed, and a :class:`~oda_widgets.widgets.throttle.Throttle` hands the changed
rows to the front end at most about once per second per job, many rows in one message. The front
end (``js/job_monitor.js``) is an anywidget that draws a table from the synced list of plain row
dicts and sends back the user's actions (stop, retry, open results, remove).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import count
from operator import methodcaller
from typing import TYPE_CHECKING, Any

import anywidget
import traitlets

from ..client.errors import OdaError
from ..client.failure_words import plain_failure
from ..client.jobs import Job, JobBatch, JobEvent, JobStatus
from ..client.long.long_job import LongJob
from ..client.transport.sites import SANDBOX_SHARE_NOTE, is_sandbox_url
from .events import Events
from .front_end_loader import FrontEndCode, loader_module
from .throttle import Throttle

if TYPE_CHECKING:
    from ..client.dispatcher import Dispatcher
    from ..client.products.product_set import ProductSet

__all__ = ["JobMonitor", "describe_error", "describe_parameters"]

logger = logging.getLogger(__name__)

ResultsListener = Callable[[Job, "ProductSet"], None]


# Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); every status
# also has its own word and icon, so colour is never the only carrier of meaning.
STATUS_LOOK: dict[JobStatus, tuple[str, str, str]] = {
    JobStatus.PREPARED: ("prepared", "○", "#000000"),
    JobStatus.SUBMITTED: ("submitted", "◔", "#56B4E9"),
    JobStatus.PROGRESS: ("running", "◑", "#0072B2"),
    JobStatus.READY: ("fetching results", "◕", "#0072B2"),
    JobStatus.DONE: ("done", "✓", "#009E73"),
    JobStatus.FAILED: ("failed", "✗", "#D55E00"),
    JobStatus.STOPPED: ("not followed", "■", "#CC79A7"),
}


def _short_time(value: Any) -> str:
    text = str(value).strip()
    if "T" in text and text[:4].isdigit():
        text = text.replace("T", " ")
        if "." in text:  # ISO seconds fractions add nothing at a glance
            text = text.split(".", 1)[0]
    return text


def _count_scw(scw_list: Any) -> int:
    if isinstance(scw_list, str):
        return len([s for s in scw_list.replace(" ", ",").split(",") if s])
    if isinstance(scw_list, (list, tuple)):
        return len(scw_list)
    return 0


def describe_parameters(parameters: Mapping[str, Any]) -> str:
    """The key parameters of a query in one short line.

    Parameters
    ----------
    parameters : mapping
        Wire values of a job (``src_name``, ``RA``, ``DEC``, ``T1``, ``T2``, ``E1_keV`` ...).

    Returns
    -------
    str
        e.g. ``"Crab · 2004-01-01 00:00:00 → 2004-12-31 23:59:59 · 20–80 keV · ≤10 ScW"``.
    """
    parts: list[str] = []
    src = parameters.get("src_name")
    if src not in (None, ""):
        parts.append(str(src))
    elif parameters.get("RA") is not None and parameters.get("DEC") is not None:
        try:
            parts.append(f"RA {float(parameters['RA']):.3f} Dec {float(parameters['DEC']):+.3f}")
        except (TypeError, ValueError):
            parts.append(f"RA {parameters['RA']} Dec {parameters['DEC']}")
    t1, t2 = parameters.get("T1"), parameters.get("T2")
    if t1 not in (None, "") and t2 not in (None, ""):
        prefix = "MJD " if str(parameters.get("T_format", "")).lower() == "mjd" else ""
        parts.append(f"{prefix}{_short_time(t1)} → {_short_time(t2)}")
    e1, e2 = parameters.get("E1_keV"), parameters.get("E2_keV")
    if e1 is not None and e2 is not None:
        parts.append(f"{e1}–{e2} keV")
    n_scw = _count_scw(parameters.get("scw_list"))
    if n_scw:
        parts.append(f"{n_scw} ScW")
    elif parameters.get("max_pointings") not in (None, ""):
        parts.append(f"≤{parameters['max_pointings']} ScW")
    return " · ".join(parts)


def describe_error(error: OdaError | None) -> dict[str, str] | None:
    """The server's message, error text and debug text of a failed job, as plain strings, and
    what a known failure means in plain words (``plain``; empty for the others)."""
    if error is None:
        return None
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return {
        "kind": type(error).__name__,
        "plain": plain_failure(error) or "",
        "message": str(message),
        "error_message": str(getattr(error, "error_message", "") or ""),
        "debug_message": str(getattr(error, "debug_message", "") or ""),
    }


@dataclass
class _Entry:
    """One row: the job it shows now, and what the monitor itself has to say about it."""

    key: str
    job: Job
    note: str = ""
    attempt: int = 1
    # The dispatcher's final answer carries no progress report: keep the last count seen, so a
    # finished row still says how many science windows it took.
    last_done: int | None = None
    last_total: int | None = None
    listener: Callable[[JobEvent], None] | None = field(default=None, repr=False)


def row_from_job(entry: _Entry) -> dict[str, Any]:
    """The plain dict the front end draws one row from (strings, numbers, booleans only).

    Also remembers on ``entry`` the last progress count the job reported.
    """
    job = entry.job
    status = job.status
    label, icon, colour = STATUS_LOOK.get(status, (status.value, "?", "#000000"))
    progress = job.progress
    if progress.total:
        entry.last_done, entry.last_total = progress.done, progress.total
    done, total = entry.last_done, entry.last_total
    if status is JobStatus.DONE and total:
        done = total
    stage = progress.stage or progress.message or ""
    if progress.stage and progress.message and progress.message != progress.stage:
        stage = f"{progress.stage}: {progress.message}"
    if not stage and progress.reports and not status.is_finished:
        stage = f"{len(progress.reports)} progress reports"
    error = describe_error(job.error) if status is JobStatus.FAILED else None
    return {
        "key": entry.key,
        "instrument": job.instrument,
        "product": job.product,
        "query_type": job.query_type,
        "params": describe_parameters(job.parameters),
        "status": status.value,
        "status_label": label,
        "icon": icon,
        "color": colour,
        "done": done,
        "total": total,
        "stage": stage,
        "elapsed": round(job.elapsed, 1),
        "finished": status.is_finished,
        "job_id": job.job_id or "",
        "session_id": job.session_id,
        "error": error,
        "note": entry.note,
        "attempt": entry.attempt,
        "can_stop": not status.is_finished,
        "can_retry": status in (JobStatus.FAILED, JobStatus.STOPPED),
        "can_open": status is JobStatus.DONE,
        # a long request's parts (client/long/long_job.py), shown under its one row
        "parts": job.part_rows() if isinstance(job, LongJob) else [],
    }


JobsLike = Job | JobBatch | Iterable[Job]


def _weak_deliverer(monitor: JobMonitor) -> Callable[[Mapping[Hashable, Any]], None]:
    """The throttle's delivery to ``monitor``, holding it weakly."""
    ref = weakref.ref(monitor)

    def deliver(batch: Mapping[Hashable, Any]) -> None:
        target = ref()
        if target is not None:
            target._deliver(batch)

    return deliver


class JobMonitor(FrontEndCode, anywidget.AnyWidget):
    """A table of ODA jobs followed in the background: status, progress, errors, actions.

    Parameters
    ----------
    jobs : Job, JobBatch or iterable of Job, optional
        Jobs to show from the start. When omitted and ``dispatcher`` is given, the jobs of the
        dispatcher's registry are shown (finished ones with their products from disk, running
        ones followed again), which is what a notebook wants after a kernel restart.
    dispatcher : Dispatcher, optional
        Used by :meth:`submit_many` and to retry jobs. Defaults to the form's dispatcher.
    form : QueryForm, optional
        Every job the form submits gets a row (the registry is not listed for a form alone).
    interval : float
        Seconds between two updates of the same row (the last state is always shown).

    Examples
    --------
    >>> disp = Dispatcher(url="sandbox")
    >>> monitor = JobMonitor(dispatcher=disp)
    >>> monitor.submit_many([{"instrument": "isgri", "product": "isgri_spectrum", ...}])
    >>> monitor                      # the table; the notebook stays free
    >>> monitor.results()            # ProductSet (or the error) of each job, in order
    """

    # The text, not the path: anywidget connects every instance of a widget whose front end is a
    # file to that file's change signal, which would keep every monitor (and its jobs) alive.
    # the code itself, with its stylesheet, is served once per page
    _esm = loader_module("job_monitor")

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: The line above the table, e.g. ``"7 of 12 done, 1 failed, 4 running"``.
    summary = traitlets.Unicode("").tag(sync=True)
    #: The same line under the name every view uses for what its status line says (what
    #: happens to one job is said on its row).
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        jobs: JobsLike | None = None,
        dispatcher: Dispatcher | None = None,
        form: Any | None = None,
        *,
        interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        autostart: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._lock = threading.RLock()
        self._entries: list[_Entry] = []
        self._keys = count(1)
        self._results_opened = Events(on_error=self._results_listener_failed)
        # The throttle's thread and the jobs' listeners reach the monitor only through a weak
        # reference: they never keep a monitor alive, and closing the widget (by close(), by
        # ipywidgets' close_all(), or by its disposal) ends the thread.
        self._throttle = Throttle(
            _weak_deliverer(self), interval=interval, clock=clock, autostart=autostart
        )
        # Only a dispatcher given on purpose brings the registry's jobs; a form's rows are its own.
        list_registry = jobs is None and dispatcher is not None
        if dispatcher is None and form is not None:
            dispatcher = getattr(form, "dispatcher", None)
        self.dispatcher = dispatcher
        self.form = form
        self.on_msg(self._on_front_end_message)
        if form is not None:
            form.on_submit(self.add)
        if list_registry and dispatcher is not None:
            jobs = dispatcher.jobs()
        if jobs is not None:
            self.add(jobs)
        else:
            self._publish()

    # --- the jobs ---------------------------------------------------------------------------------
    @property
    def jobs(self) -> list[Job]:
        """The jobs shown, in row order (a retried row shows its newest job)."""
        with self._lock:
            return [entry.job for entry in self._entries]

    def add(self, jobs: JobsLike) -> list[Job]:
        """Show one job, a :class:`JobBatch` or any iterable of jobs (each once).

        Returns
        -------
        list of Job
            The jobs that were added.
        """
        items = [jobs] if isinstance(jobs, Job) else list(jobs)
        for item in items:
            if not isinstance(item, Job):
                raise TypeError(
                    f"JobMonitor.add takes Job objects (from Dispatcher.submit/submit_many), "
                    f"not {type(item).__name__}"
                )
        added: list[Job] = []
        with self._lock:
            shown = {id(entry.job) for entry in self._entries}
            for job in items:
                if id(job) in shown:
                    continue
                entry = _Entry(key=f"r{next(self._keys)}", job=job)
                self._entries.append(entry)
                self._follow(entry)
                shown.add(id(job))
                added.append(job)
            self._publish()
        return added

    def submit_many(self, queries: Iterable[Mapping[str, Any]]) -> JobBatch:
        """Submit a batch through the monitor's dispatcher and show every job.

        Parameters
        ----------
        queries : iterable of mapping
            Each: ``instrument``, ``product``, optionally ``query_type``, and the parameters.
        """
        dispatcher = self._require_dispatcher("submit jobs")
        batch = dispatcher.submit_many(queries)
        self.add(batch)
        return batch

    def results(self, timeout: float | None = None) -> list[ProductSet | OdaError]:
        """Each row's products, or its error, in row order; waits for unfinished jobs.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait in total; raises :class:`TimeoutError` saying how many still run.
        """
        outcomes = JobBatch(self.jobs).results(timeout)
        # Waiters can wake before the last events reach the throttle: show the final state now.
        self._publish()
        return outcomes

    # --- actions (also triggered from the front end's buttons) ---------------------------------
    def stop(self, job: Job | str) -> str:
        """Stop following a job; returns (and shows) why the server may still be running it."""
        return self._answer_on_row(job, methodcaller("cancel"))

    def retry(self, job: Job | str) -> Job:
        """Submit the same query again; the row then follows the new job."""
        entry = self._entry(job)
        old = entry.job
        new: Job
        try:
            if isinstance(old, LongJob):  # a long request: its done parts are kept
                new = old.retry()
            else:
                dispatcher = self._require_dispatcher("retry a job")
                new = dispatcher.submit(old.instrument, old.product, old.query_type,
                                        **old.parameters)
        except OdaError as exc:
            self._note(entry, f"Retry was refused: {exc}")
            raise
        with self._lock:
            self._unfollow(entry)
            entry.job = new
            entry.attempt += 1
            entry.last_done = entry.last_total = None
            entry.note = f"Attempt {entry.attempt} (previous job id {old.job_id or 'none'})"
            self._follow(entry)
            self._publish()
        return new

    def on_results(self, callback: ResultsListener, remove: bool = False) -> None:
        """Call ``callback(job, product_set)`` when the user opens the results of a done job
        (``remove=True`` unregisters it)."""
        self._results_opened.register_callback(callback, remove=remove)

    def open_results(self, job: Job | str) -> ProductSet:
        """Hand a done job's products to the listeners registered with :meth:`on_results`.

        A listener that fails is logged and named on the job's row; the others still get them.
        """
        entry = self._entry(job)
        products = entry.job.result(timeout=0)
        if self._results_opened.callbacks:
            self._results_opened(entry.job, products)
        else:
            names = ", ".join(products) if hasattr(products, "__iter__") else ""
            self._note(entry, f"Products: {names}. No viewer is attached; use monitor.results() "
                       "or monitor.on_results(callback).")
        return products

    def _kept_unread(self, key: str) -> bool:
        try:
            entry = self._entry(key)
        except KeyError:
            return False
        if not entry.job.kept_products_unread:
            return False
        self._note(entry, "Reading the kept products from disk ...")
        return True

    def _results_listener_failed(self, _callback: Any, exc: Exception, args: tuple) -> None:
        try:
            self._note(self._entry(args[0]), f"results failed: {exc}")
        except KeyError:
            return  # the row was removed meanwhile

    def show_code(self, job: Job | str) -> str:
        """Show (on the job's row) and return the oda_api code of its query, without the token."""
        return self._answer_on_row(job, methodcaller("api_code"))

    def share(self, job: Job | str) -> str:
        """Show (on the job's row) and return the MMODA web URL that runs its query again (for
        a sandbox job, the row also says that the sandbox has no web front end)."""
        shown = "Share: {}"
        if is_sandbox_url(self._entry(job).job.url):
            shown += " (" + SANDBOX_SHARE_NOTE + ")"
        return self._answer_on_row(job, methodcaller("share_url"), shown)

    def remove(self, job: Job | str, *, forget: bool = False) -> None:
        """Take a job off the monitor (it goes on being followed elsewhere if others listen).

        Parameters
        ----------
        forget : bool
            Also drop it from the dispatcher's registry, products on disk included.
        """
        entry = self._entry(job)
        with self._lock:
            self._unfollow(entry)
            self._entries.remove(entry)
            self._throttle.discard(entry.key)
            self._publish()
        if forget:
            registry = getattr(self.dispatcher, "registry", None)
            if registry is None:
                raise RuntimeError(
                    "to forget a job on disk, give the monitor the dispatcher whose registry "
                    "holds it: JobMonitor(dispatcher=...)"
                )
            if entry.job.job_id:
                registry.drop(entry.job.job_id)

    def close(self) -> None:
        """Stop listening to the jobs (they go on being polled) and close the widget."""
        self._stop_listening()
        super().close()

    def _stop_listening(self) -> None:
        lock = getattr(self, "_lock", None)
        if lock is None:  # closed while __init__ failed half way
            return
        with lock:
            for entry in self._entries:
                self._unfollow(entry)
        self._throttle.close(flush=False)

    @traitlets.observe("comm")
    def _on_comm_change(self, change: Mapping[str, Any]) -> None:
        # ipywidgets' own Widget.close() sets comm to None: stop the thread whichever way the
        # widget was closed.
        if change["new"] is None and change["old"] is not None:
            self._stop_listening()

    # --- plumbing ---------------------------------------------------------------------------------
    def _require_dispatcher(self, what: str) -> Dispatcher:
        if self.dispatcher is None:
            raise RuntimeError(
                f"to {what}, give the monitor a dispatcher: JobMonitor(dispatcher=Dispatcher(...))"
            )
        return self.dispatcher

    def _entry(self, job: Job | str) -> _Entry:
        with self._lock:
            for entry in self._entries:
                if entry.job is job or entry.key == job or (
                    isinstance(job, str) and entry.job.job_id == job
                ):
                    return entry
        raise KeyError(f"{job!r} is not shown in this monitor")

    def _follow(self, entry: _Entry) -> None:
        key = entry.key
        throttle = self._throttle  # not self: a job must not keep its monitor alive

        def listener(event: JobEvent) -> None:
            # Runs in the poller thread: only record that the row changed.
            throttle.submit(key, None, urgent=event.status.is_finished)

        entry.listener = listener
        entry.job.add_listener(listener)

    def _unfollow(self, entry: _Entry) -> None:
        if entry.listener is not None:
            entry.job.remove_listener(entry.listener)
            entry.listener = None

    def _answer_on_row(self, job: Job | str, ask: Callable[[Job], str], shown: str = "{}") -> str:
        """``ask(job)``, shown on the job's row as ``shown`` says, and returned."""
        entry = self._entry(job)
        answer = ask(entry.job)
        self._note(entry, shown.format(answer))
        return answer

    def _note(self, entry: _Entry, text: str) -> None:
        """Show ``text`` on the row of ``entry`` (what the monitor itself says about the job)."""
        with self._lock:
            entry.note = text
            self._publish()

    def _deliver(self, batch: Mapping[Hashable, Any]) -> None:
        # Runs in the throttle's thread: rows are rebuilt from the jobs' current state.
        with self._lock:
            self._publish()

    def _publish(self) -> None:
        with self._lock:
            rows = [row_from_job(entry) for entry in self._entries]
            summary = JobBatch([entry.job for entry in self._entries]).summary()
            with self.hold_sync():
                self.rows = rows
                self.summary = self.status = summary

    def _on_front_end_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict):
            return
        action, key = content.get("action"), content.get("key")
        handlers: dict[str, Callable[[str], Any]] = {
            "stop": self.stop,
            "retry": self.retry,
            "results": self.open_results,
            "remove": self.remove,
            "code": self.show_code,
            "share": self.share,
        }
        if action not in handlers or not isinstance(key, str):
            return
        if action == "results" and self._kept_unread(key):
            # products kept on disk are decoded now, off the kernel's main thread (a large file
            # takes seconds), and the views they open are built in that thread too
            threading.Thread(target=self._run_action, args=(action, handlers[action], key),
                             daemon=True, name="oda-kept-products").start()
            return
        self._run_action(action, handlers[action], key)

    def _run_action(self, action: str, handler: Callable[[str], Any], key: str) -> None:
        try:
            handler(key)
        except KeyError:
            return  # the row was removed meanwhile
        except Exception as exc:  # shown on the row: a button must never fail silently
            logger.exception("job monitor action %s failed", action)
            try:
                self._note(self._entry(key), f"{action} failed: {exc}")
            except KeyError:
                return
