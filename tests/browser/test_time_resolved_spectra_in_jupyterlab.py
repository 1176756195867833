"""TimeResolvedSpectra in real JupyterLab and Chromium: three intervals brushed on a sandbox light
curve of the Crab, three spectra fitted, the parameters drawn against time, an interval's
spectrum shown when its point is hovered."""

from __future__ import annotations

import ast

import pytest

pytestmark = pytest.mark.browser

CELLS = [
    "import oda_widgets as ow\n"
    "disp = ow.Dispatcher(url='sandbox')\n"
    "crab = dict(src_name='Crab', RA=83.633, DEC=22.0145, radius=10)\n"
    "curve = disp.submit('isgri', 'isgri_lc', T1='2008-04-01T18:00:00', T2='2008-04-04T17:00:00',\n"
    "                    time_bin=1000, **crab).result(timeout=120).light_curves['Crab']\n"
    "trs = ow.TimeResolvedSpectra(curve, dispatcher=disp,\n"
    "                             query=dict(crab, instrument='isgri', max_pointings=10))\n"
    "trs",
]

PLOT_AREA = """
() => {
    const r = document.querySelector('.oda-lc-figure rect.plotarea_events').getBoundingClientRect();
    return {left: r.left, top: r.top, width: r.width, height: r.height};
}
"""


def test_three_brushed_intervals_give_three_fitted_spectra_and_a_parameter_plot(lab):
    lab.write_notebook("trs.ipynb", CELLS)
    lab.open_notebook("trs.ipynb")
    lab.run_all(timeout=240)
    page = lab.page
    page.locator(".oda-lc-figure svg.svg-figure").first.wait_for()
    page.locator(".oda-lc-mode button", has_text="Select time").click()
    page.wait_for_timeout(500)
    for left, right in ((0.05, 0.25), (0.40, 0.60), (0.75, 0.95)):
        plot = page.evaluate(PLOT_AREA)
        y = plot["top"] + plot["height"] / 2
        page.mouse.move(plot["left"] + left * plot["width"], y)
        page.mouse.down()
        page.mouse.move(plot["left"] + right * plot["width"], y, steps=10)
        page.mouse.up()
        page.wait_for_timeout(800)  # the brush's range reaches the kernel
        page.locator(".oda-trs-add").click()
        page.wait_for_timeout(500)
    assert lab.run_code("print(len(trs.intervals))").strip() == "3"
    page.locator(".oda-trs-submit").click()
    page.locator(".oda-trs-progress", has_text="3 of 3 intervals fitted").wait_for(
        timeout=180_000)
    # one plot per free parameter and the flux, each with three points
    page.locator(".oda-trs-plot-index svg.svg-figure").wait_for()
    page.locator(".oda-trs-plot-flux svg.svg-figure").wait_for()
    dots = page.locator(".oda-trs-plot-index .dot")
    assert dots.count() == 3
    dots.nth(1).hover()
    page.locator(".oda-trs-spectrum-title", has_text="Interval 2").wait_for(timeout=30_000)
    table = ast.literal_eval(lab.run_code(
        "print([(round(float(v), 3), round(float(e), 3)) for v, e in "
        "zip(trs.table['index'], trs.table['index_err'])])").strip())
    assert len(table) == 3 and all(abs(v - 2.1) < 3 * e for v, e in table)
    lab.screenshot("time_resolved_spectra")
