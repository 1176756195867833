"""The class flow in the Explorer, in a real JupyterLab, offline, by clicks and typing only.

Submit an ISGRI image from the form, open it from the monitor, delete two sources in the table,
"Use this catalog", switch to spectra, submit, open the job by a click on its row, fit (an index
with its error for every source; the legend above the data), select a source on the sky and see
its spectrum drawn larger than the others; then a light curve: its new tab scrolled into view,
each source in its spectrum's colour; brush a range, "Use this time range", and the form's T1 and
T2 change. No figure is laid out at a negative size (no console errors). The kernel is read only to check
what the page shows.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from support.catalog_pages import ROWS, TABLE, grid
from support.sky_page import click_source, wait_for_sources

pytestmark = pytest.mark.browser

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")

EXPLORER = (
    "import oda_widgets as ow\n"
    "explorer = ow.Explorer(url='sandbox', instrument='isgri', product='isgri_image')\n"
    "explorer"
)
FORM = ".oda-explorer .oda-form"
FIELD = {"src_name": "4U 1700-377", "RA": "255.986542", "DEC": "-37.844167",
         "T1": "2003-03-15T23:27:40.0", "T2": "2003-03-16T00:03:15.0"}
WAIT = 180_000

# on-screen width of each spectrum's points in the visible spectrum figure, by colour (the
# largest mean over the marks of that colour: its points, not its upper limits' heads)
POINT_SIZES = """() => {
    const figure = [...document.querySelectorAll('.oda-spectrum-figure')]
        .find(f => f.getBoundingClientRect().width > 0);
    if (!figure) return null;
    const sizes = {};
    for (const g of figure.querySelectorAll('svg.svg-figure g[clip-path]')) {
        const dots = [...g.querySelectorAll('.dot')].filter(d => d.getBoundingClientRect().width > 0);
        if (!dots.length) continue;
        const colour = getComputedStyle(dots[0]).fill;
        const mean = dots.reduce((a, d) => a + d.getBoundingClientRect().width, 0) / dots.length;
        sizes[colour] = Math.max(sizes[colour] || 0, mean);
    }
    return sizes;
}"""


# each source's colour in the visible tab, by name: the spectra's legend glyphs and dots, the
# light curves' legend swatches and lines (computed colours, so "#E69F00" and rgb() compare)
COLOURS = """() => {
    const panel = [...document.querySelectorAll('.oda-explorer-tab')]
        .find(p => p.getBoundingClientRect().height > 0);
    const rgb = (c) => { const d = document.createElement('div'); d.style.color = c;
        document.body.appendChild(d); const v = getComputedStyle(d).color; d.remove(); return v; };
    const legend = {};
    for (const item of panel.querySelectorAll('.oda-spectrum-legend-item')) {
        legend[item.innerText.trim()] = rgb(item.querySelector('svg g').getAttribute('fill'));
    }
    for (const item of panel.querySelectorAll('.oda-lc-legend .widget-hbox')) {
        const swatch = item.querySelector('.oda-lc-swatch');
        if (swatch) legend[item.innerText.trim()] = rgb(swatch.style.background);
    }
    const svg = panel.querySelector('.oda-spectrum-figure svg.svg-figure, .oda-lc-figure svg.svg-figure');
    const drawn = new Set();
    for (const n of svg.querySelectorAll('.dot, path.line')) {
        const style = getComputedStyle(n);
        for (const c of [style.fill, style.stroke]) if (c && c !== 'none') drawn.add(c);
    }
    return {legend, drawn: [...drawn]};
}"""

# where the tab bar is (top, in the page's viewport) and how tall the viewport is
TABS_TOP = """() => [document.querySelector('.oda-explorer-tabs').getBoundingClientRect().top,
                     window.innerHeight]"""


def _submit(page: Any, product: str) -> None:
    toggle = page.locator(".oda-explorer .oda-explorer-form-toggle")
    if "Show" in toggle.inner_text():    # the form folds when results open: unfold it
        toggle.click()
    select = page.locator(f"{FORM} .widget-dropdown", has_text="Product").locator("select")
    select.wait_for(timeout=WAIT)
    if select.input_value() != product:
        select.select_option(product)
        page.wait_for_timeout(1500)  # the form rebuilds its fields for the product
    for name, value in FIELD.items():
        box = page.locator(f"{FORM} .oda-field-{name} input").first
        box.fill(value)
        box.press("Tab")
    submit = page.locator(f"{FORM} .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$"))
    submit.click()
    page.locator(f"{FORM} .oda-status", has_text=re.compile(r"Submitted job")).wait_for(
        timeout=WAIT)


def _done_rows(page: Any) -> Any:
    return page.locator(".oda-explorer .oda-jm-row[data-status=done]")


def _tab(page: Any, title: str) -> Any:
    return page.locator(".oda-explorer-tabs .oda-tab", has_text=title)


def test_the_whole_class_flow_by_clicks_and_typing(lab, sandbox):
    lab.write_notebook("explorer_flow.ipynb", [EXPLORER])
    lab.open_notebook("explorer_flow.ipynb")
    lab.run_all(timeout=240)
    page = lab.page
    page.locator(f"{FORM} .oda-field-RA input").wait_for(timeout=WAIT)

    # an image of the field, opened from the monitor
    _submit(page, "isgri_image")
    _done_rows(page).first.wait_for(timeout=WAIT)
    _done_rows(page).first.locator(".oda-jm-results").click()
    _tab(page, "ISGRI image · 4U 1700-377").wait_for(timeout=WAIT)
    page.locator(ROWS).first.wait_for(timeout=WAIT)
    names = [r["name"] for r in grid(lab)]
    assert len(names) >= 5
    wait_for_sources(page, len(names), timeout=120)

    # two sources deleted in the table, the catalog into the form, which says so
    rows = page.locator(ROWS)
    rows.nth(0).locator("td[data-column=flags]").click()
    rows.nth(1).locator("td[data-column=flags]").click(modifiers=["Control"])
    page.locator(f"{TABLE} .oda-ct-delete", has_text="Delete selected (2)").click()
    wait_for_sources(page, len(names) - 2)
    kept = names[2:]
    page.locator(f"{TABLE} .oda-ct-use").click()
    page.locator(".oda-explorer-notice", has_text="2 removed").wait_for(timeout=WAIT)
    expected = f"catalog: {len(kept)} sources (2 removed)"
    # (the form is folded to one line while results are open)
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text=expected).wait_for(
        state="attached")

    # spectra of the kept sources, opened by a click on the job's row, fitted
    _submit(page, "isgri_spectrum")
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text=expected).wait_for()
    _done_rows(page).nth(1).wait_for(timeout=WAIT)
    _done_rows(page).nth(1).locator(".oda-jm-params").click()
    spectra_tab = _tab(page, "ISGRI spectra")
    spectra_tab.wait_for(timeout=WAIT)
    view = page.locator(".oda-explorer-tab", has=page.locator(".oda-spectrum-view")).locator(
        ".oda-spectrum-view")
    view.locator(".oda-spectrum-figure").wait_for(timeout=WAIT)
    toggles = view.locator(".oda-spectrum-toggle").all_inner_texts()
    assert sorted(t.strip() for t in toggles) == sorted(kept)
    view.locator(".oda-fit-button").click()
    view.locator(".oda-fit-results .oda-fit-source").first.wait_for(timeout=WAIT)
    # every source with an index and its error (a loose cut-off is a limit, not "no error")
    table = view.locator(".oda-fit-results table").inner_text()
    assert "no error" not in table and table.count("±") >= 2 * len(kept)
    # the legend is a row above the data, not over it
    legend = view.locator(".oda-spectrum-legend").bounding_box()
    data = view.locator(".oda-spectrum-figure rect.plotarea_events").first.bounding_box()
    assert legend["y"] + legend["height"] <= data["y"], (legend, data)
    spectrum_colours = page.evaluate(COLOURS)
    assert sorted(spectrum_colours["legend"]) == sorted(kept)
    assert len(set(spectrum_colours["legend"].values())) == len(kept)
    assert set(spectrum_colours["legend"].values()) <= set(spectrum_colours["drawn"])
    before = page.evaluate(POINT_SIZES)  # each spectrum in its own colour and marker shape
    assert len(before) == len(kept) and all(size > 0 for size in before.values())

    # a source selected on the sky: its spectrum drawn larger in the spectra tab
    _tab(page, "ISGRI image").click()
    target = kept[1]
    page.locator(".oda-sky-host").first.scroll_into_view_if_needed()
    click_source(page, target)
    page.locator(f"{ROWS}[aria-selected=true]", has_text=target).wait_for(timeout=WAIT)
    spectra_tab.click()
    lit = spectrum_colours["legend"][target]
    # (a marker of 80 px² instead of 28: its width with the stroke grows by more than a quarter)
    page.wait_for_function(f"([before, lit]) => {{ const s = ({POINT_SIZES})(); return s && "
                           "s[lit] > 1.25 * before[lit]; }", arg=[before, lit], timeout=WAIT)
    after = page.evaluate(POINT_SIZES)
    growth = {colour: after[colour] / was for colour, was in before.items()}
    assert growth[lit] > 1.25
    assert all(g < 1.05 for colour, g in growth.items() if colour != lit), growth
    lab.screenshot("explorer_highlighted_spectrum")

    # a light curve: brush a range, use it, and the form's T1 and T2 change
    _submit(page, "isgri_lc")
    _done_rows(page).nth(2).wait_for(timeout=WAIT)
    # the form is open above the monitor: the tabs are below the screen until the new one opens
    page.locator(FORM).evaluate("f => f.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    top, height = page.evaluate(TABS_TOP)
    assert top > height, (top, height)
    _done_rows(page).nth(2).locator(".oda-jm-results").click()
    _tab(page, "ISGRI light curves").wait_for(timeout=WAIT)
    page.wait_for_function(f"() => {{ const [top, h] = ({TABS_TOP})(); "
                           "return top >= -2 && top < 0.3 * h; }", timeout=WAIT)
    figure = page.locator(".oda-explorer-tab", has=page.locator(".oda-lc-figure")).locator(
        ".oda-lc-figure")
    figure.wait_for(timeout=WAIT)
    # the legend follows the figure (the controls are built once the view is on its way)
    page.locator(".oda-explorer-tab", has=page.locator(".oda-lc-figure")).locator(
        ".oda-lc-legend .oda-lc-swatch").nth(len(kept) - 1).wait_for(timeout=WAIT)
    # one colour per source: the light curves' as the spectra's
    lc_colours = page.evaluate(COLOURS)
    assert sorted(lc_colours["legend"]) == sorted(kept)
    assert lc_colours["legend"] == spectrum_colours["legend"]
    assert set(lc_colours["legend"].values()) <= set(lc_colours["drawn"])
    t1_box = page.locator(f"{FORM} .oda-field-T1 input").first
    t1_before = t1_box.input_value()
    page.locator(".oda-lc-mode button", has_text="Select time").first.click()
    page.wait_for_timeout(500)
    figure.locator("rect.plotarea_events").scroll_into_view_if_needed()
    area = figure.locator("rect.plotarea_events").bounding_box()
    y = area["y"] + area["height"] / 2
    page.mouse.move(area["x"] + 0.3 * area["width"], y)
    page.mouse.down()
    page.mouse.move(area["x"] + 0.6 * area["width"], y, steps=12)
    page.mouse.up()
    page.locator(".oda-lc-selection", has_text=re.compile(r"^\s*Selected: ")).first.wait_for(
        timeout=WAIT)
    page.locator(".oda-lc-use-range").first.click()
    page.locator(".oda-explorer-notice", has_text="T1 is now").wait_for(timeout=WAIT)
    page.wait_for_function("([sel, old]) => document.querySelector(sel).value !== old",
                           arg=[f"{FORM} .oda-field-T1 input", t1_before], timeout=WAIT)
    t1_after = t1_box.input_value()
    t2_after = page.locator(f"{FORM} .oda-field-T2 input").first.input_value()
    assert t1_after != t1_before and t1_after < t2_after
    assert t1_after[:10] in ("2003-03-15", "2003-03-16")
    lab.screenshot("explorer_time_range")
    # no figure was ever laid out at a negative size, in any tab
    assert not [line for line in lab.console if "negative value" in line], lab.console
