"""Time to simulate each sandbox product for 10 and 50 science windows.

Baseline: the real dispatcher answers an INTEGRAL query in minutes to hours (OSA reduction); the
sandbox aims at well under a few seconds per product. Prints one line per product and window
count: seconds (best of 3, after one warm-up that builds the cached responses) and size of the
encoded JSON. Run: ``python benchmarks/sandbox_products.py``.
"""

from __future__ import annotations

import json
import time

from oda_widgets.sandbox.pointings import science_windows
from oda_widgets.sandbox.simulate import make_products

TARGET_S = 3.0
PARAMS = dict(RA=255.98, DEC=-37.84, T1="2003-03-05T00:00:00", T2="2003-03-21T00:00:00",
              detection_threshold=7.0, time_bin=1000.0, selected_catalog=None,
              catalog_selected_objects=None, src_name="OAO 1657-415", jemx_num=2)
BANDS = {"isgri": (25.0, 80.0), "jemx": (3.0, 20.0)}
PRODUCTS = [("isgri", "isgri_image"), ("isgri", "isgri_lc"), ("isgri", "isgri_spectrum"),
            ("jemx", "jemx_image"), ("jemx", "jemx_lc"), ("jemx", "jemx_spectrum")]


def _best_of(fn, repeats: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    print(f"{'product':<16}{'windows':>8}{'seconds':>10}{'MB JSON':>10}{'x target':>10}")
    for n in (10, 50):
        t, scws = _best_of(lambda n=n: science_windows(PARAMS["T1"], PARAMS["T2"], PARAMS["RA"],
                                                       PARAMS["DEC"], 15.0, n, None))
        print(f"{'science_windows':<16}{len(scws):>8}{t:>10.3f}{'':>10}{t / TARGET_S:>10.2f}")
        for instrument, product in PRODUCTS:
            e1, e2 = BANDS[instrument]
            params = {**PARAMS, "E1_keV": e1, "E2_keV": e2}
            make_products(instrument, product, params, scws)  # warm-up: cached responses
            t, out = _best_of(lambda i=instrument, p=product, q=params, s=scws:
                              make_products(i, p, q, s))
            size = len(json.dumps(out)) / 1e6
            print(f"{product:<16}{len(scws):>8}{t:>10.3f}{size:>10.1f}{t / TARGET_S:>10.2f}")
    for hours, time_bin in ((1, 0.05), (24, 0.05), (24, 1.0)):
        params = {**PARAMS, "T1": "2008-03-01T00:00:00",
                  "T2": f"2008-03-{1 + hours // 24:02d}T{hours % 24:02d}:00:00",
                  "time_bin": time_bin}
        t, out = _best_of(lambda q=params: make_products("spi_acs", "spi_acs_lc", q, []), 2)
        size = len(json.dumps(out)) / 1e6
        label = f"spi_acs {hours}h/{time_bin:g}s"
        print(f"{label:<16}{'-':>8}{t:>10.3f}{size:>10.1f}{t / TARGET_S:>10.2f}")


if __name__ == "__main__":
    main()
