"""Benchmark: from a finished job to its views drawn in the Explorer, in real Chromium, offline,
against oda_api's matplotlib path, ``OdaImage(data).show()``, for the time to the first picture.

What it measures, for the user guide's ISGRI field (sandbox, real HTTP on 127.0.0.1):

- **oda_widgets** (JupyterLab + Chromium through Playwright, every outside request aborted): an
  ISGRI image job and a light-curve job are submitted and waited for; then ``explorer.open`` of
  both, timed from the kernel's clock at that call to the browser's clock (same machine) when
  (a) the mosaic is drawn on the sky (the sky front end's own report), (b) the catalog table shows
  its rows and (c) the light curve's line is drawn. The jobs' products were decoded when the jobs
  finished, as they are when a done event reaches the Explorer.
- **oda_api matplotlib** (baseline): oda_api 1.3.5 in its own environment asks the same sandbox
  for the same image (``get_product``), then, timed from its return (the done answer decoded):
  ``OdaImage(data).show(sliders=False)`` and the figure rendered to PNG, which is what the
  notebook's inline back end does before the picture appears.

Run from the repository root (a few minutes)::

    .venv/bin/python benchmarks/explorer.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this tree's package, whatever else is installed


import sky  # noqa: E402 - benchmarks/sky.py, for its JupyterLab, page and kernel helpers
from environments import odaapi_python  # noqa: E402

FIELD = dict(RA=255.986542, DEC=-37.844167, T1="2003-03-15T23:27:40.0",
             T2="2003-03-16T00:03:15.0", osa_version="OSA10.2", radius=15.0)

SETUP = (
    "import json, time\n"
    "import oda_widgets as ow\n"
    "explorer = ow.Explorer(url='sandbox', instrument='isgri', product='isgri_image')\n"
    f"field = {FIELD!r}\n"
    "explorer"
)
SUBMIT = (
    "image_job = explorer.dispatcher.submit('isgri', 'isgri_image', detection_threshold=5.0,\n"
    "                                       **field)\n"
    "lc_job = explorer.dispatcher.submit('isgri', 'isgri_lc', **field)\n"
    "image_job.result(timeout=300); lc_job.result(timeout=300)\n"
    "drawn_at = []\n"
    "t_open = time.time()\n"
    "image = explorer.open(image_job)\n"
    "image.sky.aladin.on_image_drawn(lambda report: drawn_at.append(report['at'] / 1000))\n"
    "curves = explorer.open(lc_job)\n"
    "print('opened')"
)

ROWS_SHOWN = """() => document.querySelectorAll('.oda-catalog-table tbody tr[role=row]').length"""
LINE_DRAWN = """() => [...document.querySelectorAll('.oda-lc-figure path.line')]
    .some(p => (p.getAttribute('d') || '').includes('L'))"""

BASELINE = """
import io, json, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from oda_api.api import DispatcherAPI
from oda_api.plot_tools import OdaImage
url, field = sys.argv[1], json.loads(sys.argv[2])
disp = DispatcherAPI(url=url)
data = disp.get_product(instrument="isgri", product="isgri_image", product_type="Real",
                        detection_threshold=5.0, **field)
t0 = time.time()
OdaImage(data).show(sliders=False)
png = io.BytesIO()
plt.gcf().savefig(png, format="png")
print(json.dumps({"picture_s": time.time() - t0, "png_bytes": len(png.getvalue())}))
"""


def measure_ours(browser: Any, lab: Any, run: int) -> dict[str, float]:
    tab, _frames, _console = sky.open_page(browser, lab, answer_cdn=False)
    name = f"bench_explorer_{run}.ipynb"
    tab.write_notebook(name, [SETUP, SUBMIT])
    tab.open_notebook(name, timeout=120)
    tab.run_all(timeout=600)
    page = tab.page
    page.wait_for_function(f"() => ({ROWS_SHOWN})() > 0", timeout=180000)
    rows_at = page.evaluate("() => Date.now()") / 1000
    # the light-curve tab is the selected one: its line is drawn when it has points
    page.wait_for_function(LINE_DRAWN, timeout=180000)
    line_at = page.evaluate("() => Date.now()") / 1000
    t_open = sky.kernel_json(tab, "t_open")
    for _ in range(600):
        drawn = sky.kernel_json(tab, "drawn_at")
        if drawn:
            break
        page.wait_for_timeout(100)
    else:
        raise SystemExit("the sky view never reported its image drawn")
    tab.page.context.close()
    lab.shutdown_kernels()
    # the table and the curve were seen by polling the page: an upper bound within ~0.1 s
    return {"image_s": drawn[0] - t_open, "catalog_s": rows_at - t_open,
            "light_curve_s": line_at - t_open}


def measure_baseline(sandbox_url: str) -> dict[str, float]:
    python = odaapi_python()
    if python is None:
        raise SystemExit("no oda_api environment: set ODA_WIDGETS_ODAAPI_PYTHON or run scripts/setup")
    done = subprocess.run([str(python), "-c", BASELINE, sandbox_url, json.dumps(FIELD)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise SystemExit(f"the oda_api baseline failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side")
    args = parser.parse_args()
    if not sky.CHROMIUM.is_file():
        raise SystemExit(f"no Chromium at {sky.CHROMIUM}: run scripts/setup")
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    with sky.sandbox_lab_and_browser(duration=0, prefix="oda-explorer-bench-") as (
            sandbox, lab, browser):
        for run in range(args.repeat):
            ours.append(measure_ours(browser, lab, run))
            base.append(measure_baseline(sandbox.url))
    report(ours, base)


def report(ours: list[dict[str, float]], base: list[dict[str, float]]) -> None:
    def median(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    picture = median(base, "picture_s")
    print(f"runs: {len(ours)} of each; medians (seconds from the finished job)")
    print(f"{'':34}{'oda_widgets':>12}{'oda_api':>10}{'ratio':>8}")
    print(f"{'first picture (mosaic drawn)':34}{median(ours, 'image_s'):12.3f}{picture:10.3f}"
          f"{median(ours, 'image_s') / picture:8.2f}")
    print(f"{'catalog table shown':34}{median(ours, 'catalog_s'):12.3f}{'-':>10}")
    print(f"{'light curve drawn':34}{median(ours, 'light_curve_s'):12.3f}{'-':>10}")
    print("ratio < 1: the Explorer shows the mosaic sooner than OdaImage(...).show() renders it")


if __name__ == "__main__":
    main()
