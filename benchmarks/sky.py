"""Benchmark: the sky view in real Chromium, offline, against ipyaladin 0.8.1's own way.

What it measures, for an ISGRI mosaic from the sandbox and its catalog grown to 300 sources:

- **bytes** that reach the browser over the kernel's websocket for the mosaic, against the size
  of the FITS data shown. oda_widgets sends the one extension shown as a FITS binary buffer (it
  should stay near 1.0x of that extension's FITS size; base64 would be 1.33x). Baseline
  ("ipyaladin add_fits"): ipyaladin's ``add_fits(hdulist)``, which sends the whole mosaic file
  (four extensions). The front end's module (Aladin Lite inside) does not travel in the widget's
  state: Jupyter serves it once per page (benchmarks/front_end_once.py measures that).
- **display to image drawn**: from the start of the cell that makes the view to the moment the
  browser has drawn the mosaic (oda_widgets: the front end's report after the next frames, by the
  browser's clock, the same machine's; baseline: ipyaladin's "FITS located" console line, seen
  by this process).
- **overlay redraw after an edit** of the 300-source catalog: from ``catalog.rename`` in the
  kernel to the browser having drawn it (the front end's report, browser clock), the front end's
  own time for the update (removeAll + addSources + one frame), and the full round trip to the
  kernel receiving the new ``drawn`` list.
  Baseline: ipyaladin's way to change a catalog, ``remove_overlay`` then ``add_table`` of the
  table, timed to the front end's "overlay added" message.

The baseline needs Aladin Lite from its CDN: only here, the CDN address is answered from the npm
package the build installed (``.cache/front-ends``), as an online user would get it; oda_widgets
is measured with every outside request aborted. Everything runs on 127.0.0.1 (sandbox in this
process, JupyterLab, Chromium through Playwright).

Run from the repository root (about two minutes)::

    .venv/bin/python benchmarks/sky.py [--edits 10]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this tree's package, whatever else is installed

from harness import browser_harness, processes, sky_page  # noqa: E402 - benchmarks/harness.py

from oda_widgets.sandbox import start_sandbox  # noqa: E402

CHROMIUM, CHROMIUM_FLAGS, LAB_TOKEN = (browser_harness.CHROMIUM, browser_harness.CHROMIUM_FLAGS,
                                       browser_harness.LAB_TOKEN)
LOOPBACK, JupyterLab, LabPage = browser_harness.LOOPBACK, browser_harness.JupyterLab, browser_harness.LabPage
free_port, write_settings = browser_harness.free_port, browser_harness.write_settings
stop_process_group = processes.stop_process_group
PRODUCTS, wait_for_image, wait_for_sources = sky_page.PRODUCTS, sky_page.wait_for_image, sky_page.wait_for_sources

ALADIN_JS = REPO / ".cache" / "front-ends" / "node_modules" / "aladin-lite" / "dist" / "aladin.js"

GROW = (
    "import time, numpy as np\n"
    "from oda_widgets.widgets.sky_payload import fits_bytes\n"
    "rng = np.random.default_rng(1)\n"
    "wcs = products.image.wcs\n"
    "ny, nx = products.image.significance.shape\n"
    "while len(catalog) < 300:\n"
    "    x, y = rng.uniform(10, nx - 10), rng.uniform(10, ny - 10)\n"
    "    where = wcs.pixel_to_world(x, y)\n"
    "    catalog.add_source(f'SRC {len(catalog):03d}', where.ra.deg, where.dec.deg)\n"
    "shown = fits_bytes(products.image.extension('SIGNIFICANCE'))\n"
    "import io\n"
    "whole = io.BytesIO(); products.image.hdulist.writeto(whole)\n"
    "print(json.dumps({'sources': len(catalog), 'extension_fits': len(shown),"
    " 'file_fits': len(whole.getvalue())}))"
)

OURS = (
    "drawn_at, image_at = [], []\n"
    "t_display = time.time()\n"
    "sky = ow.SkyView(products.image, catalog=catalog)\n"
    "sky.aladin.on_image_drawn(lambda report: image_at.append(time.time()))\n"
    "sky.observe(lambda change: drawn_at.append((time.time(), list(change['new']))), 'drawn')\n"
    "sky"
)

BASELINE = (
    "from ipyaladin import Aladin\n"
    "added_at = []\n"
    "t_display = time.time()\n"
    "view = Aladin(height=520, fov=40)\n"
    "view.add_fits(products.image.hdulist)\n"
    "def _stack(_w, message, _b):\n"
    "    if message.get('event_type') == 'stack_changed' and "
    "message['content'].get('change') == 'added':\n"
    "        added_at.append((time.time(), message['content'].get('name')))\n"
    "view.on_msg(_stack)\n"
    "view"
)


def start_jupyterlab(folder: Path, sandbox_url: str) -> JupyterLab:
    """JupyterLab on 127.0.0.1 with its own folders, as the browser harness starts it."""
    root = folder / "notebooks"
    root.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("ODA_TOKEN", "JUPYTER_TOKEN")}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "IPYTHONDIR", "HOME"):
        (folder / name).mkdir()
        env[name] = str(folder / name)
    write_settings(folder / "JUPYTERLAB_SETTINGS_DIR")
    env.update(ODA_WIDGETS_SANDBOX_URL=sandbox_url, ODA_WIDGETS_HOME=str(folder / "home"),
               PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]))
    port = free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={LAB_TOKEN}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = folder / "jupyterlab.log"
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    lab = JupyterLab(f"http://127.0.0.1:{port}", LAB_TOKEN, root, log, process)
    deadline = time.monotonic() + 90
    while True:
        try:
            lab.api("/api/status")
            return lab
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(f"JupyterLab did not start:\n{log.read_text()[-2000:]}") from None
            time.sleep(0.5)


def kernel_json(page: LabPage, expression: str) -> Any:
    return json.loads(page.run_code(f"print(json.dumps({expression}))"))


def open_page(browser: Any, lab: JupyterLab, *, answer_cdn: bool) -> tuple[LabPage, list, list]:
    """A fresh tab; websocket frames received (time, bytes) and console lines (time, text)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob") or parsed.hostname in LOOPBACK:
            request_route.continue_()
        elif answer_cdn and url.startswith("https://esm.sh/aladin-lite@"):
            request_route.fulfill(status=200, body=ALADIN_JS.read_bytes(), headers={
                "Content-Type": "application/javascript", "Access-Control-Allow-Origin": "*"})
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(180000)
    frames: list[tuple[float, int]] = []
    console: list[tuple[float, str]] = []

    def on_socket(socket: Any) -> None:
        socket.on("framereceived", lambda payload: frames.append((
            time.time(), len(payload.encode() if isinstance(payload, str) else payload))))

    page.on("websocket", on_socket)
    page.on("console", lambda message: console.append((time.time(), message.text)))
    return LabPage(page, lab), frames, console


