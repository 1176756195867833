"""The parameter kinds of today's dispatcher (1.3.6): one registry, and each kind's check.

Entries are shaped as the dispatcher describes them (``Parameter.reprJSONifiable``), from the
instruments the local MMODA peer serves (nbexamples, nb2wtests, empty*); the same checks run
against the real server in ``tests/mmoda``. Messages are the dispatcher's words, or the notebook
service's (nb2workflow) where it is the one that refuses (file references, URLs).
"""

from __future__ import annotations

import hashlib

import astropy.units as u
import pytest

from oda_widgets.client.errors import ValidationError, ValidationErrors
from oda_widgets.client.query.file_parameters import (
    FileReferenceParameter,
    FileURLParameter,
    LocalFile,
    POSIXPathParameter,
)
from oda_widgets.client.query.filters_table import PhosphorosFiltersParameter
from oda_widgets.client.query.kinds import kind_from_owl_uri, kind_named, kinds, register_kind
from oda_widgets.client.query.parameter_parsing import parameter_from_description
from oda_widgets.client.query.schema_words import schema_error_hint, schema_hints
from oda_widgets.client.query.spec import parse_instrument_description
from oda_widgets.client.query.structured_parameter import StructuredParameter
from oda_widgets.client.query.text_parameters import LongStringParameter, StringParameter
from oda_widgets.client.query.time_parameters import FormatParameter, TimeDeltaParameter
from oda_widgets.client.query.untyped import UntypedParameter

pytestmark = pytest.mark.unit

ONTO = "http://odahub.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
STRING = [XSD + "str", ONTO + "String"]


def entry(name, value, owl_uri=None, *, units=None, optional=False, **restrictions):
    described = {"name": name, "units": units, "value": value,
                 "restrictions": {"is_optional": optional, **restrictions}, "extra_metadata": {}}
    if owl_uri is not None:
        described["owl_uri"] = owl_uri
    return described


