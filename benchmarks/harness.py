"""The harness the benchmarks share with the tests, through one door.

A benchmark drives the product the way the tests do: JupyterLab and Chromium started and confined
to loopback as the browser tests start them, the sky read from the page, a hostile dispatcher,
spectra folded through the real ISGRI RMF. That code lives once, in ``tests/support`` (the tests'
helpers, and nowhere else). This module loads that package by its path under its own name,
``support``, and hands its modules out; a benchmark writes ``from harness import sky_page``,
beside ``from timing import median_ms``.

Why not put ``tests`` on ``sys.path``: every test module would become importable from a benchmark
(and a benchmark's own module could shadow one), and ``tests/support`` would be found only if the
benchmark happened to be run from the right folder. Why not move the harness into the package:
Playwright, JupyterLab and pytest are not the package's dependencies and the harness is no part of
what a user installs.

Loading it puts nothing on ``sys.path``: which ``oda_widgets`` a benchmark measures stays the
benchmark's choice (this tree's, put first on ``sys.path``; or a baseline tree's in a subprocess).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
SUPPORT = REPO / "tests" / "support"


def _support() -> ModuleType:
    """``tests/support`` as the package ``support`` (its modules import each other by that name)."""
    loaded = sys.modules.get("support")
    if loaded is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(
        "support", SUPPORT / "__init__.py", submodule_search_locations=[str(SUPPORT)]
    )
    assert spec is not None and spec.loader is not None
    package = importlib.util.module_from_spec(spec)
    sys.modules["support"] = package
    spec.loader.exec_module(package)
    return package


def __getattr__(name: str) -> ModuleType:
    """``harness.<module>`` is ``tests/support/<module>.py``, imported on first use."""
    if name.startswith("_") or not (SUPPORT / f"{name}.py").is_file():
        raise AttributeError(f"module 'harness' has no attribute {name!r} (no tests/support/{name}.py)")
    _support()
    return importlib.import_module(f"support.{name}")
