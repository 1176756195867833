"""The sky view in a real JupyterLab, offline: Aladin Lite from the package, the mosaic drawn,
the catalog on the sky and linked to the kernel's Catalog, names shown as text."""

from __future__ import annotations

import json

import pytest
from support.sky_page import (
    PRODUCTS,
    grey_levels,
    sources_on_sky,
    wait_for_image,
    wait_for_sources,
)

pytestmark = pytest.mark.browser

SHOW = "sky = ow.SkyView(products.image, catalog=catalog)\nsky"


def open_sky(lab, name: str, cells: list[str]) -> int:
    lab.write_notebook(name, cells)
    lab.open_notebook(name)
    lab.run_all(timeout=240)
    count = int(lab.run_code("print(len(catalog))").strip())
    assert count >= 5, "the sandbox's ISGRI field should give several sources"
    return count


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
