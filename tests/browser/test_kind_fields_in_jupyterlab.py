"""The fields of today's parameter classes in real JupyterLab and Chromium, against the local MMODA
peer (dispatcher 1.3.6 with its notebook services).

Marked ``mmoda`` too: the tier runs these tests, JupyterLab and Chromium inside the peer's
network namespace (tests/support/mmoda_tier.py), where ``DISPATCHER_URL`` reaches the peer. The
screenshots are kept in ``test-output/browser/`` to be looked at: nbexamples/echo's form (MJD
source times with the product's own instant), nb2wtests' multiline form (a multi-line text, a
structured value with its schema's words, an untyped number, an energy typed in MeV), the
structured_input form (untyped list and object), a Phosphoros filters table built from the
dispatcher's own class, and a file uploaded through the Upload button.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect

pytestmark = [pytest.mark.mmoda, pytest.mark.browser]

OPEN = (
    "import os\n"
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "from oda_widgets.widgets import QueryForm\n"
    "dispatcher = Dispatcher(os.environ['DISPATCHER_URL'], token='', registry=False, poll_interval=0.5)\n"
)


def form_cell(variable: str, instrument: str, product: str) -> str:
    return (f"{variable} = QueryForm(dispatcher, instrument={instrument!r}, product={product!r})\n"
            f"{variable}.add_class('form-{variable}')\n{variable}")


OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def keep(page, selector: str, name: str) -> Path:
    """A screenshot of one output (a form scrolled into view), kept beside the page's."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    element.screenshot(path=str(path))
    return path


def field(page, form: str, name: str):
    return page.locator(f".form-{form} .oda-field-{name}")


def show(lab, name: str, cells: list[str], first_field: str):
    lab.write_notebook(name, [OPEN, *cells])
    lab.open_notebook(name)
    lab.run_all(timeout=180)
    page = lab.page
    page.locator(first_field).first.wait_for(timeout=120000)
    return page


def test_echo_reads_its_own_time_and_is_done(lab):
    page = show(lab, "mmoda_echo.ipynb", [form_cell("echo", "nbexamples", "echo")],
                ".form-echo .oda-field-time_instant input")
    instant = field(page, "echo", "time_instant")
    expect(instant.locator(".oda-units")).to_have_text("MJD")
    assert float(instant.locator("input").input_value()) == pytest.approx(57982.5298611111)
    energy = field(page, "echo", "energy")
    energy.locator("input").fill("0.3 MeV")
    expect(energy.locator(".oda-message")).to_have_text("= 300.0 keV", timeout=60000)
    expect(instant.locator(".oda-message")).to_have_text("= 2017-08-17T12:43:00.000 UTC")
    keep(page, ".form-echo", "mmoda_echo_form")
    page.locator(".form-echo .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$")).click()
    page.locator(".form-echo .oda-status", has_text=re.compile(r"Submitted job [0-9a-f]{16} \(done\)")).wait_for(
        timeout=180000)
    assert "time_instant" not in page.locator(".form-echo .oda-submit-reason").inner_text()


def phosphoros_entry() -> dict:
    """A PhosphorosFiltersTable's description entry, written by the dispatcher's own class."""
    python = Path(os.environ.get("MMODA_PEER_HOME", "/tmp/mmoda-peer")) / "venv" / "bin" / "python"
    script = Path(__file__).resolve().parents[1] / "support" / "peer_classes.py"
    value = {"filter": ["CFHT|MegaCam.g", "CFHT|MegaCam.r"], "flux": ["FLUX_G", "FLUX_R"],
             "flux_error": ["FLUXERR_G", "FLUXERR_R"]}
    request = {"cases": [{"class": "PhosphorosFiltersTable", "kwargs": {
        "value": value, "name": "filters", "extra_metadata": {"label": "Filters",
                                                              "description": "catalog columns of each filter"}},
        "inputs": []}]}
    done = subprocess.run([str(python), str(script)], input=json.dumps(request), capture_output=True,
                          text=True, check=True, timeout=120)
    return json.loads(done.stdout)["results"][0]["description"][0]


