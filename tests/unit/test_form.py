"""QueryForm built from real descriptions: fields per kind, validation as typed, values, token.

The descriptions are the sandbox's own documents and the answers captured from the real
dispatchers (1.3.3 and 1.3.6, read from ``../shared/data``). The form reads them through a real
:class:`~oda_widgets.client.dispatcher.Dispatcher` whose two description requests are answered from
those documents instead of over HTTP. Submitting to the form's listeners runs against a real
in-process sandbox over HTTP; resolving and dry runs go over real HTTP to the sandbox in
``tests/browser/test_form_in_jupyterlab.py``.
"""

from __future__ import annotations

import html
import json
import time
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import jwt
import pytest
import traitlets
from ipywidgets.widgets.widget import _instances
from support import shared
from support.saved_descriptions import SavedDispatcher, form_for, sandbox_documents

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.jobs import Job
from oda_widgets.client.query.spec import parse_instrument_description
from oda_widgets.widgets import QueryForm
from oda_widgets.widgets.catalog_field import CatalogField
from oda_widgets.widgets.fields import (
    BooleanField,
    ChoiceField,
    IntegerField,
    ProductListField,
    StructuredField,
    TimeFormatSwitch,
)
from oda_widgets.widgets.token_box import TokenBox

pytestmark = pytest.mark.unit

CAPTURE_133 = shared.CAPTURES_133
CAPTURE_136 = shared.CAPTURES_136 / "api_meta-data_instrument=empty.json"


def load_capture(path: Path) -> Any:
    return json.loads(path.read_text())


def make_token(name: str = "Jane Doe", email: str = "jane@example.org") -> str:
    claims = {"sub": email, "name": name, "roles": "general", "exp": int(time.time()) + 3600}
    return jwt.encode(claims, "a-secret-that-is-not-the-servers-at-all", algorithm="HS256")


def all_products(documents: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (name, product)
        for name, doc in documents.items()
        for product in parse_instrument_description(doc).products
    ]


def widget_tree(widget: widgets.Widget) -> list[widgets.Widget]:
    found = [widget]
    for child in getattr(widget, "children", ()) or ():
        found += widget_tree(child)
    return found


# --- built from every description ------------------------------------------------------------
@pytest.mark.parametrize("generation", ["1.3.6", "1.3.3"])
def test_every_sandbox_product_gets_a_field_per_parameter_with_valid_defaults(generation):
    documents = sandbox_documents(generation)
    for instrument, product in all_products(documents):
        form = form_for(documents, instrument, product)
        spec = parse_instrument_description(documents[instrument])
        shown = {p.name for p in spec.parameters(product)} - {"token", "user_catalog", None}
        assert set(form.fields) == shown, (instrument, product)
        assert form.invalid == [], [(f.name, f.error) for f in form.invalid]
        assert not form.submit_button.disabled
        assert form.product_select.options == tuple(spec.products)


def test_isgri_form_has_labelled_fields_with_units_in_the_description_order():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    names = list(form.fields)
    for name in ("src_name", "RA", "DEC", "T1", "T2", "E1_keV", "E2_keV"):
        assert name in names
    assert names.index("RA") < names.index("DEC") < names.index("T1") < names.index("E1_keV")
    assert form.fields["RA"].units_label.value == "deg"
    assert form.fields["E1_keV"].units_label.value == "keV"
    assert form.fields["T1"].units_label.value == "ISOT"
    spec = parse_instrument_description(sandbox_documents()["isgri"])
    for parameter in spec.parameters("isgri_image"):
        field = form.fields.get(parameter.name)
        if field is None:
            continue
        assert field.label == (parameter.label or parameter.name)
        if parameter.description:
            assert parameter.description in field.control.tooltip


def test_every_control_has_a_visible_label_and_a_tooltip():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    for field in form.fields.values():
        control = field.control
        visible = getattr(control, "description", "") or isinstance(field, CatalogField)
        assert visible, field.name
        assert control.tooltip and field.label in control.tooltip, field.name
    for button in (form.submit_button, form.check_button, form.code_button):
        assert button.description and button.tooltip


def test_sections_follow_the_description_groups():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    titles = [html.unescape(box.children[0].value) for box in form.fields_box.children]
    spec = parse_instrument_description(sandbox_documents()["isgri"])
    groups = [p.group for p in spec.parameters("isgri_image") if p.group]
    for group in dict.fromkeys(groups):
        assert any(group in title for title in titles), (group, titles)


