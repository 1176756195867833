"""notebooks/explorer.ipynb as an app in Voila, and in Notebook 7: the form, the monitor and the
views all render and answer clicks, offline (the same harness server).

The notebook runs top to bottom (three jobs on the sandbox, opened in tabs); the page then shows
the three done rows, the sky with the three sources the notebook kept, and each tab's Share
button answers with a link that carries the query.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from support.sky_page import wait_for_sources

pytestmark = pytest.mark.browser

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explorer.ipynb"
WAIT = 300_000


def _tab(page: Any, title: str) -> Any:
    """A result tab by its short title (the Explorer's own tab bar)."""
    return page.locator(".oda-explorer-tabs .oda-tab", has_text=title)


def check_explorer(page: Any) -> None:
    page.wait_for_function(
        "() => document.querySelectorAll('.oda-explorer .oda-jm-row[data-status=done]')"
        ".length === 3", timeout=WAIT)
    # results open: the form folds to its one-line summary, and unfolds on a click
    toggle = page.locator(".oda-explorer .oda-explorer-form-toggle")
    toggle.wait_for(timeout=WAIT)
    if "Show" in toggle.inner_text():
        toggle.click()
    page.locator(".oda-explorer .oda-form .oda-field-RA input").first.wait_for(timeout=WAIT)
    tabs = page.locator(".oda-explorer-tabs .oda-tab")
    tabs.nth(2).wait_for(timeout=WAIT)
    assert tabs.count() == 3
    _tab(page, "ISGRI image").click()
    wait_for_sources(page, 3, timeout=WAIT / 1000)  # the notebook kept three sources
    # the image tab's Share answers from the kernel with the query's link
    tab = page.locator(".oda-explorer-tab", has=page.locator(".oda-sky-host")).first
    tab.locator(".oda-explorer-share").click()
    link = tab.locator(".oda-explorer-share-url input")
    page.wait_for_function("(el) => el.value.includes('instrument=isgri')",
                           arg=link.element_handle(), timeout=WAIT)
    assert "product_type=isgri_image" in link.input_value()
    assert "session_id" not in link.input_value()
    # the spectra tab draws its spectra
    _tab(page, "ISGRI spectra").click()
    page.locator(".oda-spectrum-view .oda-fit-results .oda-fit-source").first.wait_for(
        timeout=WAIT)


def _copy(lab: Any) -> str:
    shutil.copy(NOTEBOOK, lab.lab.root / NOTEBOOK.name)
    return NOTEBOOK.name


def test_the_explorer_notebook_as_a_voila_app(lab, sandbox):
    name = _copy(lab)
    address = f"{lab.lab.url}/voila/render/{name}"
    response = lab.page.goto(f"{address}?token={lab.lab.token}", timeout=WAIT)
    assert response is not None and response.status == 200, f"Voila did not answer at {address}"
    check_explorer(lab.page)
    lab.screenshot("explorer_voila")


def test_the_explorer_notebook_in_notebook7(lab, sandbox):
    name = _copy(lab)
    lab.open_in_notebook7(name)
    lab.run_all(timeout=WAIT / 1000)
    check_explorer(lab.page)
    lab.screenshot("explorer_notebook7")