def run_notebook(tab: LabPage, name: str, cells: list[str]) -> dict[str, Any]:
    tab.write_notebook(name, cells)
    tab.open_notebook(name, timeout=120)
    tab.run_all(timeout=300)
    return json.loads(tab.output('"sources"').text_content().strip().splitlines()[-1])


def frames_between(frames: list[tuple[float, int]], start: float, end: float) -> list[int]:
    return [size for at, size in frames if start <= at <= end + 0.5]


def measure_ours(browser: Any, lab: JupyterLab, edits: int) -> dict[str, Any]:
    tab, frames, _console = open_page(browser, lab, answer_cdn=False)
    sizes = run_notebook(tab, "bench_sky.ipynb", [PRODUCTS, GROW, OURS])
    wait_for_sources(tab.page, 300, timeout=180)
    wait_for_image(tab.page, timeout=180)
    t_display = kernel_json(tab, "t_display")
    for _ in range(100):
        image_at = kernel_json(tab, "image_at")
        if image_at:
            break
        tab.page.wait_for_timeout(100)
    received = frames_between(frames, t_display, image_at[0])
    on_screen = kernel_json(tab, "sky.aladin.image_drawn['at']") / 1000
    esm = kernel_json(tab, "len(sky.aladin._esm.encode())")
    redraws, round_trips, front = [], [], []
    for k in range(edits):
        name = f"edited {k}"
        t_edit, serial = kernel_json(
            tab, f"(lambda t: (catalog.rename(catalog.meta_ids[5], {name!r}), [t, sky._serial])"
            "[1])(time.time())")
        while True:
            seen = kernel_json(tab, f"[t for t, names in drawn_at if {name!r} in names][:1]")
            if seen:
                break
            tab.page.wait_for_timeout(20)
        report = kernel_json(tab, "sky.aladin._redraw")
        assert report["serial"] == serial, (report, serial)
        redraws.append(report["at"] / 1000 - t_edit)      # the browser's clock: same machine
        round_trips.append(seen[0] - t_edit)
        front.append(report["ms"])
    tab.screenshot("benchmark_sky")
    tab.page.context.close()
    return {"sizes": sizes, "display_to_image": on_screen - t_display, "frames": received,
            "esm": esm, "redraw": redraws, "round_trip": round_trips, "front_redraw_ms": front}


def measure_baseline(browser: Any, lab: JupyterLab, edits: int) -> dict[str, Any]:
    tab, frames, console = open_page(browser, lab, answer_cdn=True)
    sizes = run_notebook(tab, "bench_ipyaladin.ipynb", [PRODUCTS, GROW, BASELINE])
    deadline = time.monotonic() + 180
    while not any("FITS located" in text for _, text in console):
        if time.monotonic() > deadline:
            raise SystemExit("ipyaladin never drew the mosaic")
        tab.page.wait_for_timeout(50)
    located = next(at for at, text in console if "FITS located" in text)
    t_display = kernel_json(tab, "t_display")
    received = frames_between(frames, t_display, located)
    tab.run_code("view.add_table(catalog.table, name='catalog')")
    redraws = []
    for k in range(edits):
        before = len(kernel_json(tab, "added_at"))
        t_edit = kernel_json(
            tab,
            f"(lambda t: (catalog.rename(catalog.meta_ids[5], 'edited {k}'),"
            " view.remove_overlay('catalog'), view.add_table(catalog.table, name='catalog'),"
            " t)[-1])(time.time())")
        while True:
            added = kernel_json(tab, "added_at")
            if len(added) > before:
                break
            tab.page.wait_for_timeout(20)
        redraws.append(added[-1][0] - t_edit)
        tab.page.wait_for_timeout(200)  # let the remove settle: removing too soon races
    tab.page.context.close()
    return {"sizes": sizes, "display_to_image": located - t_display, "frames": received,
            "redraw": redraws}


