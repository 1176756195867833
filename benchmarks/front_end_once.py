"""Benchmark: front-end code sent once per page and cached, against the sky bundle in each
view's widget state.

For 1 and 5 sky views of an ISGRI mosaic in one JupyterLab page (what an Explorer with 1 or 5
image tabs holds), in real Chromium:

- **ws MB**: bytes the page received over the kernel's websocket from the cell's start to the
  last view's image drawn (widget states, the images, the loader's request answered if any);
- **http MB**: bytes of the served front-end modules that crossed the network (the browser's
  cache answers a reload with none);
- **to pixels s**: from the start of the cell that makes the views to the last view's mosaic
  drawn on its canvas (the front end's report, by the browser's clock on the same machine).

Each is measured on a fresh page (empty browser cache) and again after a reload (warm cache).
Baseline ("inline"): the way before, each view's ``_esm`` being the bundle's text (2.8 MB), so
each view carries it in its state. Ours ("served"): ``_esm`` is the loader, the module comes from
Jupyter's labextensions route (``scripts/serve_front_ends.py`` must have installed it).

Offline without request interception (Playwright's routing turns the HTTP cache off): Chromium
resolves no name but 127.0.0.1 (``--host-resolver-rules``).

Run from the repository root (about three minutes)::

    .venv/bin/python benchmarks/front_end_once.py [--views 1 5]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this tree's package, whatever else is installed

import sky as sky_bench  # noqa: E402 - benchmarks/sky.py, for its JupyterLab start-up and page helpers
from harness import sky_page  # noqa: E402 - benchmarks/harness.py, beside this script

PRODUCTS = sky_page.PRODUCTS

from oda_widgets.widgets.front_ends import served_files  # noqa: E402

OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

# the way before: the bundle's text as each view's _esm (what SkyAladin.__init__ set)
INLINE = (
    "from oda_widgets.widgets import sky_aladin, front_ends\n"
    "_bundle = front_ends.served_file('sky_aladin').path.read_text(encoding='utf-8')\n"
    "sky_aladin.loader_module = lambda name: _bundle\n"
)


def views_cell(count: int) -> str:
    return (
        "import time\n"
        "drawn_at = {}\n"
        "t_display = time.time()\n"
        f"views = [ow.SkyView(products.image, catalog=catalog, height=260) for _ in range({count})]\n"
        "for k, v in enumerate(views):\n"
        "    v.aladin.on_image_drawn(lambda report, k=k: drawn_at.setdefault(k, report['at']))\n"
        "display(*views)"
    )


def served_sizes() -> dict[str, int]:
    return {s.file_name: s.path.stat().st_size for s in served_files()}


class Network:
    """What crossed the network, from Chrome's own accounting (DevTools protocol)."""

    def __init__(self, page: Any) -> None:
        self.urls: dict[str, str] = {}
        self.loaded: list[tuple[str, int]] = []
        self.frames: list[tuple[float, int]] = []
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent",
               lambda e: self.urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: self.loaded.append(
            (self.urls.get(e["requestId"], ""), int(e.get("encodedDataLength", 0)))))
        page.on("websocket", lambda socket: socket.on("framereceived", lambda payload: (
            self.frames.append((time.time(), len(payload.encode() if isinstance(payload, str)
                                                  else payload))))))

    def module_bytes(self) -> int:
        return sum(size for url, size in self.loaded if "/oda_widgets/static/" in url)

    def reset(self) -> None:
        self.loaded.clear()
        self.frames.clear()


def run_once(tab: Any, network: Network, count: int) -> dict[str, float]:
    network.reset()
    tab.run_all(timeout=300)
    deadline = time.monotonic() + 180
    while True:
        drawn = json.loads(tab.run_code("print(json.dumps(drawn_at))"))
        if len(drawn) == count:
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(drawn)} of {count} views drew their image")
        tab.page.wait_for_timeout(100)
    t_display = json.loads(tab.run_code("print(json.dumps(t_display))"))
    last = max(drawn.values()) / 1000
    ws = sum(size for at, size in network.frames if t_display <= at <= last + 0.5)
    return {"ws": ws, "http": network.module_bytes(), "seconds": last - t_display}


def measure(browser: Any, lab: Any, way: str, count: int) -> dict[str, dict[str, float]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(180000)
    tab = sky_bench.LabPage(page, lab)
    network = Network(page)
    name = f"bench_{way}_{count}.ipynb"
    cells = [PRODUCTS, *([INLINE] if way == "inline" else []), views_cell(count)]
    tab.write_notebook(name, cells)
    tab.open_notebook(name, timeout=120)
    cold = run_once(tab, network, count)
    tab.page.reload()
    tab.page.locator(".jp-NotebookPanel").first.wait_for()
    tab.wait_for_kernel_idle(120)
    warm = run_once(tab, network, count)
    tab.screenshot(f"benchmark_front_end_{way}_{count}")
    context.close()
    lab.shutdown_kernels()
    return {"cold": cold, "warm": warm}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--views", type=int, nargs="+", default=[1, 5])
    args = parser.parse_args()

    sizes = served_sizes()
    if not any(n.startswith("sky_aladin.") for n in sizes):
        raise SystemExit("the sky bundle is not built: run scripts/setup")
    prefix_folder = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "oda_widgets"
    missing = [n for n in sizes if not (prefix_folder / "static" / n).is_file()]
    if missing:
        raise SystemExit(f"{missing} not served from {prefix_folder}: run "
                         "python scripts/serve_front_ends.py (scripts/setup does)")
    results: dict[tuple[str, int], Any] = {}
    with sky_bench.sandbox_lab_and_browser(0.05, "oda-front-end-bench-", (OFFLINE,)) as (
            _sandbox, lab, browser):
        for count in args.views:
            for way in ("inline", "served"):
                results[(way, count)] = measure(browser, lab, way, count)
    report(results, args.views)


def report(results: dict[tuple[str, int], Any], counts: list[int]) -> None:
    load = os.getloadavg()
    print(f"Front-end code: inline in each view's state (before) against served once per page "
          f"(after); {os.cpu_count()} cores, load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}\n")
    head = (f"{'views':>5s} {'page':>5s} {'figure':>13s} {'inline':>9s} {'served':>9s} "
            f"{'ratio':>7s}")
    print(head)
    print("-" * len(head))
    for count in counts:
        for page in ("cold", "warm"):
            before, after = results[("inline", count)][page], results[("served", count)][page]
            rows = [("ws MB", before["ws"] / 1e6, after["ws"] / 1e6),
                    ("http MB", before["http"] / 1e6, after["http"] / 1e6),
                    ("total MB", (before["ws"] + before["http"]) / 1e6,
                     (after["ws"] + after["http"]) / 1e6),
                    ("to pixels s", before["seconds"], after["seconds"])]
            for label, b, a in rows:
                ratio = f"{a / b:7.2f}" if b else f"{'-':>7s}"
                print(f"{count:5d} {page:>5s} {label:>13s} {b:9.3f} {a:9.3f} {ratio}")
    print("\nws: websocket bytes received from the cell's start to the last image drawn "
          "(the images themselves: 0.5 MB a view in both ways); http: served modules over the "
          "network; cold: a fresh page, warm: after a reload; ratio: served / inline.")


if __name__ == "__main__":
    main()
