"""Bytes a CatalogTable sends the page per edit of a 300-source catalog: patches against whole rows.

Ours: each edit sends a numbered patch of the rows it changed (``widgets/row_patches.py``), plus
the small traits that changed with it (summary, undo/redo, selection). Baseline: the table as it
was, which sent the whole ``rows`` list with every edit (the same widget with the patches turned
off: every change of ``rows`` synced whole). Both tables run for real on the tests' recording comm
(``tests/support/recording_comm.py``, through ``harness``), which counts the JSON of every message
the kernel publishes and its binary buffers; each table shows its own copy of one field.

Run from the repository root::

    .venv/bin/python benchmarks/catalog_edits.py [sources]
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import comm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this tree's package

from catalog_table import field  # noqa: E402 - benchmarks/catalog_table.py: the 300-source field
from harness import recording_comm  # noqa: E402 - the tests' recording comm

from oda_widgets.client.catalog.source_catalog import Catalog  # noqa: E402
from oda_widgets.widgets.catalog_table import CatalogTable  # noqa: E402


class WholeRowsTable(CatalogTable):
    """The baseline: every change of ``rows`` goes to the page whole, as a state update."""

    def _rows_changed(self, change: Any) -> None:  # not observed: no patches
        pass

    def _should_send_property(self, key: str, value: Any) -> bool:
        return bool(super(CatalogTable, self)._should_send_property(key, value))


def edits(catalog: Catalog, table: CatalogTable) -> list[tuple[str, Callable[[], Any]]]:
    first, second, third = catalog.meta_ids[5:8]
    return [
        ("rename", lambda: catalog.rename(first, "Renamed source")),
        ("move", lambda: catalog.move(second, 261.0, -31.0)),
        ("select 2 rows", lambda: catalog.select([first, second])),
        ("delete selected (2)", table.delete_selected),
        ("undo", catalog.undo),
        ("redo", catalog.redo),
        ("add a source", lambda: table.add_source()),
        ("remove 1", lambda: catalog.remove([third])),
    ]


def bytes_per_edit(table_class: type[CatalogTable], n: int) -> list[tuple[str, int]]:
    catalog = field(n)
    table = table_class(catalog)
    record: Any = table.comm
    out = []
    for name, edit in edits(catalog, table):
        before = len(record.sent)
        edit()
        new = record.sent[before:]
        size = sum(len(json.dumps(m["data"]).encode())
                   + sum(len(b) for b in m["buffers"]) for m in new)
        out.append((name, size))
    table.close()
    return out


def main(n: int = 300) -> None:
    comm.create_comm = lambda **kwargs: recording_comm.RecordingComm(**kwargs)
    ours = bytes_per_edit(CatalogTable, n)
    whole = bytes_per_edit(WholeRowsTable, n)
    print(f"Bytes the kernel sends the page per edit, {n} sources "
          "(JSON of every message; baseline: the whole rows synced with each edit)")
    print(f"{'edit':<22}{'patches (ours)':>16}{'whole rows':>14}{'ratio':>9}")
    for (name, mine), (_name, theirs) in zip(ours, whole, strict=True):
        print(f"{name:<22}{mine:>14} B{theirs:>12} B{theirs / mine:>8.0f}x")
    total_ours, total_whole = sum(s for _, s in ours), sum(s for _, s in whole)
    print(f"{'all ' + str(len(ours)) + ' edits':<22}{total_ours:>14} B{total_whole:>12} B"
          f"{total_whole / total_ours:>8.0f}x")


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
