"""Catalog additions the linked views rely on: move, undo/redo, what changed, warnings."""

from __future__ import annotations

import json

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from hypothesis import given, settings
from hypothesis import strategies as st
from support.dispatcher_answers import captured_catalog

from oda_widgets.client.catalog.checks import duplicate_pairs, ignored_by_jemx, jname
from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.errors import ValidationError

pytestmark = pytest.mark.unit

@pytest.fixture
def catalog(shared_data) -> Catalog:
    return Catalog.from_dispatcher(captured_catalog())


def _field(names_positions, err_rad=None) -> Catalog:
    n = len(names_positions)
    columns = [
        list(range(n)),
        [p[0] for p in names_positions],
        [5.0] * n,
        [p[1] for p in names_positions],
        [p[2] for p in names_positions],
    ]
    names = ["meta_ID", "src_names", "significance", "ra", "dec"]
    if err_rad is not None:
        columns.append(err_rad)
        names.append("ERR_RAD")
    return Catalog.from_dispatcher(
        {
            "cat_frame": "fk5",
            "cat_coord_units": "deg",
            "cat_column_list": columns,
            "cat_column_names": names,
            "cat_lat_name": "dec",
            "cat_lon_name": "ra",
        }
    )


def test_move_sets_the_position_in_degrees_or_sexagesimal(catalog):
    catalog.move(87, 275.5, 7.5)
    assert (catalog.row(87)["ra"], catalog.row(87)["dec"]) == (275.5, 7.5)
    catalog.move(87, "18h20m00s", "-29d30m00s")
    assert catalog.row(87)["ra"] == pytest.approx(275.0)
    assert catalog.row(87)["dec"] == pytest.approx(-29.5)
    catalog.move(87, "18:20:30", "-29:30:36")  # RA in hours, Dec in degrees, as the form reads them
    assert catalog.row(87)["ra"] == pytest.approx(275.125)
    assert catalog.row(87)["dec"] == pytest.approx(-29.51)
    sent = json.loads(catalog.to_selected_catalog())
    assert sent["cat_column_list"][3][1] == pytest.approx(275.125)


@pytest.mark.parametrize(
    ("ra", "dec", "message"),
    [
        (361, 0, "ra must be between 0 and 360"),
        (10, -90.5, "dec must be between -90 and 90"),
        ("north", 0, "ra must be a number of degrees or sexagesimal"),
        (10, "95d00m00s", "dec must be between -90 and 90"),
    ],
)
def test_a_bad_move_changes_nothing_and_says_what_to_give(catalog, ra, dec, message):
    before = catalog.to_selected_catalog()
    with pytest.raises(ValidationError, match=message):
        catalog.move(87, ra, dec)
    assert catalog.to_selected_catalog() == before
    assert not catalog.can_undo


def test_add_source_accepts_sexagesimal(catalog):
    new_id = catalog.add_source("Sgr A*", "17:45:40.04", "-29:00:28.1")
    expected = SkyCoord("17h45m40.04s", "-29d00m28.1s")
    assert catalog.row(new_id)["ra"] == pytest.approx(expected.ra.deg)
    assert catalog.row(new_id)["dec"] == pytest.approx(expected.dec.deg)


def test_undo_and_redo_walk_through_every_kind_of_edit(catalog):
    states = [catalog.to_selected_catalog()]
    catalog.add_source("Vela X-1", 135.53, -40.55)
    states.append(catalog.to_selected_catalog())
    catalog.rename(17, "GRS 1915+105 (renamed)")
    states.append(catalog.to_selected_catalog())
    catalog.move(87, 275.0, 7.0)
    states.append(catalog.to_selected_catalog())
    catalog.remove([17, 87])
    states.append(catalog.to_selected_catalog())
    assert catalog.can_undo and not catalog.can_redo
    for expected in reversed(states[:-1]):
        assert catalog.undo() is True
        assert catalog.to_selected_catalog() == expected
    assert not catalog.can_undo and catalog.undo() is False
    for expected in states[1:]:
        assert catalog.redo() is True
        assert catalog.to_selected_catalog() == expected
    assert not catalog.can_redo and catalog.redo() is False


def test_undo_of_a_removal_brings_back_the_rows_and_their_selection(catalog):
    catalog.select([87])
    catalog.remove([87])
    assert catalog.selected == []
    catalog.undo()
    assert catalog.meta_ids == [17, 87] and catalog.selected == [87]
    assert catalog.catalog_selected_objects() == "87"


