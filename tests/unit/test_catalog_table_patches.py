"""A catalog edit sends the front end only the rows it changed, as a numbered patch.

The table runs for real on a recording comm (``support/recording_comm.py``) standing where the
browser would be: what the kernel publishes per edit is read from it, byte for byte, and the
patches are applied in order (``apply_patch``, the front end's rule) to the rows the widget opened
with, which must give the kernel's rows after every edit. ``js/catalog_table.js`` applying them in
Chromium is the browser test's (``test_catalog_edits_in_jupyterlab.py``).
"""

from __future__ import annotations

import json

import comm
import numpy as np
import pytest
from support.recording_comm import RecordingComm

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.widgets.catalog_table import CatalogTable, rows_of
from oda_widgets.widgets.row_patches import PATCH_EVENT, apply_patch, diff_rows

pytestmark = pytest.mark.unit

#: What one edit of a 300-source table may send, everything included (patch and state updates);
#: the whole rows are about 90 kB.
EDIT_BYTES = 3000


@pytest.fixture(autouse=True)
def recording_comms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: RecordingComm(**kwargs))


def field(n: int = 300, seed: int = 1) -> Catalog:
    """An ISGRI-like field of ``n`` sources over 30x30 degrees."""
    rng = np.random.default_rng(seed)
    sig = rng.uniform(5, 50, n)
    return Catalog.from_dispatcher({
        "cat_frame": "fk5", "cat_coord_units": "deg",
        "cat_column_list": [list(range(n)), [f"SRC {i:03d}" for i in range(n)], sig.tolist(),
                            rng.uniform(250, 280, n).tolist(), rng.uniform(-45, -15, n).tolist(),
                            [-32768] * n, [2] * n, [0] * n,
                            ((22.1 * sig**-0.95 + 0.16) / 60).tolist()],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec", "NEW_SOURCE",
                             "ISGRI_FLAG", "FLAG", "ERR_RAD"],
        "cat_lat_name": "dec", "cat_lon_name": "ra",
    })


class Page:
    """What the front end holds: the rows it opened with, then every patch applied in order."""

    def __init__(self, table: CatalogTable) -> None:
        self.comm: RecordingComm = table.comm
        (opened,) = [m for m in self.comm.sent if m["type"] == "comm_open"]
        state = opened["data"]["state"]
        self.rows = state["rows"]
        self.version = state["_rows_version"]
        self.seen = len(self.comm.sent)

    def receive(self) -> tuple[int, list[dict]]:
        """Take what the kernel sent since last time: its bytes and the patches, applied."""
        new = self.comm.sent[self.seen:]
        self.seen = len(self.comm.sent)
        sent = sum(len(json.dumps(m["data"]).encode()) for m in new)
        patches = [m["data"]["content"] for m in new if m["data"].get("method") == "custom"
                   and m["data"]["content"].get("event") == PATCH_EVENT]
        for message in new:
            state = message["data"].get("state", {})
            if "rows" in state:  # a whole list: only when asked for it
                self.rows, self.version = state["rows"], state["_rows_version"]
        for patch in patches:
            assert patch["base"] == self.version, "a patch skipped a version"
            self.rows = apply_patch(self.rows, patch)
            self.version = patch["version"]
        return sent, patches


def ids(rows: list[dict]) -> list[int]:
    return [row["id"] for row in rows]


