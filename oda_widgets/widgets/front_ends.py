"""Where the widgets' front-end files are, and under which names Jupyter serves them.

The wheel copies ``js/`` into the package as ``oda_widgets/_js`` (pyproject's force-include), so
one lookup serves a developer's checkout and a user's install.

The ES modules of the widgets are also served as static files, once per page and cached by the
browser: each is installed, named by a hash of its content, in the ``labextensions`` folder of
Jupyter's data path (``share/jupyter/labextensions/oda_widgets/static/``), which JupyterLab,
Notebook 7 and Voila (standalone or as a server extension) all serve (at ``fullLabextensionsUrl``
in their page config). The wheel ships them there as shared data (``hatch_build.py``);
``scripts/setup`` installs them into a development environment (:func:`install_served`).

This module uses the standard library only: the wheel's build hook loads it by path.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "SERVED_FOLDER",
    "ServedFile",
    "front_end_file",
    "install_served",
    "served_file",
    "served_files",
]

_PACKAGE = Path(__file__).resolve().parents[1]
_FOLDERS = (_PACKAGE.parent / "js", _PACKAGE / "_js")

#: Where the served modules go, under a folder of Jupyter's data path (``share/jupyter``).
SERVED_FOLDER = "labextensions/oda_widgets/static"

# the served modules: the sky view's is the bundle built with Aladin Lite, the others as written
_SERVED = {
    "sky_aladin": lambda: _PACKAGE / "_aladin" / "sky_aladin.js",
    "catalog_table": lambda: front_end_file("catalog_table.js"),
    "job_monitor": lambda: front_end_file("job_monitor.js"),
    "table_view": lambda: front_end_file("table_view.js"),
}


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


@dataclass(frozen=True)
class ServedFile:
    """One served ES module: its name, its file in the package, its content hash.

    Attributes
    ----------
    name : str
        ``"sky_aladin"``, ``"catalog_table"``, ``"job_monitor"`` or ``"table_view"``.
    path : Path
        The module in the package (or the checkout).
    digest : str
        The first 16 hex digits of its SHA-256: a new content is a new URL.
    """

    name: str
    path: Path
    digest: str

    @property
    def file_name(self) -> str:
        """The name it is served under: ``<name>.<digest>.js``."""
        return f"{self.name}.{self.digest}.js"

    @property
    def data_path(self) -> str:
        """Its place under Jupyter's data folder (``share/jupyter``)."""
        return f"{SERVED_FOLDER}/{self.file_name}"


@cache
def served_file(name: str) -> ServedFile:
    """The served module ``name``, its hash computed once per process.

    Raises
    ------
    KeyError
        For a name that is not one of the served modules.
    FileNotFoundError
        When the module's file is missing (the sky view's bundle is built by scripts/setup).
    """
    path = _SERVED[name]()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return ServedFile(name, path, digest)


def served_files() -> list[ServedFile]:
    """Every served module whose file exists (the sky bundle may not be built yet)."""
    found = []
    for name in _SERVED:
        try:
            found.append(served_file(name))
        except FileNotFoundError:
            continue
    return found


def install_served(prefix: str | Path) -> list[Path]:
    """Copy every served module into ``<prefix>/share/jupyter/<SERVED_FOLDER>``.

    Older copies of the same modules (other hashes) are removed. Returns the paths written.
    """
    folder = Path(prefix) / "share" / "jupyter" / SERVED_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for served in served_files():
        for old in folder.glob(f"{served.name}.*.js"):
            if old.name != served.file_name:
                old.unlink()
        target = folder / served.file_name
        if not target.is_file():
            shutil.copyfile(served.path, target)
        written.append(target)
    return written