def refusal(spec, value, values=None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        spec.validate(value, values)
    return info.value


# --- the registry -----------------------------------------------------------------------------
def test_each_kind_is_registered_once_with_its_class_and_uris():
    registered = kinds()
    assert {"long_string", "file_reference", "posix_path", "file_url", "phosphoros_filters",
            "untyped", "energy", "time_interval"} <= set(registered)
    for name, kind in registered.items():
        assert kind.spec_class.kind == name
    assert kind_named("posix_path").spec_class is POSIXPathParameter
    assert ONTO + "LongString" in kind_named("long_string").owl_uris
    with pytest.raises(KeyError, match="known: "):
        kind_named("no_such_kind")


def test_a_kind_cannot_be_registered_to_two_classes():
    with pytest.raises(ValueError, match="already registered to StringParameter"):
        register_kind("string")(type("OtherString", (StringParameter,), {}))


@pytest.mark.parametrize(
    ("owl_uri", "kind"),
    [
        # the server sends its class's URIs and its ancestors': the most derived class wins
        ([*STRING, ONTO + "FileReference", ONTO + "POSIXPath"], "posix_path"),
        ([*STRING, ONTO + "FileReference", ONTO + "FileURL"], "file_url"),
        ([*STRING, ONTO + "FileReference"], "file_reference"),
        ([*STRING, ONTO + "LongString"], "long_string"),
        ([*STRING, ONTO + "AstrophysicalObject"], "string"),
        ([ONTO + "PhosphorosFiltersTable"], "phosphoros_filters"),
        ([ONTO + "TimeInterval"], "time_interval"),
        ([XSD + "int", ONTO + "Integer"], "integer"),
        (["http://example.org/x#Spectrogram"], None),
    ],
)
def test_the_most_derived_class_named_decides_the_kind(owl_uri, kind):
    assert kind_from_owl_uri(owl_uri) == kind


# --- LongString -------------------------------------------------------------------------------
def test_long_string_keeps_its_lines_and_is_stripped_as_the_server_strips():
    text = "Foo Bar\nContains = Symbol\nSpam Ham"
    spec = parameter_from_description(entry("string_param", text, [*STRING, ONTO + "LongString"], units="str"))
    assert isinstance(spec, LongStringParameter) and spec.kind == "long_string"
    assert spec.validate("  line one\n  line two\n\n") == "line one\n  line two"


# --- files ------------------------------------------------------------------------------------
POSIX = [*STRING, ONTO + "FileReference", ONTO + "POSIXPath"]
FILE_URL = [*STRING, ONTO + "FileReference", ONTO + "FileURL"]


def test_a_file_parameter_takes_a_path_bytes_or_a_local_file_and_text(tmp_path):
    spec = parameter_from_description(entry("dummy_POSIX_file", None, POSIX, units="str", optional=True))
    assert isinstance(spec, POSIXPathParameter)
    data = tmp_path / "catalog.fits"
    data.write_bytes(b"SIMPLE  =                    T")
    local = spec.validate(data)
    assert local == LocalFile("catalog.fits", b"SIMPLE  =                    T")
    assert local.md5 == hashlib.md5(data.read_bytes()).hexdigest()  # the dispatcher's name for it
    assert spec.validate(b"abc") == LocalFile("dummy_POSIX_file", b"abc")
    assert spec.validate(local) is local
    assert spec.validate(" /data/catalog.fits ") == "/data/catalog.fits"
    assert spec.validate(None) is None  # optional: not given
    assert "uploaded to the dispatcher when the query is submitted" in spec.preview(local)
    assert repr(local) == "LocalFile('catalog.fits', 30 bytes)"


def test_a_missing_file_is_refused_before_anything_is_sent(tmp_path):
    spec = parameter_from_description(entry("dummy_POSIX_file", None, POSIX, units="str", optional=True))
    error = refusal(spec, tmp_path / "nowhere.fits")
    assert "nowhere.fits for dummy_POSIX_file cannot be read" in error.message
    assert "exists" in error.hint


def test_an_empty_file_reference_is_refused_in_the_notebook_services_words():
    spec = parameter_from_description(entry("fits_file_path", "test.fits", POSIX, units="str"))
    error = refusal(spec, "")
    assert error.message == "Empty string is not a valid value of FileReference parameter fits_file_path"


@pytest.mark.parametrize(
    "url",
    ["https://fits.gsfc.nasa.gov/samples/testkeys.fits", "http://127.0.0.1:8010/mmoda/dispatch-data/download_file?file_list=ab&_is_mmoda_url=True",
     "http://localhost/x.fits", "ftp://ftp.example.org/pub/a.fits"],
)
def test_a_file_url_takes_urls(url):
    spec = parameter_from_description(entry("fits_file_url", "https://a.org/b.fits", FILE_URL, units="str"))
    assert isinstance(spec, FileURLParameter)
    assert spec.validate(url) == url


@pytest.mark.parametrize("text", ["not a url", "/home/local/test.fits", "www.example.org/a.fits", "https://"])
def test_a_file_url_refuses_what_the_notebook_service_cannot_read_as_a_url(text):
    spec = parameter_from_description(entry("fits_file_url", "https://a.org/b.fits", FILE_URL, units="str"))
    error = refusal(spec, text)
    assert error.message == f'Parameter fits_file_url value "{text}" can not be interpreted as FileURL.'
    assert "upload" in error.hint


def test_a_plain_file_reference_takes_a_path_or_url():
    spec = parameter_from_description(entry("f", "/home/local/test.fits", [*STRING, ONTO + "FileReference"], units="str"))
    assert type(spec) is FileReferenceParameter
    assert spec.validate("/home/local/other.fits") == "/home/local/other.fits"


# --- untyped parameters -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "plain_kind"),
    [(["b", "c", "d"], "structured"), ({"foo": [1, 2]}, "structured"), (5, "integer"),
     (2.5, "float"), (True, "boolean"), ("baz", "string"), (None, "string")],
)
def test_an_untyped_default_gets_the_plain_kind_of_its_value(value, plain_kind):
    spec = parameter_from_description({"name": "lst", "units": None, "value": value, "restrictions": {"is_optional": False}})
    assert isinstance(spec, UntypedParameter) and spec.kind == "untyped"
    assert spec.plain_kind == plain_kind
    assert not spec.optional  # as the server says: never taken for a science-window list


def test_an_untyped_parameter_is_optional_only_when_the_server_says_so():
    optional = parameter_from_description({"name": "otheropt", "units": None, "value": 5, "restrictions": {"is_optional": True}})
    required = parameter_from_description({"name": "lst", "units": None, "value": ["b"], "restrictions": {"is_optional": False}})
    assert optional.validate(None) is None
    assert refusal(required, None).message == "Non-optional parameter lst is set to None"


