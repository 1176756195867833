"""A 100,000-row TableView in Chromium: time to rows on screen, bytes sent, bytes while scrolling.

The table has four columns (index, energy with a unit, flux, a name), built in the kernel. In real
JupyterLab and Chromium (started as the browser tests start them, network confined to loopback):

- on screen: from asking JupyterLab to run the cell that shows the view to its first rows drawn
  with their text; the websocket bytes the page received meanwhile;
- scrolling: the scroll area is moved to 20 places spread over the whole table, then 30 wheel
  steps downwards from the middle, each time until the rows at that place are drawn; the
  websocket bytes the page received for all of it;
- all rows: the JSON of every row's cells as the view formats them, what a table widget that
  syncs its rows whole would send (the baseline for both byte figures).
Goal (issue 20): on screen in under a second, scrolling without the kernel sending all rows.

Run from the repository root (a minute or two)::

    PYTHONPATH=$PWD .venv/bin/python benchmarks/table_view.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import browser_harness as H  # the browser tests' JupyterLab and Chromium
from harness import processes  # benchmarks/harness.py, beside this script
from light_curve import RUN_CELL, Bytes, start_lab  # benchmarks/light_curve.py: lab and bytes

PREPARE = """\
import json
import numpy as np
from astropy.table import Table
import oda_widgets as ow
n = {rows}
rng = np.random.default_rng(1)
big = Table({{'index': np.arange(n), 'energy': np.linspace(1, 100, n),
             'flux': rng.lognormal(size=n), 'name': [f'src {{i}}' for i in range(n)]}})
big['energy'].unit = 'GeV'
ow.TableView   # the widget's module imported beforehand, as the data is built
print('READY', n)
"""
SHOW = "view = ow.TableView(big)\nview"
ALL_ROWS = "print('ALL', len(json.dumps(view.rows(0, n)).encode()))"

DRAWN = """() => {
    const rows = document.querySelectorAll('.oda-table-view tbody tr[role=row]');
    return rows.length > 0 && !document.querySelector('.oda-table-view tr.oda-tv-waiting')
        && rows[0].textContent.includes('src 0');
}"""
SETTLED = """() => {
    const rows = document.querySelectorAll('.oda-table-view tbody tr[role=row]');
    return rows.length > 0 && !document.querySelector('.oda-table-view tr.oda-tv-waiting');
}"""
SCROLL_TO = """(fraction) => {
    const s = document.querySelector('.oda-table-view .oda-tv-scroller');
    s.scrollTop = fraction * (s.scrollHeight - s.clientHeight);
}"""


def measure(browser: Any, lab: Any, rows: int) -> dict[str, Any]:
    name = "bench_table_view.ipynb"
    H.write_notebook(lab.root / name, [PREPARE.format(rows=rows), SHOW])
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route("**/*", H._route([]))
    page = context.new_page()
    page.set_default_timeout(300_000)
    bytes_in = Bytes(page)
    lab_page = H.LabPage(page, lab)
    result: dict[str, Any] = {}
    try:
        lab_page.open_notebook(name, timeout=120)
        page.evaluate(RUN_CELL, 0)
        page.locator(".jp-OutputArea-output", has_text="READY").first.wait_for(timeout=300_000)
        lab_page.wait_for_kernel_idle(300)
        page.wait_for_timeout(500)
        before = bytes_in.total
        start = time.perf_counter()
        page.evaluate(RUN_CELL, 1)
        page.wait_for_function(DRAWN, polling="raf")
        result["on_screen_s"] = time.perf_counter() - start
        lab_page.wait_for_kernel_idle(120)
        page.wait_for_timeout(500)
        result["on_screen_bytes"] = bytes_in.total - before

        before = bytes_in.total
        start = time.perf_counter()
        for k in range(1, 21):
            page.evaluate(SCROLL_TO, k / 20)
            page.wait_for_timeout(50)
            page.wait_for_function(SETTLED, polling="raf")
        page.evaluate(SCROLL_TO, 0.5)
        page.wait_for_function(SETTLED, polling="raf")
        box = page.locator(".oda-table-view .oda-tv-scroller").bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for _ in range(30):
            page.mouse.wheel(0, 400)
            page.wait_for_timeout(30)
            page.wait_for_function(SETTLED, polling="raf")
        result["scroll_s"] = time.perf_counter() - start
        page.wait_for_timeout(500)
        result["scroll_bytes"] = bytes_in.total - before
        out = lab_page.run_code(ALL_ROWS, timeout=300)
        result["all_rows_bytes"] = int(out.split("ALL")[-1].split()[0])
        return result
    finally:
        context.close()
        lab.shutdown_kernels()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="oda-table-bench-") as tmp:
        lab, process = start_lab(Path(tmp))
        playwright = sync_playwright().start()
        try:
            browser = playwright.chromium.launch(executable_path=str(H.CHROMIUM), headless=True,
                                                 args=H.CHROMIUM_FLAGS)
            r = measure(browser, lab, args.rows)
            browser.close()
        finally:
            playwright.stop()
            lab.shutdown_kernels()
            processes.stop_process_group(process)
    everything = r["all_rows_bytes"]
    print(f"TableView of {args.rows:,} rows x 4 columns in Chromium "
          "(baseline for bytes: every row's cells as JSON, what syncing the rows whole sends)")
    print(f"{'':<34}{'ours':>12}{'baseline':>14}{'ratio':>9}")
    print(f"{'rows on screen (s), goal < 1 s':<34}{r['on_screen_s']:>12.2f}{1.0:>14.2f}"
          f"{1.0 / r['on_screen_s']:>8.1f}x")
    print(f"{'bytes to the first screen':<34}{r['on_screen_bytes'] / 1e3:>10.0f}kB"
          f"{everything / 1e3:>12.0f}kB{everything / r['on_screen_bytes']:>8.0f}x")
    print(f"{'bytes while scrolling (50 moves)':<34}{r['scroll_bytes'] / 1e3:>10.0f}kB"
          f"{everything / 1e3:>12.0f}kB{everything / r['scroll_bytes']:>8.0f}x")
    print(f"scrolling took {r['scroll_s']:.1f} s for 20 jumps over the table and 30 wheel steps, "
          "each waited until its rows were drawn")


if __name__ == "__main__":
    main()
