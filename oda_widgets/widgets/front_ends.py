"""Where the widgets' front-end files are: ``js/`` in a checkout, ``_js/`` in an installed package.

The wheel copies ``js/`` into the package as ``oda_widgets/_js`` (pyproject's force-include), so
one lookup serves a developer's checkout and a user's install.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["front_end_file"]

_PACKAGE = Path(__file__).resolve().parents[1]
_FOLDERS = (_PACKAGE.parent / "js", _PACKAGE / "_js")


def front_end_file(name: str) -> Path:
    """The path of the front-end file ``name`` (``"job_monitor.js"``, ``"sky.css"``, ...).

    Raises
    ------
    FileNotFoundError
        When neither folder has it (a broken install), saying so.
    """
    for folder in _FOLDERS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(
        f"{name} is missing from both js/ and oda_widgets/_js/; reinstall oda_widgets"
    )