@pytest.mark.shared
def test_real_133_descriptions_build_every_product():
    for path in ("04_meta_data_empty.json", "03_meta_data_empty-async.json"):
        doc = load_capture(CAPTURE_133 / path)
        name = doc[0][0]["instrumet"]
        documents = {name: doc}
        for _, product in all_products(documents):
            form = form_for(documents, name, product)
            assert {"src_name", "RA", "DEC", "T1", "T2"} <= set(form.fields)
            assert form.invalid == []
            # 1.3.3 describes no T_format but reads it: one ISOT/MJD switch for both times
            switches = [f for f in form.fields.values() if isinstance(f, TimeFormatSwitch)]
            assert [f.name for f in switches] == ["T_format"]
            assert switches[0].times == [form.fields["T1"], form.fields["T2"]]


@pytest.mark.shared
def test_real_133_product_filtered_description():
    doc = load_capture(CAPTURE_133 / "05_meta_data_empty-async_product_numerical.json")
    form = form_for({"empty-async": doc}, "empty-async")
    assert form.product == "numerical"
    assert isinstance(form.fields["scw_list"], ProductListField)
    assert form.fields["p"].value == 10.0


@pytest.mark.shared
def test_current_capture_restricted_and_structured_parameters():
    doc = load_capture(CAPTURE_136)
    form = form_for({"empty": doc}, "empty", "restricted")
    integer = form.fields["bounded_int_par"]
    assert isinstance(integer, IntegerField)
    choice = form.fields["string_select_par"]
    assert isinstance(choice, ChoiceField)
    assert [v for _, v in choice.control.options] == ["spam", "eggs", "ham"]
    integer.control.value = "9"  # above max_value 8: shown as typed, never clamped
    assert integer.control.value == "9"
    assert "should be lower or equal than 8" in integer.error
    assert form.submit_button.disabled

    form.product_select.value = "structured"
    struct = form.fields["struct"]
    assert isinstance(struct, StructuredField)
    assert struct.value == {"a": [1, 2]}
    struct.control.value = '"just text"'
    assert "Wrong value of structured parameter struct" in struct.error
    struct.control.value = "{not json"
    assert struct.error == "Wrong value of structured parameter struct"
    assert struct.error_hint.startswith("The text is not JSON")
    struct.control.value = "[1, 2, 3]"
    assert struct.error is None


# --- validation as typed -----------------------------------------------------------------------
def test_typing_a_wrong_ra_shows_the_server_message_and_blocks_submit():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.fields["RA"].control.value = "a"
    ra = form.fields["RA"]
    assert ra.error.startswith("Parameter RA wrong value a. could not convert string to float: 'a'")
    assert "⚠" in ra.message.value
    assert "&#x27;a&#x27;" in ra.message.value  # escaped text, not markup
    assert "oda-invalid" in ra.control._dom_classes
    assert form.submit_button.disabled
    assert f"Fix 1 field: {ra.label}" in html.unescape(form.submit_reason.value)
    ra.control.value = "05h34m31.94s"  # hours, named by the text
    assert ra.error is None
    assert ra.value == pytest.approx(83.633083, abs=1e-5)
    assert not form.submit_button.disabled
    assert "= 83.633083°" in ra.message.value  # the angle in degrees, as typed


def test_two_wrong_fields_are_both_named():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.fields["RA"].control.value = "a"
    form.fields["T1"].control.value = "yesterday"
    labels = form.fields["RA"].label, form.fields["T1"].label
    assert form.submit_blocked_reason == f"Fix 2 fields: {labels[0]}, {labels[1]}"
    assert "can't be parsed as Time of isot format" in form.fields["T1"].error


def test_science_window_list_counts_and_names_the_wrong_line():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    scw = form.fields["scw_list"]
    scw.control.value = "066500220010.001\n066500230010.001\n066500240010"
    assert scw.error is None
    assert "3 science windows" in scw.message.value
    assert scw.value == ["066500220010.001", "066500230010.001", "066500240010"]
    scw.control.value = "066500220010.001\n0665002200"
    # the dispatcher takes any id: the odd one is named, the query may still go
    assert scw.error is None and not form.submit_button.disabled
    assert "1 not shaped like a science window id" in html.unescape(scw.message.value)
    assert "'0665002200'" in html.unescape(scw.message.value)


