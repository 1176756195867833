"""ResultsView in a real JupyterLab, offline: an image job's sky and table on one catalog, and
POLAR's light curve drawn with its ROOT file saved by a click.

The kernel fetches the products from the harness's sandbox over HTTP. Deleting a row in the
table removes its marker from the sky of the same view (one Catalog); the "Save file" button
writes the ROOT file's bytes unchanged, which the kernel reads back.
"""

from __future__ import annotations

from typing import Any

import pytest
from catalog_pages import ROWS, kernel_json
from support.sky_page import PRODUCTS, wait_for_sources

pytestmark = pytest.mark.browser

VIEWS = (
    "import tempfile, pathlib\n"
    "saved = pathlib.Path(tempfile.mkdtemp())\n"
    "image_view = ow.ResultsView(products)\n"
    "polar = disp.submit('polar', 'polar_lc', T1='2016-12-18T08:32:21.000',\n"
    "                    T2='2016-12-18T08:34:01.000', time_bin=0.5).result(timeout=120)\n"
    "polar_view = ow.ResultsView(polar, directory=saved)\n"
    "display(image_view, polar_view)\n"
)

STATE = (
    "def state():\n"
    "    with catalog._lock:\n"
    "        files = sorted(p.name for p in saved.iterdir())\n"
    "        same = [ (saved / f).read_bytes() == polar[f.removesuffix('.bin')].data\n"
    "                 for f in files if f.endswith('.bin')]\n"
    "        print('STATE ' + json.dumps({'names': catalog.names, 'files': files,\n"
    "              'same': same, 'status': polar_view.status}))\n"
)


def _curve_points(page: Any) -> int:
    """How many points the POLAR light curve's rate line draws (its path's segments)."""
    return page.evaluate(
        """() => Math.max(0, ...[...document.querySelectorAll('.oda-results .oda-lc-figure path.line')]
              .map(p => (p.getAttribute('d') || '').split('L').length - 1))"""
    )


def test_image_and_polar_products_in_their_views(lab, sandbox):
    lab.write_notebook("results_view.ipynb", [PRODUCTS, VIEWS, STATE])
    lab.open_notebook("results_view.ipynb")
    lab.run_all(timeout=300)
    page = lab.page
    page.locator(ROWS).first.wait_for(timeout=60000)
    first = kernel_json(lab, "state()")
    count = len(first["names"])
    wait_for_sources(page, count, timeout=120)

    # one catalog: a row deleted in the table leaves the sky of the same view
    page.locator(ROWS).first.locator("td[data-column=flags]").click()
    page.locator(".oda-catalog-table .oda-ct-delete", has_text="Delete selected (1)").click()
    wait_for_sources(page, count - 1)
    after = kernel_json(lab, "state()", lambda s: len(s["names"]) == count - 1)
    assert len(after["names"]) == count - 1

    # POLAR: its curve drawn from T1, and the ROOT file saved as it came
    page.wait_for_function(
        "() => [...document.querySelectorAll('.oda-results .oda-lc-figure path.line')]"
        ".some(p => (p.getAttribute('d') || '').split('L').length > 100)", timeout=60000)
    assert _curve_points(page) > 100
    page.locator(".oda-results-save", has_text="Save file").click()
    saved = kernel_json(lab, "state()", lambda s: bool(s["files"]))
    assert saved["files"] == ["polar_lc_1.bin"] and saved["same"] == [True]
    page.get_by_text("Saved ").first.wait_for(timeout=30000)
    lab.screenshot("results_view")