def test_the_new_fields_read_well(lab):
    entry = phosphoros_entry()
    filters_cell = (
        "import json\n"
        "from oda_widgets.client.query.parameter_parsing import parameter_from_description\n"
        "from oda_widgets.widgets.fields import field_for\n"
        "import ipywidgets as widgets\n"
        f"filters = field_for(parameter_from_description(json.loads({json.dumps(entry)!r})))\n"
        # a field alone is checked by whoever holds it (a form does this on every change)
        "filters.observe(lambda change: filters.check(), names='value')\n"
        "box = widgets.VBox([filters.widget]); box.add_class('form-filters'); box.add_class('oda-form')\n"
        "box"
    )
    page = show(lab, "mmoda_fields.ipynb", [
        form_cell("multi", "nb2wtests", "multiline"),
        form_cell("struct", "nb2wtests", "structured_input"),
        filters_cell,
    ], ".form-filters .oda-filter-row")
    text = field(page, "multi", "string_param").locator("textarea")
    assert text.input_value() == "Foo Bar\nContains = Symbol\nSpam Ham"
    text.fill("first line\nsecond = 2\nthird")
    expect(field(page, "multi", "string_param").locator(".oda-error-text")).to_have_count(0)
    hints = field(page, "multi", "mline").locator(".oda-schema-hints")
    expect(hints).to_contain_text("A JSON object or a JSON array")
    inten = field(page, "multi", "inten")
    inten.locator("input").fill("45 keV")
    expect(inten.locator(".oda-message")).to_have_text("= 45.0 keV", timeout=60000)
    other = field(page, "multi", "otheropt")
    other.locator("input").fill("abc")
    expect(other.locator(".oda-message")).to_contain_text("may refuse this", timeout=60000)
    expect(field(page, "struct", "lst").locator("textarea")).to_have_value('["b", "c", "d"]')
    rows = page.locator(".form-filters .oda-filter-row")
    expect(rows).to_have_count(2)
    assert rows.nth(0).locator("input").nth(0).input_value() == "CFHT|MegaCam.g"
    page.locator(".form-filters button", has_text="Add filter").click()
    expect(rows).to_have_count(3)
    new_row = rows.nth(2).locator("input")
    new_row.nth(0).fill("Euclid|VIS.vis")
    new_row.nth(0).press("Enter")
    new_row.nth(1).fill("FLUX_VIS")
    new_row.nth(2).fill("FLUXERR_VIS")
    new_row.nth(2).press("Tab")
    expect(page.locator(".form-filters .oda-message")).to_contain_text("3 filters", timeout=60000)
    value = lab.run_code("print(json.dumps(filters.value))")
    assert json.loads(value)["filter"] == ["CFHT|MegaCam.g", "CFHT|MegaCam.r", "Euclid|VIS.vis"]
    keep(page, ".form-multi", "mmoda_multiline_form")
    keep(page, ".form-struct", "mmoda_structured_input_form")
    keep(page, ".form-filters", "mmoda_filters_table")


CONTENT = b"SIMPLE  =                    T / uploaded from the browser\n"


def test_a_file_chosen_in_the_browser_reaches_the_dispatcher(lab, tmp_path):
    page = show(lab, "mmoda_upload.ipynb", [form_cell("posix", "nb2wtests", "testposixpath_extra_annotated")],
                ".form-posix .oda-field-fits_file_path input")
    row = field(page, "posix", "fits_file_path")
    expect(row.locator("label").first).to_have_text("Test file path")
    path = tmp_path / "events.fits"
    path.write_bytes(CONTENT)
    # the Upload button opens the browser's file chooser, as for a user
    with page.expect_file_chooser() as chooser:
        row.locator(".oda-upload").click()
    chooser.value.set_files(str(path))
    expect(row.locator(".oda-file-name")).to_contain_text(f"events.fits ({len(CONTENT)} bytes)", timeout=60000)
    expect(row.locator(".oda-message")).to_contain_text("uploaded to the dispatcher when the query is submitted")
    keep(page, ".form-posix", "mmoda_upload_chosen")
    page.locator(".form-posix .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$")).click()
    page.locator(".form-posix .oda-status", has_text=re.compile(r"Submitted job [0-9a-f]{16}")).wait_for(
        timeout=120000)
    url = lab.run_code("print(posix.last_job.parameters['fits_file_path'])").strip()
    assert f"file_list={hashlib.md5(CONTENT).hexdigest()}" in url
    assert requests.get(url, timeout=60).content == CONTENT
    keep(page, ".form-posix", "mmoda_upload_submitted")
