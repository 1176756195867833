"""The oda_api 1.3.5 environment the benchmarks run their baseline in."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def odaapi_python(explicit: str | None = None) -> Path | None:
    """``explicit``, else ``$ODA_WIDGETS_ODAAPI_PYTHON``, else ``.venv-odaapi``; None if none exists."""
    for candidate in (explicit, os.environ.get("ODA_WIDGETS_ODAAPI_PYTHON"),
                      str(REPO / ".venv-odaapi" / "bin" / "python")):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None
