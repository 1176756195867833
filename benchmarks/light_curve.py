"""Light curves in Chromium: first paint, zoom and bytes per redraw, LightCurveView against plain bqplot.

Baseline: what a notebook does today, a bqplot ``Lines`` mark holding every sample (SVG), with a
``PanZoom`` on its time scale. Ours: ``LightCurveView``, which sends the minimum and maximum of
each pixel column and re-decimates in the kernel when the visible range changes.

The curves are the sandbox's SPI-ACS light curves at 50 ms (1 thousand samples: 50 s; 10
thousand: 500 s; 100 thousand: 5000 s; 1.728 million: a day), built in the kernel (no HTTP). Real JupyterLab and
Chromium, started as the browser tests start them (``tests/support/browser_harness.py``), network
confined to the loopback interface.

Figures, per size:
- first paint: from asking JupyterLab to run the cell to the rate line drawn in the page, the
  median of ``--repeat`` paints of each, alternated, where the baseline's takes under 10 s (the
  modules of both are imported beforehand, with the data, and bqplot's front-end code, which
  both load, is loaded in the page by a small figure shown first: whichever path ran first
  would otherwise pay for it alone);
- zoom: one wheel step (x0.67) over the plot, to the page showing the new drawing: bqplot's
  redraw of what the page holds (baseline: every sample; ours: the decimated curve), median of 3;
  and for ours "settled": to the kernel's redraw (the re-decimated curve, the rate axis fitted
  to what is in view, the words under the plot);
- pan (ours): a drag of 100 pixels (three mouse moves), to the first re-decimated curve;
- bytes: websocket bytes the page received for the first paint and per zoom;
- in the kernel (no browser): seconds to build each, widget models created, bytes of their
  state (JSON and binary buffers) sent when they open.
The baseline's first paint is capped (``--cap``, 60 s by default) and reported as "> cap".

Run from the repository root (a few minutes; the 1.7 M baseline alone waits out the cap):

    PYTHONPATH=$PWD .venv/bin/python benchmarks/light_curve.py [--sizes 1000 10000 100000 1728000]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import REPO, processes  # benchmarks/harness.py, beside this script
from harness import browser_harness as H  # the browser tests' JupyterLab and Chromium

PREPARE = """\
import numpy as np, bqplot
import oda_widgets as ow
from bqplot.interacts import PanZoom
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.sandbox.simulate import make_products
from astropy.time import Time, TimeDelta
t1 = Time('2008-03-01T00:00:00', scale='utc')
t2 = (t1 + TimeDelta({seconds}, format='sec')).isot
answer = make_products('spi_acs', 'spi_acs_lc', dict(T1=t1.isot, T2=t2, time_bin=0.05,
                                                      RA=83.63, DEC=22.01), [])
lc = decode_products(answer, product='spi_acs_lc', instrument='spi_acs').light_curves['query']
x = np.asarray(lc.hdu.data['TIME'], dtype=float)
y = np.asarray(lc.hdu.data['RATE'], dtype=float)
ow.LightCurveView   # imports oda_widgets.widgets, as `import bqplot` above does for the baseline
# bqplot's front-end code, loaded once per page, for both paths
ws = bqplot.LinearScale()
warm = bqplot.Figure(marks=[bqplot.Lines(x=[0, 1], y=[0, 1], scales={{'x': ws, 'y': ws}})],
                     layout=dict(width='200px', height='100px'))
warm.add_class('bench-warm')
display(warm)
print('READY', len(x))
"""
OURS = "view = ow.LightCurveView(lc)\nview"
BASELINE = """\
xs, ys = bqplot.LinearScale(), bqplot.LinearScale()
line = bqplot.Lines(x=x, y=y, scales={'x': xs, 'y': ys})
baseline = bqplot.Figure(marks=[line], axes=[bqplot.Axis(scale=xs),
                                             bqplot.Axis(scale=ys, side='left')],
                         interaction=PanZoom(scales={'x': [xs]}), animation_duration=0,
                         layout=dict(width='100%', height='420px'))
