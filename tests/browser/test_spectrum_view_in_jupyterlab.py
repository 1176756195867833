"""SpectrumView in a real JupyterLab: sandbox spectra draw, and a fit runs from the Fit button.

The kernel fetches ISGRI spectra of the Crab field from the harness's sandbox over HTTP; the
numbers the view shows after Fit are compared with the same fit made headless in the test
process, from the same sandbox answer. A second view, labelled with markup, shows that label
as text everywhere.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")

QUERY = dict(RA=83.5, DEC=22.0, T1="2017-01-01T00:00:00.0", T2="2017-12-31T23:59:59.0",
             radius=10, max_pointings=10, osa_version="OSA11.2")
VIEW = ".oda-spectrum-view"
HOSTILE = '<img src=x onerror="window.__pwned=1">'
WAIT = 120_000

# JavaScript over the n-th view only: how many drawn points a figure of it holds
COUNT_DOTS = """([n, figure]) => {
    const view = document.querySelectorAll('.oda-spectrum-view')[n];
    return view ? [...view.querySelectorAll(figure + ' .dot')]
        .filter(e => e.getBBox().width > 0).length : 0;
}"""


def _dots(page: Any, view: int, figure: str) -> int:
    return page.evaluate(COUNT_DOTS, [view, figure])


def _kernel_count(lab: Any, mark: str) -> int:
    """How many points the kernel's first view holds in ``mark`` of its shown spectra."""
    return int(lab.run_code(
        f"print(sum(len(m.{mark}.x) for m in view._marks.values() if m.{mark}.visible))").strip())


def _wait_dots(page: Any, view: int, figure: str, more_than: int) -> None:
    page.wait_for_function(f"(arg) => ({COUNT_DOTS})(arg) > {more_than}", arg=[view, figure],
                           timeout=WAIT)


def test_a_spectrum_draws_and_the_fit_button_shows_its_parameters(lab, sandbox, monkeypatch,
                                                                 tmp_path):
    lab.write_notebook("spectrum_view.ipynb", [
        "import oda_widgets as ow\n"
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        f"products = Dispatcher(url='sandbox').submit('isgri', 'isgri_spectrum', **{QUERY!r})"
        ".result(timeout=120)\n"
        "view = ow.SpectrumView(products.spectra, model='powerlaw')\n"
        "view",
        # a label that is markup: it must show as text everywhere the view writes it
        f"hostile = ow.SpectrumView({{{HOSTILE!r}: products.spectra['Crab']}}, model='powerlaw')\n"
        "hostile.fit()\n"
        "hostile",
    ])
    lab.open_notebook("spectrum_view.ipynb")
    lab.run_all()
    page = lab.page
    views = page.locator(VIEW)
    first, hostile = views.nth(0), views.nth(1)
    first.locator(".oda-spectrum-figure").wait_for(timeout=WAIT)
    # both sources of the field, each with a point per display group (channels grouped to 3
    # sigma, as XSPEC's setplot rebin): every point the kernel holds is on the page
    grouped = _kernel_count(lab, "points")
    assert grouped >= 6
    _wait_dots(page, 0, ".oda-spectrum-figure", grouped - 1)
    # the legend: a row above the plot, outside the data
    legend = first.locator(".oda-spectrum-legend").inner_text()
    assert "Crab" in legend and "1A 0535+262" in legend
    assert not first.locator(".oda-residual-figure").is_visible()  # nothing before a fit
    lab.screenshot("spectrum_view_before_fit")

    # the hostile label: literal in the legend, the toggle and the numbers; nothing ran
    hostile.locator(".oda-fit-results .oda-fit-source", has_text=HOSTILE).wait_for(
        timeout=WAIT)
    assert HOSTILE in hostile.locator(".oda-spectrum-legend").inner_text()
    assert hostile.locator(".oda-spectrum-toggle").inner_text().strip() == HOSTILE
    assert page.locator(f"{VIEW} img").count() == 0
    assert page.evaluate("() => window.__pwned") is None

    # fit the Crab alone, 20-300 keV with 1 % systematic, from the controls
    first.locator(".oda-spectrum-toggle", has_text="1A 0535+262").locator("input").uncheck()
    first.locator(".oda-fit-emin input").fill("20")
    first.locator(".oda-fit-emax input").fill("300")
    first.locator(".oda-fit-systematic input").fill("0.01")
    first.locator(".oda-fit-systematic input").press("Tab")
    first.locator(".oda-fit-button").click()
    results = first.locator(".oda-fit-results")
    results.locator(".oda-fit-source", has_text="Crab").wait_for(timeout=WAIT)
    shown = results.inner_text()
    assert "1A 0535+262" not in shown  # unticked: not fitted
    residuals = _kernel_count(lab, "residual_points")
    assert residuals >= 3
    _wait_dots(page, 0, ".oda-residual-figure", residuals - 1)
    assert _dots(page, 0, ".oda-unfolded-figure") >= _kernel_count(lab, "unfolded_points")
    status = first.locator(".oda-fit-status").inner_text()
    assert "powerlaw fitted to 1 of 1 spectra, 20-300 keV" in status
    lab.screenshot("spectrum_view_after_fit")
    first.screenshot(path=str(lab.screenshot("spectrum_view_after_fit")
                              .with_name("spectrum_view_widget.png")))

    # the same fit, headless, from the same sandbox
    monkeypatch.setenv("ODA_WIDGETS_SANDBOX_URL", sandbox.url)
    monkeypatch.setenv("ODA_WIDGETS_HOME", str(tmp_path))
    from oda_widgets.client.dispatcher import Dispatcher
    from oda_widgets.widgets.fit_table import fit_rows

    products = Dispatcher(url="sandbox").submit("isgri", "isgri_spectrum", **QUERY).result(120)
    fit = products.spectra["Crab"].fit("powerlaw", (20, 300), 0.01)
    header, (row,) = fit_rows({"Crab": fit})
    for cell in row:    # every number of the table, the statistic and the flux with their errors
        assert cell in shown, (cell, shown)
    index = float(row[next(i for i, h in enumerate(header) if h.startswith("index"))]
                  .split(" ± ")[0])
    assert 1.9 < index < 2.3

    # drag across the count spectrum: the brush sets the range in the kernel, Fit uses it
    box = first.locator(".oda-spectrum-figure").bounding_box()
    y = box["y"] + box["height"] * 0.5
    page.mouse.move(box["x"] + box["width"] * 0.40, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.70, y, steps=8)
    page.mouse.up()
    emin, emax = first.locator(".oda-fit-emin input"), first.locator(".oda-fit-emax input")
    page.wait_for_function("(e) => e.value !== '20'", arg=emin.element_handle(), timeout=WAIT)
    first.locator(".oda-fit-button").click()
    page.wait_for_function(
        "(e) => /fitted to 1 of 1 spectra, (?!20-300 )/.test(e.textContent)",
        arg=first.locator(".oda-fit-status").element_handle(), timeout=WAIT)
    lo, hi = float(emin.input_value()), float(emax.input_value())
    assert 15 < lo < hi < 1200 and (lo, hi) != (20.0, 300.0)
    assert f"spectra, {lo:g}-{hi:g} keV" in first.locator(".oda-fit-status").inner_text()
