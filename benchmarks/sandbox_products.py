"""Time to make each sandbox product: the simulation alone, and the whole way over HTTP.

Baseline: the real dispatcher answers an INTEGRAL query in minutes to hours (OSA reduction); the
sandbox aims at well under a few seconds per product (``TARGET_S``), so that demos and classes
never wait on it.

Two figures per product and science-window count:

- **compute**: ``make_products`` alone, in this process (best of 3, after one warm-up that builds
  the cached responses), and the size of the encoded JSON;
- **HTTP**: what a user of the client waits for, with jobs taking no simulated analysis time
  (``duration=0``): ``Dispatcher.submit`` against an in-process sandbox over real sockets until
  the job is ``done`` (submit, polls, the ``done`` answer with its products and their decoding
  into astropy objects, which the client does before it calls a job done). Each run uses a new
  sandbox, so nothing is
  served from a previous run's cache (best of ``--repeats``). It is measured with the client's
  default poll interval (1 s, what users get) and with a 0.1 s one (the protocol's own cost).

Run from the repository root: ``.venv/bin/python benchmarks/sandbox_products.py``
(``--repeats 1`` for a quicker pass, ``--only http`` or ``--only compute``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

from oda_widgets.sandbox import start_sandbox
from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.pointings import science_windows

TARGET_S = 3.0
#: The field around OAO 1657-415 during the March 2003 Galactic-plane scan: 50+ windows.
FIELD = dict(RA=255.98, DEC=-37.84, T1="2003-03-05T00:00:00", T2="2003-03-21T00:00:00",
             radius=15.0, src_name="OAO 1657-415")
BANDS = {"isgri": (25.0, 80.0), "jemx": (3.0, 20.0)}
POINTED = [("isgri", "isgri_image"), ("isgri", "isgri_spectrum"), ("isgri", "isgri_lc"),
           ("jemx", "jemx_image"), ("jemx", "jemx_spectrum"), ("jemx", "jemx_lc")]
#: SPI-ACS: (hours from 2008-03-01T00:00:00, time bin in s).
SPI_ACS = [(1, 0.05), (24, 1.0)]


def pointed_query(instrument: str, product: str, windows: int) -> dict[str, Any]:
    """The parameters a user sends for ``product`` over ``FIELD`` with at most ``windows``."""
    e1, e2 = BANDS[instrument]
    query = {**FIELD, "E1_keV": e1, "E2_keV": e2, "max_pointings": windows}
    if product.endswith("_image"):
        query["detection_threshold"] = 7.0
    if product.endswith("_lc"):
        query["time_bin"] = 1000.0
    if instrument == "jemx":
        query["jemx_num"] = 2
    return query


def spi_acs_query(hours: int, time_bin: float) -> dict[str, Any]:
    stop = f"2008-03-{1 + hours // 24:02d}T{hours % 24:02d}:00:00"
    return dict(T1="2008-03-01T00:00:00", T2=stop, time_bin=time_bin)


def cases() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(label, instrument, product, query) of every measurement, in print order."""
    out = []
    for windows in (10, 50):
        for instrument, product in POINTED:
            out.append((f"{windows} scw", instrument, product,
                        pointed_query(instrument, product, windows)))
    for hours, time_bin in SPI_ACS:
        out.append((f"{hours}h/{time_bin:g}s", "spi_acs", "spi_acs_lc",
                    spi_acs_query(hours, time_bin)))
    return out


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


# -- compute only ------------------------------------------------------------------------------

def compute_once(instrument: str, product: str, query: dict[str, Any]) -> tuple[int, Callable]:
    """(windows, a function making the product) as the sandbox would for ``query``."""
    scws = []
    if instrument != "spi_acs":
        scws = science_windows(query["T1"], query["T2"], query["RA"], query["DEC"],
                               query["radius"], query["max_pointings"], None)
    params = {"selected_catalog": None, "catalog_selected_objects": None, **query}
    return len(scws), lambda: make_products(instrument, product, params, scws)


def measure_compute(instrument: str, product: str, query: dict[str, Any],
                    repeats: int) -> tuple[int, float, float]:
    windows, make = compute_once(instrument, product, query)
    make()  # warm-up: cached responses and sky
    seconds, out = best_of(make, repeats)
    return windows, seconds, len(json.dumps(out)) / 1e6


# -- over HTTP ---------------------------------------------------------------------------------

def http_once(instrument: str, product: str, query: dict[str, Any],
              poll_interval: float) -> float:
    """Seconds from submit to done (products decoded) for one job on a new sandbox."""
    from oda_widgets.client import Dispatcher, JobStatus

    with start_sandbox(port=0, duration=0) as sandbox:
        disp = Dispatcher(sandbox.url, token="", registry=False, poll_interval=poll_interval)
        disp.describe(instrument)  # the form's description is fetched once, before any job
        start = time.perf_counter()
        job = disp.submit(instrument, product, **query)
        status = job.wait(timeout=600)
        seconds = time.perf_counter() - start
        if status is not JobStatus.DONE:
            raise RuntimeError(f"{product} ended {status.value}: {job.error}")
        job.result(timeout=0)  # the products are there, already decoded
        return seconds


def measure_http(instrument: str, product: str, query: dict[str, Any], poll_interval: float,
                 repeats: int) -> float:
    return min(http_once(instrument, product, query, poll_interval) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=["compute", "http"], default=None)
    args = parser.parse_args()
    compute = args.only in (None, "compute")
    http = args.only in (None, "http")

    print(f"target: {TARGET_S:g} s per product; HTTP = submit -> done and decoded, over sockets "
          f"(duration=0); best of {args.repeats}")
    print(f"{'product':<16}{'case':>10}{'windows':>8}{'compute s':>10}{'MB JSON':>9}"
          f"{'HTTP s':>9}{'HTTP s':>9}{'x target':>9}")
    print(f"{'':<16}{'':>10}{'':>8}{'':>10}{'':>9}{'poll 1 s':>9}{'poll .1':>9}"
          f"{'(poll 1)':>9}")
    for label, instrument, product, query in cases():
        windows, seconds, size = (measure_compute(instrument, product, query, args.repeats)
                                  if compute else (compute_once(instrument, product, query)[0],
                                                   float("nan"), float("nan")))
        to_done = to_done_fast = float("nan")
        if http:
            to_done = measure_http(instrument, product, query, 1.0, args.repeats)
            to_done_fast = measure_http(instrument, product, query, 0.1, args.repeats)
        print(f"{product:<16}{label:>10}{windows if windows else '-':>8}{seconds:>10.3f}"
              f"{size:>9.1f}{to_done:>9.2f}{to_done_fast:>9.2f}{to_done / TARGET_S:>9.2f}",
              flush=True)


if __name__ == "__main__":
    main()
