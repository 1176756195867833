"""Memory of a kernel with ten open Explorer tabs, and what closing them gives back.

Ten finished jobs, each opened in an Explorer tab: five ISGRI images (sky view and catalog table),
one SPI-ACS light curve of a day at 50 ms (1.728 million samples) and four ISGRI spectra, all
made by the sandbox's simulation in the process (no HTTP) and kept as the jobs' products, as the
monitor keeps them. Figures: the process's resident memory (``VmRSS``) with the jobs only, with
the ten tabs open, and after every tab is closed and the garbage collector has run (glibc is
asked to hand freed heap back, ``malloc_trim``, in both runs alike); and how many of the ten
views are still alive after closing (weak references). The jobs and their products stay, so what
closing can give back is what the views themselves hold.

Baseline: the same measurement on another tree (``--baseline DIR``, e.g. ``main`` unpacked with
``git archive``), each tree in a process of its own.

Run from the repository root::

    mkdir -p /tmp/baseline && git archive main | tar -x -C /tmp/baseline
    .venv/bin/python benchmarks/tab_memory.py --baseline /tmp/baseline
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import subprocess
import sys
import time
import weakref
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIELD = dict(RA=255.98, DEC=-37.84, T1="2003-03-15T00:00:00", T2="2003-03-16T00:00:00",
             E1_keV=25.0, E2_keV=40.0, detection_threshold=7.0, selected_catalog=None,
             catalog_selected_objects=None, src_name="4U 1700-377")
SPI_ACS = dict(T1="2008-03-01T00:00:00", T2="2008-03-02T00:00:00", time_bin=0.05, RA=83.63,
               DEC=22.01)
TABS = [("isgri", "isgri_image")] * 5 + [("spi_acs", "spi_acs_lc")] + \
    [("isgri", "isgri_spectrum")] * 4


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def settle() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc: the figure is what the allocator kept
        pass


def measure(tree: Path) -> dict[str, Any]:
    """The figures of ``tree``'s package (run in a process of its own)."""
    sys.path.insert(0, str(tree))
    sys.path.insert(1, str(REPO / "benchmarks"))
    from harness import saved_descriptions

    import oda_widgets as ow
    from oda_widgets.client.jobs import Job
    from oda_widgets.client.products.product_set import decode_products
    from oda_widgets.sandbox.simulate import make_products
    from oda_widgets.sandbox.simulate.pointings import science_windows

    scws = science_windows(FIELD["T1"], FIELD["T2"], FIELD["RA"], FIELD["DEC"], 15.0, 50, None)
    jobs = []
    for index, (instrument, product) in enumerate(TABS):
        params = dict(SPI_ACS) if instrument == "spi_acs" else dict(FIELD)
        answer = make_products(instrument, product, params,
                               [] if instrument == "spi_acs" else list(scws))
        answer["analysis_parameters"] = dict(params)
        products = decode_products(answer, product=product, instrument=instrument)
        now = time.time()
        jobs.append(Job.restored(instrument, product, "Real", params,
                                 url="http://127.0.0.1:9/dispatch-data", session_id="memory",
                                 job_id=f"tab-{index}", submitted_at=now, finished_at=now,
                                 products=products))
    explorer = ow.Explorer(dispatcher=saved_descriptions.SavedDispatcher(
        saved_descriptions.sandbox_documents()), instrument="isgri", product="isgri_image")
    samples = len(jobs[5].result().light_curves["query"].hdu.data)
    # the views' modules (bqplot, ipyaladin, ...) imported before the first reading: what the
    # tabs hold, not what importing costs once
    for name in ("SkyView", "CatalogTable", "LightCurveView", "SpectrumView", "TableView",
                 "PictureView"):
        getattr(ow, name)
    settle()
    jobs_only = rss_mb()
    started = time.perf_counter()
    views = [weakref.ref(explorer.open(job)) for job in jobs]
    open_s = time.perf_counter() - started
    settle()
    with_tabs = rss_mb()
    alive_open = sum(ref() is not None for ref in views)
    started = time.perf_counter()
    for job in jobs:
        explorer.close_tab(job)
    close_s = time.perf_counter() - started
    settle()
    closed = rss_mb()
    return {"jobs_only": jobs_only, "with_tabs": with_tabs, "closed": closed,
            "alive_open": alive_open, "alive_closed": sum(ref() is not None for ref in views),
            "open_s": open_s, "close_s": close_s, "samples": samples,
            "jobs_kept": len(explorer.monitor.jobs)}


def run(tree: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--measure", str(tree)], cwd=REPO,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another tree to measure the same way")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure.resolve())))
        return
    results = {"ours": run(REPO)}
    if args.baseline is not None:
        results["baseline"] = run(args.baseline.resolve())
    ours = results["ours"]
    print(f"A kernel with ten Explorer tabs (5 ISGRI images, a {ours['samples']:,}-sample SPI-ACS "
          "light curve, 4 ISGRI spectra); jobs and products kept; RSS in MB")
    names = list(results)
    print(f"{'':<34}" + "".join(f"{n:>12}" for n in names))
    rows = [("RSS, jobs only", "jobs_only", "{:.0f}"), ("RSS, ten tabs open", "with_tabs", "{:.0f}"),
            ("RSS, all ten closed", "closed", "{:.0f}"), ("views alive while open", "alive_open", "{}"),
            ("views alive after closing", "alive_closed", "{}"),
            ("seconds to open the ten", "open_s", "{:.2f}"),
            ("seconds to close the ten", "close_s", "{:.2f}")]
    for label, key, form in rows:
        print(f"{label:<34}" + "".join(f"{form.format(results[n][key]):>12}" for n in names))
    for name in names:
        r = results[name]
        held = r["with_tabs"] - r["jobs_only"]
        freed = r["with_tabs"] - r["closed"]
        print(f"{name}: the tabs held {held:.0f} MB; closing gave back {freed:.0f} MB "
              f"({freed / held:.0%}); {r['alive_closed']} of 10 views still alive")
    if "baseline" in results:
        base = results["baseline"]
        print(f"RSS after closing, baseline / ours: {base['closed'] / ours['closed']:.2f}x; "
              f"given back: ours {ours['with_tabs'] - ours['closed']:.0f} MB, baseline "
              f"{base['with_tabs'] - base['closed']:.0f} MB")


if __name__ == "__main__":
    main()
