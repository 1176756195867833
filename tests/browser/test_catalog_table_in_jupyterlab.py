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

pytestmark = pytest.mark.browser

TABLE = ".oda-catalog-table"
ROWS = f"{TABLE} tbody tr[role=row]"

IMAGE_JOB = (
    "import json\n"
    "import oda_widgets as ow\n"
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "disp = Dispatcher(url='sandbox')\n"
    "job = disp.submit('isgri', 'isgri_image', RA=255.986542, DEC=-37.844167,\n"
    "                  T1='2003-03-15T23:27:40', T2='2003-03-16T00:03:15')\n"
    "catalog = job.result(timeout=120).catalog\n"
    "print('catalog of', len(catalog), 'sources')\n"
)

SHOW_TABLE = "table = ow.CatalogTable(catalog)\ntable\n"

# prints what the kernel holds, on demand (the test runs it after the browser's edits)
KERNEL_STATE = (
    "def state():\n"
    "    print('STATE ' + json.dumps({'names': catalog.names, 'ids': catalog.meta_ids,\n"
    "          'ra': [float(x) for x in catalog.table['ra']],\n"
    "          'dec': [float(x) for x in catalog.table['dec']],\n"
    "          'selected': catalog.selected}))\n"
)


def grid(lab: Any) -> list[dict[str, str]]:
    """The rows as the page shows them: the text of each cell, by column."""
    return lab.page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map(tr => {
            const row = {id: tr.dataset.id, selected: tr.getAttribute('aria-selected')};
            for (const td of tr.querySelectorAll('td')) {
                const name = td.querySelector('.oda-ct-name');
                row[td.dataset.column] = (name ? name.textContent : td.textContent).trim();
            }
            return row;
        })""",
        ROWS,
    )


def kernel_state(lab: Any) -> dict[str, Any]:
    """Run ``state()`` in a new cell at the end of the notebook and read what it prints."""
    page = lab.page
    page.evaluate(
        """() => {
            const app = window.jupyterapp;
            const panel = app.shell.currentWidget;
            const notebook = panel.content;
            notebook.activeCellIndex = notebook.widgets.length - 1;
            return app.commands.execute('notebook:insert-cell-below');
        }"""
    )
    page.evaluate(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const cell = panel.content.activeCell;
            cell.model.sharedModel.setSource('state()');
            return window.jupyterapp.commands.execute('notebook:run-cell');
        }"""
    )
    locator = page.locator(".jp-OutputArea-output", has_text="STATE ").last
    locator.wait_for(timeout=60000)
    text = locator.inner_text()
    found = re.search(r"STATE (\{.*\})", text, re.S)
    assert found, text
    return json.loads(found.group(1))


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
