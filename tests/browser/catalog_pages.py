"""Helpers of the catalog browser tests: the image job's notebook cells, the grid as the page
shows it, and what the kernel holds, printed by a cell the test adds and runs."""

from __future__ import annotations

import json
import re
from typing import Any

TABLE = ".oda-catalog-table"
ROWS = f"{TABLE} tbody tr[role=row]"

IMAGE_JOB = (
    "import json\n"
    "import oda_widgets as ow\n"
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "disp = Dispatcher(url='sandbox')\n"
    "job = disp.submit('isgri', 'isgri_image', RA=255.986542, DEC=-37.844167,\n"
    "                  T1='2003-03-15T23:27:40', T2='2003-03-16T00:03:15')\n"
    "products = job.result(timeout=120)\n"
    "catalog = products.catalog\n"
    "print('catalog of', len(catalog), 'sources')\n"
)

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


def run_in_new_cell(lab: Any, source: str, timeout: float = 150) -> dict[str, Any]:
    """Add a cell at the end running ``source``, which prints ``STATE <json>``; return the JSON."""
    page = lab.page
    count = page.locator(".jp-OutputArea-output", has_text="STATE ").count()
    page.evaluate(
        """(source) => {
            const app = window.jupyterapp;
            const notebook = app.shell.currentWidget.content;
            notebook.activeCellIndex = notebook.widgets.length - 1;
            return app.commands.execute('notebook:insert-cell-below').then(() => {
                notebook.activeCell.model.sharedModel.setSource(source);
                return app.commands.execute('notebook:run-cell');
            });
        }""",
        source,
    )
    page.wait_for_function(
        """([count]) => [...document.querySelectorAll('.jp-OutputArea-output')]
              .filter(o => o.textContent.includes('STATE ')).length > count""",
        arg=[count],
        timeout=timeout * 1000,
    )
    text = page.locator(".jp-OutputArea-output", has_text="STATE ").last.inner_text()
    found = re.search(r"STATE (\{.*\})", text, re.S)
    assert found, text
    return json.loads(found.group(1))


def kernel_state(lab: Any) -> dict[str, Any]:
    """What the kernel's catalog holds now (names, ids, positions, selection)."""
    return run_in_new_cell(lab, "state()")


def notebook_cell_count(lab: Any) -> int:
    return lab.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length")
