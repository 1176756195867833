"""Local files sent to the dispatcher the way it receives files, before a query is submitted.

The dispatcher takes files in a ``run_analysis`` request sent as a multipart POST: each file
field named after a parameter is stored under the MD5 of its content, and the parameter's value
becomes the dispatcher's download URL of it (``io_helper.upload_files_request``,
``Instrument.update_par_dic_with_uploaded_files``). The client sends the files in a dry run of the
query (``dry_run=True``: the request is read and answered with the values as the server would use
them, and nothing runs), reads each URL back from the answer's ``analysis_parameters``, and submits
the query with those URLs. A job therefore carries the file as the server has it: its oda_api code
and share link name the URL, and polls re-send it as text. oda_api 1.3.5 sends no files.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ..errors import DispatcherError
from .file_parameters import LocalFile

__all__ = ["local_files", "upload_files"]


class _RunAnalysis(Protocol):
    def run_analysis(
        self, params: Mapping[str, Any], budget: Any = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> dict[str, Any]: ...


def local_files(values: Mapping[str, Any]) -> dict[str, LocalFile]:
    """The values that are local files to upload, by parameter name."""
    return {name: value for name, value in values.items() if isinstance(value, LocalFile)}


def upload_files(
    transport: _RunAnalysis, fields: Mapping[str, Any], files: Mapping[str, LocalFile]
) -> dict[str, str]:
    """Upload ``files`` with a dry run of the query and return the dispatcher's URL of each.

    Parameters
    ----------
    transport : Transport
        The client's transport to the dispatcher.
    fields : Mapping
        The fields of the query's first request (``run_analysis_fields(job, "new", token)``)
        with ``dry_run`` and ``allow_unknown_args`` set.
    files : Mapping
        Parameter name to :class:`LocalFile`.

    Returns
    -------
    dict
        Parameter name to the URL the dispatcher gave the stored file.

    Raises
    ------
    DispatcherError
        When the dispatcher did not store a file (an older dispatcher that takes no files, or one
        that ran the query instead of a dry run).
    """
    answer = transport.run_analysis(
        fields, files={name: (local.name, local.data) for name, local in files.items()}
    )
    exit_status = answer.get("exit_status") or {}
    analysis = (answer.get("products") or {}).get("analysis_parameters") or {}
    if exit_status.get("message") != "dry-run":
        raise DispatcherError(
            "the dispatcher did not answer the upload as a dry run "
            f"(status {answer.get('query_status')!r}): it takes no files this way",
            200,
        )
    urls: dict[str, str] = {}
    for name, local in files.items():
        url = analysis.get(name)
        if not isinstance(url, str) or local.md5 not in url:
            raise DispatcherError(
                f"the dispatcher did not store the file {local} sent as {name}: it answered "
                f"{name}={str(url)[:200]!r}; it may not take files for this parameter",
                200,
            )
        urls[name] = url
    return urls