def test_the_time_switch_converts_both_times_and_sets_t_format():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    switches = [f for f in form.fields.values() if isinstance(f, TimeFormatSwitch)]
    assert len(switches) == 1
    before = form.values
    form.fields["T_format"].control.value = "mjd"
    after = form.values
    assert after["T_format"] == "mjd"
    from astropy.time import Time

    for name in ("T1", "T2"):
        assert isinstance(after[name], float)
        assert after[name] == pytest.approx(Time(before[name], format="isot").mjd, abs=1e-8)
        assert form.fields[name].units_label.value == "MJD"
    assert form.invalid == []
    form.fields["T_format"].control.value = "isot"
    assert form.values == before


def test_boolean_and_choice_fields():
    form = form_for(sandbox_documents(), "spi_acs", None)
    booleans = [f for f in form.fields.values() if isinstance(f, BooleanField)]
    choices = [f for f in form.fields.values() if isinstance(f, ChoiceField)]
    for field in booleans:
        assert isinstance(field.control, widgets.Checkbox)
    for field in choices:
        assert isinstance(field.control, widgets.Dropdown)
        assert field.value in [v for _, v in field.control.options]


def test_server_text_is_escaped_in_messages():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.fields["src_name"].show_error('<img src=x onerror="alert(1)">')
    assert "<img" not in form.fields["src_name"].message.value
    assert "&lt;img" in form.fields["src_name"].message.value


# --- values ------------------------------------------------------------------------------------
def test_values_round_trip_between_forms():
    documents = sandbox_documents()
    first = form_for(documents, "isgri", "isgri_image")
    first.values = {"RA": 83.633, "DEC": 22.0145, "src_name": "Crab", "E1_keV": 30.0,
                    "scw_list": ["066500220010.001"], "T_format": "mjd",
                    "T1": 52000.5, "T2": 52001.25}
    second = form_for(documents, "isgri", "isgri_image")
    second.values = first.values
    assert second.values == first.values
    assert second.query == first.query
    assert second.query["parameters"]["T1"] == 52000.5


def test_setting_an_unknown_name_says_which_names_exist():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    with pytest.raises(KeyError, match="has no parameter nosuch"):
        form.values = {"nosuch": 1}


def test_changing_product_and_instrument_keeps_values_of_the_same_name():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.values = {"RA": 10.5, "DEC": -3.25, "src_name": "Somewhere"}
    other = [p for p in form.product_select.options if p != "isgri_image"][0]
    form.product_select.value = other
    assert form.product == other
    assert (form.values["RA"], form.values["DEC"]) == (10.5, -3.25)
    form.instrument_select.value = "jemx"
    assert form.instrument == "jemx"
    assert form.values["src_name"] == "Somewhere" and form.values["RA"] == 10.5


def test_the_values_are_observable_and_follow_every_field_change():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    seen: list[dict[str, Any]] = []
    form.observe(lambda change: seen.append(change["new"]), names="values")

    form.fields["RA"].control.value = "05h34m31.94s"  # typed: one change, the value in degrees
    assert len(seen) == 1 and seen[0]["RA"] == pytest.approx(83.633083, abs=1e-5)
    assert seen[0] == form.values and seen[0]["DEC"] == form.fields["DEC"].value

    form.values = {"DEC": 22.0145, "src_name": "Crab"}  # set from code: one change, every field
    assert len(seen) == 2 and seen[1] == form.values
    assert (seen[1]["DEC"], seen[1]["src_name"]) == (22.0145, "Crab")
    assert seen[1]["RA"] == seen[0]["RA"]  # the fields not named keep their values

    form.values = {"DEC": 22.0145}  # the same values again: no change to tell
    assert len(seen) == 2

    form.fields["T_format"].control.value = "mjd"  # the switch converts both times
    assert len(seen) >= 3
    assert seen[-1]["T_format"] == "mjd" and isinstance(seen[-1]["T1"], float)
    assert seen[-1] == form.values


def test_instrument_and_product_are_observable_and_settable():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    switched: list[tuple[str, Any]] = []
    form.observe(lambda change: switched.append((change["name"], change["new"])),
                 names=["instrument", "product"])
    other = [p for p in form.product_select.options if p != "isgri_image"][0]
    form.product = other
    assert form.product_select.value == other and ("product", other) in switched
    assert set(form.values) == set(form.fields)  # the values are the new product's

    form.instrument = "jemx"
    assert form.instrument_select.value == "jemx" and ("instrument", "jemx") in switched
    assert form.product == form.product_select.value and form.product.startswith("jemx")

    before = form.values
    with pytest.raises(traitlets.TraitError, match="'nosuch' is not an instrument.*isgri"):
        form.instrument = "nosuch"
    assert form.instrument == "jemx" and form.values == before  # nothing lost


