"""Reading the sky view in a page: Aladin Lite's own state, its pixels, clicks on sources.

Shared by the sky view's browser tests (JupyterLab, Notebook 7, Voila) and benchmarks/sky.py.
The front end (``js/sky_aladin.js``) keeps its Aladin Lite instance on the element it renders
into (``.oda-sky-host``: ``odaAladin``, and ``odaSky`` with the one catalog it updates in place).
"""

from __future__ import annotations

from typing import Any

#: A notebook cell that makes an ISGRI mosaic and its catalog on the harness's sandbox.
PRODUCTS = (
    "import json\n"
    "import oda_widgets as ow\n"
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "disp = Dispatcher(url='sandbox')\n"
    "field = dict(RA=255.986542, DEC=-37.844167, T1='2003-03-15T23:27:40.0',\n"
    "             T2='2003-03-16T00:03:15.0', osa_version='OSA10.2', radius=15.0)\n"
    "products = disp.submit('isgri', 'isgri_image', detection_threshold=5.0, **field)"
    ".result(timeout=300)\n"
    "catalog = products.catalog\n"
    "print('catalog of', len(catalog), 'sources')"
)

SOURCES_ON_SKY = """() => {
    const hosts = [...document.querySelectorAll('.oda-sky-host')];
    return hosts.map(h => h.odaSky && h.odaSky.catalog
        ? h.odaSky.catalog.getSources().length : null);
}"""

IMAGE_SHOWN = """() => {
    const h = document.querySelector('.oda-sky-host');
    return h && h.odaSky ? h.odaSky.imageShown : null;
}"""

# Grey levels of the view's pixels inside a sky box (ICRS corners, degrees): with the grayscale
# colour map the mosaic's pixels are grey (r = g = b); the plain background is one grey and the
# markers are coloured, so many distinct grey levels mean the mosaic is drawn there.
GREY_LEVELS = """async (corners) => {
    const host = document.querySelector('.oda-sky-host');
    const aladin = host.odaAladin;
    const url = await aladin.getViewDataURL({format: 'image/png'});
    const img = new Image();
    await new Promise((ok, fail) => { img.onload = ok; img.onerror = fail; img.src = url; });
    const canvas = document.createElement('canvas');
    canvas.width = img.width; canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const [w, h] = aladin.getSize();
    const sx = img.width / w, sy = img.height / h;
    const xy = corners.map(([ra, dec]) => aladin.world2pix(ra, dec)).filter(p => p);
    const xs = xy.map(p => p[0] * sx), ys = xy.map(p => p[1] * sy);
    const x0 = Math.max(0, Math.min(...xs)), x1 = Math.min(img.width, Math.max(...xs));
    const y0 = Math.max(0, Math.min(...ys)), y1 = Math.min(img.height, Math.max(...ys));
    const data = ctx.getImageData(0, 0, img.width, img.height).data;
    const inside = new Set(), outside = new Set();
    for (let y = 0; y < img.height; y += 2) {
        for (let x = 0; x < img.width; x += 2) {
            const i = 4 * (y * img.width + x);
            const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
            if (r !== g || g !== b) continue;
            const inBox = x > x0 + 0.2 * (x1 - x0) && x < x1 - 0.2 * (x1 - x0)
                && y > y0 + 0.2 * (y1 - y0) && y < y1 - 0.2 * (y1 - y0);
            (inBox ? inside : outside).add(r);
        }
    }
    return {inside: inside.size, outside: outside.size, box: [x0, y0, x1, y1],
            size: [img.width, img.height]};
}"""

# Where a source is on the page (CSS pixels), by name.
SOURCE_POSITION = """(name) => {
    const host = document.querySelector('.oda-sky-host');
    const sky = host.odaSky;
    const source = sky.catalog.getSources().find(s => sky.rawNames.get(s.data.meta_ID) === name);
    if (!source) return null;
    const xy = host.odaAladin.world2pix(source.ra, source.dec);
    const canvas = host.querySelector('.aladin-catalogCanvas') || host.querySelector('canvas');
    const rect = canvas.getBoundingClientRect();
    return xy ? [rect.left + xy[0], rect.top + xy[1]] : null;
}"""


def sources_on_sky(page: Any) -> list[int | None]:
    """How many sources each sky view's Aladin Lite catalog holds, in page order."""
    return page.evaluate(SOURCES_ON_SKY)


def wait_for_sources(page: Any, count: int, timeout: float = 60) -> None:
    """Wait until the first sky view's Aladin Lite catalog holds ``count`` sources."""
    page.wait_for_function(
        "(n) => { const h = document.querySelector('.oda-sky-host');"
        " return !!(h && h.odaSky && h.odaSky.catalog"
        " && h.odaSky.catalog.getSources().length === n); }",
        arg=count, timeout=timeout * 1000,
    )


def wait_for_image(page: Any, name: str = "SIGNIFICANCE", timeout: float = 90) -> None:
    """Wait until the first sky view reports the image ``name`` drawn."""
    page.wait_for_function(f"() => ({IMAGE_SHOWN})() === {name!r}", timeout=timeout * 1000)


def grey_levels(page: Any, corners: list[list[float]]) -> dict[str, Any]:
    """Distinct grey levels of the view inside (and outside) the footprint's inner box."""
    return page.evaluate(GREY_LEVELS, corners)


def click_source(page: Any, name: str) -> None:
    """Click the marker of source ``name`` on the sky."""
    where = page.evaluate(SOURCE_POSITION, name)
    assert where is not None, f"{name!r} is not on the sky"
    page.mouse.click(where[0], where[1])
