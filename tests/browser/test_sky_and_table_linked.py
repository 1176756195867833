"""The sky view and the catalog table of one Catalog, linked, in a real JupyterLab, offline.

Deleting two rows in the table leaves N-2 sources on the sky (read from Aladin Lite in the page
and from what the sky view reports, ``sky.drawn``); a click on a source on the sky selects its
row; "Use this catalog" and an ISGRI spectrum submitted from the form: the sandbox received a
``selected_catalog`` of those N-2 sources and the job's spectra are exactly those sources.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from support.catalog_pages import ROWS, TABLE, grid, kernel_json
from support.sky_page import PRODUCTS, click_source, sources_on_sky, wait_for_sources

pytestmark = pytest.mark.browser

FORM = ".oda-form"

LINKED = (
    "form = ow.QueryForm(disp, instrument='isgri', product='isgri_image')\n"
    "form.values = {'src_name': '4U 1700-377', 'RA': field['RA'], 'DEC': field['DEC'],\n"
    "               'T1': field['T1'], 'T2': field['T2']}\n"
    "sky = ow.SkyView(products.image, catalog=catalog)\n"
    "table = ow.CatalogTable(catalog, form=form)\n"
    "display(sky, table, form)\n"
)

STATES = (
    "def state():\n"
    "    with catalog._lock:  # the table's messages may be handled in a thread of their own\n"
    "     print('STATE ' + json.dumps({'names': catalog.names, 'ids': catalog.meta_ids,\n"
    "          'selected': catalog.selected, 'drawn': sky.drawn,\n"
    "          'sky_selected': sky.selected, 'table_selected': table.selected}))\n"
    "def form_state():\n"
    "    with form._form_lock:  # widget messages may be handled in a thread of their own\n"
    "        field = form.fields.get('selected_catalog')\n"
    "        print('STATE ' + json.dumps({'product': form.product,\n"
    "              'catalog': field is not None and field.catalog is catalog}))\n"
    "def job_state():\n"
    "    job = form.jobs[-1]\n"
    "    spectra = job.result(timeout=120).spectra\n"
    "    print('STATE ' + json.dumps({'job_id': job.job_id, 'product': job.product,\n"
    "          'spectra': sorted(spectra)}))\n"
)


def state(lab: Any, until=None) -> dict[str, Any]:
    return kernel_json(lab, "state()", until)


def test_table_and_sky_in_step_then_the_spectra_of_exactly_the_kept_sources(lab, sandbox):
    lab.write_notebook("sky_and_table.ipynb", [PRODUCTS, STATES, LINKED])
    lab.open_notebook("sky_and_table.ipynb")
    lab.run_all(timeout=240)
    page = lab.page
    page.locator(ROWS).first.wait_for(timeout=60000)
    before = state(lab)
    n = len(before["names"])
    assert n >= 5, "the sandbox's ISGRI field should give several sources"
    wait_for_sources(page, n, timeout=120)
    assert sorted(state(lab, until=lambda s: len(s["drawn"]) == n)["drawn"]) == sorted(
        before["names"]
    )

    # delete two rows in the table: N-2 on the sky, in Aladin Lite and in sky.drawn
    rows = page.locator(ROWS)
    rows.nth(0).locator("td[data-column=flags]").click()
    rows.nth(3).locator("td[data-column=flags]").click(modifiers=["Control"])
    page.locator(f"{TABLE} .oda-ct-delete", has_text="Delete selected (2)").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === {n - 2}")
    kept = [r["name"] for r in grid(lab)]
    assert kept == [name for k, name in enumerate(before["names"]) if k not in (0, 3)]
    wait_for_sources(page, n - 2)
    assert sources_on_sky(page) == [n - 2]
    after = state(lab, until=lambda s: len(s["drawn"]) == n - 2)
    assert sorted(after["drawn"]) == sorted(kept) and after["names"] == kept

    # a click on a source on the sky selects its row in the table (and nothing else)
    target = kept[2]
    page.locator(".oda-sky-host").first.scroll_into_view_if_needed()
    click_source(page, target)
    page.locator(f"{ROWS}[aria-selected=true]", has_text=target).wait_for()
    assert [r["name"] for r in grid(lab) if r["selected"] == "true"] == [target]
    linked = state(lab, until=lambda s: s["selected"] != [])
    target_id = after["ids"][2]
    assert linked["selected"] == linked["sky_selected"] == linked["table_selected"] == [target_id]
    lab.screenshot("sky_and_table_clicked")

    # selecting rows in the table highlights them on the sky: sky.selected follows
    rows.nth(0).locator("td[data-column=flags]").click()
    moved = state(lab, until=lambda s: s["sky_selected"] == [after["ids"][0]])
    assert moved["sky_selected"] == [after["ids"][0]]

    # "Use this catalog", the form switched to spectra, Submit
    page.locator(f"{TABLE} .oda-ct-use").click()
    expected = f"catalog: {n - 2} sources (2 removed)"
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text=expected).wait_for()
    page.locator(f"{FORM} .widget-dropdown", has_text="Product").locator("select").select_option(
        "isgri_spectrum"
    )
    wanted = {"product": "isgri_spectrum", "catalog": True}
    assert kernel_json(lab, "form_state()", until=lambda s: s == wanted) == wanted
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text=expected).wait_for()
    submit = page.locator(f"{FORM} .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$"))
    assert submit.is_enabled(), page.locator(f"{FORM} .oda-submit-reason").inner_text()
    submit.click()
    job = kernel_json(lab, "job_state()")
    assert job["product"] == "isgri_spectrum"
    received = sandbox.received(job["job_id"])
    assert received is not None, job
    sent = received["selected_catalog"]
    sent = json.loads(sent) if isinstance(sent, str) else sent
    sent_names = sent["cat_column_list"][sent["cat_column_names"].index("src_names")]
    assert len(sent_names) == n - 2 and sent_names == kept
    assert received.get("catalog_selected_objects") in (None, "")
    assert job["spectra"] == sorted(kept)
    assert not [u for u in lab.blocked if "aladin" in u or "esm.sh" in u], lab.blocked
    lab.screenshot("sky_and_table_linked")
