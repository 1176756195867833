"""The form's field for each parameter kind of today's dispatcher, and the registry joining them.

Descriptions are shaped as the local MMODA peer's (nbexamples, nb2wtests, empty*): a LongString
in a multi-line box, file parameters with an upload, a Phosphoros filters table editor, untyped
parameters by the kind of their default, energies with units, format companions as choices, a
product's own time format converted by the form's one switch.
"""

from __future__ import annotations

import hashlib
from typing import Any

import ipywidgets as widgets
import pytest

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.query.file_parameters import LocalFile
from oda_widgets.client.query.kinds import kinds
from oda_widgets.client.query.parameter_parsing import parameter_from_description
from oda_widgets.client.query.spec import parse_instrument_description
from oda_widgets.client.query.time_parameters import FormatParameter, TimeDeltaParameter
from oda_widgets.widgets import QueryForm
from oda_widgets.widgets.field_registry import (
    field_factory,
    kinds_without_field,
    register_field,
    registered_fields,
)
from oda_widgets.widgets.fields import (
    BooleanField,
    IntegerField,
    StructuredField,
    TextField,
    TimeField,
    TimeFormatSwitch,
    field_for,
)
from oda_widgets.widgets.file_field import FileField
from oda_widgets.widgets.filters_table_field import FiltersTableField
from oda_widgets.widgets.format_field import FormatChoiceField
from oda_widgets.widgets.long_text_field import LongTextField
from oda_widgets.widgets.quantity_field import QuantityField

pytestmark = pytest.mark.unit

ONTO = "http://odahub.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
STRING = [XSD + "str", ONTO + "String"]
TIME = [ONTO + "TimeInstant"]


def entry(name, value, owl_uri=None, *, units=None, optional=False, extra=None, **restrictions):
    described = {"name": name, "units": units, "value": value,
                 "restrictions": {"is_optional": optional, **restrictions}, "extra_metadata": extra or {}}
    if owl_uri is not None:
        described["owl_uri"] = owl_uri
    return described


def field_of(described) -> Any:
    return field_for(parameter_from_description(described))


# --- the registry -----------------------------------------------------------------------------
def test_every_registered_kind_has_a_field():
    assert kinds_without_field() == []
    assert set(kinds()) <= set(registered_fields())


def test_a_kind_has_one_field():
    with pytest.raises(ValueError, match="already has the field LongTextField"):
        register_field("long_string")(type("OtherText", (TextField,), {}))
    assert field_factory("no_such_kind", TextField) is TextField
    with pytest.raises(KeyError):
        field_factory("no_such_kind")


# --- LongString -------------------------------------------------------------------------------
def test_a_long_string_is_a_multi_line_box_that_keeps_its_lines():
    text = "Foo Bar\nContains = Symbol\nSpam Ham"
    field = field_of(entry("string_param", text, [*STRING, ONTO + "LongString"], units="str"))
    assert isinstance(field, LongTextField)
    assert isinstance(field.control, widgets.Textarea) and field.control.rows >= 4
    assert field.value == text
    field.control.value = "one\ntwo\n"
    assert field.value == "one\ntwo" and field.check() == "one\ntwo"


# --- files ------------------------------------------------------------------------------------
POSIX = [*STRING, ONTO + "FileReference", ONTO + "POSIXPath"]
FILE_URL = [*STRING, ONTO + "FileReference", ONTO + "FileURL"]


def upload(field: FileField, name: str, content: bytes) -> None:
    """What the browser sends when a file is chosen in the Upload button."""
    field.upload.set_state({"value": [{
        "name": name, "type": "application/octet-stream", "size": len(content),
        "content": memoryview(content), "last_modified": 1_700_000_000_000,
    }]})


def test_a_file_is_uploaded_or_its_url_typed():
    field = field_of(entry("fits_file_path", "test.fits", POSIX, units="str",
                           extra={"label": "Test file path", "description": "Description test file path"}))
    assert isinstance(field, FileField)
    assert field.label == "Test file path" and "Description test file path" in field.widget.tooltip
    assert field.value == "test.fits"
    seen = []
    field.observe(lambda change: seen.append(change["new"]), names="value")
    upload(field, "events.fits", b"SIMPLE  =  T")
    assert field.value == LocalFile("events.fits", b"SIMPLE  =  T") == seen[-1]
    assert field.upload.value == ()  # the bytes live in the field, not in the widget's state
    assert field.control.disabled and "events.fits (12 bytes)" in field.file_label.value
    assert field.check() == field.value and "uploaded to the dispatcher" in field.note
    field.remove_button.click()
    assert field.file is None and not field.control.disabled and field.value == "test.fits"


def test_a_file_is_chosen_from_code_by_path_or_bytes(tmp_path):
    path = tmp_path / "catalog.txt"
    path.write_bytes(b"a,b\n1,2\n")
    field = field_of(entry("dummy_POSIX_file", None, POSIX, units="str", optional=True))
    assert field.value is None and field.check() is None  # optional, not sent
    field.set_value(path)
    assert field.value == LocalFile("catalog.txt", b"a,b\n1,2\n")
    field.set_value(b"raw")
    assert field.value == LocalFile("dummy_POSIX_file", b"raw")
    field.set_value("https://example.org/c.fits")
    assert field.file is None and field.value == "https://example.org/c.fits"