def test_from_job_rebuilds_the_form_for_edit_and_resubmit():
    documents = sandbox_documents()
    dispatcher = SavedDispatcher(documents)
    original = QueryForm(dispatcher, instrument="isgri", product="isgri_image")
    original.values = {"RA": 1.5, "DEC": 2.5, "E2_keV": 80.0}
    spec = dispatcher.describe("isgri")
    wire = spec.validate("isgri_image", original.parameters())
    job = Job("isgri", "isgri_image", "Real", wire, url=dispatcher.url, session_id="s")
    again = QueryForm.from_job(job, dispatcher)
    assert again.instrument == "isgri" and again.product == "isgri_image"
    assert again.values == original.values


def test_catalog_summary_clear_and_set_catalog():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    field = form.fields["selected_catalog"]
    assert isinstance(field, CatalogField)
    assert field.control.value == "no catalog: the dispatcher uses its own"
    assert "selected_catalog" not in form.parameters()
    catalog = {
        "cat_frame": "fk5", "cat_coord_units": "deg",
        "cat_column_list": [[0, 1, 2], ["A", "B", "C"], [5.0, 6.0, 7.0], [1.0, 2.0, 3.0],
                            [4.0, 5.0, 6.0]],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
        "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U1"], ["significance", "<f8"],
                             ["ra", "<f8"], ["dec", "<f8"]],
        "cat_lat_name": "dec", "cat_lon_name": "ra",
    }
    form.set_catalog(catalog)
    assert field.control.value == "catalog: 3 sources"
    assert json.loads(form.parameters()["selected_catalog"]) == catalog
    assert field.error is None and not form.submit_button.disabled
    field.clear_button.click()
    assert field.control.value == "no catalog: the dispatcher uses its own"
    assert "selected_catalog" not in form.parameters()


def test_each_submit_calls_the_registered_listener_until_it_is_removed():
    """Against a real sandbox over HTTP: the listener gets the very Job the form submitted."""
    from oda_widgets.sandbox import start_sandbox

    with start_sandbox(port=0) as sandbox:
        dispatcher = Dispatcher(url=sandbox.url, token="", registry=False)
        try:
            form = QueryForm(dispatcher, instrument="isgri", product="isgri_image")
            # a query the sandbox has science windows for (the Galactic centre, March 2003)
            form.values = {"RA": 255.98, "DEC": -37.84, "T1": "2003-03-15T23:27:40",
                           "T2": "2003-03-16T00:03:12"}
            seen: list[Job] = []
            form.on_submit(seen.append)
            first = form.submit()
            assert isinstance(first, Job)
            assert len(seen) == 1 and seen[0] is first
            assert first.wait(timeout=60) == "done", first.error
            assert first.job_id and first.product == "isgri_image"

            form.on_submit(seen.append, remove=True)
            form.values = {"RA": 266.4, "DEC": -29.0}
            second = form.submit()
            assert isinstance(second, Job) and second is not first
            assert len(seen) == 1  # removed: the second submission reached no listener
            second.wait(timeout=60)
        finally:
            dispatcher.close()


def test_a_failing_submit_listener_is_told_in_the_status_and_undoes_nothing():
    """Against a real sandbox over HTTP: the job stays submitted, the other listeners get it,
    the status line names the failure, and ``last_job`` (observable) is the job."""
    from oda_widgets.sandbox import start_sandbox

    with start_sandbox(port=0) as sandbox:
        dispatcher = Dispatcher(url=sandbox.url, token="", registry=False)
        try:
            form = QueryForm(dispatcher, instrument="isgri", product="isgri_image")
            form.values = {"RA": 255.98, "DEC": -37.84, "T1": "2003-03-15T23:27:40",
                           "T2": "2003-03-16T00:03:12"}
            last: list[Job] = []
            form.observe(lambda change: last.append(change["new"]), names="last_job")
            seen: list[Job] = []

            def broken(_job: Job) -> None:
                raise RuntimeError("the viewer is gone")

            form.on_submit(broken)
            form.on_submit(seen.append)
            job = form.submit()
            assert isinstance(job, Job)
            assert seen == [job] and form.jobs == [job]
            assert last == [job] and form.last_job is job
            assert form.status_text == "Submitted, but a listener failed: the viewer is gone"
            assert job.wait(timeout=60) == "done", job.error
        finally:
            dispatcher.close()


