"""CatalogTable's state follows every edit of its Catalog, whoever makes it, and goes back on undo."""

from __future__ import annotations

import json

import pytest
from support.dispatcher_answers import captured_catalog

import oda_widgets as ow
from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.widgets.catalog_table import CatalogTable

pytestmark = pytest.mark.unit

@pytest.fixture
def catalog(shared_data) -> Catalog:
    return Catalog.from_dispatcher(captured_catalog())


def shown(table: CatalogTable) -> list[tuple[int, str, float, float]]:
    return [(r["id"], r["name"], r["ra"], r["dec"]) for r in table.rows]


def from_catalog(catalog: Catalog) -> list[tuple[int, str, float, float]]:
    return [
        (mid, name, float(catalog.row(mid)["ra"]), float(catalog.row(mid)["dec"]))
        for mid, name in zip(catalog.meta_ids, catalog.names, strict=True)
    ]


def front_end(table: CatalogTable, **message) -> None:
    """A message as the front end sends it (the browser tests drive the real one)."""
    table._on_front_end_message(table, message, [])


def test_exported_lazily_under_its_public_name(catalog):
    assert ow.CatalogTable is CatalogTable
    assert "CatalogTable" in ow.__all__


def test_rows_show_every_column_the_user_reads(catalog):
    table = CatalogTable(catalog)
    first = table.rows[0]
    assert first["name"] == "GRS 1915+105" and first["id"] == 17
    assert first["ra"] == pytest.approx(288.79956) and first["dec"] == pytest.approx(10.93992)
    assert first["ra_sex"] == "19:15:11.89" and first["dec_sex"] == "+10:56:23.7"
    assert first["significance"] == pytest.approx(29.396, abs=1e-3)
    assert first["err_rad"] == pytest.approx(0.00028)
    assert first["flags"] == "ISGRI_FLAG 2, FLAG 0"
    assert table.summary == "2 sources, as the job returned them"


def test_each_row_carries_its_sources_colour_in_every_view(catalog):
    from oda_widgets.widgets.source_colours import PALETTE, source_colour

    table = CatalogTable(catalog)
    for row in table.rows:
        assert row["colour"] == source_colour(row["name"]) and row["colour"] in PALETTE
    assert len({row["colour"] for row in table.rows}) == len(table.rows)


def test_table_follows_every_catalog_edit_and_every_undo(catalog):
    table = CatalogTable(catalog)
    history = [(shown(table), table.summary)]

    def step(edit):
        edit()
        assert shown(table) == from_catalog(catalog)
        history.append((shown(table), table.summary))

    step(lambda: catalog.add_source("Vela X-1", 135.53, -40.55))
    assert table.rows[-1]["state"] == "added" and table.can_undo
    step(lambda: catalog.rename(17, "GRS 1915"))
    assert table.rows[0]["state"] == "renamed"
    step(lambda: catalog.move(87, 275.0, 7.0))
    assert table.rows[1]["state"] == "moved"
    step(lambda: catalog.remove(17))
    assert table.summary == "2 sources: 1 removed, 1 added, 1 moved"
    for expected_rows, expected_summary in reversed(history[:-1]):
        catalog.undo()
        assert (shown(table), table.summary) == (expected_rows, expected_summary)
    assert not table.can_undo and table.can_redo
    for expected_rows, expected_summary in history[1:]:
        catalog.redo()
        assert (shown(table), table.summary) == (expected_rows, expected_summary)


def test_two_tables_of_one_catalog_stay_in_step(catalog):
    one, two = CatalogTable(catalog), CatalogTable(catalog)
    front_end(one, action="edit", id=17, column="name", text="Renamed in one")
    assert two.rows[0]["name"] == "Renamed in one"
    two.selected = [87]
    assert catalog.selected == [87] and one.selected == [87]
    front_end(one, action="delete")
    assert [r["id"] for r in two.rows] == [17] and two.selected == []
    front_end(two, action="undo")
    assert [r["id"] for r in one.rows] == [17, 87] and one.selected == [87]


