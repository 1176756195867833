"""Install the widgets' ES modules where this environment's Jupyter serves them.

Each front end's bundle (``scripts/build_front_ends.py`` builds them) is copied, named by its
content hash, into ``<sys.prefix>/share/jupyter/labextensions/oda_widgets/static/``, which
JupyterLab, Notebook 7 and Voila serve (``oda_widgets/widgets/front_ends.py``). A wheel installs
them there itself (shared data, ``hatch_build.py``); this is for a checkout installed in
development mode, whose files change. Older copies are removed. Run by ``scripts/setup``;
without it the widgets still work, their loader asking the kernel for the code.

Usage: ``python scripts/serve_front_ends.py [PREFIX]`` (default: this Python's ``sys.prefix``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def front_ends_module():
    """``oda_widgets/widgets/front_ends.py``, loaded by path (standard library only)."""
    path = REPO / "oda_widgets" / "widgets" / "front_ends.py"
    spec = importlib.util.spec_from_file_location("oda_widgets_front_ends", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    prefix = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(sys.prefix)
    for path in front_ends_module().install_served(prefix):
        print(f"[setup] served front end: {path}")