def test_show_code_has_the_query_and_no_token():
    token = make_token()
    dispatcher = SavedDispatcher(sandbox_documents(), token=token)
    form = QueryForm(dispatcher, instrument="isgri", product="isgri_image")
    form.values = {"RA": 83.633}
    form.code_button.click()
    code = html.unescape(form.code.value)
    assert "83.633" in code and "isgri_image" in code
    assert token not in code and token not in form.api_code()


# --- the token ---------------------------------------------------------------------------------
def test_a_typed_token_goes_to_the_dispatcher_and_never_into_widget_state():
    token = make_token(name="Jane Doe")
    dispatcher = SavedDispatcher(sandbox_documents())
    form = QueryForm(dispatcher, instrument="isgri", product="isgri_image")
    form.token_box.password.value = token  # what the browser syncs on Enter
    assert form.token_box.password.value == ""
    assert dispatcher.token_info is not None and dispatcher.token_info.name == "Jane Doe"
    status = form.token_box.status
    assert "Jane Doe" in status and "expires" in status
    states = json.dumps([w.get_state() for w in list(_instances.values())], default=str)
    assert token not in states
    assert token not in repr(form) and token not in repr(form.token_box)
    assert token not in repr(dispatcher)
    for widget in widget_tree(form):
        assert token not in json.dumps(widget.get_state(), default=str)


def test_a_token_given_to_the_form_is_used_but_not_shown():
    token = make_token(name="Ann Other")
    form = QueryForm(SavedDispatcher(sandbox_documents()), instrument="isgri", token=token)
    assert "Ann Other" in form.token_box.text
    assert token not in json.dumps([w.get_state() for w in widget_tree(form)], default=str)


def test_a_malformed_token_is_refused_without_echoing_it():
    dispatcher = SavedDispatcher(sandbox_documents())
    box = TokenBox(dispatcher)
    box.password.value = "definitely-not-a-jwt-secret"
    assert box.password.value == ""
    assert dispatcher.token_info is None
    assert "not an ODA token" in box.status
    assert "definitely-not-a-jwt-secret" not in box.status
    assert "definitely-not-a-jwt-secret" not in json.dumps(box.get_state(), default=str)


def test_a_server_refusal_is_shown_on_the_field_it_names():
    from oda_widgets.client.errors import RequestRejected

    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    refusal = RequestRejected(
        "Parameter E1_keV wrong value 1.0keV: should be greater or equal than 15", parameter="E1_keV"
    )
    form._attach_error(refusal)
    e1 = form.fields["E1_keV"]
    assert e1.error.startswith("Parameter E1_keV wrong value 1.0keV")
    assert form.submit_button.disabled
    assert "The dispatcher refused E1_keV" in form.status_text
    form._attach_error(RequestRejected("the dispatcher is busy with <script>"))
    assert "refused the query: the dispatcher is busy with <script>" in form.status_text
    assert "<script>" not in form.status_line.value  # the line shows it escaped
    e1.control.value = "25"  # editing the field clears the refusal
    assert e1.error is None and not form.submit_button.disabled


def _client_catalog():
    from astropy.table import Table

    from oda_widgets.client.catalog.source_catalog import Catalog

    table = Table({"meta_ID": [0, 1, 2], "src_names": ["A", "B", "C"],
                   "significance": [5.0, 6.0, 7.0], "ra": [1.0, 2.0, 3.0], "dec": [4.0, 5.0, 6.0]})
    table.meta.update({"FRAME": "fk5", "COORD_UNIT": "deg", "LON_NAME": "ra", "LAT_NAME": "dec"})
    return Catalog(table)


