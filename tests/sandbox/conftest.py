"""Fixtures of the sandbox tier: an in-process sandbox dispatcher, oda_api in its own venv, captures."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
import requests
from support.environments import odaapi_python

from oda_widgets.sandbox import start_sandbox

REPO = Path(__file__).resolve().parents[2]
CAPTURES = REPO.parent / "shared" / "data"


@pytest.fixture
def kernel(tmp_path):
    """A real kernel whose job registry lives in the test's folder (``kernel.home``)."""
    from support.kernel import Kernel

    home = tmp_path / "oda_widgets_home"
    kernel = Kernel(dict(os.environ, ODA_WIDGETS_HOME=str(home)))
    kernel.home = home
    yield kernel
    kernel.shutdown()


@pytest.fixture
def sandbox():
    """A sandbox dispatcher on a free port, jobs completing at once; stopped afterwards."""
    server = start_sandbox(port=0, duration=0)
    yield server
    server.stop()


def capture(name: str):
    """A recorded answer of a real dispatcher, e.g. ``dispatcher-1.3.3/07_meta_data_unknown_instrument.json``."""
    path = CAPTURES / name
    if not path.exists():
        pytest.skip(f"real dispatcher captures not found at {CAPTURES} (need ../shared/data)")
    return json.loads(path.read_text())


def exchange_response(name: str, index: int) -> tuple[int, object]:
    """Status and body of the ``index``-th exchange in a 1.3.6 ``*.exchange.json`` capture."""
    exchanges = capture(f"dispatcher-1.3.6/{name}")
    return exchanges[index]["status"], exchanges[index]["resp"]


@pytest.fixture
def run_odaapi(tmp_path):
    """Run a script with oda_api 1.3.5 in its venv; returns the JSON the script prints last."""

    def run(script: str, timeout: float = 300, **env: str) -> object:
        path = tmp_path / "odaapi_script.py"
        path.write_text(textwrap.dedent(script))
        result = subprocess.run(
            [str(odaapi_python()), str(path)], capture_output=True, text=True, timeout=timeout,
            cwd=tmp_path, env={**os.environ, **env},
        )
        assert result.returncode == 0, f"oda_api script failed:\n{result.stdout}\n{result.stderr}"
        return json.loads(result.stdout.strip().splitlines()[-1])

    return run


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
