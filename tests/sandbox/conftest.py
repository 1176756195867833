"""Fixtures of the sandbox tier: an in-process sandbox dispatcher, a kernel, oda_api in its own venv."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap

import pytest
from support.environments import odaapi_python

from oda_widgets.sandbox import start_sandbox


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