def test_a_client_catalog_edits_show_at_once_and_its_selection_is_sent_when_asked():
    catalog = _client_catalog()
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.set_catalog(catalog)
    field = form.fields["selected_catalog"]
    assert field.control.value == "catalog: 3 sources (as the job returned it)"
    catalog.add_source("NEW_1", 10.0, 20.0)
    catalog.remove(1)
    catalog.select([0, 2])
    assert field.control.value == "catalog: 3 sources (1 removed, 1 added), 2 selected (all are sent)"
    sent = form.parameters()
    assert json.loads(sent["selected_catalog"])["cat_column_list"][1] == ["A", "C", "NEW_1"]
    assert "catalog_selected_objects" not in sent  # every row goes unless "selected rows only"
    field.selected_only_box.value = True
    assert field.control.value == "catalog: 3 sources (1 removed, 1 added); only the 2 selected"
    sent = form.parameters()
    assert sent["catalog_selected_objects"] == "0,2"
    assert form.invalid == []
    wire = form.dispatcher.describe("isgri").validate("isgri_image", sent)
    assert wire["catalog_selected_objects"] == "0,2"
    catalog.select(None)
    assert "catalog_selected_objects" not in form.parameters()
    assert field.control.value.endswith("; no row selected, so all of them")
    field.clear_button.click()
    catalog.add_source("NEW_2", 11.0, 21.0)  # a cleared catalog is no longer followed
    assert field.control.value == "no catalog: the dispatcher uses its own"


# --- the spec's message and hint, per kind --------------------------------------------------
def shown(field) -> str:
    return html.unescape(field.message.value)


KIND_CASES_136 = [
    # (product, field, typed, the server's text, part of the hint)
    ("echo", "ang", "abc", "Parameter ang wrong value abc. could not convert string to float: 'abc'", "arcsec"),
    ("dummy", "RA", "north", "Parameter RA wrong value north. could not convert string to float: 'north'", "9h20m23s"),
    ("echo", "energ", "x", "Parameter energ wrong value x. could not convert string to float: 'x'", "MeV"),
    ("numerical", "p", "ten", "Parameter p wrong value ten. could not convert string to float: 'ten'", "as a number"),
    ("restricted", "bounded_int_par", "9", "Parameter bounded_int_par wrong value 9: should be lower or equal than 8.0", "between 2 and 8"),
    ("dummy", "T1", "58000", "Parameter T1 wrong value 58000: can't be parsed as Time of isot format", "isot format"),
    ("structured", "struct", "5", "Wrong value of structured parameter struct", "is not valid under any of the given schemas"),
    ("dummy", "src_name", "Crab\ud800", "The value of src_name cannot be sent: the character at position 4 ('\\ud800') is half of a UTF-16 pair, which UTF-8 cannot encode", "Retype the value"),
]

KIND_CASES_133 = [
    ("echo", "ang", "abc", "Invalid character at col 0 parsing angle 'abc'", "arcsec"),
    ("dummy", "RA", "1e-05", "Invalid character at col 1 parsing angle '1e-05'", "no exponent"),
    ("echo", "energ", "x", "the Float parameter energ cannot be assigned the value x of type str", "MeV"),
    ("numerical", "p", "ten", "the Float parameter p cannot be assigned the value ten of type str", "as a number"),
    ("dummy", "T1", "58000", "Input values did not match the format class isot:\nValueError: Time 58000 does not match isot format", "isot format"),
    ("dummy", "src_name", "\udc80", "The value of src_name cannot be sent: the character at position 0 ('\\udc80') is half of a UTF-16 pair, which UTF-8 cannot encode", "Retype the value"),
]


@pytest.mark.parametrize(("product", "name", "typed", "message", "hint"), KIND_CASES_136)
@pytest.mark.shared
def test_each_kind_shows_the_136_servers_text_and_the_specs_hint(product, name, typed, message, hint):
    form = form_for({"empty": load_capture(CAPTURE_136)}, "empty", product)
    field = form.fields[name]
    field.control.value = typed
    expected = form.spec.parameter(product, name)
    with pytest.raises(Exception) as refusal:
        expected.validate(typed, form._typed())
    assert field.error == message == refusal.value.message
    assert field.error_hint == refusal.value.hint and hint in field.error_hint
    assert message in shown(field) and field.error_hint in shown(field)
    assert form.submit_button.disabled


@pytest.mark.parametrize(("product", "name", "typed", "message", "hint"), KIND_CASES_133)
@pytest.mark.shared
def test_each_kind_shows_the_133_servers_text_and_the_specs_hint(product, name, typed, message, hint):
    form = form_for({"empty": load_capture(CAPTURE_133 / "04_meta_data_empty.json")}, "empty", product)
    field = form.fields[name]
    field.control.value = typed
    assert field.error == message
    assert hint in field.error_hint
    assert message in shown(field) and field.error_hint in shown(field)
    assert form.submit_button.disabled