def test_an_untyped_parameter_takes_what_the_dispatcher_takes_and_says_what_the_service_expects():
    lst = parameter_from_description({"name": "lst", "units": None, "value": ["b", "c"], "restrictions": {"is_optional": False}})
    assert lst.validate('["x", "y"]') == ["x", "y"]  # the dispatcher decodes JSON lists
    assert lst.validate(("x",)) == ["x"]
    assert lst.validate(" x, y ") == "x, y"  # kept as text, as the dispatcher keeps it
    assert "The service reads JSON here (default [\"b\", \"c\"])" in lst.preview("x, y")
    assert lst.preview(["x"]) == ""
    otheropt = parameter_from_description({"name": "otheropt", "units": None, "value": 5, "restrictions": {"is_optional": True}})
    assert otheropt.validate("abc") == "abc"
    assert "reads a whole number here (default 5) and may refuse this" in otheropt.preview("abc")
    assert "may refuse" in otheropt.preview("5.0")  # the service reads it with int()
    assert otheropt.preview("7") == "" and otheropt.preview(7) == ""


def test_older_descriptions_still_guess_their_kinds():
    # 1.3.3 sends no restrictions: a list default is its product list, as its server reads it
    spec = parameter_from_description({"name": "scw_list", "units": None, "value": []})
    assert spec.kind == "input_prod_list"


# --- energies and time intervals --------------------------------------------------------------
ENERGY = [ONTO + "Energy", ONTO + "Frequency"]


def test_an_energy_reads_other_energy_and_frequency_units():
    spec = parameter_from_description(entry("energy", 50.0, ENERGY, units="keV", min_value=35.0, max_value=800.0))
    assert spec.validate(50) == 50.0
    assert spec.validate("0.1 MeV") == pytest.approx(100.0)
    assert spec.validate(0.2 * u.MeV) == pytest.approx(200.0)
    assert spec.validate(1e10 * u.GHz) == pytest.approx(41.3566769, rel=1e-6)  # h nu in keV
    assert spec.preview(100.0) == "= 100.0 keV"
    # bounds are checked in the advertised units, after the conversion
    assert refusal(spec, "1 MeV").message == "Parameter energy wrong value 1000.0keV: should be lower or equal than 800.0"


def test_an_energy_refuses_other_quantities_with_the_units_it_takes():
    spec = parameter_from_description(entry("energy", 50.0, ENERGY, units="keV"))
    assert spec.validate(1 * u.nm) == pytest.approx(1.23984198)  # a wavelength is spectral too
    error = refusal(spec, 5 * u.kg)
    assert error.message == "Parameter energy wrong value 5.0 kg: it cannot be given in keV"
    assert "1 MeV" in error.hint
    # text in other units is refused in the server's own words, with the units in the hint
    error = refusal(spec, "5 kg")
    assert error.message == "Parameter energy wrong value 5 kg. could not convert string to float: '5 kg'"
    assert "with its units" in error.hint


def test_a_time_interval_reads_other_durations():
    spec = parameter_from_description(entry("duration", 100.0, [ONTO + "TimeInterval"], units="s"))
    assert spec.kind == "time_interval"
    assert spec.validate("2 hour") == pytest.approx(7200.0)
    assert spec.validate(1.5 * u.min) == pytest.approx(90.0)
    assert refusal(spec, 3 * u.keV).message.endswith("it cannot be given in s")


# --- structured parameters and their schema's words -------------------------------------------
PHOTOMETRY_SCHEMA = {
    "title": "Photometry",
    "description": "Magnitudes measured in each band",
    "type": "object",
    "properties": {
        "band": {"type": "string", "enum": ["g", "r", "i"], "title": "Band", "description": "SDSS band"},
        "mag": {"type": "number", "minimum": 0, "title": "Magnitude"},
        "ref": {"$ref": "#/definitions/reference"},
    },
    "required": ["band", "mag"],
    "examples": [{"band": "g", "mag": 18.2}],
}


def test_the_schema_words_are_hints():
    lines = schema_hints(PHOTOMETRY_SCHEMA)
    assert lines[0] == "Photometry - Magnitudes measured in each band (a JSON object)"
    assert "band (required): Band - SDSS band - text, one of: g, r, i" in lines
    assert "mag (required): Magnitude - a number, at least 0" in lines
    assert "ref: as defined by #/definitions/reference" in lines
    assert lines[-1] == "e.g. {'band': 'g', 'mag': 18.2}"
    assert schema_hints({"oneOf": [{"type": "object"}, {"type": "array"}]}) == ["A JSON object or a JSON array"]
    assert schema_hints(None) == []


