"""The general views in a real JupyterLab, offline: the sandbox's notebook-workflow instrument.

``gev_sky`` answers as MMODA's notebook workflows do. Its image job shows, each under its label,
the counts map on the sky, the quick-look picture (scaled to the view, then full size), the
sources table (units in the header, sorted by a click, the kernel's order the page's), and the
values (a workflow parameter and a summary); its light-curve job draws a FLUX curve with its unit
on the axis and the workflow's comment as a note. A table of 100,000 rows shows at once, keeps a
few dozen rows in the page, and shows its last row when scrolled to the bottom.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from support.browser_harness import OUTPUT

pytestmark = pytest.mark.browser

JOBS = (
    "import json\n"
    "import numpy as np\n"
    "from astropy.table import Table\n"
    "import oda_widgets as ow\n"
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "disp = Dispatcher(url='sandbox')\n"
    "image = disp.submit('gev_sky', 'image').result(timeout=120)\n"
    "curve = disp.submit('gev_sky', 'light_curve').result(timeout=120)\n"
    "image_view, curve_view = ow.ResultsView(image), ow.ResultsView(curve)\n"
    "display(image_view, curve_view)\n"
)

BIG = (
    "n = 100_000\n"
    "big = Table({'index': np.arange(n), 'energy': np.linspace(1, 100, n),\n"
    "             'name': [f'src {i}' for i in range(n)]})\n"
    "big['energy'].unit = 'GeV'\n"
    "big_view = ow.TableView(big)\n"
    "big_view\n"
)

STATE = (
    "def state():\n"
    "    table = next(iter(image_view.tables.values()))\n"
    "    print('STATE ' + json.dumps({'sort': [table.sort_column, table.sort_descending],\n"
    "        'first': [str(table.table['name'][i]) for i in table.order[:3]],\n"
    "        'full': next(iter(image_view.pictures.values())).full_size}))\n"
)


def _state(lab: Any, until: Any, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        out = lab.run_code("state()")
        line = next((x for x in out.splitlines() if x.startswith("STATE ")), None)
        value = json.loads(line[6:]) if line else None
        if value is not None and until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"the kernel's state never came: {out}")
        time.sleep(0.3)


def test_workflow_products_show_in_their_views_titled_by_their_labels(lab, sandbox):
    lab.write_notebook("general_views.ipynb", [JOBS, STATE, BIG])
    lab.open_notebook("general_views.ipynb")
    lab.run_all(timeout=300)
    page = lab.page
    titles = page.locator(".oda-results-title")
    titles.first.wait_for(timeout=60000)
    shown = titles.all_text_contents()
    for label in ("Counts map", "Sources in the field", "Quick look", "Light curve"):
        assert label in shown, shown
    # values: a workflow parameter and the summary, as text
    page.locator(".oda-value-title", has_text="Sources detected").first.wait_for()
    page.locator(".oda-results-note", has_text="bins above 3 sigma").wait_for()

    # the sources table: units in the header, sorted by a click on "flux"
    table = page.locator(".oda-results-table .oda-table-view").first
    table.locator("th", has_text="flux").first.wait_for()
    assert "[deg]" in table.locator("th", has_text="ra").first.inner_text()
    flux_header = table.locator("th").filter(has_text="flux").first
    flux_header.locator("button").click()
    state = _state(lab, lambda s: s["sort"] == ["flux", False])
    page.wait_for_function(
        """(first) => {
            const cell = document.querySelector(
                '.oda-results-table .oda-table-view tbody tr[role=row] td');
            return cell && cell.textContent === first;
        }""", arg=state["first"][0], timeout=30000)
    assert flux_header.get_attribute("aria-sort") == "ascending"

    # the picture: no wider than the view, then pixel for pixel
    picture = page.locator(".oda-picture img").first
    picture.wait_for()
    page.wait_for_function("(img) => img.naturalWidth > 0", arg=picture.element_handle())
    natural, drawn, frame = picture.evaluate(
        "(img) => [img.naturalWidth, img.getBoundingClientRect().width, "
        "img.closest('.oda-picture').getBoundingClientRect().width]")
    assert drawn <= frame + 1
    page.locator(".oda-picture-full-size").first.click()
    _state(lab, lambda s: s["full"])
    page.wait_for_function("(img) => Math.abs(img.getBoundingClientRect().width - "
                           "img.naturalWidth) < 1", arg=picture.element_handle())
    assert natural > 0

    # the light curve: FLUX with its unit on the axis
    axis = page.locator(".oda-results-light-curves .oda-lc-figure .axis text.axislabel")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.oda-results-light-curves .axislabel')]
                 .some(t => t.textContent.startsWith('Flux ('))""", timeout=30000)
    assert any(t.startswith("Flux (") for t in axis.all_text_contents())
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 3000})  # each view whole on the screen
    for index, name in enumerate(("general_views_image", "general_views_light_curve")):
        view = page.locator(".oda-results").nth(index)
        view.evaluate("(v) => v.scrollIntoView()")
        view.screenshot(path=str(OUTPUT / f"{name}.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})

    # 100,000 rows: on screen at once, a window of them in the page, the last one reachable
    big = page.locator(".oda-table-view").last
    big.locator("tbody tr[role=row]").first.wait_for()
    assert big.locator(".oda-tv-caption").inner_text().startswith("100,000 rows x 3 columns")
    assert big.locator("tbody tr[role=row]").count() < 200
    big.screenshot(path=str(OUTPUT / "general_views_big_table.png"))
    big.locator(".oda-tv-scroller").evaluate("(s) => { s.scrollTop = s.scrollHeight; }")
    page.wait_for_function(
        """() => {
            const tables = document.querySelectorAll('.oda-table-view');
            const rows = tables[tables.length - 1].querySelectorAll('tbody tr[role=row]');
            const last = rows[rows.length - 1];
            return last && last.getAttribute('aria-rowindex') === '100001'
                && last.querySelector('td').textContent === '99999';
        }""", timeout=30000)
    assert big.locator("tbody tr[role=row]").count() < 200
