"""The round trip in a real JupyterLab: edit the image's catalog in the table, "Use this catalog",
switch the form to spectra or light curves, submit; the sandbox receives exactly the edited
catalog and the job's products are exactly its sources.

What the sandbox received is read from the sandbox itself (``SandboxServer.received``), what the
job returned from the kernel, and what the user did and saw from the page.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from support.catalog_pages import IMAGE_JOB, ROWS, TABLE, grid, kernel_json, kernel_state

pytestmark = pytest.mark.browser

FORM = ".oda-form"

SETUP = (
    "form = ow.QueryForm(disp, instrument='isgri', product='isgri_image')\n"
    "form.values = {'src_name': '4U 1700-377', 'RA': 255.986542, 'DEC': -37.844167,\n"
    "               'T1': '2003-03-15T23:27:40', 'T2': '2003-03-16T00:03:15'}\n"
    "table = ow.CatalogTable(catalog, form=form)\n"
    "display(table, form)\n"
)

KERNEL_STATE = (
    "def state():\n"
    "    with catalog._lock:  # the table's messages may be handled in a thread of their own\n"
    "     print('STATE ' + json.dumps({'names': catalog.names, 'ids': catalog.meta_ids,\n"
    "          'selected': catalog.selected}))\n"
    "def form_state():\n"
    "    with form._form_lock:  # widget messages may be handled in a thread of their own\n"
    "        field = form.fields.get('selected_catalog')\n"
    "        print('STATE ' + json.dumps({'product': form.product,\n"
    "              'src_name': form.values.get('src_name'),\n"
    "              'catalog': field is not None and field.catalog is catalog,\n"
    "              'selected_only': field is not None and field.selected_only}))\n"
    "def job_state():\n"
    "    job = form.jobs[-1]\n"
    "    products = job.result(timeout=120)\n"
    "    print('STATE ' + json.dumps({'job_id': job.job_id, 'product': job.product,\n"
    "          'spectra': sorted(products.spectra), 'light_curves': sorted(products.light_curves)}))\n"
)


def choose_product(lab: Any, product: str) -> None:
    select = lab.page.locator(f"{FORM} .widget-dropdown", has_text="Product").locator("select")
    select.select_option(product)


def wait_for_form(lab: Any, product: str, selected_only: bool) -> None:
    """Wait until the kernel's form shows ``product`` with the query and the catalog kept (the
    product switch is handled by the kernel in its own time; Submit must come after it)."""
    wanted = {"product": product, "src_name": "4U 1700-377", "catalog": True,
              "selected_only": selected_only}
    assert kernel_json(lab, "form_state()", until=lambda s: s == wanted) == wanted


def submit(lab: Any) -> None:
    button = lab.page.locator(f"{FORM} .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$"))
    assert button.is_enabled(), lab.page.locator(f"{FORM} .oda-submit-reason").inner_text()
    button.click()


def catalog_field_text(lab: Any) -> str:
    return lab.page.locator(f"{FORM} .oda-field-selected_catalog .widget-label").nth(1).inner_text()


def sent_names(received: dict[str, Any]) -> list[str]:
    catalog = received["selected_catalog"]
    catalog = json.loads(catalog) if isinstance(catalog, str) else catalog
    return catalog["cat_column_list"][catalog["cat_column_names"].index("src_names")]


def test_use_this_catalog_then_a_spectrum_and_a_light_curve_of_exactly_those_sources(
    lab, sandbox
):
    lab.write_notebook("catalog_round_trip.ipynb", [IMAGE_JOB, KERNEL_STATE, SETUP])
    lab.open_notebook("catalog_round_trip.ipynb")
    lab.run_all()
    page = lab.page
    page.locator(ROWS).first.wait_for(timeout=60000)
    before = kernel_state(lab)
    n = len(before["ids"])
    assert n >= 4

    # the query's object is already in the catalog: refused, in words, nothing added
    page.locator(f"{TABLE} .oda-ct-add-query").click()
    page.locator(f"{TABLE} .oda-ct-status", has_text="already in the catalog").wait_for()
    assert len(grid(lab)) == n

    # delete two rows with the mouse, then "Use this catalog"
    rows = page.locator(ROWS)
    rows.nth(0).locator("td[data-column=flags]").click()
    rows.nth(2).locator("td[data-column=flags]").click(modifiers=["Control"])
    page.locator(f"{TABLE} .oda-ct-delete").click()
    page.wait_for_function(f"() => document.querySelectorAll('{ROWS}').length === {n - 2}")
    kept = [r["name"] for r in grid(lab)]
    page.locator(f"{TABLE} .oda-ct-use").click()
    expected = f"catalog: {n - 2} sources (2 removed)"
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text=expected).wait_for()
    page.locator(f"{TABLE} .oda-ct-status", has_text=expected).wait_for()

    # the user switches the form to spectra before submitting: the catalog stays
    choose_product(lab, "isgri_spectrum")
    wait_for_form(lab, "isgri_spectrum", selected_only=False)
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text=expected).wait_for()
    submit(lab)
    job = kernel_json(lab, "job_state()")
    assert job["product"] == "isgri_spectrum"
    received = sandbox.received(job["job_id"])
    assert received is not None and "selected_catalog" in received, (job, received)
    assert sent_names(received) == kept
    assert received.get("catalog_selected_objects") in (None, "")
    assert job["spectra"] == sorted(kept)

    # now only two selected rows, light curves
    rows.nth(0).locator("td[data-column=flags]").click()
    rows.nth(1).locator("td[data-column=flags]").click(modifiers=["Shift"])
    page.locator(f"{TABLE} .oda-ct-delete", has_text="Delete selected (2)").wait_for()
    chosen = kernel_state(lab, until=lambda s: len(s["selected"]) == 2)["selected"]
    assert len(chosen) == 2
    page.locator(f"{TABLE} .oda-ct-selected-only").check()
    page.locator(f"{TABLE} .oda-ct-use").click()
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text="only the 2 selected").wait_for()
    choose_product(lab, "isgri_lc")
    wait_for_form(lab, "isgri_lc", selected_only=True)
    page.locator(f"{FORM} .oda-field-selected_catalog", has_text="only the 2 selected").wait_for()
    submit(lab)
    job = kernel_json(lab, "job_state()")
    assert job["product"] == "isgri_lc"
    received = sandbox.received(job["job_id"])
    assert received is not None and "selected_catalog" in received, (job, received)
    assert sent_names(received) == kept
    assert sorted(int(i) for i in str(received["catalog_selected_objects"]).split(",")) == chosen
    assert job["light_curves"] == sorted(kept[:2])
    assert not lab.blocked, lab.blocked
    lab.screenshot("catalog_round_trip")