def test_a_new_edit_after_undo_drops_the_redo(catalog):
    catalog.rename(17, "A")
    catalog.undo()
    assert catalog.can_redo
    catalog.rename(17, "B")
    assert not catalog.can_redo and catalog.names[0] == "B"


def test_undo_and_redo_notify_listeners(catalog):
    seen = []
    catalog.add_listener(lambda c: seen.append(list(c.names)))
    catalog.rename(17, "A")
    catalog.undo()
    catalog.redo()
    assert seen == [
        ["A", "MAXI J1820+070"],
        ["GRS 1915+105", "MAXI J1820+070"],
        ["A", "MAXI J1820+070"],
    ]


def test_meta_ids_are_never_reused_so_a_new_source_is_not_taken_for_a_removed_one(catalog):
    catalog.remove(87)
    new_id = catalog.add_source("Other", 10.0, 10.0)
    assert new_id == 88
    assert catalog.added_ids == {88}
    assert catalog.changes() == {"removed": 1, "added": 1, "renamed": 0, "moved": 0}
    catalog.undo()  # the add
    assert catalog.add_source("Again", 11.0, 11.0) == 89


def test_original_keeps_the_job_catalog_through_edits(catalog):
    job = catalog.to_selected_catalog()
    catalog.remove(17)
    catalog.add_source("X", 1, 1)
    assert catalog.original.to_selected_catalog() == job
    catalog.original.remove(87)  # a copy: editing it changes neither
    assert catalog.original.to_selected_catalog() == job
    assert catalog.copy().original.to_selected_catalog() == job


def test_changes_text_says_the_difference_from_the_job_catalog(catalog):
    assert catalog.changes_text() == "2 sources, as the job returned them"
    catalog.remove(87)
    assert catalog.changes_text() == "1 source: 1 removed"
    a = catalog.add_source("A", 1, 1)
    catalog.add_source("B", 2, 2)
    catalog.rename(17, "GRS 1915")
    catalog.rename(a, "A2")  # renaming an added source is still one added, not a rename
    assert catalog.changes_text() == "3 sources: 1 removed, 2 added, 1 renamed"
    catalog.move(17, 288.9, 10.9)
    assert catalog.changes_text() == "3 sources: 1 removed, 2 added, 1 renamed, 1 moved"
    while catalog.undo():
        pass
    assert catalog.changes_text() == "2 sources, as the job returned them"
    assert catalog.added_ids == set()


def test_duplicates_within_three_arcmin_when_there_is_no_error_radius():
    c = _field([("A", 10.0, 20.0), ("B", 10.0, 20.0 + 2.9 / 60), ("C", 10.0, 20.0 + 6.0 / 60)])
    # A-B are 2.9' apart, B-C 3.1', A-C 6'
    assert c.duplicate_ids() == {0, 1}


def test_error_radius_decides_when_it_is_given():
    # ERR_RAD in degrees: 0.2 deg is wider than the 3' default, so A and C (6' apart) pair too
    c = _field(
        [
            ("A", 10.0, 20.0),
            ("B", 10.0, 20.0 + 2.9 / 60),
            ("C", 10.0, 20.0 + 6.0 / 60),
            ("D", 50.0, 0.0),
        ],
        err_rad=[0.2, 0.001, 0.0, 0.0],
    )
    assert c.duplicate_ids() == {0, 1, 2}
    pairs = {(p.first, p.second) for p in duplicate_pairs(c.coords, c._err_rad())}
    # B-C are 3.1' apart: C's default 3' and B's 3.6" are both smaller
    assert pairs == {(0, 1), (0, 2)}


def test_duplicate_detection_uses_true_separations_near_the_pole_and_across_ra_zero():
    c = _field([("A", 359.99, 0.0), ("B", 0.01, 0.0), ("C", 0.0, 89.99), ("D", 180.0, 89.99)])
    # A-B: 1.2' across RA=0; C-D: 1.2' across the pole
    assert c.duplicate_ids() == {0, 1, 2, 3}
    sep = SkyCoord(359.99, 0.0, unit="deg").separation(SkyCoord(0.01, 0.0, unit="deg"))
    assert sep < 3 * u.arcmin


def test_warnings_name_the_other_source_and_the_separation(catalog):
    new_id = catalog.add_source("Ghost", 288.8, 10.95)
    warnings = catalog.warnings()
    assert set(warnings) == {17, new_id}
    [w17] = warnings[17]
    assert "'Ghost'" in w17 and "arcsec" in w17 and "same source" in w17
    [wnew] = warnings[new_id]
    assert "'GRS 1915+105'" in wnew
    catalog.remove(new_id)
    assert catalog.warnings() == {}


