"""A ResultsView of today's platform in a real JupyterLab: the peer's ``nbexamples/product_label``
(a light curve, a picture and a table, each titled by its label) in Chromium.

JupyterLab, its kernel and Chromium run inside the MMODA peer's namespace (this tier runs there),
so the kernel reaches the peer's dispatcher at ``$DISPATCHER_URL`` and the page nothing outside
loopback.
"""

from __future__ import annotations

import pytest
from support.browser_harness import OUTPUT

pytestmark = pytest.mark.mmoda

def _results_of(lab, instrument: str, product: str):
    """A notebook that submits ``instrument``/``product`` to the peer and shows its ResultsView,
    run in JupyterLab; the page."""
    cell = (
        "import os\n"
        "import oda_widgets as ow\n"
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        "disp = Dispatcher(os.environ['DISPATCHER_URL'], token='', registry=False)\n"
        f"products = disp.submit({instrument!r}, {product!r}).result(timeout=300)\n"
        "ow.ResultsView(products)\n"
    )
    lab.write_notebook(f"{instrument}_{product}.ipynb", [cell])
    lab.open_notebook(f"{instrument}_{product}.ipynb")
    lab.run_all(timeout=300)
    return lab.page


def _keep(page, name: str, height: int) -> None:
    """A screenshot of the results view under test-output/browser/, to look at."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": height})
    view = page.locator(".oda-results").first
    view.evaluate("(v) => v.scrollIntoView()")
    view.screenshot(path=str(OUTPUT / f"{name}.png"))


def test_a_picture_and_a_table_from_the_peer_in_their_views(lab):
    page = _results_of(lab, "nbexamples", "product_label")
    page.locator(".oda-results .oda-results-title").first.wait_for(timeout=120000)
    titles = page.locator(".oda-results-title").all_text_contents()
    assert {"Light curve", "Picture", "Astropy table"} <= set(titles), titles

    # the picture: the JPEG decoded by the browser, no wider than the view
    picture = page.locator(".oda-results-picture img").first
    page.wait_for_function("(img) => img.naturalWidth > 0", arg=picture.element_handle())
    natural, drawn, frame = picture.evaluate(
        "(img) => [img.naturalWidth, img.getBoundingClientRect().width, "
        "img.closest('.oda-results').getBoundingClientRect().width]")
    assert natural == 640 and 0 < drawn <= frame + 1

    # the table: its three rows and columns, as the workflow made them
    rows = page.locator(".oda-results-table tbody tr[role=row]")
    rows.first.wait_for()
    cells = [r.locator("td").all_text_contents() for r in rows.all()]
    assert cells == [["foo", "10", "1.3"], ["bar", "20", "1.4"], ["baz", "30", "1.5"]]

    # the light curve (COUNTS): three points drawn, its axis says what it is
    page.wait_for_function(
        """() => [...document.querySelectorAll('.oda-results-light-curves .axislabel')]
                 .some(t => t.textContent === 'Counts')""", timeout=60000)
    _keep(page, "mmoda_product_label", 2600)


def test_a_magnitude_light_curve_from_the_peer_is_drawn_brighter_up(lab):
    page = _results_of(lab, "nb2wtests", "lightcurve")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.oda-results-light-curves .axislabel')]
                 .some(t => t.textContent === 'Magnitude')""", timeout=120000)
    # brighter is up: the smallest magnitude's tick is above the largest's
    ticks = page.evaluate(
        """() => {
            const axis = [...document.querySelectorAll('.oda-results-light-curves g.axis')]
                .find(a => a.querySelector('.axislabel')?.textContent === 'Magnitude');
            return [...axis.querySelectorAll('.tick')].map(t => [
                parseFloat(t.textContent.replace('\u2212', '-')),
                t.getBoundingClientRect().top]);
        }""")
    assert len(ticks) >= 3
    by_value = sorted(ticks)
    assert by_value[0][1] < by_value[-1][1], ticks
    _keep(page, "mmoda_magnitude_light_curve", 1400)
