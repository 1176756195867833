"""Catalog edits reach the table in real Chromium as patches of the rows they changed, and the
table shown is the catalog after every one: edits made in Python and in the page, two views of
one table (the second shown after edits), a patch lost on the way (the page asks for the whole
list once and shows the catalog again).

The grids are read from the page (what the user sees); what the kernel holds is printed by a
function the notebook defines, never read from the table's own state.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from support.catalog_pages import IMAGE_JOB, KERNEL_STATE, TABLE, kernel_json

pytestmark = pytest.mark.browser

# the kernel's side: the table, the messages it sends (rows patches and whole rows counted)
SHOW_TABLE = (
    "table = ow.CatalogTable(catalog)\n"
    "sent = {'patches': 0, 'whole': 0}\n"
    "_send, _send_rows = table.send, table._send_rows\n"
    "def counting_send(content, buffers=None):\n"
    "    sent['patches'] += content.get('event') == 'rows_patch'\n"
    "    _send(content, buffers)\n"
    "def counting_send_rows():\n"
    "    sent['whole'] += 1\n"
    "    _send_rows()\n"
    "table.send, table._send_rows = counting_send, counting_send_rows\n"
    "def sent_state():\n"
    "    print('STATE ' + json.dumps(sent))\n"
    "table\n"
)
# edits made in Python before the second view of the table is shown
EDIT_IN_PYTHON = (
    "first, second = catalog.meta_ids[:2]\n"
    "catalog.rename(first, 'Renamed in Python')\n"
    "catalog.move(second, 255.5, -37.5)\n"
    "catalog.add_source('Added in Python', 256.0, -38.0)\n"
)
SECOND_VIEW = "table\n"


def grids(lab: Any) -> list[list[dict[str, str]]]:
    """Each table's rows as the page shows them, in the catalog's order (no sort clicked)."""
    return lab.page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map(table =>
            [...table.querySelectorAll('tbody tr[role=row]')].map(tr => {
                const row = {id: Number(tr.dataset.id), selected: tr.getAttribute('aria-selected')};
                for (const td of tr.querySelectorAll('td')) {
                    const name = td.querySelector('.oda-ct-name');
                    row[td.dataset.column] = (name ? name.textContent : td.textContent).trim();
                }
                return row;
            }))""",
        TABLE,
    )


def catalog_now(lab: Any) -> dict[str, Any]:
    return kernel_json(lab, "state()")


def matches(shown: list[dict[str, str]], state: dict[str, Any]) -> bool:
    return ([r["id"] for r in shown] == state["ids"]
            and [r["name"] for r in shown] == state["names"]
            and [r["ra"] for r in shown] == [f"{ra:.5f}" for ra in state["ra"]]
            and [r["dec"] for r in shown] == [f"{dec:.5f}" for dec in state["dec"]]
            and [r["id"] for r in shown if r["selected"] == "true"] == state["selected"])


def wait_until_shown(lab: Any, views: int = 2, timeout: float = 30) -> dict[str, Any]:
    """Wait until every view of the table shows the kernel's catalog; return the catalog."""
    deadline = time.monotonic() + timeout
    while True:
        state = catalog_now(lab)
        shown = grids(lab)
        if len(shown) == views and all(matches(grid, state) for grid in shown):
            return state
        if time.monotonic() > deadline:
            pytest.fail(f"the page shows {shown}\nthe catalog is {state}")
        lab.page.wait_for_timeout(200)


def test_every_view_of_the_table_shows_the_catalog_after_each_edit(lab, sandbox):
    lab.write_notebook("catalog_edits.ipynb",
                       [IMAGE_JOB, KERNEL_STATE, SHOW_TABLE, EDIT_IN_PYTHON, SECOND_VIEW])
    lab.open_notebook("catalog_edits.ipynb")
    lab.run_all()
    page = lab.page
    page.locator(f"{TABLE} >> nth=1 >> tbody tr[role=row]").first.wait_for(timeout=60000)
    # the second view, shown after three edits, starts from the patched rows
    state = wait_until_shown(lab)
    assert state["names"][0] == "Renamed in Python" and state["names"][-1] == "Added in Python"

    # edits in Python: each view follows, by patches only
    for edit in ("catalog.remove([catalog.meta_ids[2]])", "catalog.undo()", "catalog.redo()",
                 "catalog.select(catalog.meta_ids[:2])", "catalog.undo()"):
        assert "ERROR" not in lab.run_code(edit)
        wait_until_shown(lab)

    # edits in the page: a rename typed in the first view, a row deleted from the second
    first_view = page.locator(TABLE).nth(0)
    second_view = page.locator(TABLE).nth(1)
    first_view.locator("tbody tr[role=row]").nth(1).locator("td[data-column=name]").dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("Renamed in the page")
    page.keyboard.press("Enter")
    second_view.locator(".oda-ct-name", has_text="Renamed in the page").wait_for()
    state = wait_until_shown(lab)
    assert state["names"][1] == "Renamed in the page"
    n = len(state["ids"])
    second_view.locator("tbody tr[role=row]").nth(0).locator("td[data-column=flags]").click()
    page.keyboard.press("Delete")
    page.wait_for_function(
        """([selector, n]) => [...document.querySelectorAll(selector)].every(
            t => t.querySelectorAll('tbody tr[role=row]').length === n)""",
        arg=[TABLE, n - 1],
    )
    state = wait_until_shown(lab)
    assert len(state["ids"]) == n - 1
    first_view.locator(".oda-ct-undo").click()
    page.wait_for_function(
        """([selector, n]) => [...document.querySelectorAll(selector)].every(
            t => t.querySelectorAll('tbody tr[role=row]').length === n)""",
        arg=[TABLE, n],
    )
    wait_until_shown(lab)
    counted = kernel_json(lab, "sent_state()")
    assert counted["patches"] >= 10 and counted["whole"] == 0  # no edit sent the whole list
    lab.screenshot("catalog_edits_two_views")


def test_a_lost_patch_is_followed_by_one_resync_and_the_catalog_shown(lab, sandbox):
    lab.write_notebook("catalog_edits_gap.ipynb", [IMAGE_JOB, KERNEL_STATE, SHOW_TABLE])
    lab.open_notebook("catalog_edits_gap.ipynb")
    lab.run_all()
    lab.page.locator(f"{TABLE} tbody tr[role=row]").first.wait_for(timeout=60000)
    wait_until_shown(lab, views=1)
    # one patch never reaches the page; the next one is two versions ahead of what it holds
    lost = (
        "table.send = lambda content, buffers=None: None\n"
        "catalog.rename(catalog.meta_ids[0], 'Lost on the way')\n"
        "table.send = counting_send\n"
        "catalog.rename(catalog.meta_ids[1], 'After the gap')\n"
    )
    assert "ERROR" not in lab.run_code(lost)
    state = wait_until_shown(lab, views=1)
    assert state["names"][:2] == ["Lost on the way", "After the gap"]
    counted = kernel_json(lab, "sent_state()", until=lambda s: s["whole"] >= 1)
    assert counted["whole"] == 1  # asked once
    # and patches go on from the whole list
    assert "ERROR" not in lab.run_code("catalog.remove([catalog.meta_ids[0]])")
    wait_until_shown(lab, views=1)
    assert kernel_json(lab, "sent_state()")["whole"] == 1
    assert not [line for line in lab.console if "pageerror" in line], lab.console