def test_a_file_url_field_checks_the_url_as_the_notebook_service_does():
    field = field_of(entry("fits_file_url", "https://fits.gsfc.nasa.gov/samples/testkeys.fits", FILE_URL, units="str"))
    field.control.value = "testkeys.fits"
    field.check()
    assert field.error == 'Parameter fits_file_url value "testkeys.fits" can not be interpreted as FileURL.'
    upload(field, "testkeys.fits", b"x")
    assert field.check() == LocalFile("testkeys.fits", b"x") and field.error is None


# --- untyped parameters, energies, formats ----------------------------------------------------
def test_an_untyped_parameter_gets_the_field_of_its_defaults_kind():
    lst = field_of({"name": "lst", "units": None, "value": ["b", "c", "d"], "restrictions": {"is_optional": False}})
    assert isinstance(lst, StructuredField) and lst.value == ["b", "c", "d"]
    number = field_of({"name": "otheropt", "units": None, "value": 5, "restrictions": {"is_optional": True}})
    assert isinstance(number, IntegerField) and number.value == 5
    number.control.value = "abc"
    assert number.check() == "abc" and number.error is None  # the dispatcher takes it
    assert "reads a whole number here (default 5)" in number.note
    flag = field_of({"name": "yes", "units": None, "value": False, "restrictions": {"is_optional": False}})
    assert isinstance(flag, BooleanField)


def test_an_energy_takes_other_units_and_shows_the_value_sent():
    field = field_of(entry("energy", 50.0, [ONTO + "Energy", ONTO + "Frequency"], units="keV", max_value=800.0))
    assert isinstance(field, QuantityField) and field.units_label.value == "keV"
    field.control.value = "0.3 MeV"
    assert field.value == pytest.approx(300.0)
    assert field.check() == pytest.approx(300.0) and field.note == "= 300.0 keV"
    field.control.value = "300"
    assert field.check() == 300.0 and field.note == ""  # "300 keV" is already shown
    field.control.value = "1 MeV"
    field.check()
    assert field.error == "Parameter energy wrong value 1000.0keV: should be lower or equal than 800.0"


def test_a_time_interval_takes_other_durations():
    field = field_of(entry("duration", 100.0, [ONTO + "TimeInterval"], units="s"))
    field.control.value = "2 minute"
    assert field.check() == pytest.approx(120.0) and field.note == "= 120.0 s"


def test_a_format_companion_is_a_choice_of_the_formats_the_server_reads():
    delta_format = FormatParameter("delta_T_format", units="str", default="sec")
    delta_format.attach_to(TimeDeltaParameter("time_bin", units="sec", default=1000.0))
    field = field_for(delta_format)
    assert isinstance(field, FormatChoiceField)
    assert [value for _, value in field.control.options][:2] == ["sec", "jd"]
    assert field.value == "sec"
    field.control.value = "jd"
    assert field.check() == "jd"
    assert isinstance(field_for(FormatParameter("x_format", units="str", default="a")), TextField)


def test_a_structured_parameter_shows_its_schemas_words():
    schema = {"type": "object", "title": "Columns", "description": "Table columns by name",
              "properties": {"col1": {"type": "array", "description": "source names"}}}
    field = field_of(entry("struct_par", {"col1": ["foo"]}, [ONTO + "StructuredParameter"], schema=schema))
    assert isinstance(field, StructuredField)
    assert "Columns - Table columns by name (a JSON object)" in field.hints.value
    assert "col1: source names - a JSON array" in field.hints.value
    hostile = field_of(entry("s", {}, [ONTO + "StructuredParameter"], schema={"title": "<img src=x onerror=alert(1)>"}))
    assert "<img" not in hostile.hints.value and "&lt;img" in hostile.hints.value


# --- the Phosphoros filters table -------------------------------------------------------------
FILTERS = ["CFHT|MegaCam.g", "CFHT|MegaCam.r", "Euclid|VIS.vis"]
SCHEMA = {
    "type": "object",
    "properties": {
        "filter": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": FILTERS}},
        "flux": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
        "flux_error": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
    },
    "additionalProperties": False,
    "required": ["filter", "flux", "flux_error"],
}


def filters_field() -> FiltersTableField:
    field = field_of(entry("filters", {"filter": ["CFHT|MegaCam.g"], "flux": ["FG"], "flux_error": ["EG"]},
                           [ONTO + "PhosphorosFiltersTable"], schema=SCHEMA))
    assert isinstance(field, FiltersTableField)
    return field


