"""Front ends load once per page from Jupyter's static route, cached across reloads, and still
load, from the kernel, where that route does not serve them."""

from __future__ import annotations

import re

import pytest
from support.sky_page import PRODUCTS, sources_on_sky, wait_for_image, wait_for_sources

pytestmark = pytest.mark.browser

SERVED = re.compile(r"/oda_widgets/static/(sky_aladin|catalog_table|job_monitor)\.[0-9a-f]{16}\.js")

TWO_SKIES_AND_A_TABLE = (
    "first = ow.SkyView(products.image, catalog=catalog, height=300)\n"
    "second = ow.SkyView(products.image, catalog=catalog, height=300)\n"
    "display(first, second, ow.CatalogTable(catalog))"
)


def record_module_loads(page) -> list[tuple[str, int]]:
    """(URL, status) of each served module the page fetches."""
    loads: list[tuple[str, int]] = []

    def finished(request) -> None:
        if SERVED.search(request.url):
            response = request.response()
            loads.append((request.url, response.status if response else 0))

    page.on("requestfinished", finished)
    return loads


def record_console(page) -> list[str]:
    """Every console line (the harness keeps only errors and warnings)."""
    lines: list[str] = []
    page.on("console", lambda message: lines.append(message.text))
    return lines


def run_two_skies_and_a_table(lab, notebook: str) -> int:
    """Run the notebook of two sky views and a table; the catalog's length once all are shown."""
    lab.write_notebook(notebook, [PRODUCTS, TWO_SKIES_AND_A_TABLE])
    lab.open_notebook(notebook)
    lab.run_all(timeout=240)
    count = int(lab.run_code("print(len(catalog))").strip())
    shown(lab, count)
    return count


def shown(lab, count: int) -> None:
    lab.page.wait_for_function(
        "(n) => [...document.querySelectorAll('.oda-sky-host')].filter(h => h.odaSky"
        " && h.odaSky.catalog && h.odaSky.catalog.getSources().length === n).length === 2",
        arg=count, timeout=180_000)
    wait_for_image(lab.page, timeout=180)
    lab.page.locator(".oda-catalog-table").first.wait_for(timeout=60_000)


def stylesheets(page) -> dict[str, int]:
    """The front ends' stylesheets in the page, by name: how many style elements each has."""
    return page.evaluate(
        "() => { const n = {}; for (const s of document.querySelectorAll('style[data-oda-style]'))"
        " n[s.dataset.odaStyle] = (n[s.dataset.odaStyle] || 0) + 1; return n; }")


def test_each_module_is_fetched_once_per_page_from_the_static_route(lab):
    loads = record_module_loads(lab.page)
    console = record_console(lab.page)
    run_two_skies_and_a_table(lab, "front_end_once.ipynb")
    fetched = sorted(SERVED.search(url).group(1) for url, _status in loads)
    # two sky views and a table: the bundle once, the table's module once
    assert fetched == ["catalog_table", "sky_aladin"], loads
    assert all(status == 200 for _url, status in loads), loads
    # the kernel was not asked for code: the page had it from the server
    assert not [line for line in console if "asking the kernel" in line], console
    # two sky views and a table: each front end's stylesheet once, in the page's head
    assert stylesheets(lab.page) == {"sky_aladin": 1, "catalog_table": 1}
    popup_rule = lab.page.evaluate(
        "() => getComputedStyle(document.querySelector('.oda-sky-host')).position")
    assert popup_rule == "relative"  # js/sky.css applies: the host places our popup
    # the module is cacheable: a reload reuses it (JupyterLab serves ?v= for a year)
    headers = lab.page.evaluate(
        "async (url) => { const r = await fetch(url); return r.headers.get('cache-control'); }",
        next(url for url, _status in loads if "sky_aladin" in url))
    assert headers and "max-age" in headers and "no-cache" not in headers, headers
    lab.screenshot("front_end_once")


def test_without_the_static_route_the_kernel_sends_the_code_once(lab):
    refused: list[str] = []

    def refuse(route) -> None:
        refused.append(route.request.url)
        route.fulfill(status=404, body="not served here")

    lab.page.route(SERVED, refuse)
    console = record_console(lab.page)
    count = run_two_skies_and_a_table(lab, "front_end_from_kernel.ipynb")
    wait_for_sources(lab.page, count)
    assert sources_on_sky(lab.page) == [count, count]
    assert sorted(SERVED.search(u).group(1) for u in refused) == ["catalog_table", "sky_aladin"]
    # one request per module for the whole page, answered by the kernel
    asked = [line for line in console if "asking the kernel" in line]
    assert len(asked) == 2, console
    # the code from the kernel puts its stylesheet in the page just the same, once
    assert stylesheets(lab.page) == {"sky_aladin": 1, "catalog_table": 1}
    lab.screenshot("front_end_from_kernel")