def test_a_refused_structured_value_names_the_part_in_the_schemas_words():
    spec = parameter_from_description(entry("phot", {"band": "g", "mag": 18.2}, [ONTO + "StructuredParameter"], schema=PHOTOMETRY_SCHEMA))
    assert isinstance(spec, StructuredParameter)
    assert spec.schema_hints()[0].startswith("Photometry")
    error = refusal(spec, {"band": "z", "mag": 18.2})
    assert error.message == "Wrong value of structured parameter phot"
    assert error.hint.startswith("At band: 'z' is not one of the 3 allowed values")
    assert "(band: Band - SDSS band)" in error.hint
    error = refusal(spec, '{"band": "g", "mag": -1}')
    assert error.hint.startswith("At mag: -1 is less than the minimum of 0") and "Magnitude" in error.hint
    assert "'mag' is a required property" in refusal(spec, {"band": "r"}).hint


def test_an_enum_error_suggests_the_closest_choices_instead_of_listing_them_all():
    class Error:
        validator = "enum"
        instance = "CFHT|MegaCam.gg"
        absolute_path = ("filter", 0)
        schema = {"enum": ["CFHT|MegaCam.g", "CFHT|MegaCam.r"] + [f"X|{i}" for i in range(200)]}
        message = "long"

    hint = schema_error_hint(Error(), {"properties": {"filter": {"type": "array"}}})
    assert hint.startswith("At filter[0]: 'CFHT|MegaCam.gg' is not one of the 202 allowed values; did you mean 'CFHT|MegaCam.g'")
    assert len(hint) < 300


# --- Phosphoros filter tables -----------------------------------------------------------------
FILTERS = ["CFHT|MegaCam.g", "CFHT|MegaCam.r", "CFHT|MegaCam.i", "Euclid|VIS.vis"]
# the schema the dispatcher's PhosphorosFiltersTable describes (its filter list shortened)
PHOSPHOROS_SCHEMA = {
    "type": "object",
    "properties": {
        "filter": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": FILTERS}},
        "flux": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
        "flux_error": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
    },
    "additionalProperties": False,
    "required": ["filter", "flux", "flux_error"],
}
TABLE_DEFAULT = {"filter": ["CFHT|MegaCam.g"], "flux": ["FLUX_G"], "flux_error": ["FLUXERR_G"]}


def phosphoros():
    return parameter_from_description({
        "name": "filters_table", "units": None, "value": TABLE_DEFAULT,
        "restrictions": {"is_optional": False, "schema": PHOSPHOROS_SCHEMA},
        "owl_uri": [ONTO + "PhosphorosFiltersTable"],
    })


def test_a_filters_table_takes_columns_rows_or_a_table():
    spec = phosphoros()
    assert isinstance(spec, PhosphorosFiltersParameter) and spec.filters == FILTERS
    wanted = {"filter": ["CFHT|MegaCam.g", "Euclid|VIS.vis"], "flux": ["FG", "FV"], "flux_error": ["EG", "EV"]}
    assert spec.validate(wanted) == wanted
    assert spec.validate([("CFHT|MegaCam.g", "FG", "EG"), ("Euclid|VIS.vis", "FV", "EV")]) == wanted
    assert spec.validate([{"filter": "CFHT|MegaCam.g", "flux": "FG", "flux_error": "EG"},
                          {"filter": "Euclid|VIS.vis", "flux": "FV", "flux_error": "EV"}]) == wanted
    from astropy.table import Table

    assert spec.validate(Table(wanted)) == wanted
    assert spec.rows_of(wanted) == [("CFHT|MegaCam.g", "FG", "EG"), ("Euclid|VIS.vis", "FV", "EV")]
    assert spec.preview(wanted) == "2 filters: CFHT|MegaCam.g, Euclid|VIS.vis"


