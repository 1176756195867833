"""A long request followed as one job: its parts submitted, retried, and their products combined.

A :class:`LongJob` is a :class:`~oda_widgets.client.jobs.Job` whose state is that of its parts:
``submitted`` once they are, ``progress`` while they run (science windows analysed over all
parts), ``done`` with the combined products once every part has finished, ``failed`` when none
could be combined. A part that fails is submitted again (``max_attempts`` in all, after a pause
that doubles), except when the dispatcher refused the request itself (a bad value, missing
roles): that would fail again. The dispatcher's "Failed to acquire lock for directory" error (an
HTTP 500 while two requests of one job race) is such a passing fault. What failed for good is
shown on the part, and the rest is combined, saying what is missing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import JobFailed, OdaError, RequestRejected, Unauthorized, ValidationError
from ..jobs import Job, JobEvent, JobStatus, Progress

if TYPE_CHECKING:
    from ..dispatcher import Dispatcher
    from .store import LongRequestStore

__all__ = ["LongJob", "LongPart", "is_worth_retrying"]

logger = logging.getLogger(__name__)


def is_worth_retrying(error: OdaError | None) -> bool:
    """Whether a part that failed with ``error`` may succeed when submitted again.

    A refusal of the request itself (400, 403, a value the client refused) fails again; a job
    that failed on the server, an internal error (500, e.g. "Failed to acquire lock") or a
    server that stayed unavailable may not.
    """
    return not isinstance(error, RequestRejected | Unauthorized | ValidationError)


@dataclass(eq=False)
class LongPart:
    """One part of a long request: its science windows, its job, its attempts.

    Attributes
    ----------
    index : int
        Its place in the request (0 first).
    scw_list : list of str
        Its science windows.
    parameters : dict
        What it is submitted with (wire values, never the token).
    job : Job or None
        Its job now (a new one after each retry).
    attempts : int
        How many times it was submitted (a job found again counts as one).
    errors : list of str
        Why earlier attempts failed.
    reattached : bool
        True when its job was found again (from the registry or still followed) rather than
        submitted by this request.
    """

    index: int
    scw_list: list[str]
    parameters: dict[str, Any]
    job: Job | None = None
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    reattached: bool = False
    retry_at: float | None = None
    final: bool = False  # failed for good

    @property
    def label(self) -> str:
        first, last = self.scw_list[0], self.scw_list[-1]
        return f"{first} … {last} ({len(self.scw_list)} ScW)"

    @property
    def status(self) -> str:
        """``done``, ``failed`` (for good), ``retrying``, or the job's own status."""
        if self.final:
            return "failed"
        if self.retry_at is not None:
            return "retrying"
        if self.job is None:
            return JobStatus.PREPARED.value
        return self.job.status.value

    def windows_done(self) -> int:
        """Science windows analysed so far (all once done)."""
        job = self.job
        if job is None:
            return 0
        if job.status is JobStatus.DONE:
            return len(self.scw_list)
        progress = job.progress
        if progress.total and progress.done is not None:
            return min(len(self.scw_list), int(progress.done))
        return 0