@pytest.mark.shared
def test_the_133_catalog_refusal_is_the_servers_text_with_the_step_as_hint():
    form = form_for({"empty": load_capture(CAPTURE_133 / "04_meta_data_empty.json")}, "empty", "dummy")
    catalog = {
        "cat_frame": "fk5", "cat_coord_units": "deg",
        "cat_column_list": [[0], ["A"], [5.0], [1.0], [95.0]],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
        "cat_lat_name": "dec", "cat_lon_name": "ra",
    }
    form.set_catalog(catalog)
    field = form.fields["selected_catalog"]
    assert field.error == (
        "Error while setting catalog object : Latitude angle(s) must be within -90 deg <= angle "
        "<= 90 deg, got [95.] deg"
    )
    assert "latitude column 'dec'" in field.error_hint
    catalog["cat_column_list"][4] = [5.0]
    del catalog["cat_frame"]
    form.set_catalog(catalog)
    assert field.error == "Error while setting catalog object"
    assert "missing 'cat_frame'" in field.error_hint


@pytest.mark.shared
def test_the_133_science_window_list_refuses_what_the_server_refuses():
    doc = load_capture(CAPTURE_133 / "03_meta_data_empty-async.json")
    form = form_for({"empty-async": doc}, "empty-async", "dummy")
    scw = form.fields["scw_list"]
    scw.control.value = "066500220010.001 066500230010.001\nnot-a-scw"
    # the box's lines and spaces make a list: sent as repeated keys, which 1.3.3 reads
    assert scw.error is None
    assert "3 science windows; 1 not shaped like" in shown(scw)
    assert form.parameters()["scw_list"] == ["066500220010.001", "066500230010.001", "not-a-scw"]


@pytest.mark.shared
def test_an_angle_shows_its_value_in_degrees_as_typed():
    form = form_for({"empty": load_capture(CAPTURE_133 / "04_meta_data_empty.json")}, "empty", "echo")
    ra, ang = form.fields["RA"], form.fields["ang"]
    ra.control.value = "9 20 23"  # in the parameter's unit: degrees, as the server reads it
    assert "= 9.339722°" in shown(ra)
    ra.control.value = "9h20m23s"
    assert "= 140.095833°" in shown(ra)
    ang.control.value = "3600"  # arcsec
    assert "= 1.000000°" in shown(ang)
    assert form.parameters()["RA"] == pytest.approx(140.0958333333)


@pytest.mark.shared
def test_an_empty_field_is_not_sent_and_says_the_default_applies():
    form = form_for({"empty": load_capture(CAPTURE_133 / "04_meta_data_empty.json")}, "empty", "echo")
    for name in ("RA", "src_name", "ang", "T1"):
        field = form.fields[name]
        field.control.value = ""
        assert field.error is None
        assert field.note.startswith("empty: the dispatcher's default, ")
        assert field.control.placeholder == field.note
        assert name not in form.parameters()
    assert not form.submit_button.disabled


@pytest.mark.shared
def test_a_required_parameter_without_default_cannot_be_left_empty():
    form = form_for({"empty": load_capture(CAPTURE_136)}, "empty", "dummy")
    spec = form.spec.parameter("dummy", "RA")
    spec.default = None  # as a description may have it
    field = form.fields["RA"]
    field.control.value = ""
    assert field.error == "Non-optional parameter RA is set to None"
    assert "no default" in field.error_hint


def test_the_catalog_and_selected_only_survive_switching_the_product():
    catalog = _client_catalog()
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.set_catalog(catalog, selected_only=True)
    catalog.select([2])
    form.product_select.value = "isgri_spectrum"
    field = form.fields["selected_catalog"]
    assert field.catalog is catalog and field.selected_only
    # the live catalog, not a frozen copy: an edit after the switch still goes
    catalog.rename(2, "C renamed")
    sent = form.parameters()
    assert json.loads(sent["selected_catalog"])["cat_column_list"][1][2] == "C renamed"
    assert sent["catalog_selected_objects"] == "2"
    assert field.control.value == "catalog: 3 sources (1 renamed); only the 1 selected"
    form.product_select.value = "isgri_lc"
    assert form.parameters()["catalog_selected_objects"] == "2"
    # the field of the product left behind follows the catalog no more; the new one does
    left_behind, now = field, form.fields["selected_catalog"]
    said = left_behind.control.value
    catalog.add_source("D", 10.0, 10.0)
    assert now is not left_behind and left_behind.control.value == said
    assert now.control.value.startswith("catalog: 4 sources")
