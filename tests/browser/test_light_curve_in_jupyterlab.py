"""LightCurveView in real JupyterLab and Chromium, with light curves made by the sandbox.

What is read back is what the browser drew: the SVG paths of the rate lines and error bars, the
axis ticks (to turn pixels back into rates), the legend, and the form's inputs.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from astropy.time import Time

pytestmark = pytest.mark.browser

THREE_SOURCES = {
    "cat_frame": "fk5", "cat_coord_units": "deg",
    "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
    "cat_column_list": [[0, 1, 2], ["GX 349+2", "4U 1700-377", "OAO 1657-415"],
                        [50.0, 300.0, 40.0], [256.4354, 255.9866, 255.2038],
                        [-36.4231, -37.8441, -41.6560]],
    "cat_lat_name": "dec", "cat_lon_name": "ra",
}

ISGRI_CELLS = [
    "import json\n"
    "import oda_widgets as ow\n"
    "disp = ow.Dispatcher(url='sandbox')\n"
    f"catalog = json.dumps({THREE_SOURCES!r})\n"
    "job = disp.submit('isgri', 'isgri_lc', RA=255.98, DEC=-37.84, T1='2003-03-15T23:27:40',\n"
    "                  T2='2003-03-16T02:00:00', time_bin=300, selected_catalog=catalog)\n"
    "products = job.result(timeout=120)\n"
    "form = ow.QueryForm(disp, instrument='isgri', product='isgri_lc')\n"
    "lc_view = ow.LightCurveView(products.light_curves, form=form)\n"
    "start, stop = lc_view.visible_range\n"
    "curves = products.light_curves.items()\n"
    "print('BINS', json.dumps({k: len(v.hdu.data) for k, v in curves}))\n"
    "print('POSITIVE', json.dumps({k: int((v.hdu.data['RATE'] > 0).sum()) for k, v in curves}))\n"
    "print('RANGE', start.isot, stop.isot)",
    "lc_view",
    "form",
]

# The drawn figure: per mark (error bars first, then the lines) its points in plot pixels, whether
# it is shown, and the ticks of both axes.
READ_FIGURE = """
(index) => {
    const figure = document.querySelectorAll('.oda-lc-figure')[index];
    const marks = [...figure.querySelectorAll('svg.svg-figure g[clip-path]')];
    const parse = (d) => {
        const pieces = (d || '').split('M').filter(p => p.trim());
        return pieces.map(p => p.split('L').map(xy => xy.split(',').map(Number)));
    };
    const axes = [...figure.querySelectorAll('svg.svg-background g.axis')];
    const ticks = axes.map(axis => [...axis.querySelectorAll('g.tick')].map(t => {
        const m = /translate\\(([-\\d.e]+),\\s*([-\\d.e]+)\\)/.exec(t.getAttribute('transform'));
        return {x: Number(m[1]), y: Number(m[2]), text: t.textContent};
    }));
    const labels = axes.map(axis => (axis.querySelector('.axislabel') || {}).textContent);
    const events = figure.querySelector('rect.plotarea_events').getBoundingClientRect();
    return {
        marks: marks.map(g => ({
            shown: getComputedStyle(g).display !== 'none',
            // bars and lines are paths; the points (a Scatter) have none
            segments: parse((g.querySelector('path.line') || {getAttribute: () => ''})
                .getAttribute('d')),
        })),
        ticks, labels,
        plot: {left: events.left, top: events.top, width: events.width, height: events.height},
    };
}
"""

def _tick_value(text: str) -> float:
    """A value tick as written: ``1,500``, ``0.25``, ``7.0e-8`` (the minus may be U+2212)."""
    match = re.fullmatch(r"[-−]?[\d,]*\.?\d+(e[-−+]?\d+)?", text.strip())
    assert match, f"unreadable tick {text!r}"
    return float(text.strip().replace(",", "").replace("−", "-"))


def _rate_at(figure: dict, y_pixel: float) -> float:
    """The rate at a pixel height, read from two ticks of the (linear) rate axis."""
    ticks = figure["ticks"][1]
    a, b = ticks[0], ticks[-1]
    va, vb = _tick_value(a["text"]), _tick_value(b["text"])
    return va + (y_pixel - a["y"]) * (vb - va) / (b["y"] - a["y"])


def _points(mark: dict) -> list[list[float]]:
    return [point for segment in mark["segments"] for point in segment]


def _top(mark: dict) -> list[float]:
    """The highest drawn point (smallest pixel y) of a mark."""
    return min(_points(mark), key=lambda p: p[1])


def _printed(lab, prefix: str) -> str:
    text = lab.output(prefix).inner_text()
    return next(line for line in text.splitlines() if line.startswith(prefix))[len(prefix):].strip()


def _wait_for_text_change(lab, selector: str, old: str, timeout: float = 30) -> str:
    """Wait until ``selector``'s text differs from ``old`` and then stays put for 0.6 s."""
    locator = lab.page.locator(selector).first
    deadline = time.monotonic() + timeout
    while locator.inner_text() == old:
        assert time.monotonic() < deadline, f"{selector} still says {old!r}"
        lab.page.wait_for_timeout(100)
    text, since = locator.inner_text(), time.monotonic()
    while time.monotonic() - since < 0.6:
        lab.page.wait_for_timeout(100)
        now = locator.inner_text()
        if now != text:
            text, since = now, time.monotonic()
        assert time.monotonic() < deadline, f"{selector} kept changing"
    return text