baseline.add_class('bench-baseline')
baseline
"""

RUN_CELL = """(index) => {
    const panel = window.jupyterapp.shell.currentWidget;
    panel.content.activeCellIndex = index;
    return window.jupyterapp.commands.execute('notebook:run-cell');
}"""
# the first paint's stages, seen in the page each frame from the moment the cell is asked to run:
# the view's element in the page, its figure's SVG, its line drawn
STAGES = """(selectors) => {
    const t0 = performance.now();
    window.__stages = {};
    const look = () => {
        for (const [name, selector] of Object.entries(selectors)) {
            if (window.__stages[name] === undefined) {
                const found = document.querySelector(selector);
                if (found && (name !== 'drawn' || (found.getAttribute('d') || '').length > 0)) {
                    window.__stages[name] = (performance.now() - t0) / 1000;
                }
            }
        }
        if (Object.keys(window.__stages).length < Object.keys(selectors).length
            && performance.now() - t0 < 120000) requestAnimationFrame(look);
    };
    requestAnimationFrame(look);
}"""
OUR_STAGES = {"shown": ".oda-lightcurve", "svg": ".oda-lc-figure svg.svg-figure",
              "drawn": ".oda-lc-figure svg.svg-figure g[clip-path] + g[clip-path] path.line"}
BASE_STAGES = {"shown": ".bench-baseline", "svg": ".bench-baseline svg.svg-figure",
               "drawn": ".bench-baseline svg.svg-figure path.line"}
OUR_LINE = "document.querySelectorAll('.oda-lc-figure svg.svg-figure path.line')[1]"
OURS_DRAWN = f"""() => {{
    const info = document.querySelector('.oda-lc-info');
    const line = {OUR_LINE};
    return !!info && info.textContent.includes('samples') && !!line
        && (line.getAttribute('d') || '').length > 0;
}}"""
OUR_MARK = f"() => {{ window.__before = ({OUR_LINE}.getAttribute('d') || '').slice(0, 400); }}"
OUR_CHANGED = f"() => ({OUR_LINE}.getAttribute('d') || '').slice(0, 400) !== window.__before"
BASE_LINE = "document.querySelector('.bench-baseline svg.svg-figure path.line')"
BASE_DRAWN = f"() => {{ const l = {BASE_LINE}; return !!l && (l.getAttribute('d') || '').length > 0; }}"
# repeated first paints: the views already drawn are marked old, and only a new one counts
MARK_OLD = ("() => document.querySelectorAll('.oda-lightcurve, .bench-baseline')"
            ".forEach(e => { e.dataset.old = '1'; })")
OURS_DRAWN_AGAIN = """() => {
    const view = [...document.querySelectorAll('.oda-lightcurve')].find(v => !v.dataset.old);
    const info = view && view.querySelector('.oda-lc-info');
    const line = view && view.querySelectorAll('.oda-lc-figure svg.svg-figure path.line')[1];
    return !!info && info.textContent.includes('samples') && !!line
        && (line.getAttribute('d') || '').length > 0;
}"""
BASE_DRAWN_AGAIN = """() => {
    const l = document.querySelector('.bench-baseline:not([data-old]) svg.svg-figure path.line');
    return !!l && (l.getAttribute('d') || '').length > 0;
}"""
BASE_MARK = f"() => {{ window.__before = ({BASE_LINE}.getAttribute('d') || '').slice(0, 400); }}"
BASE_CHANGED = f"() => ({BASE_LINE}.getAttribute('d') || '').slice(0, 400) !== window.__before"


class Bytes:
    """Websocket bytes the page received."""

    def __init__(self, page: Any) -> None:
        self.total = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: Any) -> None:
        self.total += len(payload)


def start_lab(folder: Path) -> tuple[Any, Any]:
    """JupyterLab as the browser tests run it (own folders, fixed token, loopback)."""
    home, root = folder / "lab", folder / "notebooks"
    root.mkdir(parents=True)
    dirs = {name: home / sub for name, sub in [
        ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTERLAB_SETTINGS_DIR", "settings"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"), ("IPYTHONDIR", "ipython"), ("HOME", "home")]}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    H.write_settings(dirs["JUPYTERLAB_SETTINGS_DIR"])
    env = {k: v for k, v in os.environ.items() if k not in ("ODA_TOKEN", "JUPYTER_TOKEN")}
    env.update({k: str(v) for k, v in dirs.items()})
    env["ODA_WIDGETS_HOME"] = str(home / "oda_widgets")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    port = H.free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={H.LAB_TOKEN}",
               f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
               "--LabApp.expose_app_in_browser=True", "--LabApp.news_url="]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log = folder / "jupyterlab.log"
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               cwd=root, start_new_session=True)
    lab = H.JupyterLab(f"http://127.0.0.1:{port}", H.LAB_TOKEN, root, log, process)
    deadline = time.monotonic() + 90
    while True:
        try:
            lab.api("/api/status")
            return lab, process
        except OSError as exc:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()[-2000:]}") from exc
            time.sleep(0.5)


def timed(action, wait) -> float:
    start = time.perf_counter()
    action()
    wait()
    return time.perf_counter() - start


def plot_centre(page: Any, figure: str) -> tuple[float, float]:
    """The centre of a bqplot figure's plot area (where the wheel zooms), scrolled into view."""
    events = page.locator(f"{figure} rect.plotarea_events").first
    events.scroll_into_view_if_needed()
    box = events.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def measure(browser: Any, lab: Any, seconds: float, cap: float,
            baseline: bool = True, repeat: int = 1) -> dict[str, Any]:
    """Every figure for one curve length (a fresh page and kernel)."""
    name = f"bench_{int(seconds)}.ipynb"
    H.write_notebook(lab.root / name, [PREPARE.format(seconds=seconds), OURS, BASELINE])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", H._route([]))
    page = context.new_page()
    page.set_default_timeout(600_000)
    bytes_in = Bytes(page)
    lab_page = H.LabPage(page, lab)
    result: dict[str, Any] = {}
    try:
        lab_page.open_notebook(name, timeout=120)
        page.evaluate(RUN_CELL, 0)
        page.locator(".jp-OutputArea-output", has_text="READY").first.wait_for(timeout=300_000)
        page.wait_for_function("() => (document.querySelector('.bench-warm svg.svg-figure "
                               "path.line')?.getAttribute('d') || '').length > 0",
                               polling="raf", timeout=120_000)
        lab_page.wait_for_kernel_idle(300)
        result["points"] = int(page.locator(".jp-OutputArea-output", has_text="READY").first
                               .inner_text().split()[-1])

        before = bytes_in.total
        page.evaluate(STAGES, OUR_STAGES)
        result["ours_paint"] = timed(lambda: page.evaluate(RUN_CELL, 1),
                                     lambda: page.wait_for_function(OURS_DRAWN, polling="raf"))
        result["ours_stages"] = page.evaluate("() => window.__stages")
        lab_page.wait_for_kernel_idle(120)
        page.wait_for_timeout(500)
        result["ours_paint_bytes"] = bytes_in.total - before
        cx, cy = plot_centre(page, ".oda-lc-figure")
        zooms, settled, zoom_bytes = [], [], []
        info = page.locator(".oda-lc-info").first
        for _ in range(3):
            old = info.inner_text()
            page.mouse.move(cx, cy)
            page.evaluate(OUR_MARK)
            before = bytes_in.total
            start = time.perf_counter()
            page.mouse.wheel(0, -400)
            # the page's own redraw of the samples it holds, as the baseline's
            page.wait_for_function(OUR_CHANGED, polling="raf")
            zooms.append(time.perf_counter() - start)
            # the kernel's redraw: the curve re-decimated, the rate axis fitted, the words
            page.wait_for_function("(o) => document.querySelector('.oda-lc-info').textContent "
                                   "!== o", arg=old, polling="raf")
            settled.append(time.perf_counter() - start)
            page.wait_for_timeout(600)
            zoom_bytes.append(bytes_in.total - before)
        result["ours_zoom"] = statistics.median(zooms)
        result["ours_settled"] = statistics.median(settled)
        result["ours_zoom_bytes"] = statistics.median(zoom_bytes)
        old = info.inner_text()
        page.mouse.move(cx, cy)
        page.mouse.down()
        # bqplot pans from the second move of a drag on
        result["ours_pan"] = timed(lambda: page.mouse.move(cx - 100, cy, steps=3),
                                   lambda: page.wait_for_function(
            "(o) => document.querySelector('.oda-lc-info').textContent !== o", arg=old,
            polling="raf", timeout=cap * 1000))
        page.mouse.up()
        page.wait_for_timeout(600)
        lab_page.wait_for_kernel_idle(120)

        if not baseline:
            return result
        before = bytes_in.total
        try:
            page.evaluate(STAGES, BASE_STAGES)
            result["base_paint"] = timed(
                lambda: page.evaluate(RUN_CELL, 2),
                lambda: page.wait_for_function(BASE_DRAWN, polling="raf", timeout=cap * 1000))
            result["base_stages"] = page.evaluate("() => window.__stages")
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the page is frozen
            result["base_paint"] = None
            return result
        page.wait_for_timeout(500)
        result["base_paint_bytes"] = bytes_in.total - before
        bx, by = plot_centre(page, ".bench-baseline")
        zooms = []
        for _ in range(3):
            page.mouse.move(bx, by)
            page.evaluate(BASE_MARK)
            try:
                zooms.append(timed(lambda: page.mouse.wheel(0, -400),
                                   lambda: page.wait_for_function(BASE_CHANGED, polling="raf",
                                                                  timeout=cap * 1000)))
            except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the page is frozen
                result["base_zoom"] = None
                return result
            page.wait_for_timeout(300)
        result["base_zoom"] = statistics.median(zooms)
        if result["base_paint"] > 10:
            return result
        # more first paints, the baseline's first in each round (the page and kernel warmer
        # with every round: alternating keeps that from favouring either), medians reported
        paints = {"ours": [result["ours_paint"]], "base": [result["base_paint"]]}
        for _ in range(repeat - 1):
            for name, index, drawn in (("base", 2, BASE_DRAWN_AGAIN),
                                       ("ours", 1, OURS_DRAWN_AGAIN)):
                lab_page.wait_for_kernel_idle(120)
                page.wait_for_timeout(500)
                page.evaluate(MARK_OLD)
                paints[name].append(timed(lambda i=index: page.evaluate(RUN_CELL, i),
                                          lambda d=drawn: page.wait_for_function(
                                              d, polling="raf", timeout=cap * 1000)))
        result["ours_paints"], result["base_paints"] = paints["ours"], paints["base"]
        result["ours_paint"] = statistics.median(paints["ours"])
        result["base_paint"] = statistics.median(paints["base"])
        return result
    finally:
        context.close()
        lab.shutdown_kernels()


