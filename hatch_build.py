"""Wheel build hook: build the sky view's front end (Aladin Lite from npm) into the package.

``oda_widgets/_aladin/`` is not in git: a wheel (and an editable install) gets it from
``scripts/build_sky_bundle.py``, which installs the npm packages it needs. See docs/sky.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class SkyBundleHook(BuildHookInterface):
    """Runs ``scripts/build_sky_bundle.py`` before the wheel's files are collected."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        script = Path(self.root) / "scripts" / "build_sky_bundle.py"
        subprocess.run([sys.executable, str(script)], check=True, cwd=self.root)
