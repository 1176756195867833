"""Sandbox jobs: identity, simulated progress per science window, and cached products.

A job is identified as the dispatcher identifies it: the first 16 hex digits of an md5 of the
normalised request (defaults filled in, unknown arguments dropped, session and token fields
removed, the token's user added), so identical requests of one user share a job whatever the
session. Its life follows the dispatcher's asynchronous INTEGRAL jobs: ``submitted``, then
``progress`` with one report per science window analysed, then ``ready``; the next request asks
for the result and gets ``done`` with the products, computed once in a worker thread and kept.
A computation that raises makes the job ``failed``, with the exception's message.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HASH_EXCLUDED", "JobState", "JobStore", "SandboxJob", "job_parameters", "make_job_id"]

#: Request fields that do not change what a job computes (the dispatcher's list).
HASH_EXCLUDED = (
    "session_id",
    "job_id",
    "token",
    "dry_run",
    "oda_api_version",
    "api",
    "off_line",
    "query_status",
    "async_dispatcher",
)


def job_parameters(normalised: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a normalised request that identifies its job."""
    return {k: v for k, v in normalised.items() if k not in HASH_EXCLUDED and v is not None}


def make_job_id(parameters: Mapping[str, Any], user: str | None) -> str:
    """The job id of ``parameters`` (see :func:`job_parameters`) requested by ``user`` (e-mail)."""
    content = dict(parameters)
    if user:
        content["sub"] = user
    text = json.dumps(content, sort_keys=True, default=str)
    return hashlib.md5(text.encode()).hexdigest()[:16]


@dataclass
class JobState:
    """What a poll sees: status and the per-science-window reports so far."""

    status: str  # submitted | progress | ready | failed
    reports: list[dict]


@dataclass
class SandboxJob:
    """One job: what to compute, its clock, and its result once computed.

    ``seconds_per_scw`` is the simulated analysis time of one science window; the job reports a
    window done each time that much time has passed, and is ready when all are done and the
    products are computed.
    """

    job_id: str
    instrument: str
    product: str
    parameters: dict[str, Any]  # job_parameters() of the creating request, for ownership checks
    user: str | None
    scw_ids: list[str]
    seconds_per_scw: float
    session_id: str
    started: float = field(default_factory=time.monotonic)
    result: Future | None = None
    failure: dict | None = None  # an exit_status forced by a fault

    def state(self, now: float | None = None) -> JobState:
        """The job's status at ``now`` (monotonic seconds)."""
        if self.failure is not None or self.error() is not None:
            return JobState("failed", self.reports(len(self.scw_ids)))
        now = time.monotonic() if now is None else now
        total = len(self.scw_ids)
        if self.seconds_per_scw <= 0:
            done = total
        else:
            done = min(total, math.floor((now - self.started) / self.seconds_per_scw))
        computed = self.result is not None and self.result.done()
        if done >= total and computed:
            return JobState("ready", self.reports(total))
        return JobState("submitted" if done == 0 else "progress", self.reports(done))

    def reports(self, done: int) -> list[dict]:
        """One monitor entry per science window analysed, shaped like the backend's callbacks."""
        total = len(self.scw_ids)
        return [
            {
                "action": "progress",
                "instrument_name": self.instrument,
                "job_id": self.job_id,
                "session_id": self.session_id,
                "node_id": scw_id,
                "stage": "science window analysis",
                "progress": str(i + 1),
                "progress_max": str(total),
                "message": f"science window {scw_id} analysed ({i + 1}/{total})",
            }
            for i, scw_id in enumerate(self.scw_ids[:done])
        ]

    def error(self) -> BaseException | None:
        """What the computation raised, once it has finished (None while running or on success)."""
        if self.result is None or not self.result.done() or self.result.cancelled():
            return None
        return self.result.exception()

    def products(self) -> dict[str, Any]:
        """The computed products (raises what the computation raised)."""
        if self.result is None:
            raise RuntimeError(f"job {self.job_id} was never started")
        return self.result.result()


class JobStore:
    """All jobs of a sandbox, and the worker threads computing their products.

    Parameters
    ----------
    workers : int
        Products computed at the same time.
    """

    def __init__(self, workers: int = 2) -> None:
        self._jobs: dict[str, SandboxJob] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sandbox-job")

    def get(self, job_id: str) -> SandboxJob | None:
        """The job with this id, or None."""
        with self._lock:
            return self._jobs.get(job_id)

    def start(self, job: SandboxJob, compute: Callable[[], dict]) -> SandboxJob:
        """Start ``job``, unless a job with its id is running or finished.

        A known job that is running or has its products is returned as it is (the analysis is
        not repeated: the backend keeps what it computed); a failed one is computed again.
        """
        with self._lock:
            known = self._jobs.get(job.job_id)
            if known is not None and known.result is not None and known.state().status != "failed":
                return known
            job.result = self._pool.submit(compute)
            self._jobs[job.job_id] = job
            return job

    def run_now(self, job: SandboxJob, compute: Callable[[], dict]) -> SandboxJob:
        """Compute ``job`` within the calling thread (instruments answered synchronously)."""
        future: Future = Future()
        try:
            future.set_result(compute())
        except Exception as e:  # the job's failure, reported to the client
            future.set_exception(e)
        job.result = future
        with self._lock:
            self._jobs[job.job_id] = job
        return job

    def shutdown(self) -> None:
        """Stop the workers (running computations finish first)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
