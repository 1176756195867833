"""Real dispatcher answers recorded in ``../shared/data``, and a job run to its end over HTTP.

A test reading an answer is marked ``shared`` (``support/shared.py``).

Plain functions (not fixtures), imported as ``from support.dispatcher_answers import ...`` by the
tiers that need them, so no test module imports a ``conftest`` by name.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import requests

from support import shared

__all__ = ["CAPTURES", "REPO", "capture", "captured_catalog", "exchange_response", "run_to_done"]

REPO = Path(__file__).resolve().parents[2]
CAPTURES = shared.DATA


def capture(name: str):
    """A recorded answer of a real dispatcher, e.g. ``dispatcher-1.3.3/07_meta_data_unknown_instrument.json``."""
    return json.loads((CAPTURES / name).read_text())


def exchange_response(name: str, index: int) -> tuple[int, object]:
    """Status and body of the ``index``-th exchange in a 1.3.6 ``*.exchange.json`` capture."""
    exchanges = capture(f"dispatcher-1.3.6/{name}")
    return exchanges[index]["status"], exchanges[index]["resp"]


def captured_catalog() -> dict:
    """The ``catalog`` a real 1.3.6 dispatcher answered for an ISGRI image (its own dict form)."""
    return exchange_response("catalog.exchange.json", 1)[1]["products"]["catalog"]


def run_to_done(url: str, params: dict, limit_s: float = 120) -> dict:
    """Submit a ``run_analysis`` request, poll as oda_api does, return the final answer.

    ``limit_s`` only guards against a hung job; it is not a speed requirement.
    """
    answer = requests.get(f"{url}/run_analysis", params={**params, "query_status": "new"}).json()
    job_id = answer["job_monitor"]["job_id"]
    deadline = time.monotonic() + limit_s
    while answer["query_status"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        answer = requests.get(f"{url}/run_analysis", params={
            **params, "query_status": answer["query_status"], "job_id": job_id}).json()
    return answer
