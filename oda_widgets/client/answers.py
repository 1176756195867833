"""What a dispatcher answer means for a job: its status, progress and id, or why it fails.

The poller (:mod:`.poller`) sends the requests and keeps the time; what each ``/run_analysis``
answer says is read here, by pure functions that change nothing:

* :func:`read_answer` turns one answer into a :class:`Reading`: the job's status and progress,
  the id the dispatcher gave it, the raw products of a done job, or the error the job fails
  with (a failure on the server, a refusal, an answer that cannot be about this job);
* :func:`decoded_products` decodes a done job's products, every way decoding can fail turned
  into an :class:`~.errors.OdaError` the job can carry.

An answer naming another session, or a job id that is not a plain id (:data:`JOB_ID_PATTERN`),
or another job than the one followed, is never applied to the job: it fails it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import DispatcherError, JobFailed, OdaError, ProductDecodeError, Unauthorized
from .jobs import Job, JobStatus, Progress
from .transport.redaction import scrub_token
from .transport.secret import SecretToken

if TYPE_CHECKING:
    from .products.budget import DecodeBudget
    from .products.product_set import ProductSet

__all__ = ["JOB_ID_PATTERN", "Reading", "decoded_products", "read_answer"]

#: A job id as dispatchers make them (16 hex digits), with room for other servers' spellings;
#: matched whole (``fullmatch``: ``$`` would let a trailing newline through).
JOB_ID_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,128}")

# The query_status words this client knows. Others ('unknown', 'unaccessible': the dispatcher
# has no record of the job) are polled again, as the dispatcher polls them itself.
# (A JobStatus's value is the dispatcher's word for it; PREPARED and STOPPED are this client's.)
_STATUS_OF_ANSWER = {
    status.value: status
    for status in JobStatus
    if status not in (JobStatus.PREPARED, JobStatus.STOPPED)
}


@dataclass(frozen=True)
class Reading:
    """What one answer means for the job it was asked for.

    Attributes
    ----------
    query_status : str or None
        The answer's ``query_status``, sent back with the next request (``None``: there was none).
    status : JobStatus or None
        The job's status by this answer; ``None`` for a word this client does not know.
    progress : Progress
        What the answer's job monitor reports.
    job_id : str or None
        The id the answer gives the job (``None`` while the dispatcher has given none).
    error : OdaError or None
        When set, the job fails with it (and ``status`` is ``FAILED``).
    products : dict or None
        The raw ``products`` of a done job, to decode (:func:`decoded_products`).
    """

    query_status: str | None
    status: JobStatus | None
    progress: Progress = field(default_factory=Progress)
    job_id: str | None = None
    error: OdaError | None = None
    products: dict[str, Any] | None = None

    @classmethod
    def failure(cls, error: OdaError, query_status: Any = None, job_id: str | None = None,
                progress: Progress | None = None) -> Reading:
        """The reading of an answer that fails the job with ``error``."""
        return cls(query_status if isinstance(query_status, str) else None, JobStatus.FAILED,
                   progress or Progress(), job_id, error=error)


def read_answer(
    job: Job, answer: Mapping[str, Any], token: SecretToken | str | None = None
) -> Reading:
    """What ``answer``, the dispatcher's reply to a ``/run_analysis`` request, means for ``job``.

    Parameters
    ----------
    job : Job
        The job the request was about (only read).
    answer : mapping
        The decoded JSON answer.
    token : SecretToken or str, optional
        The token sent with the request: removed from every text and payload the error keeps.

    Returns
    -------
    Reading
        A failure (``error`` set) for an answer with no ``query_status``, one about another
        session or job, one with a job id that is not an id, a 403, a failed job, or a done job
        without products; otherwise the status, progress and id to apply, and the raw products
        of a done job.
    """
    query_status = answer.get("query_status")
    if not isinstance(query_status, str):
        return Reading.failure(DispatcherError(
            "the dispatcher's answer has no query_status: it is not a run_analysis answer",
            200,
            scrub_token(dict(answer), token),
        ))
    monitor = answer.get("job_monitor")
    monitor = monitor if isinstance(monitor, Mapping) else {}
    answered_id = monitor.get("job_id") or None  # "" is no id yet
    refusal = _foreign_answer(job, answer, answered_id)
    if refusal is not None:
        return Reading.failure(DispatcherError(refusal, 200), query_status)
    progress = Progress.from_job_monitor(monitor)
    if answer.get("status_code") == 403:
        exit_status = answer.get("exit_status") or {}
        return Reading.failure(
            Unauthorized(
                str(exit_status.get("message") or "not authorized"),
                403,
                scrub_token(dict(answer), token),
                debug_message=str(exit_status.get("debug_message") or ""),
            ),
            query_status, answered_id, progress,
        )
    if query_status == "failed":
        return Reading.failure(_job_failed(job, answer, monitor, answered_id, token),
                               query_status, answered_id, progress)
    if query_status == "done":
        raw = answer.get("products")
        if not isinstance(raw, dict):
            return Reading.failure(
                DispatcherError("the dispatcher said done but sent no products", 200),
                query_status, answered_id, progress,
            )
        status = answer.get("exit_status")
        if isinstance(status, Mapping) and "exit_status" not in raw:
            # its comment is part of the result (a workflow's comment output): kept with it
            raw = {**raw, "exit_status": dict(status)}
        return Reading(query_status, JobStatus.DONE, progress, answered_id, products=raw)
    return Reading(query_status, _STATUS_OF_ANSWER.get(query_status), progress, answered_id)


def decoded_products(
    job: Job, raw: Mapping[str, Any], budget: DecodeBudget | None = None
) -> ProductSet:
    """The products of a done ``job``, decoded by the safe decoder under ``budget`` (the one its
    answer was read under; a fresh one by default).

    Raises
    ------
    OdaError
        Whatever keeps them from being decoded, as the error the job fails with:
        :class:`~.errors.UnsafePayload` and the decoder's own errors as they are, an answer too
        large or too deeply nested as :class:`~.errors.ProductDecodeError`, anything else as a
        :class:`~.errors.DispatcherError`.
    """
    # imported here: the decoder pulls in astropy, which a bare `import oda_widgets` avoids
    from .products.product_set import decode_products

    try:
        return decode_products(raw, product=job.product, instrument=job.instrument, budget=budget)
    except OdaError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ProductDecodeError(
            job.product,
            "the answer is too large for this machine's memory"
            if isinstance(exc, MemoryError)
            else "the answer is nested too deeply to read",
        ) from None
    except Exception as exc:
        raise DispatcherError(f"the products of the job could not be decoded: {exc}", 200) from None


def _job_failed(
    job: Job,
    answer: Mapping[str, Any],
    monitor: Mapping[str, Any],
    answered_id: str | None,
    token: SecretToken | str | None,
) -> JobFailed:
    """The error of a job the dispatcher answered ``failed`` for, with every word it gave."""
    exit_status = answer.get("exit_status") or {}
    message = str(exit_status.get("message") or "")
    debug = str(exit_status.get("debug_message") or "")
    # A job failed through the backend's callback is answered with an empty exit_status: the
    # backend's own words are in the job monitor's last report.
    reported = _backend_report(monitor)
    if not message:
        message = reported
    elif reported and reported not in (message, debug):
        debug = f"{debug}\n{reported}".strip()
    # the dispatcher's comment and warning may be all the explanation there is
    for key in ("comment", "warning"):
        note = str(exit_status.get(key) or "").strip()
        if note and note not in debug:
            debug = f"{debug}\n{key}: {note}".strip()
    return JobFailed(
        scrub_token(message, token) or "the job failed on the server (it gave no reason)",
        scrub_token(str(exit_status.get("error_message") or ""), token),
        scrub_token(debug, token),
        job_id=answered_id or job.job_id,
        payload=scrub_token(dict(answer), token),
    )


def _backend_report(monitor: Mapping[str, Any]) -> str:
    """The backend's last report in a job monitor, as text (``""`` when there is none).

    E.g. ``"failed at node_failed"`` from ``full_report_dict``.
    """
    report = monitor.get("full_report_dict") or {}
    if not isinstance(report, Mapping):
        return ""
    text = str(report.get("message") or "").strip()
    where = str(report.get("stage") or report.get("node_id") or "").strip()
    if text and where:
        return f"{text} at {where}" if text in ("failed", "done", "progress") else f"{where}: {text}"
    return text


def _foreign_answer(job: Job, answer: Mapping[str, Any], job_id: Any) -> str | None:
    """Why an answer cannot be about ``job`` (another session, a job id that is not an id,
    another job), or ``None`` when it can."""
    # only the answer's own session_id: job_monitor.session_id names the first session of a job
    # that the same query started earlier elsewhere (the dispatcher's "aliased" jobs)
    session = answer.get("session_id")
    if session not in (None, "") and session != job.session_id:
        return (
            f"the dispatcher answered for session {str(session)[:40]!r} while following job "
            f"{job.job_id or '(new)'} of session {job.session_id}; the answer was not used"
        )
    if job_id in (None, ""):
        return None
    if not (isinstance(job_id, str) and JOB_ID_PATTERN.fullmatch(job_id)):
        return (
            f"the dispatcher answered with the job id {str(job_id)[:40]!r}, which is not a job "
            "id (letters, digits, '_', '.', '-'); the answer was not used"
        )
    if job.job_id and job_id != job.job_id:
        return (
            f"the dispatcher answered for job {job_id} while following job {job.job_id}; the "
            "job's record on the server may have changed"
        )
    return None
