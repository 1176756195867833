"""Build the sky view's front end: ipyaladin's own front end with Aladin Lite from npm, one file.

ipyaladin's ``static/widget.js`` imports Aladin Lite from a CDN (``https://esm.sh/aladin-lite@V``)
every time a view is shown, so offline the view stays blank. This script installs the npm package
``aladin-lite@V`` (the very version ipyaladin names) and esbuild from the npm registry into a build
folder, and bundles ``js/sky_aladin.js`` (which imports ipyaladin's front end) with that CDN
specifier resolved to the package's ``dist/aladin.js``. The result, with Aladin Lite's licence
files next to it, goes to ``oda_widgets/_aladin/`` (ignored by git, shipped in the wheel).

Run by ``scripts/setup`` and by the wheel build (``hatch_build.py``); it needs ``node``/``npm``
and the installed ipyaladin. Usage: ``python scripts/build_sky_bundle.py [--force]``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "oda_widgets" / "_aladin"
BUILD = REPO / ".cache" / "sky-bundle"
ESBUILD_VERSION = "0.28.2"
ENTRY = REPO / "js" / "sky_aladin.js"
BUILDER = REPO / "js" / "build_sky_bundle.mjs"


def ipyaladin_front_end() -> tuple[Path, str]:
    """ipyaladin's bundled front end and the Aladin Lite version it imports."""
    try:
        import ipyaladin
        from ipyaladin.__about__ import __aladin_lite_version__
    except ImportError as exc:
        raise SystemExit(f"build_sky_bundle: ipyaladin must be installed first ({exc})") from None
    widget_js = Path(ipyaladin.__file__).parent / "static" / "widget.js"
    if not widget_js.is_file():
        raise SystemExit(f"build_sky_bundle: {widget_js} is missing; reinstall ipyaladin")
    return widget_js, str(__aladin_lite_version__)


def fingerprint(widget_js: Path, version: str) -> str:
    """What the bundle is made of: a change in any part means a rebuild."""
    digest = hashlib.sha256()
    for part in (widget_js, ENTRY, BUILDER, Path(__file__)):
        digest.update(part.read_bytes())
    digest.update(f"aladin-lite@{version} esbuild@{ESBUILD_VERSION}".encode())
    return digest.hexdigest()[:16]


def npm_install(version: str) -> Path:
    """Install aladin-lite and esbuild from the npm registry into the build folder."""
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "build_sky_bundle: npm is needed to install Aladin Lite (apt-get install npm, "
            "or Node.js from nodejs.org), then run scripts/setup again"
        )
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / "package.json").write_text(json.dumps({
        "name": "oda-widgets-sky-bundle", "private": True,
        "dependencies": {"aladin-lite": version, "esbuild": ESBUILD_VERSION},
    }, indent=2))
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
                   cwd=BUILD, check=True)
    return BUILD / "node_modules"


def build(force: bool = False) -> Path:
    """Build (or keep, when up to date) ``oda_widgets/_aladin/sky_aladin.js``."""
    widget_js, version = ipyaladin_front_end()
    stamp = OUTPUT / "BUILD_STAMP"
    want = fingerprint(widget_js, version)
    bundle = OUTPUT / "sky_aladin.js"
    if not force and bundle.is_file() and stamp.is_file() and stamp.read_text().strip() == want:
        return bundle
    modules = npm_install(version)
    package = modules / "aladin-lite"
    package_json = json.loads((package / "package.json").read_text())
    installed = package_json["version"]
    if installed != version:
        raise SystemExit(f"build_sky_bundle: npm gave aladin-lite {installed}, ipyaladin wants {version}")
    node = shutil.which("node")
    if node is None:
        raise SystemExit("build_sky_bundle: node is needed to run esbuild (it comes with npm)")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    # run from the build folder, where Node resolves `import "esbuild"` to its node_modules
    builder = BUILD / BUILDER.name
    shutil.copyfile(BUILDER, builder)
    subprocess.run(
        [node, str(builder), str(ENTRY), str(widget_js), str(package / "dist" / "aladin.js"),
         version, str(bundle)],
        cwd=BUILD, check=True,
    )
    # Aladin Lite is LGPL-3.0-or-later: its licence texts travel with the bundle, as separate files
    shutil.copyfile(package / "LICENSE", OUTPUT / "ALADIN_LITE_LICENSE")
    shutil.copyfile(package / "COPYING", OUTPUT / "ALADIN_LITE_COPYING")
    # ipyaladin's front end is inside too: its BSD-3-Clause notice goes with it
    notice = _ipyaladin_licence()
    if notice is not None:
        shutil.copyfile(notice, OUTPUT / "IPYALADIN_LICENSE")
    (OUTPUT / "VERSIONS.json").write_text(json.dumps({
        "aladin-lite": version, "aladin-lite licence": package_json.get("license"),
        "ipyaladin": _ipyaladin_version(), "esbuild": ESBUILD_VERSION,
    }, indent=2) + "\n")
    stamp.write_text(want + "\n")
    return bundle


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
    path = build(force="--force" in sys.argv[1:])
    print(f"[setup] sky view front end: {path.relative_to(REPO)} ({path.stat().st_size} bytes)")
