"""The CatalogTable in a real JupyterLab (and Voila), driven by Chromium with the keyboard and mouse.

The catalog is a real image job's, from the harness's sandbox over HTTP. The grid is read from the
page (what the user sees); what the kernel holds is read back through an output the notebook
prints, never from the table's own state.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect
from support.catalog_pages import (
    IMAGE_JOB,
    KERNEL_STATE,
    ROWS,
    TABLE,
    grid,
    kernel_state,
    notebook_cell_count,
)

pytestmark = pytest.mark.browser

SHOW_TABLE = "table = ow.CatalogTable(catalog)\ntable\n"


def open_table(lab: Any, name: str, extra: str = "") -> None:
    lab.write_notebook(name, [IMAGE_JOB, KERNEL_STATE, SHOW_TABLE + extra])
    lab.open_notebook(name)
    lab.run_all()
    lab.page.locator(ROWS).first.wait_for(timeout=60000)


def test_the_table_shows_the_sandbox_catalog(lab, sandbox):
    open_table(lab, "catalog_table_render.ipynb")
    page = lab.page
    state = kernel_state(lab)
    rows = grid(lab)
    assert [r["name"] for r in rows] == state["names"]
    assert len(rows) >= 3
    assert [float(r["ra"]) for r in rows] == pytest.approx(state["ra"], abs=1e-5)
    assert page.locator(f"{TABLE} [role=grid]").get_attribute("aria-multiselectable") == "true"
    assert page.locator(f"{TABLE} [role=columnheader]").count() == 7
    assert page.locator(f"{TABLE} .oda-ct-summary").inner_text() == (
        f"{len(rows)} sources, as the job returned them"
    )
    # sexagesimal on hover (title) and with the toggle
    first_ra = page.locator(f"{ROWS} >> nth=0 >> td[data-column=ra]")
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d\d \(h:m:s\)", first_ra.get_attribute("title"))
    page.locator(f"{TABLE} .oda-ct-sexagesimal").check()
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d\d", first_ra.inner_text().strip())
    # sorting by significance, then the other way
    page.locator(f"{TABLE} th.oda-ct-col-significance button").click()
    values = [float(r["significance"]) for r in grid(lab)]
    assert values == sorted(values)
    assert page.locator(f"{TABLE} th.oda-ct-col-significance").get_attribute("aria-sort") == (
        "ascending"
    )
    page.locator(f"{TABLE} th.oda-ct-col-significance button").click()
    values = [float(r["significance"]) for r in grid(lab)]
    assert values == sorted(values, reverse=True)
    assert not lab.blocked, lab.blocked
    lab.screenshot("catalog_table")


def test_a_row_is_edited_with_the_keyboard_alone(lab, sandbox):
    open_table(lab, "catalog_table_keyboard.ipynb")
    page = lab.page
    before = kernel_state(lab)
    cells_before = notebook_cell_count(lab)
    active_cell = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.activeCellIndex")
    # one click on the table's text (not a control), then only keys
    page.locator(f"{TABLE} .oda-ct-help").click()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.getAttribute('role')") == "gridcell":
            break
    else:
        pytest.fail("Tab never reached the grid")
    focused = "() => [document.activeElement.closest('tr').dataset.id, " \
              "document.activeElement.dataset.column]"
    assert page.evaluate(focused) == [str(before["ids"][0]), "name"]
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == [str(before["ids"][1]), "name"]
    # Enter opens the editor with the name selected; typing replaces it; Enter keeps it
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.classList.contains('oda-ct-input')")
    page.keyboard.type("Renamed by keys")
    page.keyboard.press("Enter")
    page.locator(f"{ROWS} >> nth=1 >> .oda-ct-name", has_text="Renamed by keys").wait_for()
    assert page.evaluate(focused) == [str(before["ids"][1]), "name"]  # focus stays on the cell
    # a refused RA: the server's words next to the cell, the typed text kept
    page.keyboard.press("ArrowRight")
    page.keyboard.press("F2")
    page.keyboard.press("Control+A")
    page.keyboard.type("400")
    page.keyboard.press("Enter")
    message = page.locator(f"{ROWS} >> nth=1 >> td[data-column=ra] [role=alert]")
    message.wait_for()
    assert message.inner_text() == "⚠ ra must be between 0 and 360 degrees, not '400'"
    editor = page.locator(f"{ROWS} >> nth=1 >> td[data-column=ra] input")
    assert editor.input_value() == "400"
    assert editor.get_attribute("aria-invalid") == "true"
    assert page.evaluate("() => document.activeElement.classList.contains('oda-ct-input')")
    # corrected in place, as sexagesimal hours
    page.keyboard.press("Control+A")
    page.keyboard.type("17:00:00")
    page.keyboard.press("Enter")
    message.wait_for(state="detached")
    page.locator(f"{ROWS} >> nth=1 >> td[data-column=ra]", has_text="255.00000").wait_for()
    # Space selects the row, Delete removes it, Ctrl+Z brings it back
    page.keyboard.press("Space")
    page.locator(f"{ROWS}[aria-selected=true]").wait_for()
    page.keyboard.press("Delete")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ROWS}').length === {len(before['ids']) - 1}"
    )
    page.keyboard.press("Control+z")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ROWS}').length === {len(before['ids'])}"
    )
    after = kernel_state(lab)
    assert after["ids"] == before["ids"]
    assert after["names"][1] == "Renamed by keys"
    assert after["names"][0] == before["names"][0] and after["names"][2:] == before["names"][2:]
    assert after["ra"][1] == pytest.approx(255.0)
    assert after["dec"] == before["dec"]
    # the notebook's own shortcuts (d d, z, Enter, arrows) did not act on the keys typed here
    assert notebook_cell_count(lab) == cells_before
    assert page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.activeCellIndex"
    ) == active_cell
    assert page.locator(f"{TABLE} .oda-ct-summary").inner_text() == (
        f"{len(before['ids'])} sources: 1 renamed, 1 moved"
    )
    lab.screenshot("catalog_table_keyboard")


def test_rows_are_selected_with_the_mouse_and_deleted_undone_redone(lab, sandbox):
    open_table(lab, "catalog_table_mouse.ipynb")
    page = lab.page
    before = kernel_state(lab)
    n = len(before["ids"])
    rows = page.locator(ROWS)
    rows.nth(0).locator("td[data-column=flags]").click()
    rows.nth(2).locator("td[data-column=flags]").click(modifiers=["Shift"])
    assert [r["selected"] for r in grid(lab)][:3] == ["true", "true", "true"]
    rows.nth(1).locator("td[data-column=flags]").click(modifiers=["Control"])
    page.locator(f"{TABLE} .oda-ct-delete", has_text="Delete selected (2)").wait_for()
    assert [r["selected"] for r in grid(lab)] == ["true", "false", "true"] + ["false"] * (n - 3)
    wanted = [before["ids"][0], before["ids"][2]]
    assert kernel_state(lab, until=lambda s: s["selected"] == wanted)["selected"] == wanted
    page.locator(f"{TABLE} .oda-ct-delete").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === {n - 2}")
    # the rows come as a patch, the summary with the rest of the state just after
    expect(page.locator(f"{TABLE} .oda-ct-summary")).to_have_text(f"{n - 2} sources: 2 removed")
    kept = [before["names"][1], *before["names"][3:]]
    assert [r["name"] for r in grid(lab)] == kept
    assert kernel_state(lab)["names"] == kept
    page.locator(f"{TABLE} .oda-ct-undo").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === {n}")
    assert [r["name"] for r in grid(lab)] == before["names"]
    page.locator(f"{TABLE} .oda-ct-redo").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === {n - 2}")
    assert kernel_state(lab)["names"] == kept
    # "Add source": a new row whose name editor has the focus; type the name, Enter
    page.locator(f"{TABLE} .oda-ct-add").click()
    editor = page.locator(f"{ROWS} td[data-column=name] input")
    editor.wait_for()
    assert editor.input_value() == "unnamed 1"
    assert page.evaluate("() => document.activeElement.classList.contains('oda-ct-input')")
    page.keyboard.type("My source")
    page.keyboard.press("Enter")
    page.locator(f"{ROWS} .oda-ct-name", has_text="My source").wait_for()
    added = page.locator(ROWS).filter(has=page.locator(".oda-ct-name", has_text="My source"))
    assert added.locator(".oda-ct-badge").first.inner_text() == "added"
    assert kernel_state(lab)["names"] == [*kept, "My source"]
    expect(page.locator(f"{TABLE} .oda-ct-summary")).to_have_text(
        f"{n - 1} sources: 2 removed, 1 added"
    )


HOSTILE = '<img src=x onerror="window.__catalog_pwned=1">'


def test_names_with_html_are_shown_as_text(lab, sandbox):
    extra = (
        f"table.add_source({HOSTILE!r}, 255.9866, -37.8441)\n"
        "table.add_source('<b>bold</b> & <i>co</i>', 10.0, 10.0)\n"
        "table\n"
    )
    open_table(lab, "catalog_table_html.ipynb", extra=extra)
    page = lab.page
    page.locator(f"{ROWS} .oda-ct-name", has_text="<b>bold</b>").wait_for()
    names = [r["name"] for r in grid(lab)]
    assert HOSTILE in names and "<b>bold</b> & <i>co</i>" in names
    assert page.locator(f"{TABLE} img, {TABLE} b, {TABLE} i").count() == 0
    # the duplicate warning names the hostile source too, still as text
    warned = page.locator(f"{ROWS} .oda-ct-warning", has_text="onerror")
    assert warned.count() >= 1
    # editing shows it in the input as text as well
    hostile_id = page.locator(ROWS).filter(
        has=page.locator("td[data-column=name]", has_text="onerror")
    ).get_attribute("data-id")
    row = page.locator(f"{ROWS}[data-id='{hostile_id}']")
    row.locator("td[data-column=name]").dblclick()
    assert row.locator("input").input_value() == HOSTILE
    page.keyboard.press("Escape")
    assert page.evaluate("() => window.__catalog_pwned") is None
    assert page.locator(f"{TABLE} img").count() == 0


def test_each_download_is_the_catalog(lab, sandbox, tmp_path):
    from astropy.table import Table
    from regions import Regions

    open_table(lab, "catalog_table_download.ipynb")
    page = lab.page
    state = kernel_state(lab)
    for name, suffix in (("ECSV", ".ecsv"), ("FITS", ".fits"), ("ds9 regions", ".reg"),
                         ("JSON", ".json")):
        with page.expect_download() as info:
            page.locator(f"{TABLE} .oda-ct-save button", has_text=name).click()
        download = info.value
        assert download.suggested_filename.endswith(suffix)
        path = tmp_path / download.suggested_filename
        download.save_as(str(path))
        if suffix == ".reg":
            names = [r.meta["text"] for r in Regions.read(str(path), format="ds9")]
        elif suffix == ".json":
            data = json.loads(path.read_text())
            names = data["cat_column_list"][data["cat_column_names"].index("src_names")]
        else:
            names = list(Table.read(path)["src_names"])
        assert names == state["names"], suffix
    assert "Saved" in page.locator(f"{TABLE} .oda-ct-status").inner_text()


def test_the_table_renders_in_voila(lab, sandbox):
    lab.write_notebook("catalog_table_voila.ipynb", [IMAGE_JOB, SHOW_TABLE])
    page = lab.page
    address = f"{lab.lab.url}/voila/render/catalog_table_voila.ipynb"
    response = page.goto(f"{address}?token={lab.lab.token}")
    assert response is not None and response.status == 200, address
    page.locator(ROWS).first.wait_for(timeout=120000)
    rows = grid(lab)
    assert len(rows) >= 3 and all(r["name"] for r in rows)
    summary = page.locator(f"{TABLE} .oda-ct-summary").inner_text()
    assert summary == f"{len(rows)} sources, as the job returned them"
    # it is live there too: a click selects, Delete removes
    page.locator(ROWS).nth(0).locator("td[data-column=flags]").click()
    page.keyboard.press("Delete")
    page.wait_for_function(
        f"() => document.querySelectorAll('{ROWS}').length === {len(rows) - 1}"
    )
    lab.screenshot("catalog_table_voila")


def test_the_table_renders_and_edits_in_notebook7(lab, sandbox):
    lab.write_notebook("catalog_table_nb7.ipynb", [IMAGE_JOB, KERNEL_STATE, SHOW_TABLE])
    lab.open_in_notebook7("catalog_table_nb7.ipynb")
    lab.run_all()
    page = lab.page
    page.locator(ROWS).first.wait_for(timeout=60000)
    state = kernel_state(lab)
    assert [r["name"] for r in grid(lab)] == state["names"]
    cell = page.locator(ROWS).nth(0).locator("td[data-column=name]")
    cell.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("Edited in Notebook 7")
    page.keyboard.press("Enter")
    page.locator(f"{ROWS} .oda-ct-name", has_text="Edited in Notebook 7").wait_for()
    edited = kernel_state(lab, until=lambda s: s["names"][0] == "Edited in Notebook 7")
    assert edited["names"][0] == "Edited in Notebook 7"
    lab.screenshot("catalog_table_notebook7")
