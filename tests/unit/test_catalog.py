"""The dispatcher catalog: exact round trip, edits that keep it valid, selection, listeners."""

from __future__ import annotations

import json
import math

import pytest
from astropy.io import fits
from hypothesis import given, settings
from hypothesis import strategies as st
from support.dispatcher_answers import captured_catalog

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.errors import ValidationError

pytestmark = pytest.mark.unit

@pytest.fixture
def captured(shared_data) -> dict:
    return captured_catalog()


@pytest.fixture
def catalog(captured) -> Catalog:
    return Catalog.from_dispatcher(captured)


def test_captured_catalog_round_trips_to_the_same_json(captured, catalog):
    # oda_api's ApiCatalog.get_api_dictionary() is json.dumps of exactly this dict
    assert catalog.to_selected_catalog() == json.dumps(captured)
    assert catalog.to_dict() == captured
    assert list(catalog.to_dict()) == list(captured)


def test_json_text_is_accepted_too(captured):
    assert Catalog.from_dispatcher(json.dumps(captured)).to_dict() == captured


def test_table_has_typed_columns_and_frame_meta(catalog):
    table = catalog.table
    assert table.colnames[:5] == ["meta_ID", "src_names", "significance", "ra", "dec"]
    assert table["meta_ID"].dtype.str == "<i8" and table["src_names"].dtype.str == "<U14"
    assert table.meta["FRAME"] == "fk5" and table.meta["COORD_UNIT"] == "deg"
    assert table.meta["LON_NAME"] == "ra" and table.meta["LAT_NAME"] == "dec"
    assert str(table["ra"].unit) == "deg"
    assert catalog.names == ["GRS 1915+105", "MAXI J1820+070"]
    assert len(catalog) == 2


def test_coords_are_a_skycoord_in_the_catalog_frame(catalog):
    coords = catalog.coords
    assert coords.frame.name == "fk5"
    assert coords[0].ra.deg == pytest.approx(288.799560546875)
    assert coords[1].dec.deg == pytest.approx(7.185144901275635)


def test_nulls_become_nan_and_back():
    d = {
        "cat_frame": "fk5",
        "cat_coord_units": "deg",
        "cat_column_list": [[0, 1], ["A", "B"], [None, 3.5], [10.0, 20.0], [1.0, 2.0], [None, 2]],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec", "FLAG"],
        "cat_column_descr": [
            ["meta_ID", "<i8"],
            ["src_names", "<U1"],
            ["significance", "<f8"],
            ["ra", "<f8"],
            ["dec", "<f8"],
            ["FLAG", "<i8"],
        ],
        "cat_lat_name": "dec",
        "cat_lon_name": "ra",
    }
    catalog = Catalog.from_dispatcher(d)
    assert math.isnan(catalog.table["significance"][0])
    assert catalog.to_dict() == d


def test_add_source_gives_a_new_meta_id_and_sensible_defaults(catalog):
    new_id = catalog.add_source("Vela X-1", 135.5285875, -40.55469333, significance=8.5)
    assert new_id == 88
    row = catalog.row(new_id)
    assert row["src_names"] == "Vela X-1" and row["significance"] == 8.5
    assert row["ISGRI_FLAG"] == 2 and row["FLAG"] == 0 and row["NEW_SOURCE"] == 0
    assert row["ERR_RAD"] == 0.0
    sent = json.loads(catalog.to_selected_catalog())
    assert sent["cat_column_list"][0] == [17, 87, 88]
    assert sent["cat_column_list"][1][-1] == "Vela X-1"


def test_long_names_widen_the_column_instead_of_being_cut(catalog):
    name = "A source with a much longer name than the rest"
    catalog.add_source(name, 1.0, 2.0)
    assert catalog.names[-1] == name
    descr = dict(map(tuple, catalog.to_dict()["cat_column_descr"]))
    assert descr["src_names"] == f"<U{len(name)}"
    catalog.rename(17, "GRS 1915+105 (renamed to something long)")
    assert catalog.names[0] == "GRS 1915+105 (renamed to something long)"


def test_added_column_values_are_checked(catalog):
    catalog.add_source("X", 1.0, 2.0, ERR_RAD=0.01, FLAG=1)
    assert catalog.table["ERR_RAD"][-1] == 0.01 and catalog.table["FLAG"][-1] == 1
    with pytest.raises(ValidationError, match="FLAG"):
        catalog.add_source("Y", 1.0, 2.0, FLAG=1.5)
    with pytest.raises(ValidationError, match="no column 'COLOR'"):
        catalog.add_source("Z", 1.0, 2.0, COLOR="red")


@pytest.mark.parametrize(
    ("ra", "dec", "message"),
    [
        (400, 0, "ra must be between 0 and 360"),
        (-1, 0, "ra must be"),
        (10, 91, "dec must be between -90 and 90"),
        ("abc", 0, "ra must be a number"),
        (float("nan"), 0, "ra must be between"),
    ],
)
def test_bad_positions_are_refused_and_nothing_changes(catalog, ra, dec, message):
    before = catalog.to_selected_catalog()
    with pytest.raises(ValidationError, match=message):
        catalog.add_source("New", ra, dec)
    assert catalog.to_selected_catalog() == before


def test_bad_names_and_ids_are_refused(catalog):
    with pytest.raises(ValidationError, match="non-empty"):
        catalog.add_source("  ", 1, 1)
    with pytest.raises(ValidationError, match="already in the catalog"):
        catalog.add_source("GRS 1915+105", 1, 1)
    with pytest.raises(ValidationError, match="no source has meta_ID 5"):
        catalog.rename(5, "x")
    with pytest.raises(ValidationError, match="non-empty"):
        catalog.rename(17, "")
    with pytest.raises(ValidationError, match="meta_ID 999"):
        catalog.remove([87, 999])
    assert len(catalog) == 2  # nothing removed when one id is unknown