@pytest.mark.parametrize(
    ("value", "hint_start"),
    [
        ({"filter": ["CFHT|MegaCam.g", "CFHT|MegaCam.r"], "flux": ["FG"], "flux_error": ["EG"]},
         "Every filter needs its flux column and its flux error column: 2 filters, 1 flux columns"),
        ({"filter": ["CFHT|MegaCam.gg"], "flux": ["FG"], "flux_error": ["EG"]},
         "At filter[0]: 'CFHT|MegaCam.gg' is not one of the 4 allowed values; did you mean 'CFHT|MegaCam.g'"),
        ({"filter": ["CFHT|MegaCam.g", "CFHT|MegaCam.g"], "flux": ["A", "B"], "flux_error": ["C", "D"]},
         "At filter: ['CFHT|MegaCam.g', 'CFHT|MegaCam.g'] has non-unique elements"),
        ({"filter": ["CFHT|MegaCam.g"], "flux": [""], "flux_error": ["EG"]}, "At flux[0]: '' should be non-empty"),
        ({"filter": ["CFHT|MegaCam.g"], "flux": ["FG"]}, "'flux_error' is a required property"),
        ({"filter": [], "flux": [], "flux_error": []}, "At f"),
    ],
)
def test_a_filters_table_is_refused_as_the_server_refuses_it(value, hint_start):
    error = refusal(phosphoros(), value)
    assert error.message == "Wrong value of structured parameter filters_table"
    assert error.hint.startswith(hint_start), error.hint


# --- format companions and per-product times --------------------------------------------------
def test_a_format_companion_lists_the_formats_its_server_reads():
    time_format = FormatParameter("T_format", units="str", default="isot")
    time_format.attach_to(parameter_from_description(entry("T1", "2017-03-06T13:26:48.000", [ONTO + "TimeInstant"], units="isot")))
    formats = time_format.accepted_formats()
    assert formats[:2] == ["isot", "mjd"] and "unix" in formats and "datetime" not in formats
    delta_format = FormatParameter("delta_T_format", units="str", default="sec")
    delta_format.attach_to(TimeDeltaParameter("time_bin", units="sec", default=1000.0))
    assert delta_format.accepted_formats()[0] == "sec"
    assert FormatParameter("x_format", units="str", default="a").accepted_formats() == []


def echo_description():
    """nbexamples: the source's T1/T2 in MJD, the product echo's time_instant in ISOT, each
    followed by a T_format companion (as the peer describes it)."""
    time = [ONTO + "TimeInstant"]
    source = [{"query_name": "src_query"},
              entry("T1", 56000.0, time, units="mjd"), {"name": "T_format", "units": "str", "value": "mjd"},
              entry("T2", 56005.0, time, units="mjd"),
              {"name": "token", "units": "str", "value": None, "restrictions": {"is_optional": True}, "owl_uri": [*STRING, ONTO + "AstrophysicalObject"]}]
    product = [{"query_name": "echo_query"}, {"product_name": "echo"},
               entry("energy", 50.0, ENERGY, units="keV", min_value=35.0, max_value=800.0),
               entry("time_instant", "2017-08-17T12:43:00.000", time, units="isot"),
               {"name": "T_format", "units": "str", "value": "isot"}]
    return [[{"instrumet": "nbexamples"}, {"prod_dict": {"echo": "echo_query"}},
             source, [{"query_name": "instr_query"}], product]]


def test_each_time_is_read_in_its_own_format_unless_a_format_is_sent():
    spec = parse_instrument_description(echo_description())
    # the defaults pass (time_instant was read as MJD before, and every echo query refused)
    assert spec.validate("echo", {})["time_instant"] == "2017-08-17T12:43:00.000"
    # a time sent without T_format is read in its own described format
    assert spec.validate("echo", {"time_instant": "2017-08-18T00:00:00", "T1": 56001})["T1"] == "56001"
    # a sent T_format applies to every time sent with it (the dispatcher reads one T_format)
    assert spec.validate("echo", {"T_format": "mjd", "time_instant": 57982.53})["time_instant"] == "57982.53"
    with pytest.raises(ValidationErrors) as info:
        spec.validate("echo", {"T_format": "mjd", "time_instant": "2017-08-17T12:43:00.000"})
    assert [e.message for e in info.value.errors] == [
        "Parameter time_instant wrong value 2017-08-17T12:43:00.000: can't be parsed as Time of mjd format"]
    with pytest.raises(ValidationErrors):
        spec.validate("echo", {"time_instant": "57982.53"})  # in its own ISOT
    # a time not sent is not read again, whatever format is sent
    assert spec.validate("echo", {"T_format": "isot", "T1": "2012-03-14T00:00:00"})["T_format"] == "isot"
