"""Where the separate environments the tests run things in are: the real dispatcher's and oda_api's.

``scripts/test`` names them in ``ODA_WIDGETS_PEER_PYTHON`` and ``ODA_WIDGETS_ODAAPI_PYTHON``; a
plain ``pytest`` run falls back to ``.venv-peer`` and ``.venv-odaapi`` at the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _python(variable: str, venv: str, what: str) -> Path:
    named = os.environ.get(variable)
    if named:
        # named by the test command: missing is a broken set-up, not a reason to skip
        if not Path(named).exists():
            pytest.fail(f"{variable}={named} does not exist: run scripts/setup")
        return Path(named)
    fallback = REPO / venv / "bin" / "python"
    if not fallback.exists():
        pytest.skip(f"no {what} environment: set {variable} or create {venv} (scripts/setup)")
    return fallback


def peer_python() -> Path:
    """The Python of the environment holding the real dispatcher (cdci-data-analysis 1.3.3)."""
    return _python("ODA_WIDGETS_PEER_PYTHON", ".venv-peer", "real dispatcher")


def odaapi_python() -> Path:
    """The Python of the environment holding unmodified oda_api 1.3.5."""
    return _python("ODA_WIDGETS_ODAAPI_PYTHON", ".venv-odaapi", "oda_api")