def test_the_filters_table_edits_rows_of_filter_flux_and_flux_error():
    field = filters_field()
    assert [row.cells for row in field.rows] == [("CFHT|MegaCam.g", "FG", "EG")]
    assert field.rows[0].filter.options == tuple(FILTERS) and field.rows[0].filter.ensure_option
    row = field.add_row()
    row.filter.value = "Euclid|VIS.vis"
    row.flux.value = "FV"
    row.flux_error.value = "EV"
    assert field.value == {"filter": ["CFHT|MegaCam.g", "Euclid|VIS.vis"], "flux": ["FG", "FV"], "flux_error": ["EG", "EV"]}
    assert field.check() == field.value and field.note == "2 filters: CFHT|MegaCam.g, Euclid|VIS.vis"
    field.rows[0].remove.click()
    assert field.value == {"filter": ["Euclid|VIS.vis"], "flux": ["FV"], "flux_error": ["EV"]}


def test_an_incomplete_filter_row_is_refused_with_what_is_missing():
    field = filters_field()
    row = field.add_row()
    row.filter.value = "CFHT|MegaCam.r"
    row.flux.value = "FR"
    field.check()
    assert field.error == "Wrong value of structured parameter filters"
    assert field.error_hint.startswith("At flux_error[1]: '' should be non-empty")
    row.flux.value = "FG"  # a column used twice
    row.flux_error.value = "ER"
    field.check()
    assert field.error_hint.startswith("At flux: ['FG', 'FG'] has non-unique elements")


def test_the_filters_table_is_filled_from_code():
    field = filters_field()
    field.set_value([("CFHT|MegaCam.r", "FR", "ER")])
    assert [row.cells for row in field.rows] == [("CFHT|MegaCam.r", "FR", "ER")]
    field.set_value(None)
    assert field.rows == [] and field.value is None


# --- a product's own time format in the form --------------------------------------------------
class SavedDispatcher(Dispatcher):
    """A real Dispatcher whose descriptions are the documents given (no request is made)."""

    def __init__(self, documents: dict[str, Any]) -> None:
        super().__init__(url="http://127.0.0.1:9/dispatch-data", token="", registry=False)
        self._documents = documents

    def instruments(self) -> list[str]:
        return list(self._documents)

    def describe(self, instrument: str, product: str | None = None) -> Any:
        return parse_instrument_description(self._documents[instrument])


def nbexamples_echo() -> list:
    source = [{"query_name": "src_query"},
              entry("RA", 10.0, [ONTO + "Angle"], units="deg"),
              entry("T1", 56000.0, TIME, units="mjd"), {"name": "T_format", "units": "str", "value": "mjd"},
              entry("T2", 56005.0, TIME, units="mjd")]
    product = [{"query_name": "echo_query"}, {"product_name": "echo"},
               entry("time_instant", "2017-08-17T12:43:00.000", TIME, units="isot"),
               {"name": "T_format", "units": "str", "value": "isot"},
               entry("token_rename", "XGDSgs2KYqHr", STRING, units="str")]
    return [[{"instrumet": "nbexamples"}, {"prod_dict": {"echo": "echo_query"}},
             source, [{"query_name": "instr_query"}], product]]


def test_a_products_own_time_is_shown_in_the_forms_time_format_and_accepted():
    form = QueryForm(SavedDispatcher({"nbexamples": nbexamples_echo()}))
    assert form.invalid == []  # was: "Fix 1 field: time_instant"
    switch = form.fields["T_format"]
    assert isinstance(switch, TimeFormatSwitch) and form.fields["time_instant"] in switch.times
    parameters = form.parameters()
    assert parameters["T_format"] == "mjd"
    assert parameters["time_instant"] == pytest.approx(57982.5298611111)
    # the dispatcher reads it back as the same instant, to the millisecond
    from astropy.time import Time

    assert Time(parameters["time_instant"], format="mjd").isot == "2017-08-17T12:43:00.000"
    switch.control.value = "isot"
    assert form.parameters()["time_instant"] == "2017-08-17T12:43:00.000"
    assert isinstance(form.fields["time_instant"], TimeField)
    # every field's wire value passes the instrument's own validation
    form.dispatcher.describe("nbexamples").validate("echo", form.parameters())


def test_the_forms_values_take_a_file(tmp_path):
    source = [{"query_name": "src_query"}, entry("T1", "2017-03-06T13:26:48.000", TIME, units="isot"),
              {"name": "T_format", "units": "str", "value": "isot"}]
    product = [{"query_name": "file_query"}, {"product_name": "file_dummy"},
               entry("dummy_POSIX_file", None, POSIX, units="str", optional=True)]
    form = QueryForm(SavedDispatcher({"empty-with-posix-path": [[
        {"instrumet": "empty-with-posix-path"}, {"prod_dict": {"file_dummy": "file_query"}},
        source, [{"query_name": "instr_query"}], product]]}))
    path = tmp_path / "spectrum.pha"
    path.write_bytes(b"\x00\x01binary")
    form.values = {"dummy_POSIX_file": path}
    local = form.parameters()["dummy_POSIX_file"]
    assert local == LocalFile("spectrum.pha", b"\x00\x01binary")
    assert hashlib.md5(b"\x00\x01binary").hexdigest() == local.md5
    code = form.api_code()
    assert "# dummy_POSIX_file: the file spectrum.pha (8 bytes) is uploaded" in code
    assert "dummy_POSIX_file\":" not in code
