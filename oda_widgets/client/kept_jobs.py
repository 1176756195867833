"""Jobs found again: in this dispatcher's registry (records made at its own URL only), still
followed in this process, or re-attached on the server by job id and session id.

The token never goes to another address a registry file names: a record made at another URL is
left out, since its job lives on another server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .answers import JOB_ID_PATTERN
from .errors import OdaError
from .jobs import Job, JobStatus
from .registry import RefusedRecord

if TYPE_CHECKING:
    from .dispatcher import Dispatcher

__all__ = ["job_found_again", "reattach", "refused_record_job", "registry_jobs",
           "same_url"]


def job_found_again(
    dispatcher: Dispatcher,
    job_id: str,
    session_id: str,
    instrument: str,
    product: str,
    parameters: Mapping[str, Any],
    query_type: str,
) -> Job | None:
    """The job ``job_id`` as ``dispatcher`` can have it again: still followed there, finished
    with its kept products, or re-attached while it runs; ``None`` when it failed or is
    unknown (to be submitted again)."""
    with dispatcher._lock:
        live = dispatcher._jobs.get(job_id)
    if live is not None and live.session_id == session_id and (
        live.status is not JobStatus.FAILED and live.status is not JobStatus.STOPPED
    ):
        return live
    registry = dispatcher.registry
    record = registry.get(job_id) if registry is not None else None
    if registry is not None and record is not None and record.session_id == session_id and \
            same_url(record.url, dispatcher.url):
        if record.status == JobStatus.FAILED.value:
            return None
        finished = registry.finished_job(record)
        if finished is not None:
            with dispatcher._lock:
                dispatcher._jobs[job_id] = finished
            return finished
    elif record is None and dispatcher.registry is not None:
        return None  # never recorded here: nothing says it exists
    return dispatcher.reattach(job_id, session_id, instrument, product, dict(parameters),
                               query_type)


def reattach(
    dispatcher: Dispatcher,
    job_id: str,
    session_id: str,
    instrument: str | None = None,
    product: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    query_type: str | None = None,
) -> Job:
    """Follow again with ``dispatcher`` a job submitted earlier (see
    :meth:`Dispatcher.reattach <oda_widgets.client.dispatcher.Dispatcher.reattach>`)."""
    if not isinstance(job_id, str) or not JOB_ID_PATTERN.fullmatch(job_id):
        raise ValueError(
            f"{job_id!r} is not a job id (letters, digits, '_', '.', '-'; the dispatcher's "
            "are 16 hex digits)"
        )
    record = dispatcher.registry.get(job_id) if dispatcher.registry is not None else None
    if record is not None and (
        record.session_id != session_id or not same_url(record.url, dispatcher.url)
    ):
        record = None  # a record of another session or server: do not mix them
    instrument = instrument or (record.instrument if record else None)
    product = product or (record.product if record else None)
    if not instrument or not product:
        raise ValueError(
            f"no record of job {job_id} in session {session_id}: "
            "give instrument= and product= (and the parameters it was submitted with)"
        )
    if parameters is None:
        parameters = record.parameters if record else {}
    query_type = query_type or (record.query_type if record else "Real")
    url = dispatcher.url
    job = Job(
        instrument,
        product,
        query_type,
        {k: v for k, v in parameters.items() if k != "token"},
        url=url,
        session_id=session_id,
        job_id=job_id,
        status=JobStatus.SUBMITTED,
        submitted_at=record.submitted_at if record else None,
    )
    with dispatcher._lock:
        dispatcher._jobs[job_id] = job
    dispatcher._follow(job, dispatcher._token, "submitted", dispatcher._transport_for(url))
    return job


def registry_jobs(dispatcher: Dispatcher) -> list[Job]:
    """The registry's jobs made at ``dispatcher``'s URL (see
    :meth:`Dispatcher.jobs <oda_widgets.client.dispatcher.Dispatcher.jobs>`)."""
    if dispatcher.registry is None:
        with dispatcher._lock:
            return [job for job in list(dispatcher._jobs.values()) if job is not None]
    records, refused = dispatcher.registry.scan()
    result = []
    for record in records:
        if not same_url(record.url, dispatcher.url):
            continue
        with dispatcher._lock:
            live = dispatcher._jobs.get(record.job_id)
        if live is not None and live.session_id == record.session_id:
            result.append(live)
            continue
        finished = dispatcher.registry.finished_job(record)
        if finished is None:  # unfinished, or done without kept products: ask again
            finished = dispatcher.reattach(record.job_id, record.session_id,
                                           record.instrument, record.product, record.parameters, record.query_type)
        else:
            with dispatcher._lock:
                dispatcher._jobs[record.job_id] = finished
        result.append(finished)
    # a file that is not a record is listed as such: a failed row that says why, never
    # an exception that hides every other job
    result.extend(refused_record_job(item, dispatcher.url) for item in refused)
    from .long.request import long_jobs_again  # the long layer sits above the dispatcher

    return long_jobs_again(dispatcher, result)


def same_url(url: str, other: str) -> bool:
    """Whether two URLs name the same dispatcher (scheme and host case, default port and a
    trailing ``/`` aside)."""
    return _normalised_url(url) == _normalised_url(other)


def refused_record_job(refused: RefusedRecord, url: str) -> Job:
    """A failed job standing for a registry file that is not a valid record."""
    stem = refused.path.stem
    job_id = stem if JOB_ID_PATTERN.fullmatch(stem) and not stem.startswith(".") else "unreadable"
    error = OdaError(
        f"the kept job record {refused.path} is not valid ({refused.reason}); it is left out. "
        "Delete that file to stop seeing this row"
    )
    return Job.restored("(unreadable record)", "(unknown)", "Real", {}, url=url,
                        session_id="", job_id=job_id, submitted_at=0.0, finished_at=0.0,
                        error=error)


def _normalised_url(url: str) -> str:
    """``url`` with its scheme and host in lower case, the default port and trailing ``/`` off."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path.rstrip("/"), parts.query, ""))
