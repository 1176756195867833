"""The sky view in a real JupyterLab, offline: Aladin Lite from the package, the mosaic drawn,
the catalog on the sky and linked to the kernel's Catalog, names shown as text."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from support import shared
from support.sky_page import (
    PRODUCTS,
    click_source,
    grey_levels,
    sources_on_sky,
    wait_for_image,
    wait_for_sources,
)

pytestmark = pytest.mark.browser

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"

SHOW = "sky = ow.SkyView(products.image, catalog=catalog)\nsky"


def open_sky(lab, name: str, cells: list[str]) -> int:
    lab.write_notebook(name, cells)
    lab.open_notebook(name)
    lab.run_all(timeout=240)
    count = int(lab.run_code("print(len(catalog))").strip())
    assert count >= 5, "the sandbox's ISGRI field should give several sources"
    return count


def kernel_json(lab, expression: str, until=lambda value: True, timeout: float = 30):
    """The JSON value of ``expression`` in the kernel, asked again (between executions, so that
    the kernel handles the front end's messages) until ``until(value)``."""
    deadline = time.monotonic() + timeout
    while True:
        value = json.loads(lab.run_code(f"print(json.dumps({expression}))"))
        if until(value) or time.monotonic() > deadline:
            return value
        lab.page.wait_for_timeout(200)


def test_mosaic_and_catalog_drawn_offline(lab):
    count = open_sky(lab, "sky_drawn.ipynb", [PRODUCTS, SHOW])
    wait_for_sources(lab.page, count)
    wait_for_image(lab.page)
    corners = json.loads(lab.run_code(
        "import json; print(json.dumps(products.image.wcs.calc_footprint().tolist()))"))
    levels = grey_levels(lab.page, corners)
    lab.screenshot("sky_drawn")
    # the mosaic's noise and sources give many grey levels; a blank or failed view gives one
    assert levels["inside"] > 30, levels
    assert sources_on_sky(lab.page) == [count]
    drawn = json.loads(lab.run_code("import json; print(json.dumps(sky.drawn))"))
    names = json.loads(lab.run_code("print(json.dumps(catalog.names))"))
    assert sorted(drawn) == sorted(names)
    # nothing was fetched from outside: Aladin Lite came from the package
    assert not [u for u in lab.blocked if "aladin" in u or "esm.sh" in u], lab.blocked


def test_catalog_edits_redraw_the_sky_and_a_click_selects(lab):
    count = open_sky(lab, "sky_linked.ipynb", [PRODUCTS, SHOW])
    wait_for_sources(lab.page, count)
    names = json.loads(lab.run_code("print(json.dumps(catalog.names))"))
    # remove two sources through the Catalog, quickly one after the other
    lab.run_code("ids = catalog.meta_ids\ncatalog.remove([ids[0]])\ncatalog.remove([ids[1]])")
    wait_for_sources(lab.page, count - 2)
    lab.page.wait_for_timeout(300)
    assert sources_on_sky(lab.page) == [count - 2]      # one catalog, updated in place
    layers = lab.page.evaluate(
        "() => document.querySelector('.oda-sky-host').odaAladin.view.catalogs.length")
    assert layers == 1
    drawn = kernel_json(lab, "sky.drawn", until=lambda d: len(d) == count - 2)
    assert sorted(drawn) == sorted(names[2:])
    # ten edits in a row: still one catalog on the sky, showing the last state
    lab.run_code("for k in range(10):\n    catalog.rename(catalog.meta_ids[0], f'renamed {k}')")
    drawn = kernel_json(lab, "sky.drawn", until=lambda d: "renamed 9" in d)
    assert sorted(drawn) == sorted(["renamed 9", *names[3:]])
    assert lab.page.evaluate(
        "() => document.querySelector('.oda-sky-host').odaAladin.view.catalogs.length") == 1
    names = kernel_json(lab, "catalog.names")
    # a click on a source on the sky selects it in the kernel's Catalog
    target = names[1]
    click_source(lab.page, target)
    lab.page.locator(".oda-sky-popup", has_text=target).wait_for()
    selected = kernel_json(
        lab, "[catalog.names[catalog.meta_ids.index(i)] for i in catalog.selected]",
        until=lambda names: names != [])
    assert selected == [target]
    assert kernel_json(lab, "sky.selected == catalog.selected") is True
    lab.screenshot("sky_clicked")
    # the popup follows the catalog: a rename shows in it, a removal closes it
    lab.run_code("catalog.rename(catalog.selected[0], 'Renamed while open')")
    lab.page.locator(".oda-sky-popup-name", has_text="Renamed while open").wait_for()
    lab.run_code("catalog.remove(catalog.selected)")
    lab.page.locator(".oda-sky-popup").wait_for(state="detached")


def test_a_source_name_with_html_is_shown_as_text(lab):
    evil = "<img src=x onerror=\"window.__odaXss=1\">"
    setup = PRODUCTS + f"\ncatalog.rename(catalog.meta_ids[0], {evil!r})"
    count = open_sky(lab, "sky_xss.ipynb", [setup, SHOW])
    wait_for_sources(lab.page, count)
    click_source(lab.page, evil)
    popup = lab.page.locator(".oda-sky-popup")
    popup.wait_for()
    assert popup.locator(".oda-sky-popup-name").text_content() == evil
    lab.page.wait_for_timeout(500)
    assert lab.page.evaluate("() => window.__odaXss") is None
    assert lab.page.locator(".oda-sky-host img[src='x']").count() == 0
    # what Aladin Lite holds (and could put into its own popups) is escaped
    held = lab.page.evaluate(
        "() => document.querySelector('.oda-sky-host').odaSky.catalog.getSources()"
        ".map(s => s.data.name)")
    assert "&lt;img src=x onerror=&quot;window.__odaXss=1&quot;&gt;" in held


def test_without_webgl2_the_view_says_why_in_words(lab):
    # a browser without WebGL2: Aladin Lite cannot start
    lab.page.add_init_script(
        "const original = HTMLCanvasElement.prototype.getContext;"
        "HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {"
        "  return kind === 'webgl2' ? null : original.call(this, kind, ...rest); };"
    )
    open_sky(lab, "sky_no_webgl.ipynb", [PRODUCTS, SHOW])
    failure = lab.page.locator(".oda-sky-failure")
    failure.wait_for()
    assert "WebGL2" in failure.text_content()
    status = lab.page.locator(".oda-sky-status")
    status.filter(has_text="could not start").wait_for()


REAL_MOSAIC = shared.INTEGRAL / "isgri_mosaic_1E1740.7-2942_25-40keV.fits.gz"


@pytest.mark.shared
def test_a_real_isgri_mosaic_with_every_look(lab):
    cells = [
        "import json\n"
        "import oda_widgets as ow\n"
        "from astropy.io import fits\n"
        "from oda_widgets.client.catalog.source_catalog import Catalog\n"
        "from oda_widgets.client.products.sky_image import SkyImage\n"
        f"image = SkyImage('mosaic', fits.open({str(REAL_MOSAIC)!r}), {{'product': 'mosaic'}})\n"
        "rows = [('1E 1740.7-2942', 265.978, -29.745), ('GX 354-0', 262.989, -33.834),\n"
        "        ('GX 1+4', 263.013, -24.746), ('IGR J17464-3213', 266.565, -32.234),\n"
        "        ('NEW_1', 270.0, -27.0), ('NEW_2', 270.0, -27.02)]\n"
        "n = len(rows)\n"
        "catalog = Catalog.from_dispatcher({'cat_frame': 'fk5', 'cat_coord_units': 'deg',\n"
        "    'cat_column_list': [list(range(n)), [r[0] for r in rows], [9.0] * n,\n"
        "                        [r[1] for r in rows], [r[2] for r in rows], [0.0] * n],\n"
        "    'cat_column_names': ['meta_ID', 'src_names', 'significance', 'ra', 'dec', 'ERR_RAD'],\n"
        "    'cat_lat_name': 'dec', 'cat_lon_name': 'ra'})\n"
        "catalog.add_source('My candidate', 267.5, -31.0)\n"
        "catalog.select([0])",
        "sky = ow.SkyView(image, catalog=catalog)\nsky",
    ]
    lab.write_notebook("sky_real.ipynb", cells)
    lab.open_notebook("sky_real.ipynb")
    lab.run_all(timeout=240)
    wait_for_sources(lab.page, 7)
    wait_for_image(lab.page, "PRIMARY")
    corners = json.loads(lab.run_code("print(json.dumps(image.wcs.calc_footprint().tolist()))"))
    assert grey_levels(lab.page, corners)["inside"] > 30
    # every look drawn: the job's sources, one added by the user, the two near-duplicates, and
    # the selected one
    looks = lab.page.evaluate(
        "() => [...document.querySelector('.oda-sky-host').odaSky.looks.values()]"
        ".map(l => [l.name, l.shape, l.selected])")
    assert len(looks) == 7
    shapes = {name: shape for name, shape, _selected in looks}
    assert shapes["My candidate"] == "diamond"
    assert shapes["NEW_1"] == shapes["NEW_2"] == "triangle"
    assert shapes["GX 1+4"] == "circle"
    assert [name for name, _shape, selected in looks if selected] == ["1E 1740.7-2942"]
    lab.page.locator(".oda-sky-host").screenshot(path=str(OUTPUT / "sky_real_mosaic.png"))


def test_two_views_each_draw_their_own_catalog(lab):
    cells = [PRODUCTS,
             "other = catalog.copy()\nother.remove(other.meta_ids[:2])\n"
             "first = ow.SkyView(products.image, catalog=catalog, height=300)\n"
             "second = ow.SkyView(products.image, catalog=other, height=300)\n"
             "display(first, second)"]
    count = open_sky(lab, "sky_two.ipynb", cells)
    lab.page.wait_for_function(
        "(n) => [...document.querySelectorAll('.oda-sky-host')].map(h => h.odaSky"
        " && h.odaSky.catalog ? h.odaSky.catalog.getSources().length : -1).join() === n",
        arg=f"{count},{count - 2}")
    assert kernel_json(lab, "[len(first.drawn), len(second.drawn)]",
                       until=lambda v: v == [count, count - 2]) == [count, count - 2]


def test_a_catalog_alone_is_drawn_on_a_plain_background(lab):
    count = open_sky(lab, "sky_catalog_only.ipynb",
                     [PRODUCTS, "sky = ow.SkyView(catalog=catalog)\nsky"])
    wait_for_sources(lab.page, count)
    assert kernel_json(lab, "len(sky.drawn)", until=lambda n: n == count) == count
    lab.page.locator(".oda-sky-status", has_text="No mosaic").wait_for()
    # the line shows the status trait: the overlay as the front end reported it drawn
    lab.page.locator(".oda-sky-status", has_text=f"Catalog: {count} sources, {count} drawn."
                     ).wait_for()
    assert kernel_json(lab, "sky.status.splitlines()[-1]") == \
        f"Catalog: {count} sources, {count} drawn."
    lab.page.wait_for_timeout(300)
    # every source is inside the view: it is framed on them in its own shape
    inside = lab.page.evaluate(
        "() => { const h = document.querySelector('.oda-sky-host'); const a = h.odaAladin;"
        " const [w, ht] = a.getSize(); return h.odaSky.catalog.getSources().map(s => {"
        " const p = a.world2pix(s.ra, s.dec); return !!p && p[0] >= 0 && p[0] <= w"
        " && p[1] >= 0 && p[1] <= ht; }); }")
    assert inside == [True] * count
    errors = [line for line in lab.console if line.startswith("pageerror")]
    assert errors == []