def test_each_edit_of_300_sources_sends_only_the_rows_it_changed():
    catalog = field()
    table = CatalogTable(catalog)
    page = Page(table)
    whole = len(json.dumps(table.rows).encode())
    assert whole > 60_000 and ids(page.rows) == catalog.meta_ids

    def edit(action, changed=(), added=(), removed=()):
        action()
        sent, patches = page.receive()
        assert sent < EDIT_BYTES, (sent, whole)
        if changed or added or removed:
            (patch,) = patches
            assert sorted(ids(patch["changed"])) == sorted(changed)
            assert [row["id"] for _index, row in patch["added"]] == list(added)
            assert sorted(patch["removed"]) == sorted(removed)
            assert "order" not in patch
        else:
            assert patches == []
        # the page holds the kernel's rows, and the kernel's rows are the catalog's
        assert table.rows == rows_of(catalog)
        assert page.rows == table.rows and page.version == table._rows_version
        return sent

    sizes = [
        edit(lambda: catalog.rename(5, "Renamed source"), changed=[5]),
        edit(lambda: catalog.move(7, 261.0, -31.0), changed=[7]),
        edit(lambda: catalog.remove([11, 12]), removed=[11, 12]),
        edit(lambda: catalog.add_source("New one", 262.0, -32.0), added=[300]),
        edit(catalog.undo, removed=[300]),
        edit(catalog.undo, added=[11, 12]),  # back in their places, not at the end
        edit(catalog.redo, removed=[11, 12]),
        edit(lambda: table.add_source(), added=[301]),
        edit(lambda: table.delete_selected([0]), removed=[0]),
    ]
    catalog.select([20, 21])
    sent, patches = page.receive()
    assert patches == [] and sent < 500  # a selection sends the selection, no row
    assert table.selected == [20, 21]
    assert table.delete_selected() == [20, 21]
    sent, (patch,) = page.receive()
    assert sorted(patch["removed"]) == [20, 21] and sent < EDIT_BYTES
    assert page.rows == table.rows == rows_of(catalog)
    assert table.can_undo and table.summary == catalog.changes_text()
    assert max(sizes) * 20 < whole


def test_an_edit_that_makes_a_duplicate_sends_both_rows_and_no_other():
    catalog = field(50)
    table = CatalogTable(catalog)
    page = Page(table)
    row = catalog.row(3)
    catalog.add_source("Twin of 3", float(row["ra"]), float(row["dec"]))
    _sent, (patch,) = page.receive()
    assert ids(patch["changed"]) == [3] and patch["changed"][0]["duplicate"]
    assert [r["id"] for _i, r in patch["added"]] == [50] and patch["added"][0][1]["duplicate"]
    assert page.rows == table.rows


def test_a_front_end_that_missed_a_patch_sees_the_gap_and_gets_every_row_again():
    catalog = field(40)
    table = CatalogTable(catalog)
    page = Page(table)
    catalog.rename(1, "first")
    page.receive()
    catalog.rename(2, "second")
    page.seen = len(page.comm.sent)  # this patch is lost on the way
    catalog.rename(3, "third")
    new = [m["data"]["content"] for m in page.comm.sent[page.seen:]
           if m["data"].get("method") == "custom"]
    (patch,) = [p for p in new if p.get("event") == PATCH_EVENT]
    assert patch["base"] != page.version  # the gap the front end sees
    page.seen = len(page.comm.sent)
    # it asks for the whole list (once); the kernel sends the rows and their version
    page.comm.from_front_end({"action": "resync", "version": page.version})
    (update,) = [m for m in page.comm.sent[page.seen:] if m["data"].get("method") == "update"]
    assert update["data"]["state"]["rows"] == table.rows == rows_of(catalog)
    assert update["data"]["state"]["_rows_version"] == table._rows_version == patch["version"]
    page.receive()
    assert [r["name"] for r in page.rows[1:4]] == ["first", "second", "third"]
    # and patches go on from there
    catalog.rename(4, "fourth")
    page.receive()
    assert page.rows == table.rows


def test_the_rows_observed_from_python_are_the_catalogs_after_every_edit():
    catalog = field(30)
    table = CatalogTable(catalog)
    seen = []
    table.observe(lambda change: seen.append(ids(change["new"])), names="rows")
    catalog.remove([4])
    catalog.undo()
    assert seen == [[i for i in range(30) if i != 4], list(range(30))]
    assert table.rows[4]["id"] == 4 and table.rows == rows_of(catalog)


def test_a_patch_is_the_difference_whatever_the_order():
    old = [{"id": k, "v": k} for k in range(5)]
    assert diff_rows(old, list(old), 3) is None
    new = [old[4], old[0], {"id": 9, "v": 0}, old[2], {"id": 1, "v": 10}]
    patch = diff_rows(old, new, 3)
    assert patch["base"] == 3 and patch["version"] == 4 and patch["removed"] == [3]
    assert patch["order"] == [4, 0, 9, 2, 1]  # the kept rows moved: the order is said whole
    assert apply_patch(old, patch) == new
    inserted = [old[0], {"id": 7, "v": 7}, old[1], old[2], {"id": 8, "v": 8}, old[4]]
    patch = diff_rows(old, inserted, 0)
    assert "order" not in patch and apply_patch(old, patch) == inserted
