"""Build every widget's front end: each ``js/<name>.js`` with what it imports, one file each.

The front ends share ``js/dom.js`` (their DOM helpers) and import their stylesheet
(``js/<name>.css``) as text; esbuild bundles each into one ES module that imports nothing at run
time. The sky view's also holds ipyaladin's own front end and Aladin Lite: ipyaladin's
``static/widget.js`` imports Aladin Lite from a CDN (``https://esm.sh/aladin-lite@V``) every time a
view is shown, so offline the view would stay blank. This script installs the npm package
``aladin-lite@V`` (the very version ipyaladin names) and esbuild from the npm registry into a build
folder, and bundles with that CDN specifier resolved to the package's ``dist/aladin.js``. The
bundles, with Aladin Lite's licence files next to them, go to ``oda_widgets/_front_ends/`` (ignored
by git, shipped in the wheel); ``oda_widgets/widgets/front_ends.py`` lists them (``FRONT_ENDS``).

Run by ``scripts/setup`` and by the wheel build (``hatch_build.py``); it needs ``node``/``npm``
and the installed ipyaladin. Usage: ``python scripts/build_front_ends.py [--force]``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
JS = REPO / "js"
BUILD = REPO / ".cache" / "front-ends"
ESBUILD_VERSION = "0.28.2"
BUILDER = JS / "build_front_ends.mjs"


def front_ends_module() -> ModuleType:
    """``oda_widgets/widgets/front_ends.py``, loaded by path (standard library only)."""
    path = REPO / "oda_widgets" / "widgets" / "front_ends.py"
    spec = importlib.util.spec_from_file_location("oda_widgets_front_ends", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def ipyaladin_front_end() -> tuple[Path, Path, str]:
    """ipyaladin's bundled front end, its CSS and the Aladin Lite version it imports."""
    try:
        import ipyaladin
        from ipyaladin.__about__ import __aladin_lite_version__
    except ImportError as exc:
        raise SystemExit(f"build_front_ends: ipyaladin must be installed first ({exc})") from None
    static = Path(ipyaladin.__file__).parent / "static"
    for part in ("widget.js", "widget.css"):
        if not (static / part).is_file():
            raise SystemExit(f"build_front_ends: {static / part} is missing; reinstall ipyaladin")
    return static / "widget.js", static / "widget.css", str(__aladin_lite_version__)


def fingerprint(ipyaladin_parts: tuple[Path, ...], version: str) -> str:
    """What the bundles are made of: a change in any part means a rebuild."""
    digest = hashlib.sha256()
    sources = sorted(p for p in JS.iterdir() if p.suffix in {".js", ".mjs", ".css"})
    for part in (*ipyaladin_parts, *sources, Path(__file__)):
        digest.update(part.name.encode() + b"\0" + part.read_bytes())
    digest.update(f"aladin-lite@{version} esbuild@{ESBUILD_VERSION}".encode())
    return digest.hexdigest()[:16]


def _installed_version(modules: Path, package: str) -> str | None:
    package_json = modules / package / "package.json"
    if not package_json.is_file():
        return None
    return str(json.loads(package_json.read_text()).get("version"))


def npm_install(version: str) -> Path:
    """Install aladin-lite and esbuild from the npm registry into the build folder (kept when
    the right versions are there already: a rebuild after an edit in js/ needs no network)."""
    modules = BUILD / "node_modules"
    if (_installed_version(modules, "aladin-lite") == version
            and _installed_version(modules, "esbuild") == ESBUILD_VERSION):
        return modules
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "build_front_ends: npm is needed to install esbuild and Aladin Lite (apt-get install "
            "npm, or Node.js from nodejs.org), then run scripts/setup again"
        )
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "package.json").write_text(json.dumps({
        "name": "oda-widgets-front-ends", "private": True,
        "dependencies": {"aladin-lite": version, "esbuild": ESBUILD_VERSION},
    }, indent=2))
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=BUILD, check=True)
    return modules


def build(force: bool = False) -> list[Path]:
    """Build (or keep, when up to date) ``oda_widgets/_front_ends/<name>.js`` for every front
    end; returns their paths."""
    front_ends = front_ends_module()
    output: Path = front_ends.BUILT_FOLDER
    bundles = [output / f"{name}.js" for name in front_ends.FRONT_ENDS]
    widget_js, widget_css, version = ipyaladin_front_end()
    stamp = output / "BUILD_STAMP"
    want = fingerprint((widget_js, widget_css), version)
    if (not force and all(b.is_file() for b in bundles) and stamp.is_file()
            and stamp.read_text().strip() == want):
        # up to date by content: newer than any source by time too (front_ends.py compares times)
        for bundle in bundles:
            bundle.touch()
        return bundles
    modules = npm_install(version)
    package = modules / "aladin-lite"
    package_json = json.loads((package / "package.json").read_text())
    installed = package_json["version"]
    if installed != version:
        raise SystemExit(f"build_front_ends: npm gave aladin-lite {installed}, ipyaladin wants {version}")
    node = shutil.which("node")
    if node is None:
        raise SystemExit("build_front_ends: node is needed to run esbuild (it comes with npm)")
    output.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)  # a failed build leaves no stamp: the next run builds again
    # run from the build folder, where Node resolves `import "esbuild"` to its node_modules
    builder = BUILD / BUILDER.name
    shutil.copyfile(BUILDER, builder)
    subprocess.run(
        [node, str(builder), str(output), str(widget_js), str(widget_css),
         str(package / "dist" / "aladin.js"), version,
         *(str(JS / f"{name}.js") for name in front_ends.FRONT_ENDS)],
        cwd=BUILD, check=True,
    )
    # Aladin Lite is LGPL-3.0-or-later: its licence texts travel with the bundle, as separate files
    shutil.copyfile(package / "LICENSE", output / "ALADIN_LITE_LICENSE")
    shutil.copyfile(package / "COPYING", output / "ALADIN_LITE_COPYING")
    # ipyaladin's front end is inside too: its BSD-3-Clause notice goes with it
    notice = _ipyaladin_licence()
    if notice is not None:
        shutil.copyfile(notice, output / "IPYALADIN_LICENSE")
    (output / "VERSIONS.json").write_text(json.dumps({
        "aladin-lite": version, "aladin-lite licence": package_json.get("license"),
        "ipyaladin": _ipyaladin_version(), "esbuild": ESBUILD_VERSION,
    }, indent=2) + "\n")
    stamp.write_text(want + "\n")
    return bundles


def _ipyaladin_licence() -> Path | None:
    from importlib.metadata import distribution

    for entry in distribution("ipyaladin").files or []:
        if entry.name.upper().startswith("LICENSE"):
            return Path(entry.locate())
    return None


def _ipyaladin_version() -> str:
    from ipyaladin.__about__ import __version__

    return str(__version__)


if __name__ == "__main__":
    for path in build(force="--force" in sys.argv[1:]):
        print(f"[setup] front end: {path.relative_to(REPO)} ({path.stat().st_size} bytes)")
