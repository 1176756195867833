"""The oda_api code of a query, so a user can always run the same thing without widgets.

The code has the shape of the dispatcher's own ``api_code`` (sorted keys, ``product_type`` and
``query_type`` renamed to oda_api's ``product`` and ``product_type``), but never a token: the
generated code reads it at run time with oda_api's own discovery (``ODA_TOKEN`` or
``~/.oda-token``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .file_parameters import LocalFile

__all__ = ["api_code"]

# request bookkeeping that is not part of the query
_SKIPPED = {
    "job_id",
    "query_status",
    "session_id",
    "use_resolver[local]",
    "use_scws",
    "token",
    "api",
    "off_line",
    "oda_api_version",
    "client-name",
}


def _python_literal(value: Any) -> Any:
    """Values JSON can print; anything else becomes its text."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _python_literal(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_python_literal(v) for v in value]
    return str(value)


def api_code(
    url: str,
    instrument: str,
    product: str,
    query_type: str = "Real",
    parameters: Mapping[str, Any] | None = None,
) -> str:
    """The Python code that runs this query with oda_api.

    Parameters
    ----------
    url : str
        The dispatcher's URL.
    instrument, product : str
        What to ask for (oda_api's ``instrument`` and ``product``).
    query_type : str
        ``"Real"`` or ``"Dummy"`` (oda_api calls it ``product_type``).
    parameters : mapping, optional
        The query's parameters as put on the wire; a token among them is left out.

    Returns
    -------
    str
        Code that runs unmodified with oda_api (``from oda_api.api import DispatcherAPI``).
    """
    query: dict[str, Any] = {
        k: v for k, v in (parameters or {}).items() if k not in _SKIPPED and v is not None
    }
    # a file not yet uploaded has no URL to write: oda_api sends no files (the job's own code,
    # once submitted, has the dispatcher's URL of it)
    files = {k: query.pop(k) for k in list(query) if isinstance(query[k], LocalFile)}
    query["instrument"] = instrument
    query["product"] = product
    query["product_type"] = query_type
    ordered = {k: _python_literal(query[k]) for k in sorted(query)}
    # JSON literals are Python literals once true/false/null are spelled the Python way
    body = json.dumps(ordered, indent=4)
    body = _pythonic_literals(body)
    uploads = "".join(
        f"# {name}: the file {local} is uploaded when the query is submitted; the job's code\n"
        "# then gives its URL on the dispatcher (oda_api sends no files)\n"
        for name, local in files.items()
    )
    return (
        uploads
        + "import oda_api.token\n"
        "from oda_api.api import DispatcherAPI\n"
        "\n"
        f"disp = DispatcherAPI(url={url!r}, instrument='mock')\n"
        "\n"
        f"par_dict = {body}\n"
        "\n"
        "# The token is not written here: oda_api reads it from the ODA_TOKEN environment\n"
        "# variable or the ~/.oda-token file (it stays None when there is none).\n"
        'par_dict["token"] = oda_api.token.discover_token()\n'
        "\n"
        "data_collection = disp.get_product(**par_dict)\n"
    )


def _pythonic_literals(text: str) -> str:
    """Turn JSON's ``true``/``false``/``null`` (and ``NaN``/``Infinity``) into Python's,
    outside of strings only."""
    out: list[str] = []
    i, n = 0, len(text)
    # json.dumps writes non-finite floats as NaN/Infinity, which Python would take for names
    replacements = {"true": "True", "false": "False", "null": "None", "NaN": "float('nan')",
                    "Infinity": "float('inf')"}
    while i < n:
        ch = text[i]
        if ch == '"':  # copy a whole JSON string, escapes included
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
            continue
        for word, python in replacements.items():
            if text.startswith(word, i):
                out.append(python)
                i += len(word)
                break
        else:
            out.append(ch)
            i += 1
    return "".join(out)
