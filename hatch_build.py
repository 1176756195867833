"""Wheel build hook: bundle the widgets' front ends into the package, and ship each where Jupyter
serves it.

``oda_widgets/_front_ends/`` is not in git: a wheel (and an editable install) gets it from
``scripts/build_front_ends.py``, which bundles each ``js/<name>.js`` with ``js/dom.js`` and its
stylesheet (the sky view's also with ipyaladin's front end and Aladin Lite), with esbuild and
Aladin Lite installed from npm. See docs/sky.md. The bundles also go, named by their content hash,
to ``share/jupyter/labextensions/oda_widgets/static/`` as the wheel's shared data: JupyterLab,
Notebook 7 and Voila serve that folder, so each page loads them once and the browser caches them
(``oda_widgets/widgets/front_ends.py``).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class FrontEndsHook(BuildHookInterface):
    """Runs ``scripts/build_front_ends.py`` before the wheel's files are collected, then adds
    the served ES modules as shared data."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        root = Path(self.root)
        subprocess.run([sys.executable, str(root / "scripts" / "build_front_ends.py")],
                       check=True, cwd=self.root)
        front_ends = _load(root / "oda_widgets" / "widgets" / "front_ends.py")
        shared = build_data.setdefault("shared_data", {})
        served = front_ends.served_files()
        missing = set(front_ends.FRONT_ENDS) - {s.name for s in served}
        if missing:
            # the build above ran: a bundle still missing is a broken build, not a wheel to ship
            raise RuntimeError(f"the front ends {sorted(missing)} were not built")
        for one in served:
            shared[str(one.path)] = f"share/jupyter/{one.data_path}"


def _load(path: Path) -> Any:
    """A standard-library-only module of the package, loaded by path (the build runs before
    the package's dependencies are installed)."""
    spec = importlib.util.spec_from_file_location("oda_widgets_front_ends", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module   # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module
