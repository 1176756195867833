"""The words of a job's state: its status (the dispatcher's ``query_status``) and its progress
(what the dispatcher's job monitor reports).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["JobStatus", "Progress"]


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
