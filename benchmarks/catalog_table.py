"""What one edit of a 300-source catalog costs the kernel while a CatalogTable shows it.

Per edit (rename, move, remove then undo) the figure is the whole kernel side: the Catalog edit,
its checks (duplicates within the error radius, names JEM-X ignores, what changed since the job)
and the rows the table computes (``rows_of``; it sends only those that changed, see
``catalog_edits.py``). Baseline: the catalog's own static HTML table
(``Catalog._repr_html_``, what a notebook shows for a catalog with no widget), i.e. the least a
redraw could cost. Sizes: the whole rows (sent with the state) against the catalog's ``selected_catalog``
JSON (what goes to the dispatcher), both as JSON text.

Run: ``.venv/bin/python benchmarks/catalog_table.py [sources] [repeats]``
"""

from __future__ import annotations

import json
import sys

import numpy as np
from timing import median_ms  # benchmarks/timing.py, beside this script

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.widgets.catalog_table import rows_of


def field(n: int, seed: int = 1) -> Catalog:
    """An ISGRI-like field: ``n`` sources over 30x30 degrees, a few close pairs among them."""
    rng = np.random.default_rng(seed)
    ra = rng.uniform(250, 280, n)
    dec = rng.uniform(-45, -15, n)
    sig = rng.uniform(5, 50, n)
    return Catalog.from_dispatcher(
        {
            "cat_frame": "fk5",
            "cat_coord_units": "deg",
            "cat_column_list": [
                list(range(n)), [f"SRC {i:03d}" for i in range(n)], sig.tolist(), ra.tolist(),
                dec.tolist(), [-32768] * n, [2] * n, [0] * n,
                ((22.1 * sig**-0.95 + 0.16) / 60).tolist(),
            ],
            "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec",
                                 "NEW_SOURCE", "ISGRI_FLAG", "FLAG", "ERR_RAD"],
            "cat_lat_name": "dec",
            "cat_lon_name": "ra",
        }
    )


def main(n: int = 300, repeats: int = 15) -> None:
    catalog = field(n)
    counter = iter(range(10**9))

    def rename() -> None:
        catalog.rename(5, f"renamed {next(counter)}")
        rows_of(catalog)

    def move() -> None:
        k = next(counter)
        catalog.move(7, 260.0 + (k % 10) * 0.01, -30.0)
        rows_of(catalog)

    def remove_and_undo() -> None:
        catalog.remove([11, 12])
        rows_of(catalog)
        catalog.undo()
        rows_of(catalog)

    baseline = median_ms(catalog._repr_html_, repeats)
    print(f"{n} sources, median of {repeats}; baseline: Catalog._repr_html_ {baseline:.1f} ms")
    print(f"{'edit':<22}{'ms':>8}{'x baseline':>12}")
    for name, action, edits in (("rename", rename, 1), ("move", move, 1),
                                ("remove 2 + undo", remove_and_undo, 2)):
        ms = median_ms(action, repeats) / edits
        print(f"{name:<22}{ms:>8.1f}{ms / baseline:>12.2f}")
    rows_bytes = len(json.dumps(rows_of(catalog)).encode())
    wire_bytes = len(catalog.to_selected_catalog().encode())
    print(f"whole rows (the state; edits send patches): {rows_bytes} bytes; selected_catalog JSON: {wire_bytes} bytes; "
          f"ratio {rows_bytes / wire_bytes:.2f}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*args)