def test_selection_set_on_the_catalog_shows_in_the_table(catalog):
    table = CatalogTable(catalog)
    seen = []
    table.observe(lambda change: seen.append(change["new"]), names="selected")
    catalog.select([87, 17])
    assert table.selected == [17, 87] and seen == [[17, 87]]
    table.selected = [3]  # not a meta_ID: refused with words, the selection stays
    assert catalog.selected == [17, 87] and table.selected == [17, 87]
    assert "no source has meta_ID 3" in table.status


def test_a_refused_edit_keeps_the_text_and_says_why(catalog):
    table = CatalogTable(catalog)
    before = catalog.to_selected_catalog()
    front_end(table, action="edit", id=87, column="dec", text="-95")
    assert table.errors == {
        "87:dec": {"text": "-95", "message": "dec must be between -90 and 90 degrees, not '-95'"}
    }
    assert catalog.to_selected_catalog() == before
    front_end(table, action="edit", id=87, column="dec", text="-29:30:00")
    assert table.errors == {} and catalog.row(87)["dec"] == pytest.approx(-29.5)
    front_end(table, action="edit", id=87, column="name", text="GRS 1915+105")
    assert "already in the catalog" in table.errors["87:name"]["message"]
    front_end(table, action="cancel_edit", id=87, column="name")
    assert table.errors == {}


def test_ra_edits_read_sexagesimal_as_hours(catalog):
    table = CatalogTable(catalog)
    assert table.edit(17, "ra", "19h15m11.89s")
    assert catalog.row(17)["ra"] == pytest.approx(288.79954, abs=1e-5)
    assert table.edit(17, "ra", "19 15 12")
    assert catalog.row(17)["ra"] == pytest.approx(288.8)
    assert not table.edit(17, "ra", "nineteen")
    assert "sexagesimal" in table.errors["17:ra"]["message"]


def test_duplicates_are_flagged_on_both_rows_and_new_names_get_the_rename_hint(catalog):
    table = CatalogTable(catalog)
    new_id = table.add_source("NEW_1", 288.80, 10.95)
    rows = {r["id"]: r for r in table.rows}
    assert rows[17]["duplicate"] and rows[new_id]["duplicate"] and not rows[87]["duplicate"]
    assert any("'NEW_1'" in w for w in rows[17]["warnings"])
    assert any("JEM-X ignores" in w for w in rows[new_id]["warnings"])
    catalog.remove(new_id)
    assert not any(r["duplicate"] or r["warnings"] for r in table.rows)


def test_add_empty_sources_get_unique_names_at_the_catalog_centre(catalog):
    table = CatalogTable(catalog)
    first = table.add_source()
    second = table.add_source()
    assert catalog.row(first)["src_names"] == "unnamed 1"
    assert catalog.row(second)["src_names"] == "unnamed 2"
    ra, dec = float(catalog.row(first)["ra"]), float(catalog.row(first)["dec"])
    assert 275.0 < ra < 289.0 and 7.0 < dec < 11.0  # between the two sources


def test_delete_selected_removes_only_those(catalog):
    table = CatalogTable(catalog)
    front_end(table, action="delete")
    assert len(catalog) == 2 and "Select the rows" in table.status
    table.selected = [17]
    front_end(table, action="delete")
    assert catalog.meta_ids == [87] and table.status == "Removed 1 source."
    # the front end names the rows it shows selected (its state update may still be on its way)
    catalog.undo()
    front_end(table, action="delete", ids=[87])
    assert catalog.meta_ids == [17]


def test_actions_that_need_a_form_say_so(catalog):
    table = CatalogTable(catalog)
    assert not table.has_form
    front_end(table, action="use")
    assert "give the table a form" in table.status
    front_end(table, action="add_query_object")
    assert "give the table a form" in table.status


