"""The sky view renders, offline, in Voila and in Notebook 7 (the same harness server)."""

from __future__ import annotations

import pytest
from support.sky_page import PRODUCTS, grey_levels, sources_on_sky, wait_for_image, wait_for_sources

pytestmark = pytest.mark.browser

SKY_HOSTS = ("esm.sh", "unistra.fr", "aladin", "cds")

FOOTPRINT = "footprint = products.image.wcs.calc_footprint().tolist()"
SHOW = "sky = ow.SkyView(products.image, catalog=catalog)\nsky"
# the number of sources, shown as text so that the page says it (Voila has no kernel API here)
COUNT = "print(f'sources: {len(catalog)}')"


def footprint_corners(page) -> list[list[float]]:
    text = page.locator(".oda-footprint").first.text_content()
    return [[float(v) for v in pair.split()] for pair in text.split(";")]


CORNERS = (
    "from IPython.display import HTML, display\n"
    + FOOTPRINT + "\n"
    "display(HTML('<div class=\"oda-footprint\">' + ';'.join(f'{ra} {dec}' for ra, dec in "
    "footprint) + '</div>'))"
)


def check_sky(lab, page) -> None:
    count_text = page.locator("text=/sources: \\d+/").first.text_content()
    count = int(count_text.split(":")[1])
    wait_for_sources(page, count, timeout=120)
    wait_for_image(page, timeout=120)
    assert sources_on_sky(page) == [count]
    levels = grey_levels(page, footprint_corners(page))
    assert levels["inside"] > 30, levels
    # the bundle came once, from the Jupyter server's static route (not the kernel, not a CDN)
    served = lab.page.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/oda_widgets/static/sky_aladin.'))"
        ".map(e => [e.name, e.responseStatus])")
    assert len(served) == 1 and served[0][1] == 200, served
    # Voila itself asks CDNs for Font Awesome and MathJax; the sky view asks nothing outside
    assert not [u for u in lab.blocked if any(k in u for k in SKY_HOSTS)], lab.blocked


def test_sky_view_renders_in_voila(lab):
    lab.write_notebook("sky_voila.ipynb", [PRODUCTS, COUNT, CORNERS, SHOW])
    address = f"{lab.lab.url}/voila/render/sky_voila.ipynb"
    response = lab.page.goto(f"{address}?token={lab.lab.token}")
    assert response is not None and response.status == 200, f"Voila did not answer at {address}"
    check_sky(lab, lab.page)
    lab.screenshot("sky_voila")


def test_sky_view_renders_in_notebook7(lab):
    lab.write_notebook("sky_nb7.ipynb", [PRODUCTS, COUNT, CORNERS, SHOW])
    lab.open_in_notebook7("sky_nb7.ipynb")
    lab.run_all(timeout=240)
    check_sky(lab, lab.page)
    lab.screenshot("sky_notebook7")
