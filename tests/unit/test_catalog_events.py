"""How a catalog tells its listeners: after its lock is released, in edit order, each change
with its edit counter, so that a listener may read, edit or wait for another thread's edit,
and a view can tell a stale redraw."""

from __future__ import annotations

import sys
import threading

import pytest

from oda_widgets.client.catalog.events import CatalogChange
from oda_widgets.client.catalog.source_catalog import Catalog

pytestmark = pytest.mark.unit

WAIT = 10.0  # seconds: a deadlock fails the test instead of hanging the suite


def small_catalog() -> Catalog:
    return Catalog.from_dispatcher({
        "cat_frame": "fk5", "cat_coord_units": "deg",
        "cat_column_list": [[0, 1, 2], ["A", "B", "C"], [10.0, 20.0, 30.0], [1.0, 2.0, 3.0]],
        "cat_column_names": ["meta_ID", "src_names", "ra", "dec"],
        "cat_lat_name": "dec", "cat_lon_name": "ra",
    })


def run_in_thread(fn) -> threading.Thread:
    thread = threading.Thread(target=fn, daemon=True)
    thread.start()
    return thread


def finished(thread: threading.Thread) -> bool:
    thread.join(WAIT)
    return not thread.is_alive()


def test_a_listener_waiting_for_a_thread_that_reads_and_edits_the_catalog_does_not_deadlock():
    # The form's case: a widget's lock taken by a catalog listener, while another thread
    # (a widget message in an ipykernel subshell) holds that lock and reads or edits the catalog.
    catalog = small_catalog()
    view_lock = threading.Lock()
    in_listener = threading.Event()
    seen: list[tuple[str, list[int]]] = []

    def listener(c: Catalog) -> None:
        if c.names[0] != "A2":
            return
        in_listener.set()
        with view_lock:
            seen.append((c.names[0], c.selected))

    catalog.add_listener(listener)
    read_in_message: list[str] = []
    holding = threading.Event()

    def widget_message() -> None:
        with view_lock:
            holding.set()
            assert in_listener.wait(WAIT)  # the rename's listener now waits for view_lock
            read_in_message.append(catalog.to_selected_catalog())
            catalog.select([1])

    message = run_in_thread(widget_message)
    assert holding.wait(WAIT)
    editor = run_in_thread(lambda: catalog.rename(0, "A2"))
    assert finished(message) and finished(editor)
    assert '"A2"' in read_in_message[0]  # the message read the rename done
    assert catalog.selected == [1] and catalog.names[0] == "A2"
    # the listener was told of the rename, then of the selection, each as it left the catalog
    assert seen == [("A2", []), ("A2", [1])]


def test_a_listener_that_edits_from_another_thread_does_not_deadlock_and_sees_the_edit():
    catalog = small_catalog()
    told: list[tuple[str, int, list[str]]] = []
    after_join: list[tuple[int, int, list[str]]] = []

    def listener(change: CatalogChange) -> None:
        told.append((change.kind, change.edit, catalog.names))
        if change.edit == 1:
            helper = run_in_thread(lambda: catalog.rename(1, "B2"))
            assert finished(helper)
            with catalog.reading() as now:  # the newest catalog, with the helper's edit
                after_join.append((change.edit, now.edits, catalog.names))

    catalog.add_change_listener(listener)
    editor = run_in_thread(lambda: catalog.rename(0, "A2"))
    assert finished(editor)
    # the helper's edit was done while the first change was being told, and told after it
    assert after_join == [(1, 2, ["A2", "B2", "C"])]
    assert told == [("rename", 1, ["A2", "B", "C"]), ("rename", 2, ["A2", "B2", "C"])]
    assert catalog.names == ["A2", "B2", "C"] and catalog.edits == 2


