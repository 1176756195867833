"""Helpers of the catalog browser tests: the image job's notebook cells, the grid as the page
shows it, and what the kernel holds, printed by a cell the test adds and runs."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
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
    "    with catalog._lock:  # the table's messages may be handled in a thread of their own\n"
    "     print('STATE ' + json.dumps({'names': catalog.names, 'ids': catalog.meta_ids,\n"
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


def kernel_json(
    lab: Any, call: str, until: Callable[[dict[str, Any]], bool] | None = None,
    timeout: float = 60,
) -> dict[str, Any]:
    """Run ``call`` (which prints ``STATE <json>``) in the notebook's kernel, outside any cell,
    and return the JSON; with ``until``, again until it holds (or ``timeout`` seconds), since
    ipywidgets sends a widget's state updates one at a time and a request may overtake them."""
    deadline = time.monotonic() + timeout
    while True:
        text = lab.run_code(call, timeout=150)
        found = re.search(r"STATE (\{.*\})", text, re.S)
        assert found, text
        value = json.loads(found.group(1))
        if until is None or until(value) or time.monotonic() > deadline:
            return value
        lab.page.wait_for_timeout(200)


def kernel_state(
    lab: Any, until: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, Any]:
    """What the kernel's catalog holds now (names, ids, positions, selection)."""
    return kernel_json(lab, "state()", until)


def notebook_cell_count(lab: Any) -> int:
    return lab.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.widgets.length")
