"""The front ends share one DOM helper module and are served as bundles; every stylesheet is a file
in js/, put in the page one way.

A front end that wrote its own ``el()`` would drift from the others (and from the rule that server
text goes in as ``textContent``); a served file that still imported ``./dom.js`` would fail in the
browser, where no such file is served.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from oda_widgets.widgets._style import StyleSheet, style_widget
from oda_widgets.widgets.front_ends import (
    BUILT_FOLDER,
    FRONT_ENDS,
    FrontEndMissing,
    front_end_file,
    served_file,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "js"
PACKAGE = ROOT / "oda_widgets"

# a definition of a DOM helper, as a function or as a bound arrow/function expression
DEFINES_EL = re.compile(r"\bfunction\s+el\s*\(|\b(?:const|let|var)\s+el\s*=")
IMPORTS = re.compile(r"^\s*import\b[^;]*?from\s+[\"']([^\"']+)[\"']", re.MULTILINE)


def imports_of(text: str) -> list[str]:
    return IMPORTS.findall(text)


@pytest.mark.parametrize("name", FRONT_ENDS)
def test_no_front_end_source_defines_its_own_el(name):
    source = (JS / f"{name}.js").read_text(encoding="utf-8")
    assert not DEFINES_EL.search(source), f"js/{name}.js defines el(); import it from ./dom.js"
    assert "./dom.js" in imports_of(source)


# what the browser gives every module: an import under one of these names hides it (an import
# of a stylesheet named CSS once hid CSS.escape, and the catalog table's keyboard broke)
BROWSER_GLOBALS = {"CSS", "URL", "Blob", "document", "window", "console", "navigator",
                   "performance", "globalThis", "Element", "Node", "Event"}
BINDINGS = re.compile(r"^\s*import\s+([^;]*?)\s+from\s", re.MULTILINE)


def bound_names(text: str) -> set[str]:
    names: set[str] = set()
    for clause in BINDINGS.findall(text):
        for part in re.split(r"[{},]", clause):
            words = part.split()
            if words and words[-1] not in {"*", "as"}:
                names.add(words[-1])
    return names


@pytest.mark.parametrize("name", FRONT_ENDS)
def test_no_import_hides_a_browser_global(name):
    source = (JS / f"{name}.js").read_text(encoding="utf-8")
    assert bound_names(source) & BROWSER_GLOBALS == set()


def test_the_shared_helpers_set_text_never_html():
    dom = (JS / "dom.js").read_text(encoding="utf-8")
    assert DEFINES_EL.search(dom)
    assert "textContent" in dom
    assert "innerHTML" not in dom and "insertAdjacentHTML" not in dom


@pytest.mark.parametrize("name", FRONT_ENDS)
def test_each_served_module_is_a_bundle_holding_the_shared_helper(name):
    served = served_file(name)
    # what the page gets is the built bundle, never the source in js/
    assert served.path.parent == BUILT_FOLDER
    assert served.path.resolve() != (JS / f"{name}.js").resolve()
    bundle = served.path.read_text(encoding="utf-8")
    # the shared helper is inside, once, with the helper that puts the stylesheet in the page
    assert len(DEFINES_EL.findall(bundle)) == 1
    assert "data-oda-style" in bundle
    # and nothing is left for the browser to fetch: no import of another file, nor of a CDN
    assert imports_of(bundle) == [], imports_of(bundle)
    assert "esm.sh" not in bundle and "cdn.jsdelivr" not in bundle and "unpkg.com" not in bundle


@pytest.mark.parametrize("name", FRONT_ENDS)
def test_each_bundle_carries_its_stylesheet(name):
    sheet = "sky" if name == "sky_aladin" else name
    css = (JS / f"{sheet}.css").read_text(encoding="utf-8")
    bundle = served_file(name).path.read_text(encoding="utf-8")
    # esbuild puts the text in as a JS string: compare one rule with its escapes
    rule = next(line for line in css.splitlines() if line.startswith("."))
    assert rule.replace('"', '\\"') in bundle


def test_a_missing_bundle_says_how_to_build_it(tmp_path, monkeypatch):
    from oda_widgets.widgets import front_ends

    monkeypatch.setattr(front_ends, "BUILT_FOLDER", tmp_path)
    with pytest.raises(FrontEndMissing, match=r"build_front_ends\.py"):
        front_ends.built_file("table_view")
    # the rest of the package treats it as a missing file (served_files skips it)
    assert issubclass(FrontEndMissing, FileNotFoundError)


def test_a_bundle_older_than_its_sources_is_reported(tmp_path, monkeypatch, caplog):
    from oda_widgets.widgets import front_ends

    js, built = tmp_path / "js", tmp_path / "built"
    js.mkdir()
    built.mkdir()
    for source in ("table_view.js", "dom.js", "table_view.css"):
        (js / source).write_text("// source\n")
    bundle = built / "table_view.js"
    bundle.write_text("// bundle\n")
    monkeypatch.setattr(front_ends, "BUILT_FOLDER", built)
    monkeypatch.setattr(front_ends, "_CHECKOUT_JS", js)
    os.utime(bundle, (1_000_000, 1_000_000))
    with caplog.at_level(logging.WARNING, logger=front_ends.__name__):
        assert front_ends.built_file("table_view") == bundle
    assert "dom.js, table_view.css, table_view.js" in caplog.text
    assert "build_front_ends.py" in caplog.text
    caplog.clear()
    bundle.touch()  # built after its sources: nothing to say
    with caplog.at_level(logging.WARNING, logger=front_ends.__name__):
        front_ends.built_file("table_view")
    assert caplog.text == ""


def test_no_python_module_writes_a_style_element():
    writers = [p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")
               if "<style" in p.read_text(encoding="utf-8")]
    assert writers == []


def test_every_stylesheet_is_used_one_way():
    python = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    sources = {name: (JS / f"{name}.js").read_text(encoding="utf-8") for name in FRONT_ENDS}
    for css in sorted(JS.glob("*.css")):
        imported = [n for n, text in sources.items() if f"./{css.name}" in imports_of(text)]
        styled = f'style_widget("{css.stem}")' in python
        # a front end's sheet is in its bundle; a view without one holds a style widget
        assert len(imported) + styled == 1, (css.name, imported, styled)


def test_views_of_a_kind_share_one_style_element():
    first, second = style_widget("spectrum"), style_widget("spectrum")
    other = style_widget("form")
    # anywidget keeps one <style> per page under this id and replaces its text in place
    assert first._anywidget_id == second._anywidget_id != other._anywidget_id
    assert first._css == front_end_file("spectrum.css").read_text(encoding="utf-8")
    assert first.layout.display == "none"
    assert isinstance(first, StyleSheet)


def test_a_style_widget_reads_only_a_stylesheet_of_js_by_name():
    with pytest.raises(ValueError, match="not the name"):
        style_widget("../../etc/passwd")
    with pytest.raises(FileNotFoundError):
        style_widget("no_such_view")
