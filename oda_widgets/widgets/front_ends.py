"""Where the widgets' front-end files are, and under which names Jupyter serves them.

The wheel copies ``js/`` into the package as ``oda_widgets/_js`` (pyproject's force-include), so
one lookup serves a developer's checkout and a user's install.

Each widget's front end (:data:`FRONT_ENDS`) is served as one bundle: ``js/<name>.js`` with what
it imports (``js/dom.js``, its stylesheet ``js/<name>.css``; the sky view's also ipyaladin's front
end and Aladin Lite), built by ``scripts/build_front_ends.py`` into ``oda_widgets/_front_ends/``
(not in git; the wheel and ``scripts/setup`` build it). The sources in ``js/`` are not served.

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
import logging
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "BUILT_FOLDER",
    "FRONT_ENDS",
    "SERVED_FOLDER",
    "FrontEndMissing",
    "ServedFile",
    "front_end_file",
    "install_served",
    "served_file",
    "served_files",
]

logger = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parents[1]
_CHECKOUT_JS = _PACKAGE.parent / "js"
_FOLDERS = (_CHECKOUT_JS, _PACKAGE / "_js")

#: Where the served modules go, under a folder of Jupyter's data path (``share/jupyter``).
SERVED_FOLDER = "labextensions/oda_widgets/static"

#: The widgets' front ends, each served as one bundle of ``js/<name>.js`` and its imports.
FRONT_ENDS = ("sky_aladin", "catalog_table", "job_monitor", "table_view")

#: Where ``scripts/build_front_ends.py`` writes the bundles (``<name>.js``), in the package.
BUILT_FOLDER = _PACKAGE / "_front_ends"

_REBUILD = ("run scripts/setup, or `python scripts/build_front_ends.py` in a checkout (both "
            "need npm), or reinstall oda_widgets")


class FrontEndMissing(FileNotFoundError):
    """A widget's built front end is missing or does not fit this install; says how to build it."""


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


def built_file(name: str) -> Path:
    """The bundle of the front end ``name`` (one of :data:`FRONT_ENDS`).

    Raises
    ------
    KeyError
        For a name that is not one of the front ends.
    FrontEndMissing
        When it was not built, saying how to build it.
    """
    if name not in FRONT_ENDS:
        raise KeyError(name)
    path = BUILT_FOLDER / f"{name}.js"
    if not path.is_file():
        raise FrontEndMissing(
            f"the front end {name} is missing ({path}): it is built from js/ with esbuild from "
            f"npm when oda_widgets is installed; {_REBUILD}"
        )
    _warn_if_older_than_sources(name, path)
    return path


def _warn_if_older_than_sources(name: str, path: Path) -> None:
    # in a checkout, a js/ file edited after the build is not in what the page gets: say so
    if not _CHECKOUT_JS.is_dir():
        return
    built = path.stat().st_mtime
    sheet = "sky" if name == "sky_aladin" else name
    sources = [_CHECKOUT_JS / f for f in (f"{name}.js", "dom.js", f"{sheet}.css")]
    newer = sorted(p.name for p in sources if p.is_file() and p.stat().st_mtime > built)
    if newer:
        logger.warning("the built front end %s is older than %s in js/: run "
                       "`python scripts/build_front_ends.py`", name, ", ".join(newer))


@cache
def served_file(name: str) -> ServedFile:
    """The served module ``name``, its hash computed once per process.

    Raises
    ------
    KeyError
        For a name that is not one of the served modules.
    FrontEndMissing
        When the module was not built (``scripts/setup`` and the wheel build it).
    """
    path = built_file(name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return ServedFile(name, path, digest)


def served_files() -> list[ServedFile]:
    """Every served module whose file exists (the bundles may not be built yet)."""
    found = []
    for name in FRONT_ENDS:
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