def _open(lab, name: str, cells: list[str]) -> None:
    lab.write_notebook(name, cells)
    lab.open_notebook(name)
    lab.run_all(timeout=240)
    lab.page.locator(".oda-lc-figure svg.svg-figure").first.wait_for()
    lab.page.locator(".oda-lc-info", has_text="samples").first.wait_for()
    # the controls follow the figure (built once the view is on its way)
    lab.page.locator(".oda-lc-legend .oda-lc-toggle").first.wait_for()
    lab.page.locator(".oda-lc-selection").first.wait_for()


def test_three_isgri_sources_draw_with_error_bars_a_legend_and_axis_switches(lab):
    _open(lab, "lc_isgri.ipynb", ISGRI_CELLS)
    bins = json.loads(_printed(lab, "BINS"))
    assert sorted(bins) == sorted(THREE_SOURCES["cat_column_list"][1])
    page = lab.page

    legend = page.locator(".oda-lc-legend .oda-lc-toggle")
    assert legend.count() == 3
    assert [legend.nth(i).inner_text().strip() for i in range(3)] == list(bins)
    figure = page.evaluate(READ_FIGURE, 0)
    # the marks: each source's bars, then its line, then its points
    bars, lines = figure["marks"][:3], figure["marks"][3:6]
    for name, bar, line in zip(bins, bars, lines, strict=True):
        assert len(_points(line)) == bins[name], name        # every bin drawn, few as they are
        # per bin a vertical error bar of some height and a horizontal bar as wide as the bin
        vertical = [seg for seg in bar["segments"] if seg[0][0] == pytest.approx(seg[1][0])]
        horizontal = [seg for seg in bar["segments"] if seg[0][1] == pytest.approx(seg[1][1])]
        assert len(vertical) == len(horizontal) == bins[name], name
        assert all(y0 > y1 for (_x0, y0), (_x1, y1) in vertical)
        assert all(x1 > x0 for (x0, _y0), (x1, _y1) in horizontal)
    assert figure["labels"][1] == "Rate (count/s)"
    assert figure["labels"][0].startswith("Time (UTC), 2003-03-1")
    assert re.fullmatch(r"\d\d:\d\d", figure["ticks"][0][0]["text"])

    # the legend's toggle hides its source and shows it again
    legend.nth(1).locator("input").uncheck()
    page.wait_for_function("() => getComputedStyle(document.querySelectorAll("
                           "'.oda-lc-figure svg.svg-figure g[clip-path]')[4]).display === 'none'")
    assert [m["shown"] for m in page.evaluate(READ_FIGURE, 0)["marks"]] == \
        [True, False, True] * 3
    legend.nth(1).locator("input").check()

    # MJD, seconds since T1, log rate: each redraws the same bins on its own axis
    start = Time(_printed(lab, "RANGE").split()[0], scale="utc")
    page.locator(".oda-lc-time-axis button", has_text="MJD").click()
    page.locator(".oda-lc-figure .axislabel", has_text="MJD").first.wait_for()
    figure = page.evaluate(READ_FIGURE, 0)
    assert figure["labels"][0] == "Time (MJD, UTC)"
    assert float(figure["ticks"][0][0]["text"].replace(",", "")) == \
        pytest.approx(start.mjd, abs=0.2)
    page.locator(".oda-lc-time-axis button", has_text="s since T1").click()
    page.locator(".oda-lc-figure .axislabel", has_text="Seconds since T1").first.wait_for()
    assert page.evaluate(READ_FIGURE, 0)["labels"][0] == \
        f"Seconds since T1 = {Time(start, precision=3).isot}"
    page.locator(".oda-lc-rate-scale button", has_text="log").click()
    page.wait_for_function("() => document.querySelectorAll('.oda-lc-figure').length === 1")
    page.wait_for_timeout(500)
    figure = page.evaluate(READ_FIGURE, 0)
    positive = json.loads(_printed(lab, "POSITIVE"))         # a log axis shows rates above 0
    assert [len(_points(m)) for m in figure["marks"][3:6]] == list(positive.values())
    assert figure["labels"][1] == "Rate (count/s)"

    # rebinning in the kernel, the bin said in words
    page.locator(".oda-lc-rebin select").select_option(label="x2")
    page.locator(".oda-lc-bin-text", has_text="600 s bins (x2 of the native 300 s)").wait_for()
    page.wait_for_timeout(500)
    figure = page.evaluate(READ_FIGURE, 0)
    for name, line in zip(bins, figure["marks"][3:6], strict=True):
        assert len(_points(line)) < bins[name]


