"""A dry run: how the dispatcher would read a query's parameters, asked without running it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import DispatcherError
from .jobs import Job
from .query.uploads import local_files
from .query.wire import run_analysis_fields
from .transport.http import Transport
from .transport.redaction import scrub_token
from .transport.secret import SecretToken

__all__ = ["dry_run"]


def dry_run(transport: Transport, url: str, session_id: str, token: SecretToken | None,
            instrument: str, product: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The dispatcher's reading of ``parameters`` (``token`` already taken out), see
    :meth:`Dispatcher.dry_run <oda_widgets.client.dispatcher.Dispatcher.dry_run>`."""
    values = dict(parameters)
    files = local_files(values)  # sent as the dispatcher receives files: it answers their URLs
    probe = Job(
        instrument,
        product,
        values.pop("query_type", "Real"),
        {k: v for k, v in values.items() if k not in files},
        url=url,
        session_id=session_id,
    )
    fields = run_analysis_fields(probe, "new", token)
    fields.update(allow_unknown_args=True, dry_run=True)
    answer = transport.run_analysis(
        fields, files={k: (f.name, f.data) for k, f in files.items()} or None
    )
    answer = scrub_token(answer, token)
    exit_status = answer.get("exit_status") or {}
    products = answer.get("products") or {}
    monitor = answer.get("job_monitor") or {}
    if exit_status.get("message") != "dry-run" or "instrument_parameters" not in products:
        raise DispatcherError(
            f"the dispatcher at {url} does not support dry runs: it ran the query "
            f"instead (job {monitor.get('job_id')}, status {answer.get('query_status')})",
            200,
            answer,
        )
    analysis = {
        k: v for k, v in (products.get("analysis_parameters") or {}).items() if k != "token"
    }
    return {
        "instrument_parameters": products["instrument_parameters"],
        "analysis_parameters": analysis,
        "job_id": monitor.get("job_id"),
        "comment": exit_status.get("comment", ""),
    }
