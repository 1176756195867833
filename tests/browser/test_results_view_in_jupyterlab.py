"""ResultsView in a real JupyterLab, offline: an image job's sky and table on one catalog, and
POLAR's light curve drawn with its ROOT file downloaded by a click.

The kernel fetches the products from the harness's sandbox over HTTP. Deleting a row in the
table removes its marker from the sky of the same view (one Catalog); the "Save file" button
downloads the ROOT file in the browser with its bytes unchanged (compared with the kernel's by
their SHA-256), and a spectrum's "Save FITS" downloads its PHA, ARF and RMF as one zip.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path
from typing import Any

import pytest
from support.catalog_pages import ROWS, kernel_json
from support.sky_page import PRODUCTS, wait_for_sources

pytestmark = pytest.mark.browser

VIEWS = (
    "import hashlib\n"
    "image_view = ow.ResultsView(products)\n"
    "polar = disp.submit('polar', 'polar_lc', T1='2016-12-18T08:32:21.000',\n"
    "                    T2='2016-12-18T08:34:01.000', time_bin=0.5).result(timeout=120)\n"
    "polar_view = ow.ResultsView(polar)\n"
    "display(image_view, polar_view)\n"
)

STATE = (
    "def state():\n"
    "    with catalog._lock:\n"
    "        print('STATE ' + json.dumps({'names': catalog.names,\n"
    "              'root_sha256': hashlib.sha256(polar['polar_lc_1'].data).hexdigest(),\n"
    "              'status': polar_view.status}))\n"
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
    with page.expect_download(timeout=60000) as info:
        page.locator(".oda-results-save", has_text="Save file").click()
    download = info.value
    assert download.suggested_filename == "polar_lc_1.bin"
    data = Path(download.path()).read_bytes()
    state = kernel_json(lab, "state()", lambda s: s["status"].startswith("Downloading"))
    assert hashlib.sha256(data).hexdigest() == state["root_sha256"]
    assert "polar_lc_1.bin" in state["status"]
    page.get_by_text("Downloading polar_lc_1.bin").first.wait_for(timeout=30000)
    lab.screenshot("results_view")


def test_a_spectrum_downloads_as_one_zip_of_its_pha_arf_and_rmf(lab, sandbox):
    lab.write_notebook("spectrum_download.ipynb", [
        "import oda_widgets as ow\n"
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        "spectra = Dispatcher(url='sandbox').submit('isgri', 'isgri_spectrum', RA=255.986542,\n"
        "    DEC=-37.844167, T1='2003-03-15T23:27:40.0', T2='2003-03-16T00:03:15.0')"
        ".result(timeout=120)\n"
        "ow.ResultsView(spectra)",
    ])
    lab.open_notebook("spectrum_download.ipynb")
    lab.run_all(timeout=300)
    page = lab.page
    button = page.locator(".oda-results-save", has_text="Save FITS").first
    button.wait_for(timeout=60000)
    with page.expect_download(timeout=60000) as info:
        button.click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        names = archive.namelist()
        assert len(names) == 3 and names[1].endswith("_arf.fits") and names[2].endswith(
            "_rmf.fits")
        pha = archive.read(names[0])
    # XSPEC finds the responses by the PHA's own keywords
    assert names[1].encode() in pha and names[2].encode() in pha
