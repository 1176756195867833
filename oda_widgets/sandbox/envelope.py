"""The shapes of the dispatcher's answers: run_analysis envelopes, error bodies, api_code.

Key sets and value types follow answers recorded from real dispatchers (1.3.3 and 1.3.6), so a
client that reads a real answer reads the sandbox's the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
from flask import Response

from .errors import APIError

__all__ = [
    "ODA_API_VERSION",
    "api_code",
    "common_payload",
    "envelope",
    "error_body",
    "exit_status",
    "json_response",
]

ODA_API_VERSION = "1.3.5"


def common_payload(url: str, generation: str, instruments: list[str]) -> dict[str, Any]:
    """The fields every error body of the dispatcher carries (versions, instruments, config).

    ``generation`` is named by the dispatcher version it is (``"1.3.6"``, ``"1.3.3"``).
    """
    return {
        "cdci_data_analysis_version": generation,
        "cdci_data_analysis_version_details": "oda_widgets sandbox",
        "oda_api_version": ODA_API_VERSION,
        "installed_instruments": list(instruments),
        "debug_mode": "no",
        "config": {
            "dispatcher-config": {
                "origin": {"filepath": "(built in)", "set_by": "oda_widgets.sandbox"},
                "cfg_dict": {
                    "dispatcher": {
                        "products_url": url,
                        "dispatcher_callback_url_base": url,
                        "bind_options": {},
                    }
                },
            },
            "plugins": {"oda_widgets_sandbox": {"config_file": None}},
        },
    }


def error_body(error: APIError, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body of a refused request (``error``, ``error_message`` + the common payload)."""
    body: dict[str, Any] = {"error_message": error.message}
    if error.debug_message is not None:
        body["debug_message"] = error.debug_message
    body["error"] = f"{error.kind}():{error.message}"
    body.update(payload)
    return body


def exit_status(
    job_status: str,
    status: int = 0,
    message: str = "",
    error_message: str = "",
    debug_message: str = "",
    comment: str = "",
    warning: str = "",
) -> dict[str, Any]:
    """An ``exit_status`` block."""
    return {
        "job_status": job_status,
        "status": status,
        "message": message,
        "error_message": error_message,
        "debug_message": debug_message,
        "comment": comment,
        "warning": warning,
    }


def envelope(
    query_status: str,
    products: dict[str, Any],
    status: dict[str, Any],
    job_monitor: dict[str, Any],
    session_id: str,
    time_request: float,
    status_code: int | None = None,
) -> dict[str, Any]:
    """A run_analysis answer."""
    out: dict[str, Any] = {
        "query_status": query_status,
        "products": products,
        "exit_status": status,
        "job_monitor": job_monitor,
        "job_status": job_monitor["status"],
        "session_id": session_id,
    }
    if status_code is not None:
        out["status_code"] = status_code
    out["time_request"] = time_request
    return out


def api_code(parameters: Mapping[str, Any], url: str) -> str:
    """The oda_api code that repeats a request, written as the dispatcher writes it.

    Keys sorted; bookkeeping fields left out; ``product_type`` and ``query_type`` renamed to
    oda_api's ``product`` and ``product_type``; ``None`` values left out. Like the dispatcher's,
    it includes the token when the request had one.
    """
    skipped = {"job_id", "query_status", "session_id", "use_resolver[local]", "use_scws"}
    renamed = {"product_type": "product", "query_type": "product_type"}
    code_parameters = {
        renamed.get(k, k): v
        for k, v in sorted(parameters.items())
        if k not in skipped and v is not None
    }
    text = json.dumps(code_parameters, indent=4).replace("false", "False").replace("true", "True")
    return (
        "from oda_api.api import DispatcherAPI\n"
        f"disp=DispatcherAPI(url='{url}', instrument='mock')\n\n"
        f"par_dict={text}\n\n"
        "data_collection = disp.get_product(**par_dict)\n"
    )


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` as a JSON response (NumPy scalars and arrays allowed)."""
    return Response(json.dumps(data, default=_plain), status=status, mimetype="application/json")


def _plain(obj: Any) -> Any:
    # products may carry NumPy scalars and arrays
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")