def test_the_brush_sets_the_forms_t1_and_t2(lab):
    _open(lab, "lc_brush.ipynb", ISGRI_CELLS)
    page = lab.page
    shown_start, shown_stop = (Time(t, scale="utc") for t in _printed(lab, "RANGE").split())
    span = (shown_stop - shown_start).sec

    page.locator(".oda-lc-mode button", has_text="Select time").click()
    page.wait_for_timeout(500)
    before = page.locator(".oda-lc-selection").first.inner_text()
    plot = page.evaluate(READ_FIGURE, 0)["plot"]
    y = plot["top"] + plot["height"] / 2
    page.mouse.move(plot["left"] + 0.25 * plot["width"], y)
    page.mouse.down()
    page.mouse.move(plot["left"] + 0.60 * plot["width"], y, steps=12)
    page.mouse.up()

    text = _wait_for_text_change(lab, ".oda-lc-selection", before)    # the brush's last word
    match = re.fullmatch(r"Selected: (\S+) to (\S+), (.+)", text.strip())
    assert match, text
    first = Time(match.group(1), scale="utc")
    last_text = match.group(2) if "T" in match.group(2) else \
        match.group(1)[:11] + match.group(2)
    last = Time(last_text, scale="utc")
    # the brush's ends are where the mouse went down and up (to a pixel, then rounded to 1 s)
    pixel = span / plot["width"]
    assert (first - shown_start).sec == pytest.approx(0.25 * span, abs=2 * pixel + 1)
    assert (last - shown_start).sec == pytest.approx(0.60 * span, abs=2 * pixel + 1)

    page.locator(".oda-lc-use-range").click()
    page.locator(".oda-lc-use-message", has_text="T1 and T2 are now").wait_for()
    t1 = page.locator(".oda-param-T1 input").input_value()
    t2 = page.locator(".oda-param-T2 input").input_value()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?", t1), t1
    assert abs((Time(t1, scale="utc") - first).sec) <= 0.5
    assert abs((Time(t2, scale="utc") - last).sec) <= 0.5
    switch = page.locator(".oda-field-T_format button.mod-active")
    assert switch.inner_text().strip() == "ISOT"
    assert page.locator(".oda-submit-reason .oda-error-text").count() == 0


SPI_ACS_CELLS = [
    "import numpy as np\n"
    "import oda_widgets as ow\n"
    "disp = ow.Dispatcher(url='sandbox')\n"
    "job = disp.submit('spi_acs', 'spi_acs_lc', RA=83.63, DEC=22.01, T1='2008-03-01T00:00:00',\n"
    "                  T2='2008-03-02T00:00:00', time_bin=0.05)\n"
    "lc = job.result(timeout=300).light_curves['query']\n"
    "rate = lc.hdu.data['RATE']\n"
    "rate[1_000_000] = 400_000.0          # one 50 ms bin, far above everything else\n"
    "print('SAMPLES', len(rate))",
    "lc_view = ow.LightCurveView([lc])\nlc_view",
]


def test_a_day_of_spi_acs_at_50_ms_draws_zooms_and_pans_keeping_a_one_bin_spike(lab):
    _open(lab, "lc_spi_acs.ipynb", SPI_ACS_CELLS)
    assert _printed(lab, "SAMPLES") == "1728000"
    page = lab.page
    info = page.locator(".oda-lc-info").first.inner_text()
    assert info == ("In view: 2008-03-01T00:00:00 to 2008-03-02T00:00:00, 86400 s (24 h); "
                    "1,728,000 samples, drawn as the minimum and maximum of each of 1,000 "
                    "columns of 86.4 s")

    def spike() -> tuple[float, float, dict]:
        figure = page.evaluate(READ_FIGURE, 0)
        line = figure["marks"][1]
        x, y = _top(line)
        assert _rate_at(figure, y) == pytest.approx(400_000, rel=0.02)
        return x, y, figure

    x0, _, figure = spike()
    assert len(_points(figure["marks"][1])) <= 2 * 2 * 1000 + 2     # min and max per column
    assert len(figure["marks"][0]["segments"]) > 500                 # the error bars
    plot = figure["plot"]
    mouse_x, mouse_y = plot["left"] + x0, plot["top"] + plot["height"] / 2

    # zoom about the spike: it stays under the mouse and at its full height
    page.mouse.move(mouse_x, mouse_y)
    for _ in range(10):
        page.mouse.wheel(0, -400)
        page.wait_for_timeout(50)
    info = _wait_for_text_change(lab, ".oda-lc-info", info)
    samples = int(re.search(r"([\d,]+) samples", info).group(1).replace(",", ""))
    assert samples < 100_000, info
    x1, _, _ = spike()
    # two half-pixel errors grow with the zoom: the mouse stands on whole pixels, and before the
    # zoom the spike is drawn at its column's place (a column of 86.4 s is about a pixel wide)
    zoom = 1_728_000 / samples
    assert x1 == pytest.approx(x0, abs=zoom + 3)

    # pan by 200 pixels: the spike moves with the data and is still drawn
    page.mouse.move(mouse_x, mouse_y)
    page.mouse.down()
    page.mouse.move(mouse_x - 200, mouse_y, steps=10)
    page.mouse.up()
    _wait_for_text_change(lab, ".oda-lc-info", info)
    x2, _, _ = spike()
    assert x2 == pytest.approx(x1 - 200, abs=3)