class LongJob(Job):
    """Many jobs followed as one: see the module documentation.

    Made by :meth:`Dispatcher.submit_long <oda_widgets.client.dispatcher.Dispatcher.submit_long>`;
    ``result()`` is the :class:`~oda_widgets.client.combine.product_sets.CombinedProducts`,
    ``parts`` the :class:`LongPart` list, ``key`` the request's key on disk.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        instrument: str,
        product: str,
        query_type: str,
        parameters: Mapping[str, Any],
        parts: Sequence[LongPart],
        *,
        key: str,
        store: LongRequestStore | None,
        again: Callable[[], LongJob],
        max_attempts: int = 3,
        retry_delay: float = 2.0,
    ) -> None:
        super().__init__(instrument, product, query_type, parameters, url=dispatcher.url,
                         session_id=dispatcher.session_id)
        self._dispatcher = dispatcher
        self.parts: list[LongPart] = list(parts)
        self.key = key
        self._store = store
        self._again = again
        self.max_attempts = int(max_attempts)
        self.retry_delay = float(retry_delay)
        self._state_lock = threading.RLock()
        self._timers: dict[int, threading.Timer] = {}
        self._combining = False
        self._stopped = False

    # --- starting --------------------------------------------------------------------------------
    def start(self, previous: Mapping[str, Any] | None = None, *, submit: bool = True) -> LongJob:
        """Find the parts' jobs again (``previous``: the request's record) or submit them.

        With ``submit=False`` (a request listed again from disk, not asked for again) nothing
        is sent: a part whose job cannot be had again is shown as failed, and :meth:`retry`
        submits it.
        """
        recorded = list((previous or {}).get("parts") or [])
        for part in self.parts:
            entry = recorded[part.index] if part.index < len(recorded) else {}
            job = self._found_again(part, entry)
            part.errors = [str(e) for e in entry.get("errors") or []]
            if job is not None:
                part.job, part.reattached = job, True
                part.attempts = max(int(entry.get("attempts") or 1), 1)
            elif submit:
                part.attempts = int(entry.get("attempts") or 0)
                self._submit(part)
            else:
                part.attempts = int(entry.get("attempts") or 0)
                part.final = True
                if not part.errors:
                    part.errors.append("its job failed or is no longer known: Retry submits it")
        if submit:
            self._save()
        for part in self.parts:
            self._listen(part)
        self.apply_answer(status=JobStatus.SUBMITTED, progress=self._aggregate_progress())
        self._update()
        return self

    def _found_again(self, part: LongPart, entry: Mapping[str, Any]) -> Job | None:
        job_id, session_id = entry.get("job_id"), entry.get("session_id")
        if not job_id or not session_id:
            return None
        return self._dispatcher._job_found_again(
            job_id, session_id, self.instrument, self.product, part.parameters, self.query_type
        )

    def _submit(self, part: LongPart) -> None:
        part.attempts += 1
        part.retry_at = None
        part.job = self._dispatcher.submit(self.instrument, self.product, self.query_type,
                                           validate=False, **part.parameters)

    def _listen(self, part: LongPart) -> None:
        job = part.job
        if job is None:
            return

        def listener(event: JobEvent, part: LongPart = part, job: Job = job) -> None:
            self._part_changed(part, job, event)

        job.add_listener(listener)

    # --- following -------------------------------------------------------------------------------
    def _part_changed(self, part: LongPart, job: Job, event: JobEvent) -> None:
        with self._state_lock:
            if job is not part.job or self._stopped:
                return  # an earlier attempt's late news
            if event.status is JobStatus.FAILED and not part.final and part.retry_at is None:
                error = job.error
                part.errors.append(str(error) if error is not None else "the job failed")
                if is_worth_retrying(error) and part.attempts < self.max_attempts:
                    delay = self.retry_delay * 2 ** (part.attempts - 1)
                    part.retry_at = time.monotonic() + delay
                    timer = threading.Timer(delay, self._retry, args=(part,))
                    timer.daemon = True
                    self._timers[part.index] = timer
                    timer.start()
                else:
                    part.final = True
            if event.status.is_finished or job.job_id:
                self._save()
        self._update()

    def _retry(self, part: LongPart) -> None:
        with self._state_lock:
            self._timers.pop(part.index, None)
            if self._stopped or self.is_finished:
                return
            try:
                self._submit(part)
            except OdaError as exc:
                part.errors.append(f"could not be submitted again: {exc}")
                part.final, part.retry_at = True, None
                self._save()
                self._update()
                return
            self._save()
        self._listen(part)
        self._update()

    def _aggregate_progress(self) -> Progress:
        total = sum(len(p.scw_list) for p in self.parts)
        done = sum(p.windows_done() for p in self.parts)
        counts: dict[str, int] = {}
        for part in self.parts:
            counts[part.status] = counts.get(part.status, 0) + 1
        words = [f"{counts.get('done', 0)} of {len(self.parts)} parts done"]
        for status in ("retrying", "failed"):
            if counts.get(status):
                words.append(f"{counts[status]} {status}")
        return Progress(done=done, total=total, stage=", ".join(words))

    def _update(self) -> None:
        with self._state_lock:
            if self.is_finished or self._combining:
                return
            settled = all(p.status == "done" or p.final for p in self.parts)
            progress = self._aggregate_progress()
            if not settled:
                running = any(p.status in ("progress", "ready", "done") for p in self.parts)
                self.apply_answer(status=JobStatus.PROGRESS if running else JobStatus.SUBMITTED,
                                  progress=progress)
                return
            self._combining = True
            self.apply_answer(status=JobStatus.READY,
                              progress=Progress(progress.done, progress.total,
                                                "combining the parts' products"))
        threading.Thread(target=self._combine, name="oda-widgets-combine", daemon=True).start()

    # --- the end ---------------------------------------------------------------------------------
    def missing(self) -> list[str]:
        """The parts that failed for good, each with its windows and last error."""
        return [f"part {p.index + 1} of {len(self.parts)} ({p.label}): "
                f"{p.errors[-1] if p.errors else 'failed'}"
                for p in self.parts if p.final]

    def _combine(self) -> None:
        from ..combine.product_sets import combine_product_sets

        done = [(p.index, p.job) for p in self.parts if p.status == "done" and p.job is not None]
        missing = self.missing()
        progress = self._aggregate_progress()
        try:
            products = combine_product_sets(
                [job.result(timeout=60) for _, job in done], instrument=self.instrument,
                labels=[job.job_id or f"part {index + 1}" for index, job in done], missing=missing,
            )
        except (ValueError, OdaError) as exc:
            reason = str(exc)
            self.finish(JobStatus.FAILED, progress=progress,
                        error=JobFailed(f"the long request's {len(self.parts)} parts could not be "
                                        f"combined: {reason}"))
            return
        except Exception as exc:  # never leave a long job running for ever on a bug
            logger.exception("combining the parts of long request %s failed", self.key)
            self.finish(JobStatus.FAILED, progress=progress,
                        error=JobFailed(f"combining the parts failed unexpectedly: {exc!r}"))
            return
        stage = f"combined {len(done)} of {len(self.parts)} parts"
        if missing:
            stage += f"; missing {len(missing)}"
        self.finish(JobStatus.DONE, products=products,
                    progress=Progress(progress.done, progress.total, stage))

    def cancel(self) -> str:
        """Stop following every part (the dispatcher may go on running them)."""
        with self._state_lock:
            self._stopped = True
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()
        for part in self.parts:
            if part.job is not None and not part.job.is_finished:
                part.job.cancel()
        self.finish(JobStatus.STOPPED)
        return (f"Stopped following the {len(self.parts)} parts of this long request; the "
                "dispatcher may go on running them. Submitting the same request again finds "
                "them (Dispatcher.submit_long with the same arguments).")

    def retry(self) -> LongJob:
        """The same request again: finished parts are taken as they are, failed ones submitted
        again (a new :class:`LongJob`)."""
        return self._again()

    # --- on disk ---------------------------------------------------------------------------------
    def _save(self) -> None:
        if self._store is None:
            return
        record = {
            "key": self.key,
            "url": self.url,
            "instrument": self.instrument,
            "product": self.product,
            "query_type": self.query_type,
            # what a listing after a restart needs to show and retry the request as one row
            "parameters": {k: v for k, v in self.parts[0].parameters.items() if k != "scw_list"},
            "shown": self.parameters,
            "max_attempts": self.max_attempts,
            "retry_delay": self.retry_delay,
            "parts": [
                {
                    "scw_list": part.scw_list,
                    "job_id": part.job.job_id if part.job is not None else None,
                    "session_id": part.job.session_id if part.job is not None else None,
                    "attempts": part.attempts,
                    "errors": part.errors[-5:],
                }
                for part in self.parts
            ],
            "updated_at": time.time(),
        }
        try:
            self._store.save(self.key, record)
        except OSError as exc:  # the request goes on; a restart would submit its parts again
            logger.warning("the record of long request %s was not written: %s", self.key, exc)

    # --- what a monitor shows --------------------------------------------------------------------
    def part_rows(self) -> list[dict[str, Any]]:
        """One plain dict per part: label, status, progress, job id, attempts, last error."""
        rows = []
        for part in self.parts:
            job = part.job
            rows.append({
                "label": f"part {part.index + 1}: {part.label}",
                "status": part.status,
                "done": part.windows_done(),
                "total": len(part.scw_list),
                "job_id": (job.job_id or "") if job is not None else "",
                "attempts": part.attempts,
                "error": part.errors[-1] if part.errors and part.status in ("failed", "retrying")
                else "",
                "reattached": part.reattached,
            })
        return rows

    def api_code(self) -> str:
        """The oda_api code of every part, one query per part in a loop."""
        from ..query.apicode import api_code

        first = dict(self.parts[0].parameters)
        first["scw_list"] = "SCW_LIST"
        code = api_code(self.url, self.instrument, self.product, self.query_type, first)
        lists = ",\n".join(f"    {part.scw_list!r}" for part in self.parts)
        code = code.replace("'SCW_LIST'", "scw_list").replace('"SCW_LIST"', "scw_list")
        body = "\n".join("    " + line if line else "" for line in code.splitlines())
        return (f"# {len(self.parts)} parts of a long request, one oda_api query each\n"
                f"scw_lists = [\n{lists},\n]\n"
                "data_collections = []\n"
                "for scw_list in scw_lists:\n"
                f"{body}\n"
                "    data_collections.append(data_collection)\n")

    def __repr__(self) -> str:
        return (f"<LongJob {self.instrument}/{self.product} {len(self.parts)} parts "
                f"status={self.status.value} elapsed={self.elapsed:.0f}s>")