@contextlib.contextmanager
def sandbox_lab_and_browser(duration: float, prefix: str, chromium_args: tuple[str, ...] = (),
                            ) -> Iterator[tuple[Any, JupyterLab, Any]]:
    """A sandbox, JupyterLab on a temporary folder and a headless Chromium (with
    ``chromium_args`` beside the harness's flags), all stopped after."""
    from playwright.sync_api import sync_playwright

    sandbox = start_sandbox(port=0, duration=duration)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        lab = start_jupyterlab(Path(tmp), sandbox.url)
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                                 args=[*CHROMIUM_FLAGS, *chromium_args])
            yield sandbox, lab, browser
            browser.close()
        finally:
            playwright.stop()
            lab.shutdown_kernels()
            stop_process_group(lab.process)
            sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--edits", type=int, default=10, help="catalog edits timed")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        raise SystemExit(f"no Chromium at {CHROMIUM}: run scripts/setup")
    if not ALADIN_JS.is_file():
        raise SystemExit(f"{ALADIN_JS} is missing: run scripts/setup (it builds the sky bundle)")
    with sandbox_lab_and_browser(duration=0.05, prefix="oda-sky-bench-") as (_, lab, browser):
        ours = measure_ours(browser, lab, args.edits)
        lab.shutdown_kernels()
        base = measure_baseline(browser, lab, args.edits)
    report(ours, base)


def report(ours: dict[str, Any], base: dict[str, Any]) -> None:
    ext, whole = ours["sizes"]["extension_fits"], ours["sizes"]["file_fits"]
    # the image's message is the largest frame (the front-end module is served over HTTP, not
    # in the widget's state; where it is not served, the kernel's answer carrying it is left out)
    image_ours = max(f for f in ours["frames"] if f < 2_000_000)
    image_base = max(base["frames"])
    print("Sky view: an ISGRI mosaic from the sandbox "
          f"({whole / 1e6:.2f} MB FITS, 4 extensions; the significance one {ext / 1e6:.2f} MB)"
          f", catalog of {ours['sizes']['sources']} sources\n")
    print(f"{'':44s}{'oda_widgets':>14s}{'ipyaladin add_fits':>20s}{'ratio':>8s}")
    print(f"{'largest message with the image (MB)':44s}{image_ours / 1e6:14.2f}"
          f"{image_base / 1e6:20.2f}{image_ours / image_base:8.2f}")
    print(f"{'  / FITS of the extension shown':44s}{image_ours / ext:14.2f}x"
          f"{image_base / ext:19.2f}x   (base64 would be 1.33x)")
    print(f"{'  / FITS of the whole mosaic file':44s}{image_ours / whole:14.2f}x"
          f"{image_base / whole:19.2f}x")
    print(f"{'all websocket bytes, display to drawn (MB)':44s}{sum(ours['frames']) / 1e6:14.2f}"
          f"{sum(base['frames']) / 1e6:20.2f}")
    print(f"{'  of which the loader in the state (MB)':44s}{ours['esm'] / 1e6:14.2f}"
          f"{'(CDN, 2.6 MB)':>20s}")
    print(f"{'display to image drawn (s)':44s}{ours['display_to_image']:14.2f}"
          f"{base['display_to_image']:20.2f}"
          f"{ours['display_to_image'] / base['display_to_image']:8.2f}")
    med_ours, med_base = statistics.median(ours["redraw"]), statistics.median(base["redraw"])
    print(f"{'redraw after an edit, median (ms)':44s}{1000 * med_ours:14.0f}"
          f"{1000 * med_base:20.0f}{med_ours / med_base:8.2f}")
    print(f"{'redraw after an edit, max (ms)':44s}{1000 * max(ours['redraw']):14.0f}"
          f"{1000 * max(base['redraw']):20.0f}")
    print(f"{'  front end alone, median (ms)':44s}{statistics.median(ours['front_redraw_ms']):14.1f}"
          f"{'-':>20s}")
    print(f"{'  edit to the report back in the kernel (ms)':44s}"
          f"{1000 * statistics.median(ours['round_trip']):14.0f}{'-':>20s}")
    print("\ndisplay: the cell's start to the browser drawing the image (oda_widgets: the front "
          "end's report, browser clock; baseline: ipyaladin's 'FITS located' console line).\n"
          "redraw: catalog.rename in the kernel to the browser having drawn it (oda_widgets: the "
          f"front end's report, browser clock), {len(ours['redraw'])} edits each; baseline: "
          "remove_overlay + add_table, to Aladin Lite's 'overlay added' reaching the kernel.")


if __name__ == "__main__":
    main()