def test_an_edit_made_in_a_listener_is_told_after_every_listener_saw_the_first():
    catalog = small_catalog()
    order: list[tuple[str, int]] = []

    def first(change: CatalogChange) -> None:
        order.append(("first", change.edit))
        if change.kind == "add":
            catalog.select([change.meta_ids[0]])
            assert catalog.selected == list(change.meta_ids)  # its own edit, seen at once

    catalog.add_change_listener(first)
    catalog.add_change_listener(lambda change: order.append(("second", change.edit)))
    new_id = catalog.add_source("D", 40.0, 4.0)
    assert order == [("first", 1), ("second", 1), ("first", 2), ("second", 2)]
    assert catalog.selected == [new_id]


def test_changes_arrive_in_counter_order_each_with_the_catalog_it_left():
    catalog = small_catalog()
    changes: list[CatalogChange] = []
    lengths: list[tuple[int, int]] = []

    def listener(change: CatalogChange) -> None:
        changes.append(change)
        lengths.append((len(catalog), len(change.reading.table)))

    catalog.add_change_listener(listener)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [
            run_in_thread(lambda p=p: [catalog.add_source(f"{p}{k}", 1.0 + k, 0.0)
                                       for k in range(60)])
            for p in ("x", "y")
        ]
        assert all(finished(t) for t in threads)
    finally:
        sys.setswitchinterval(interval)
    assert [c.edit for c in changes] == list(range(1, 121))
    assert [c.reading.edits for c in changes] == list(range(1, 121))
    assert all(now == then for now, then in lengths)  # what a listener read was its change's
    assert [len(c.reading.table) for c in changes] == list(range(4, 124))
    assert catalog.edits == 120 and len(catalog) == 123


def test_a_stale_change_is_told_apart_by_its_counter():
    catalog = small_catalog()
    kept: list[CatalogChange] = []
    catalog.add_change_listener(kept.append)
    with catalog.reading() as drawn:  # what a view drew
        assert drawn.edits == 0 and drawn.names == ["A", "B", "C"]
    catalog.rename(0, "A2")
    catalog.remove([2])
    first, second = kept
    assert (first.kind, first.meta_ids, second.kind, second.meta_ids) == (
        "rename", (0,), "remove", (2,))
    assert first.edit < second.edit == catalog.edits
    # a redraw deferred for the first change is stale: a newer one is already done
    assert first.edit < catalog.edits and not second.edit < catalog.edits
    assert drawn.edits < first.edit  # and the view's drawing is older than both
    # the reading a change carries is the catalog it left, not the live one
    assert first.reading.names == ["A2", "B", "C"] and catalog.names == ["A2", "B"]


def test_a_reading_is_consistent_while_another_thread_edits():
    catalog = small_catalog()
    with catalog.reading() as now:
        editor = run_in_thread(lambda: catalog.remove([0, 1]))
        assert finished(editor)
        assert catalog.names == ["A", "B", "C"] and len(catalog) == 3  # all of one edit
        assert now.edits == 0 and catalog.edits == 1  # the counter says it is not the newest
    assert catalog.names == ["C"]


def test_an_edit_that_fails_tells_nobody_and_counts_nothing():
    catalog = small_catalog()
    kept: list[CatalogChange] = []
    catalog.add_change_listener(kept.append)
    with pytest.raises(ValueError):
        catalog.rename(0, "B")
    assert kept == [] and catalog.edits == 0 and catalog.names == ["A", "B", "C"]


def test_a_failing_change_listener_is_reported_and_the_others_still_told(caplog):
    catalog = small_catalog()
    kept: list[int] = []

    def broken(_change: CatalogChange) -> None:
        raise RuntimeError("view gone")

    catalog.add_change_listener(broken)
    catalog.add_change_listener(lambda change: kept.append(change.edit))
    catalog.add_change_listener(lambda change: kept.append(-change.edit))
    catalog.select([0])
    assert "view gone" in caplog.text
    assert kept == [1, -1]
    catalog.remove_change_listener(broken)
    caplog.clear()
    catalog.select([1])
    assert "view gone" not in caplog.text and kept == [1, -1, 2, -2]
