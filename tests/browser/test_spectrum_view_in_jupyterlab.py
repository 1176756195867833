"""SpectrumView in a real JupyterLab: sandbox spectra draw, and a fit runs from the Fit button.

The kernel fetches ISGRI spectra of the Crab field from the harness's sandbox over HTTP; the
numbers the view shows after Fit are compared with the same fit made headless in the test
process, from the same sandbox answer.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")

QUERY = dict(RA=83.5, DEC=22.0, T1="2017-01-01T00:00:00.0", T2="2017-12-31T23:59:59.0",
             radius=10, max_pointings=10, osa_version="OSA11.2")
VIEW = ".oda-spectrum-view"
WAIT = 120_000


def _count(page: Any, selector: str) -> int:
    return page.evaluate(
        "(s) => [...document.querySelectorAll(s)].filter(e => e.getBBox().width > 0).length",
        selector)


def test_a_spectrum_draws_and_the_fit_button_shows_its_parameters(lab, sandbox, monkeypatch,
                                                                 tmp_path):
    lab.write_notebook("spectrum_view.ipynb", [
        "import oda_widgets as ow\n"
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        f"products = Dispatcher(url='sandbox').submit('isgri', 'isgri_spectrum', **{QUERY!r})"
        ".result(timeout=120)\n"
        "view = ow.SpectrumView(products.spectra, model='powerlaw')\n"
        "view",
    ])
    lab.open_notebook("spectrum_view.ipynb")
    lab.run_all()
    page = lab.page
    page.locator(f"{VIEW} .oda-spectrum-figure").wait_for(timeout=WAIT)
    # both sources of the field, each with a point per channel it can show on a log axis
    page.wait_for_function(
        "() => document.querySelectorAll('.oda-spectrum-figure .dot').length > 200",
        timeout=WAIT)
    legend = page.locator(".oda-spectrum-figure svg text").all_text_contents()
    assert any("Crab" in text for text in legend) and any("1A 0535+262" in t for t in legend)
    assert not page.locator(".oda-residual-figure").is_visible()  # nothing to show before a fit
    lab.screenshot("spectrum_view_before_fit")

    # fit the Crab alone, 20-300 keV with 1 % systematic, from the controls
    page.locator(".oda-spectrum-toggle", has_text="1A 0535+262").locator("input").uncheck()
    page.locator(".oda-fit-emin input").fill("20")
    page.locator(".oda-fit-emax input").fill("300")
    page.locator(".oda-fit-systematic input").fill("0.01")
    page.locator(".oda-fit-systematic input").press("Tab")
    page.locator(".oda-fit-button").click()
    results = page.locator(f"{VIEW} .oda-fit-results")
    results.get_by_text("Crab: powerlaw").wait_for(timeout=WAIT)
    shown = results.inner_text()
    page.wait_for_function(
        "() => document.querySelectorAll('.oda-residual-figure .dot').length > 50",
        timeout=WAIT)
    assert _count(page, ".oda-unfolded-figure .dot") > 50
    status = page.locator(".oda-fit-status").inner_text()
    assert "powerlaw fitted to 1 of 1 spectra, 20-300 keV" in status
    lab.screenshot("spectrum_view_after_fit")
    page.locator(VIEW).screenshot(path=str(lab.screenshot("spectrum_view_after_fit")
                                          .with_name("spectrum_view_widget.png")))

    # the same fit, headless, from the same sandbox
    monkeypatch.setenv("ODA_WIDGETS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("ODA_WIDGETS_HOME", str(tmp_path))
    from oda_widgets.client.dispatcher import Dispatcher

    products = Dispatcher(url="sandbox").submit("isgri", "isgri_spectrum", **QUERY).result(120)
    fit = products.spectra["Crab"].fit("powerlaw", (20, 300), 0.01)
    for name, value, _unit in fit.parameter_rows():
        assert f"{name} = {value}" in shown, (name, value, shown)
    assert fit.statistic_text() in shown
    index = float(re.search(r"index = ([0-9.]+)", shown).group(1))
    assert 1.9 < index < 2.3

    # drag across the count spectrum: the brush sets the range in the kernel, Fit uses it
    box = page.locator(".oda-spectrum-figure").bounding_box()
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.40, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.70, y, steps=8)
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelector('.oda-fit-emin input').value !== '20'", timeout=WAIT)
    page.locator(".oda-fit-button").click()
    fitted = page.locator(".oda-fit-status", has_text="fitted to 1 of 1 spectra")
    page.wait_for_function(
        "() => /fitted to 1 of 1 spectra, (?!20-300 )/.test("
        "document.querySelector('.oda-fit-status').textContent)", timeout=WAIT)
    lo = float(page.locator(".oda-fit-emin input").input_value())
    hi = float(page.locator(".oda-fit-emax input").input_value())
    assert 15 < lo < hi < 1200 and (lo, hi) != (20.0, 300.0)
    assert f"spectra, {lo:g}-{hi:g} keV" in fitted.inner_text()