def test_names_jemx_ignores_get_a_rename_hint(catalog):
    a = catalog.add_source("NEW_1", 266.4, -29.0)
    b = catalog.add_source("NEW SOURCE", 100.0, 10.0)
    warnings = catalog.warnings()
    assert any("JEM-X ignores" in w and "J174536-290000" in w for w in warnings[a])
    assert any("rename" in w for w in warnings[b])
    catalog.rename(a, "J174536-290000")
    assert a not in catalog.warnings()


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("NEW SOURCE", True),
        ("new source", True),
        ("NEW_1", True),
        ("NEW_12", True),
        ("NEW", True),
        ("NEW_SOURCE", True),
        ("New Source in M31", False),
        ("NEWTON", False),
        ("GRS 1915+105", False),
    ],
)
def test_which_names_jemx_ignores(name, ignored):
    assert ignored_by_jemx(name) is ignored


def test_jname_truncates_like_iau_names():
    assert jname(266.41683, -29.00781) == "J174540-290028"
    assert jname(83.6331, 22.0145) == "J053431+220052"


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 360), st.floats(-90, 90), st.sampled_from([0.0, 0.01, 0.2])),
        min_size=0,
        max_size=25,
    ),
    st.floats(0, 360),
    st.floats(-89, 89),
)
def test_duplicate_pairs_agree_with_every_pair_separated_by_astropy(entries, ra0, dec0):
    # sources clustered near one point, so that close pairs happen
    ra = [(ra0 + e[0] / 3600) % 360 for e in entries]
    dec = [max(-90.0, min(90.0, dec0 + e[1] / 1800)) for e in entries]
    err = [e[2] for e in entries]
    coords = SkyCoord(ra, dec, unit="deg")
    found = {(p.first, p.second) for p in duplicate_pairs(coords, err)}
    expected = set()
    for a in range(len(entries)):
        for b in range(a + 1, len(entries)):
            radius = max(err[a] or 3 / 60, err[b] or 3 / 60)
            if coords[a].separation(coords[b]).deg < radius:
                expected.add((a, b))
    assert found == expected


def test_duplicate_pairs_across_comparison_blocks_match_every_pair():
    # more sources than one comparison block (512), dense enough for pairs across blocks
    rng = np.random.default_rng(3)
    coords = SkyCoord(rng.uniform(10, 12, 700), rng.uniform(-1, 1, 700), unit="deg")
    found = {(p.first, p.second) for p in duplicate_pairs(coords)}
    separations = coords[:, None].separation(coords[None, :]).arcmin
    a, b = np.nonzero(np.triu(separations < 3.0, k=1))
    assert found == set(zip(a.tolist(), b.tolist(), strict=True))
    assert any(first < 512 <= second for first, second in found)


def test_an_empty_catalog_without_column_types_takes_new_sources():
    empty = Catalog.from_dispatcher(
        {
            "cat_frame": "fk5",
            "cat_coord_units": "deg",
            "cat_column_list": [[], [], [], []],
            "cat_column_names": ["meta_ID", "src_names", "ra", "dec"],
            "cat_lat_name": "dec",
            "cat_lon_name": "ra",
        }
    )
    new_id = empty.add_source("First", 10.0, 20.0)
    assert empty.names == ["First"] and empty.added_ids == {new_id}
    assert empty.changes_text() == "1 source: 1 added"
    empty.undo()
    assert len(empty) == 0 and not empty.can_undo


def test_edits_from_two_threads_never_interleave(catalog):
    # widget messages may be handled in a kernel thread of their own (ipykernel subshells)
    # while a cell edits the same catalog
    import sys
    import threading

    seen = []
    catalog.add_listener(lambda c: seen.append(len(c)))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:

        def add(prefix: str) -> None:
            for k in range(150):
                catalog.add_source(f"{prefix} {k}", 10.0 + k * 0.001, 20.0)

        threads = [threading.Thread(target=add, args=(p,)) for p in ("A", "B")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(catalog) == 302
    assert len(set(catalog.meta_ids)) == 302  # every new source got its own meta_ID
    assert sorted(seen) == list(range(3, 303))  # each listener call saw one finished edit
    undone = 0
    while catalog.undo():
        undone += 1
    assert undone == 200 and len(catalog) == 102  # the history keeps the last 200 edits