KERNEL = """\
import json, sys, time
import numpy as np, bqplot, ipywidgets
from ipywidgets.widgets import widget as W
from bqplot.interacts import PanZoom
import oda_widgets as ow
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.sandbox.simulate import make_products
from astropy.time import Time, TimeDelta

opened = []
create = W.comm.create_comm

def counted(*args, **kwargs):
    data, buffers = kwargs.get("data") or {}, kwargs.get("buffers") or []
    opened.append(len(json.dumps(data, default=str)) + sum(memoryview(b).nbytes for b in buffers))
    return create(*args, **kwargs)

W.comm.create_comm = counted
ow.LightCurveView
for seconds in json.loads(sys.argv[1]):
    t1 = Time('2008-03-01T00:00:00', scale='utc')
    t2 = (t1 + TimeDelta(seconds, format='sec')).isot
    answer = make_products('spi_acs', 'spi_acs_lc', dict(T1=t1.isot, T2=t2, time_bin=0.05,
                                                          RA=83.63, DEC=22.01), [])
    lc = decode_products(answer, product='spi_acs_lc', instrument='spi_acs').light_curves['query']
    x = np.asarray(lc.hdu.data['TIME'], dtype=float)
    y = np.asarray(lc.hdu.data['RATE'], dtype=float)
    row = {"points": len(x)}
    for name in ("ours", "base"):
        opened.clear()
        start = time.perf_counter()
        if name == "ours":
            view = ow.LightCurveView(lc)
        else:
            xs, ys = bqplot.LinearScale(), bqplot.LinearScale()
            view = bqplot.Figure(marks=[bqplot.Lines(x=x, y=y, scales={'x': xs, 'y': ys})],
                                 axes=[bqplot.Axis(scale=xs), bqplot.Axis(scale=ys, side='left')],
                                 interaction=PanZoom(scales={'x': [xs]}), animation_duration=0,
                                 layout=dict(width='100%', height='420px'))
        row[name + "_build"] = time.perf_counter() - start
        row[name + "_models"] = len(opened)
        row[name + "_state"] = sum(opened)
        view.close_all() if name == "base" else view.close()
    print(json.dumps(row), flush=True)
"""


