"""The sky as a scientist first sees it, in a real JupyterLab, read from the screen's pixels.

At the default view each bright source shows inside its ring (the ring is wider than the PSF,
the mosaic's pixels at the source are brighter than the sky around the ring); a colour bar says
the map, its cuts and round tick values; a source deleted from the catalog leaves the screen at
once, with the mouse nowhere near the sky (Aladin Lite would otherwise repaint only when the
pointer next moved over it).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import numpy as np
import pytest
from PIL import Image
from support.sky_page import PRODUCTS, SOURCE_POSITION, wait_for_image, wait_for_sources

pytestmark = pytest.mark.browser

SHOW = (
    "from oda_widgets.widgets.source_colours import source_colour\n"
    "view = ow.ResultsView(products)   # as a results tab shows it\n"
    "sky = view.sky\n"
    "view"
)

# each source's ring radius on the screen (CSS pixels) as the front end draws it
RING = """() => {
    const host = document.querySelector('.oda-sky-host');
    const aladin = host.odaAladin;
    const per = aladin.getFov()[0] / aladin.getSize()[0];
    return Math.max(9, Math.min(60, host.odaSky.ringDeg / per));
}"""


def _screen(page: Any) -> tuple[np.ndarray, dict[str, float]]:
    """The sky as shown on the screen (RGB, CSS pixels) and where it is on the page."""
    host = page.locator(".oda-sky-host").first
    box = host.bounding_box()
    png = page.screenshot(clip=box)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int), box


def _where(page: Any, box: dict[str, float], name: str) -> tuple[float, float]:
    xy = page.evaluate(SOURCE_POSITION, name)
    assert xy is not None, f"{name} is not on the sky"
    return xy[0] - box["x"], xy[1] - box["y"]


def _distance(pixels: np.ndarray, x: float, y: float) -> np.ndarray:
    rows, cols = np.indices(pixels.shape[:2])
    return np.hypot(cols - x, rows - y)


def _ring_colour_pixels(pixels: np.ndarray, x: float, y: float, r: float, colour: str) -> int:
    """Pixels of ``colour`` (within antialiasing) on the ring around (x, y)."""
    rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
    near = np.abs(_distance(pixels, x, y) - r) <= 3
    close = np.abs(pixels - rgb).max(axis=2) <= 40
    return int((near & close).sum())


def test_sources_show_inside_their_rings_under_a_colour_bar_and_a_deleted_one_leaves_at_once(
        lab, sandbox):
    lab.write_notebook("sky_science.ipynb", [PRODUCTS, SHOW])
    lab.open_notebook("sky_science.ipynb")
    lab.run_all(timeout=300)
    page = lab.page
    page.mouse.move(1, 1)  # and never again over the sky
    count = int(lab.run_code("print(len(catalog))").strip())
    wait_for_sources(page, count, timeout=120)
    wait_for_image(page)
    page.locator(".oda-sky-host").first.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    bright = json.loads(lab.run_code(
        "rows = sorted(zip(catalog.table['significance'], catalog.names), reverse=True)\n"
        "print(json.dumps([[n, source_colour(n)] for s, n in rows if s >= 10]))"))
    assert len(bright) >= 3, bright
    radius = page.evaluate(RING)
    pixels, box = _screen(page)
    grey = pixels.mean(axis=2)

    # the default view (centred on the query's target): each bright source in it visible
    # inside its ring, not hidden by its marker
    height, width = grey.shape
    shown = [(name, colour, *_where(page, box, name)) for name, colour in bright]
    shown = [s for s in shown if 2.5 * radius < s[2] < width - 2.5 * radius
             and 2.5 * radius < s[3] < height - 2.5 * radius]
    assert "4U 1700-377" in [s[0] for s in shown] and len(shown) >= 2, (shown, radius)
    for name, colour, x, y in shown:
        distance = _distance(pixels, x, y)
        # the mosaic's own pixels (grey: the grayscale map), not a marker's colour
        mosaic = np.ptp(pixels, axis=2) <= 12
        inside = grey[(distance <= 0.5 * radius) & mosaic]
        left_of_it = (np.indices(grey.shape)[1] < x)   # its name is written to its right
        around = grey[(distance >= radius + 4) & (distance <= 2.5 * radius) & left_of_it]
        contrast = inside.max() - np.median(around)
        print(f"{name}: ring {radius:.1f} px, peak {inside.max():.0f} over {np.median(around):.0f}")
        assert contrast >= 60, (name, inside.max(), np.median(around))
        assert _ring_colour_pixels(pixels, x, y, radius, colour) >= 10, name

    # a colour bar: the map, its stretch and cuts, round ticks on a gradient
    bar = page.locator(".oda-sky-colorbar").first
    bar.wait_for()
    title = bar.locator(".oda-cb-title").inner_text()
    assert "SIGNIFICANCE" in title and "grayscale" in title and "linear" in title
    ticks = [t.strip() for t in bar.locator(".oda-cb-tick").all_inner_texts()]
    assert len(ticks) >= 3
    for tick in ticks:
        assert re.fullmatch(r"[−-]?\d+(\.\d{1,2})?", tick), tick
    low, high = json.loads(lab.run_code("print(json.dumps(sky.cuts))"))
    assert f"cuts {ticks[0]} to {ticks[-1]}".replace("−", "-") in title.replace("−", "-")
    assert float(ticks[0].replace("−", "-")) == pytest.approx(low, abs=0.05)
    assert float(ticks[-1].replace("−", "-")) == pytest.approx(high, abs=0.05)
    assert bar.locator(".oda-cb-bar").bounding_box()["width"] > 150

    # the brightest source deleted in the kernel: gone from the screen with no pointer event
    name, colour, x, y = next(s for s in shown if s[0] == "4U 1700-377")
    lab.run_code(f"catalog.remove([catalog.meta_ids[catalog.names.index({name!r})]])")
    wait_for_sources(page, count - 1)
    page.wait_for_timeout(800)
    after, _ = _screen(page)
    assert _ring_colour_pixels(after, x, y, radius, colour) == 0
    # the others stay drawn
    other, other_colour, ox, oy = next(s for s in shown if s[0] != name)
    assert _ring_colour_pixels(after, ox, oy, radius, other_colour) >= 10
    lab.screenshot("sky_reads_like_science")