def test_remove_and_rename(catalog):
    catalog.remove(87)
    catalog.rename(17, "GRS 1915+105 b")
    sent = json.loads(catalog.to_selected_catalog())
    assert sent["cat_column_list"][0] == [17]
    assert sent["cat_column_list"][1] == ["GRS 1915+105 b"]
    assert all(len(column) == 1 for column in sent["cat_column_list"])


def test_selection_gives_catalog_selected_objects(catalog):
    assert catalog.catalog_selected_objects() is None
    catalog.select([87, 17])
    assert catalog.selected == [17, 87]
    assert catalog.catalog_selected_objects() == "17,87"
    catalog.remove(17)
    assert catalog.catalog_selected_objects() == "87"
    catalog.select(None)
    assert catalog.catalog_selected_objects() is None
    with pytest.raises(ValidationError):
        catalog.select([3])


def test_listeners_are_called_after_each_change_until_removed(catalog):
    seen = []

    def listener(c):
        seen.append(len(c))

    catalog.add_listener(listener)
    catalog.add_source("A", 1, 1)
    catalog.rename(17, "B")
    catalog.remove(17)
    catalog.select([87])
    assert seen == [3, 3, 2, 2]
    catalog.remove_listener(listener)
    catalog.add_source("C", 1, 1)
    assert seen == [3, 3, 2, 2]


def test_a_failing_listener_does_not_hide_the_edit(catalog, caplog):
    def broken(_):
        raise RuntimeError("view gone")

    seen = []
    catalog.add_listener(broken)
    catalog.add_listener(lambda c: seen.append(c.names[-1]))
    catalog.add_source("A", 1, 1)
    assert catalog.names[-1] == "A"
    assert seen == ["A"]  # the listeners after the broken one are still told
    assert "view gone" in caplog.text  # and the failure is not silent
    catalog.add_source("B", 2, 2)
    assert seen == ["A", "B"]


def test_copy_is_independent_and_diff_tells_what_changed(catalog):
    edited = catalog.copy()
    new_id = edited.add_source("New", 1, 1)
    edited.remove(87)
    edited.rename(17, "Renamed")
    assert len(catalog) == 2 and catalog.names == ["GRS 1915+105", "MAXI J1820+070"]
    assert catalog.diff(edited) == {
        "added": [(new_id, "New")],
        "removed": [(87, "MAXI J1820+070")],
        "renamed": {17: ("GRS 1915+105", "Renamed")},
    }


def test_html_escapes_source_names(catalog):
    catalog.add_source("<script>alert(1)</script>", 1, 1)
    text = catalog._repr_html_()
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_malformed_catalogs_get_clear_errors():
    with pytest.raises(ValidationError, match="not JSON"):
        Catalog.from_dispatcher("{nope")
    with pytest.raises(ValidationError, match="cat_column_list"):
        Catalog.from_dispatcher({"cat_column_names": ["a"]})
    with pytest.raises(ValidationError, match="same length"):
        Catalog.from_dispatcher({"cat_column_list": [[1]], "cat_column_names": ["a", "b"]})
    with pytest.raises(ValidationError, match="as many rows"):
        Catalog.from_dispatcher({"cat_column_list": [[1], [1, 2]], "cat_column_names": ["a", "b"]})


def test_catalog_writes_a_fits_table(tmp_path, catalog):
    [path] = catalog.write_fits(tmp_path / "cat.fits")
    with fits.open(path) as hdulist:
        assert list(hdulist[1].data["src_names"]) == ["GRS 1915+105", "MAXI J1820+070"]
    with pytest.raises(FileExistsError):
        catalog.write_fits(path)


_names = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FF, blacklist_characters='"\\'),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() == s and s)


@st.composite
def _catalogs(draw):
    n = draw(st.integers(min_value=0, max_value=8))
    ids = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n, unique=True))
    names = draw(st.lists(_names, min_size=n, max_size=n))
    floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
    sig = draw(st.lists(st.one_of(st.none(), floats), min_size=n, max_size=n))
    ra = draw(st.lists(st.floats(0, 360), min_size=n, max_size=n))
    dec = draw(st.lists(st.floats(-90, 90), min_size=n, max_size=n))
    flags = draw(st.lists(st.integers(-32768, 32767), min_size=n, max_size=n))
    width = max([len(s) for s in names] + [1])
    return {
        "cat_frame": draw(st.sampled_from(["fk5", "icrs", "galactic"])),
        "cat_coord_units": "deg",
        "cat_column_list": [ids, names, sig, ra, dec, flags],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec", "FLAG"],
        "cat_column_descr": [
            ["meta_ID", "<i8"],
            ["src_names", f"<U{width}"],
            ["significance", "<f8"],
            ["ra", "<f8"],
            ["dec", "<f8"],
            ["FLAG", "<i8"],
        ],
        "cat_lat_name": "dec",
        "cat_lon_name": "ra",
    }


@settings(max_examples=60, deadline=None)
@given(_catalogs())
def test_random_valid_catalogs_round_trip_exactly(d):
    catalog = Catalog.from_dispatcher(json.dumps(d))
    assert catalog.to_selected_catalog() == json.dumps(d)
    assert Catalog.from_dispatcher(catalog.to_selected_catalog()).to_dict() == d
