"""Benchmark: the first picture of a finished job, on screen in Chromium, the Explorer against
oda_api's matplotlib path (``OdaImage(data).show()`` shown inline in a notebook).

Both paths are timed from the same start, the job's products decoded in the kernel (a done
event reaching the Explorer), to the same point: the picture's pixels on screen in the page.

- **oda_widgets** (JupyterLab + Chromium through Playwright, every outside request aborted): an
  ISGRI image job and a light-curve job are submitted and waited for in a notebook that shows an
  Explorer. Then ``explorer.open(image_job)``, timed from the kernel's clock at that call to the
  browser's clock (same machine) at the first frame in which (a) the sky view's canvas holds the
  mosaic and is visible (the first picture), (b) the catalog table shows its rows. Then
  ``explorer.open(lc_job)``, timed from its own call to (c) the light curve's line visible.
- **oda_api matplotlib** (baseline): oda_api 1.3.5 in its own environment asks the same sandbox
  for the same image (``get_product``); timed from its return: ``OdaImage(data).show()`` and the
  figure rendered to PNG as the notebook's inline back end renders it (``bbox_inches="tight"``).
  That PNG is then shown in a notebook cell of the same JupyterLab (``display(Image(png))``, the
  output the inline back end sends), timed from the kernel's call to the first frame in which the
  browser shows it decoded and visible. The baseline's figure is the sum of both parts.

The page watches every frame (``requestAnimationFrame``) for each of these conditions and keeps
the first moment it holds, so every figure is read the same way. Each run uses a fresh kernel
and a fresh browser context (nothing cached: the sky's front-end module is fetched once per page,
as on a first visit).

Run from the repository root (a few minutes)::

    .venv/bin/python benchmarks/explorer.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
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
    "image_job = explorer.dispatcher.submit('isgri', 'isgri_image', detection_threshold=5.0,\n"
    "                                       **field)\n"
    "lc_job = explorer.dispatcher.submit('isgri', 'isgri_lc', **field)\n"
    "image_job.result(timeout=300); lc_job.result(timeout=300)\n"
    "explorer"
)
OPEN_IMAGE = "t_open = time.time(); image = explorer.open(image_job)"
OPEN_CURVE = "t_curve = time.time(); curves = explorer.open(lc_job)"

# The first frame in which each thing is visible (laid out, not in a folded tab), by the
# browser's clock; kept on window.__firstPicture.
WATCH = """() => {
    const seen = window.__firstPicture = {};
    const mark = (key) => { if (!(key in seen)) seen[key] = Date.now(); };
    const visible = (node) => {
        if (!node) return false;
        const box = node.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(node).visibility === 'visible';
    };
    const tick = () => {
        const host = document.querySelector('.oda-sky-host');
        if (host && host.odaSky && host.odaSky.imageShown && visible(host)) mark('sky');
        const row = document.querySelector('.oda-catalog-table tbody tr[role=row]');
        if (visible(row)) mark('catalog');
        const line = [...document.querySelectorAll('.oda-lc-figure path.line')]
            .find(p => (p.getAttribute('d') || '').includes('L') && visible(p));
        if (line) mark('light_curve');
        const png = [...document.querySelectorAll('.jp-OutputArea-output img')]
            .find(i => i.complete && i.naturalWidth > 0 && visible(i));
        if (png) mark('png');
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""

BASELINE = """
import io, json, sys, time
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from oda_api.api import DispatcherAPI
from oda_api.plot_tools import OdaImage
url, field, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
disp = DispatcherAPI(url=url)
data = disp.get_product(instrument="isgri", product="isgri_image", product_type="Real",
                        detection_threshold=5.0, **field)
t0 = time.time()
OdaImage(data).show(sliders=False)
png = io.BytesIO()
# what matplotlib's inline back end does to each figure at the cell's end
fig = plt.gcf()
fig.canvas.print_figure(png, format="png", bbox_inches="tight", dpi=fig.dpi)
picture_s = time.time() - t0
with open(out, "wb") as f:
    f.write(png.getvalue())
print(json.dumps({"picture_s": picture_s, "png_bytes": len(png.getvalue())}))
"""

SHOW_PNG = (
    "import json, time\n"
    "from IPython.display import Image, display\n"
    "png = open({path!r}, 'rb').read()\n"
    "t_show = time.time()\n"
    "display(Image(png))"
)


def _first(tab: Any, key: str, timeout_s: float = 180) -> float:
    """The browser's moment (epoch seconds) of the first frame showing ``key``."""
    tab.page.wait_for_function(f"() => window.__firstPicture && '{key}' in window.__firstPicture",
                               timeout=timeout_s * 1000)
    return tab.page.evaluate(f"() => window.__firstPicture['{key}']") / 1000


def measure_ours(browser: Any, lab: Any, run: int) -> dict[str, float]:
    tab, _frames, _console = sky.open_page(browser, lab, answer_cdn=False)
    name = f"bench_explorer_{run}.ipynb"
    tab.write_notebook(name, [SETUP])
    tab.open_notebook(name, timeout=120)
    tab.run_all(timeout=600)
    tab.page.evaluate(WATCH)
    tab.run_code(OPEN_IMAGE)
    sky_at, rows_at = _first(tab, "sky"), _first(tab, "catalog")
    t_open = sky.kernel_json(tab, "t_open")
    tab.run_code(OPEN_CURVE)
    line_at = _first(tab, "light_curve")
    t_curve = sky.kernel_json(tab, "t_curve")
    tab.page.context.close()
    lab.shutdown_kernels()
    return {"image_s": sky_at - t_open, "catalog_s": rows_at - t_open,
            "light_curve_s": line_at - t_curve}


def measure_baseline(browser: Any, lab: Any, sandbox_url: str, run: int) -> dict[str, float]:
    python = odaapi_python()
    if python is None:
        raise SystemExit("no oda_api environment: set ODA_WIDGETS_ODAAPI_PYTHON or run scripts/setup")
    with tempfile.TemporaryDirectory(prefix="oda-explorer-bench-png-") as folder:
        path = os.path.join(folder, "picture.png")
        done = subprocess.run([str(python), "-c", BASELINE, sandbox_url, json.dumps(FIELD), path],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise SystemExit(f"the oda_api baseline failed:\n{done.stderr[-3000:]}")
        rendered = json.loads(done.stdout.strip().splitlines()[-1])
        tab, _frames, _console = sky.open_page(browser, lab, answer_cdn=False)
        name = f"bench_inline_png_{run}.ipynb"
        tab.write_notebook(name, [SHOW_PNG.format(path=path)])
        tab.open_notebook(name, timeout=120)
        tab.page.evaluate(WATCH)
        tab.run_all(timeout=120)
        shown_at = _first(tab, "png")
        t_show = sky.kernel_json(tab, "t_show")
        tab.page.context.close()
        lab.shutdown_kernels()
    return {"render_s": rendered["picture_s"], "display_s": shown_at - t_show,
            "picture_s": rendered["picture_s"] + shown_at - t_show,
            "png_bytes": rendered["png_bytes"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side")
    args = parser.parse_args()
    if not sky.CHROMIUM.is_file():
        raise SystemExit(f"no Chromium at {sky.CHROMIUM}: run scripts/setup")
    ours: list[dict[str, float]] = []
    base: list[dict[str, float]] = []
    load_before = os.getloadavg()
    with sky.sandbox_lab_and_browser(duration=0, prefix="oda-explorer-bench-") as (
            sandbox, lab, browser):
        for run in range(args.repeat):
            ours.append(measure_ours(browser, lab, run))
            base.append(measure_baseline(browser, lab, sandbox.url, run))
    report(ours, base, load_before, os.getloadavg())


def report(ours: list[dict[str, float]], base: list[dict[str, float]],
           load_before: tuple[float, ...], load_after: tuple[float, ...]) -> None:
    def median(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    picture, image = median(base, "picture_s"), median(ours, "image_s")
    print(f"machine: {os.cpu_count()} cores; load average (1, 5, 15 min) before "
          f"{', '.join(f'{v:.2f}' for v in load_before)}, after "
          f"{', '.join(f'{v:.2f}' for v in load_after)}")
    print(f"runs: {len(ours)} of each; medians, seconds from the products in the kernel to the "
          "pixels on screen in Chromium")
    print(f"{'':40}{'oda_widgets':>12}{'oda_api':>10}{'ratio':>8}")
    print(f"{'first picture on screen':40}{image:12.3f}{picture:10.3f}{image / picture:8.2f}")
    print(f"{'  oda_api: figure rendered to PNG':40}{'':12}{median(base, 'render_s'):10.3f}")
    print(f"{'  oda_api: PNG shown in the notebook':40}{'':12}{median(base, 'display_s'):10.3f}")
    print(f"{'catalog table on screen':40}{median(ours, 'catalog_s'):12.3f}{'-':>10}")
    print(f"{'  after the first picture':40}{median(ours, 'catalog_s') - image:12.3f}")
    print(f"{'light curve on screen (its own open)':40}{median(ours, 'light_curve_s'):12.3f}"
          f"{'-':>10}")
    print(f"{'  after the first picture':40}{median(ours, 'light_curve_s') - image:12.3f}")
    print("each run, oda_widgets (picture, catalog, light curve) | oda_api (render + display):")
    for mine, theirs in zip(ours, base, strict=True):
        print(f"  {mine['image_s']:.3f} {mine['catalog_s']:.3f} {mine['light_curve_s']:.3f} | "
              f"{theirs['render_s']:.3f} + {theirs['display_s']:.3f} = {theirs['picture_s']:.3f}")
    print("ratio < 1: the Explorer shows the mosaic sooner than the notebook shows "
          "OdaImage(...).show()'s figure")


if __name__ == "__main__":
    main()