def kernel_costs(sizes: list[int]) -> list[dict[str, Any]]:
    """Build time, widget models and bytes of state of both, in a kernel-like process."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    out = subprocess.run([sys.executable, "-c", KERNEL, str([s * 0.05 for s in sizes])],
                         capture_output=True, text=True, env=env, check=True, cwd=REPO)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def load() -> str:
    """The machine's load, next to every figure."""
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _s(value: float | None, cap: float) -> str:
    return f"> {cap:.0f} s" if value is None else f"{value:.3f} s"


def _ratio(base: float | None, ours: float | None, cap: float) -> str:
    if ours is None:
        return "-"
    if base is None:
        return f"> {cap / ours:.0f}x"
    return f"{base / ours:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+",
                        default=[1_000, 10_000, 100_000, 1_728_000])
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True,
                        help="also measure the baseline (--no-baseline: ours only)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="first paints of each (alternated) where the baseline's takes "
                             "under 10 s; the medians are reported")
    parser.add_argument("--cap", type=float, default=60.0,
                        help="seconds to wait for the baseline's first paint or zoom")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    # stopped from outside (timeout, kill): still stop JupyterLab and its kernels
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    kernel = kernel_costs(args.sizes)
    loads = [load()]
    with tempfile.TemporaryDirectory(prefix="oda-lc-bench-") as tmp:
        folder = Path(tmp)
        lab, process = start_lab(folder)
        playwright = sync_playwright().start()
        rows = []
        try:
            browser = playwright.chromium.launch(executable_path=str(H.CHROMIUM), headless=True,
                                                 args=H.CHROMIUM_FLAGS)
            for size in args.sizes:
                row = measure(browser, lab, size * 0.05, args.cap, args.baseline, args.repeat)
                rows.append(row)
                print(f"  measured {row.get('points')} points: "
                      + ", ".join(f"{k} {v:.3g}" for k, v in row.items()
                                  if isinstance(v, float | int)),
                      flush=True)
            browser.close()
            loads.append(load())
        finally:
            playwright.stop()
            lab.shutdown_kernels()
            processes.stop_process_group(process)

    cap = args.cap
    print("\nLight curves in Chromium: LightCurveView (ours) against bqplot Lines with every "
          "sample (baseline)")
    print(f"{'points':>9} | {'first paint':^30} | {'zoom (one wheel step)':^39} | "
          f"{'pan':>7} | {'bytes, first paint':^22} | {'bytes/zoom':>10}")
    print(f"{'':>9} | {'ours':>8} {'baseline':>10} {'ratio':>9} | {'ours':>8} {'baseline':>10} "
          f"{'ratio':>9} {'settled':>8} | {'ours':>7} | {'ours':>10} {'baseline':>11} | "
          f"{'ours':>10}")
    for r in rows:
        painted = r.get("base_paint") is not None
        base_zoom = _s(r.get("base_zoom"), cap) if painted else "n/a"
        zoom_ratio = _ratio(r.get("base_zoom"), r["ours_zoom"], cap) if painted else "-"
        base_bytes = f"{r['base_paint_bytes'] / 1e6:.1f}MB" if painted else "n/a"
        measured = "base_paint" in r          # --no-baseline: nothing to compare with
        print(f"{r['points']:>9,} | {_s(r['ours_paint'], cap):>8} "
              f"{_s(r.get('base_paint'), cap) if measured else 'n/a':>10} "
              f"{_ratio(r.get('base_paint'), r['ours_paint'], cap) if measured else '-':>9} | "
              f"{_s(r['ours_zoom'], cap):>8} {base_zoom:>10} {zoom_ratio:>9} "
              f"{_s(r['ours_settled'], cap):>8} | "
              f"{_s(r['ours_pan'], cap):>7} | {r['ours_paint_bytes'] / 1e3:>8.0f}kB "
              f"{base_bytes:>11} | {r['ours_zoom_bytes'] / 1e3:>8.0f}kB")
    print("first paint: run the cell -> line drawn; zoom: wheel -> the line redrawn in the page "
          "(both: the page's own redraw of what it holds); settled (ours): wheel -> the kernel's "
          "redraw (re-decimated curve, fitted rate axis, words); pan (ours): drag -> the kernel's "
          "redraw; bytes: websocket bytes received")
    print("first paints, each (s): " + "; ".join(
        f"{r['points']:,}: ours " + " ".join(f"{v:.3f}" for v in r.get("ours_paints", [])) +
        ", baseline " + " ".join(f"{v:.3f}" for v in r.get("base_paints", []))
        for r in rows if "ours_paints" in r))
    print("\nFirst paint's stages in the page (s from asking to run the cell): the view's "
          "element shown, its figure's SVG, its line drawn")
    for r in rows:
        for name in ("ours", "base"):
            stages = r.get(f"{name}_stages") or {}
            print(f"{r['points']:>9,} {name:>5}: " + ", ".join(
                f"{k} {stages[k]:.3f}" for k in ("shown", "svg", "drawn") if k in stages))
    print("\nIn the kernel: seconds to build, widget models opened, bytes of their state")
    print(f"{'points':>9} | {'build ours':>10} {'baseline':>9} | {'models ours':>11} {'baseline':>9} "
          f"| {'state ours':>10} {'baseline':>10}")
    for r in kernel:
        print(f"{r['points']:>9,} | {r['ours_build']:>9.3f}s {r['base_build']:>8.3f}s | "
              f"{r['ours_models']:>11} {r['base_models']:>9} | {r['ours_state'] / 1e3:>8.0f}kB "
              f"{r['base_state'] / 1e3:>8.0f}kB")
    print("machine: " + "; ".join(f"{when} {figure}" for when, figure in
                                  zip(("before the browser runs", "after"), loads, strict=False)))


if __name__ == "__main__":
    main()