def test_save_writes_each_format_from_the_suffix(tmp_path, catalog):
    table = CatalogTable(catalog)
    catalog.rename(17, "GRS 1915 {edited}")
    for suffix in (".ecsv", ".fits", ".reg", ".json"):
        path = table.save(tmp_path / f"sources{suffix}")
        back = Catalog.read(path)
        assert back.names[1] == "MAXI J1820+070"
    with pytest.raises(FileExistsError):
        table.save(tmp_path / "sources.ecsv")


def test_a_closed_table_stops_following(catalog):
    table = CatalogTable(catalog)
    table.close()
    catalog.add_source("After close", 1.0, 1.0)
    assert len(table.rows) == 2


def test_use_catalog_puts_the_edited_catalog_into_the_form(catalog):
    from support.saved_descriptions import form_for, sandbox_documents

    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    table = CatalogTable(catalog, form=form)
    assert table.has_form
    catalog.remove(87)
    catalog.add_source("Vela X-1", 135.53, -40.55)
    said = table.use_catalog()
    assert said == "catalog: 2 sources (1 removed, 1 added)"
    assert form.fields["selected_catalog"].control.value == said
    assert "The form sends this catalog" in table.status
    sent = form.parameters()
    assert json.loads(sent["selected_catalog"]) == catalog.to_dict()
    assert "catalog_selected_objects" not in sent
    # "selected rows only", then the user switches the form to spectra before submitting
    front_end(table, action="use", ids=[17], selected_only=True)
    assert table.selected == [17] and table.selected_only
    form.product_select.value = "isgri_spectrum"
    sent = form.parameters()
    assert sent["catalog_selected_objects"] == "17"
    assert json.loads(sent["selected_catalog"])["cat_column_list"][1] == ["GRS 1915+105", "Vela X-1"]
    assert form.dispatcher.describe("isgri").validate("isgri_spectrum", sent)


def test_add_the_query_object_takes_the_forms_name_and_position(catalog):
    from support.saved_descriptions import form_for, sandbox_documents

    form = form_for(sandbox_documents(), "isgri", "isgri_spectrum")
    table = CatalogTable(catalog)
    table.use_catalog(form)  # the form given here becomes the table's
    # unit letters: the form reads sexagesimal text without them in degrees, as the server does
    form.values = {"src_name": "Sgr A*", "RA": "17h45m40.04s", "DEC": "-29d00m28.1s"}
    sent = []
    table.send = lambda content, buffers=None: sent.append(content)
    front_end(table, action="add_query_object")
    new_id = catalog.meta_ids[-1]
    # the new row itself goes first, as a patch of the rows; then the front end is told to
    # open its name editor
    patch, told = sent
    assert [row["id"] for _index, row in patch["added"]] == [new_id]
    assert told == {"event": "added", "id": new_id, "column": "name"}
    row = catalog.row(new_id)
    assert row["src_names"] == "Sgr A*"
    assert row["ra"] == pytest.approx(266.41683, abs=1e-5)
    assert row["dec"] == pytest.approx(-29.00781, abs=1e-5)
    front_end(table, action="add_query_object")  # the same name twice: refused with words
    assert "already in the catalog" in table.status


def test_flags_say_which_sources_are_new_detections():
    catalog = Catalog.from_dispatcher(
        {
            "cat_frame": "fk5",
            "cat_coord_units": "deg",
            "cat_column_list": [[0, 1], ["Known", "NEW_1"], [9.0, 8.0], [10.0, 11.0],
                                [1.0, 2.0], [-32768, 1], [2, 0], [0, 0], [0.01, 0.02]],
            "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec",
                                 "NEW_SOURCE", "ISGRI_FLAG", "FLAG", "ERR_RAD"],
            "cat_lat_name": "dec",
            "cat_lon_name": "ra",
        }
    )
    table = CatalogTable(catalog)
    added = table.add_source("Mine", 12.0, 3.0)
    flags = {r["id"]: r["flags"] for r in table.rows}
    assert flags == {0: "ISGRI_FLAG 2, FLAG 0", 1: "new detection, ISGRI_FLAG 0, FLAG 0",
                     added: "ISGRI_FLAG 2, FLAG 0"}
