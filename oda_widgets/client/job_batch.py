"""Several jobs submitted together, waited for and summed up as one."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, overload

from .errors import OdaError
from .job_state import JobStatus

if TYPE_CHECKING:
    from .jobs import Job
    from .products.product_set import ProductSet

__all__ = ["JobBatch"]


class JobBatch(Sequence["Job"]):  # Job only named: jobs.py imports this module
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
