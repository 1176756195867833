"""Parameter validation: what each kind accepts, what it sends, and the dispatcher's exact words.

Expected messages are the texts cdci-data-analysis 1.3.6 answers for the same input (checked
against its parameter classes; the captured ones are also read from ../shared/data).
"""

from __future__ import annotations

import json
import math

import astropy.units as u
import pytest
from astropy.time import Time
from hypothesis import assume, given
from hypothesis import strategies as st
from support import shared

from oda_widgets.client.errors import ValidationError
from oda_widgets.client.query.catalog_parameter import UserCatalogParameter
from oda_widgets.client.query.number_parameters import AngleParameter
from oda_widgets.client.query.parameter_parsing import guess_kind, parameter_from_description
from oda_widgets.client.query.product_list_parameter import InputProdListParameter
from oda_widgets.client.query.structured_parameter import StructuredParameter
from oda_widgets.client.query.text_parameters import BooleanParameter, UnknownParameter
from oda_widgets.client.query.time_parameters import FormatParameter, TimeParameter

pytestmark = pytest.mark.unit

ONTO = "http://odahub.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Entries as the current dispatcher describes them (instrument "empty").
ENTRIES = {
    "RA": {"name": "RA", "units": "deg", "value": 265.97845833, "restrictions": {"is_optional": False}, "owl_uri": [ONTO + "Angle"]},
    "DEC": {"name": "DEC", "units": "deg", "value": -29.74516667, "restrictions": {"is_optional": False}, "owl_uri": [ONTO + "Angle"]},
    "ang": {"name": "ang", "units": "arcsec", "value": 1.0, "restrictions": {"is_optional": False}, "owl_uri": [ONTO + "Angle"]},
    "T1": {"name": "T1", "units": "isot", "value": "2017-03-06T13:26:48.000", "restrictions": {"is_optional": False}, "owl_uri": [ONTO + "TimeInstant"]},
    "T_format": {"name": "T_format", "units": "str", "value": "isot"},
    "p": {"name": "p", "units": "W", "value": 10.0, "restrictions": {"is_optional": False}, "owl_uri": [XSD + "float", ONTO + "Float"]},
    "bounded_int_par": {"name": "bounded_int_par", "units": None, "value": 5, "restrictions": {"is_optional": False, "min_value": 2, "max_value": 8}, "owl_uri": [XSD + "int", ONTO + "Integer"]},
    "bounded_float_par": {"name": "bounded_float_par", "units": None, "value": 5.0, "restrictions": {"is_optional": False, "min_value": 2.2, "max_value": 7.7}, "owl_uri": [XSD + "float", ONTO + "Float"]},
    "string_select_par": {"name": "string_select_par", "units": "str", "value": "spam", "restrictions": {"is_optional": False, "allowed_values": ["spam", "eggs", "ham"]}, "owl_uri": [XSD + "str", ONTO + "String"]},
    "struct": {"name": "struct", "units": None, "value": {"a": [1, 2]}, "restrictions": {"is_optional": False, "schema": {"oneOf": [{"type": "object"}, {"type": "array"}]}}, "owl_uri": [ONTO + "StructuredParameter"]},
    "optional_def_float": {"name": "optional_def_float", "units": None, "value": 5.0, "restrictions": {"is_optional": True}, "owl_uri": [XSD + "float", ONTO + "Float"]},
    "flag": {"name": "flag", "units": None, "value": True, "restrictions": {"is_optional": False}, "owl_uri": [XSD + "bool", ONTO + "Boolean"]},
    "threshold": {"name": "detection_threshold", "units": "sigma", "value": 7.0, "restrictions": {"is_optional": False, "max_value": 20}, "owl_uri": [ONTO + "DetectionThreshold"]},
    "time_bin": {"name": "time_bin", "units": "sec", "value": 1000.0, "restrictions": {"is_optional": False}, "owl_uri": [ONTO + "TimeDeltaIsDeprecated"]},
    "time_bin_format": {"name": "time_bin_format", "units": "str", "value": "sec"},
    "scw_list": {"name": "scw_list", "units": None, "value": [], "restrictions": {"is_optional": True}, "owl_uri": [ONTO + "InputProdList"]},
    "p_list": {"name": "p_list", "units": None, "value": [], "restrictions": {"is_optional": True}, "owl_uri": [ONTO + "InputProdList"]},
    "selected_catalog": {"name": "selected_catalog", "units": None, "value": None, "restrictions": {"is_optional": True}},
    "src_name": {"name": "src_name", "units": "str", "value": "1E 1740.7-2942", "restrictions": {"is_optional": False}, "owl_uri": [XSD + "str", ONTO + "String", ONTO + "AstrophysicalObject"]},
}


def spec(key: str):
    following = {"T1": ENTRIES["T_format"], "time_bin": ENTRIES["time_bin_format"]}.get(key)
    return parameter_from_description(ENTRIES[key], following)


def refused(key: str, value, values=None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        spec(key).validate(value, values)
    assert info.value.parameter == ENTRIES[key]["name"]
    return info.value


# -- accepted values and what goes on the wire ----------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "values", "wire"),
    [
        ("p", "5", None, 5.0),
        ("p", " 3.25 ", None, 3.25),
        ("p", 7, None, 7.0),
        ("p", "1e3", None, 1000.0),
        ("bounded_float_par", 2.2, None, 2.2),
        ("bounded_float_par", "7.7", None, 7.7),
        ("bounded_int_par", "5", None, 5),
        ("bounded_int_par", 8, None, 8),
        ("bounded_int_par", " 2 ", None, 2),
        ("RA", "266.4", None, 266.4),
        ("RA", 12, None, 12.0),
        ("RA", "17h45m40s", None, pytest.approx(266.4166666667)),
        # sexagesimal without unit letters is in the parameter's own unit (degrees), RA included
        ("RA", "17:45:40.0", None, pytest.approx(17.7611111111)),
        ("RA", "17 45 40", None, pytest.approx(17.7611111111)),
        ("RA", "9 20 23", None, pytest.approx(9.3397222222)),
        ("RA", "9h20m23s", None, pytest.approx(140.0958333333)),
        ("DEC", "-29d00m28s", None, pytest.approx(-29.0077777778)),
        ("DEC", "-29:00:28", None, pytest.approx(-29.0077777778)),
        ("ang", "1d", None, pytest.approx(3600.0)),
        ("ang", 2 * u.arcmin, None, pytest.approx(120.0)),
        ("T1", " 2003-03-15T23:27:40 ", None, "2003-03-15T23:27:40"),
        ("T1", "58000", {"T_format": "mjd"}, "58000"),
        ("T1", "58000.5", {"T_format": " mjd "}, "58000.5"),
        ("T1", Time(58000, format="mjd"), {"T_format": "mjd"}, "58000.0"),
        ("T1", Time("2017-09-04T00:00:00", format="isot"), None, "2017-09-04T00:00:00.000"),
        ("T_format", " mjd ", None, "mjd"),
        ("T_format", "jd", None, "jd"),
        ("string_select_par", " eggs ", None, "eggs"),
        ("src_name", " Crab ", None, "Crab"),
        ("src_name", "", None, ""),
        ("optional_def_float", None, None, None),
        ("optional_def_float", "", None, None),
        ("flag", True, None, True),
        ("flag", "true", None, True),
        ("flag", "yes", None, True),
        ("flag", "1", None, True),
        ("flag", 1, None, True),
        ("flag", False, None, False),
        ("flag", " no ", None, False),
        ("flag", "0", None, False),
        ("flag", "False", None, False),
        ("threshold", "7", None, 7.0),
        ("time_bin", "100", None, "100"),
        ("struct", {"b": 1}, None, {"b": 1}),
        ("struct", [1, 2], None, [1, 2]),
        ("struct", '{"a": [3]}', None, {"a": [3]}),
        ("scw_list", "066500220010.001,066500230010.001", None, ["066500220010.001", "066500230010.001"]),
        ("scw_list", "  066500220010.001  ", None, ["  066500220010.001  "]),
        ("scw_list", ["066500220010.001", "066500230010.001"], None, ["066500220010.001", "066500230010.001"]),
        ("scw_list", "066500220010.001;066500230010.001", None, ["066500220010.001;066500230010.001"]),
        ("scw_list", ["066500220010.001"], None, ["066500220010.001"]),
        ("scw_list", "", None, []),
        ("scw_list", None, None, []),
        ("p_list", "a, b", None, ["a", " b"]),
        ("p_list", ["x"], None, ["x"]),
        ("p_list", '["a", "b c"]', None, ["a", "b c"]),
    ],
)
def test_accepted_values_give_the_wire_value(key, value, values, wire):
    assert spec(key).validate(value, values) == wire


# -- refused values: the dispatcher's own message --------------------------------------------
@pytest.mark.parametrize(
    ("key", "value", "values", "message"),
    [
        ("RA", "a", None, "Parameter RA wrong value a. could not convert string to float: 'a'"),
        ("RA", " a ", None, "Parameter RA wrong value a. could not convert string to float: 'a'"),
        ("ang", "abc", None, "Parameter ang wrong value abc. could not convert string to float: 'abc'"),
        ("RA", None, None, "Non-optional parameter RA is set to None"),
        ("p", "abc", None, "Parameter p wrong value abc. could not convert string to float: 'abc'"),
        ("p", True, None, "Parameter p wrong value True. could not convert string to float: 'True'"),
        ("p", None, None, "Non-optional parameter p is set to None"),
        ("p", "  ", None, "Non-optional parameter p is set to None"),
        ("bounded_float_par", "10", None, "Parameter bounded_float_par wrong value 10.0: should be lower or equal than 7.7"),
        ("bounded_float_par", 1, None, "Parameter bounded_float_par wrong value 1.0: should be greater or equal than 2.2"),
        ("bounded_int_par", "4.5", None, "Parameter bounded_int_par wrong value 4.5. invalid literal for int() with base 10: '4.5'"),
        ("bounded_int_par", 4.5, None, "Parameter bounded_int_par wrong value 4.5. invalid literal for int() with base 10: '4.5'"),
        ("bounded_int_par", 5.0, None, "Parameter bounded_int_par wrong value 5.0. invalid literal for int() with base 10: '5.0'"),
        ("bounded_int_par", 9, None, "Parameter bounded_int_par wrong value 9: should be lower or equal than 8.0"),
        ("bounded_int_par", "1", None, "Parameter bounded_int_par wrong value 1: should be greater or equal than 2.0"),
        ("threshold", 25, None, "Parameter detection_threshold wrong value 25.0sigma: should be lower or equal than 20.0"),
        ("T1", "58000", None, "Parameter T1 wrong value 58000: can't be parsed as Time of isot format"),
        ("T1", "58000", {"T_format": "isot"}, "Parameter T1 wrong value 58000: can't be parsed as Time of isot format"),
        ("T1", "2017-13-06T00:00:00", None, "Parameter T1 wrong value 2017-13-06T00:00:00: can't be parsed as Time of isot format"),
        ("T1", "yesterday", {"T_format": "mjd"}, "Parameter T1 wrong value yesterday: can't be parsed as Time of mjd format"),
        ("T1", "2017-03-06", {"T_format": "foo"}, "Parameter T1 wrong value 2017-03-06: can't be parsed as Time of foo format"),
        ("T1", None, None, "Non-optional parameter T1 is set to None"),
        ("time_bin", "abc", None, "Parameter time_bin wrong value abc: can't be parsed as TimeDelta of sec format"),
        ("string_select_par", "x", None, "Parameter string_select_par wrong value x: not in allowed ['spam', 'eggs', 'ham']"),
        ("string_select_par", "Spam", None, "Parameter string_select_par wrong value Spam: not in allowed ['spam', 'eggs', 'ham']"),
        ("flag", "maybe", None, "Wrong value for boolean parameter flag"),
        ("flag", None, None, "Wrong value for boolean parameter flag"),
        ("flag", 2, None, "Wrong value for boolean parameter flag"),
        ("struct", "abc", None, "Wrong value of structured parameter struct"),
        ("struct", 5, None, "Wrong value of structured parameter struct"),
        ("struct", "5", None, "Wrong value of structured parameter struct"),
        ("struct", None, None, "Non-optional parameter struct is set to None"),
        ("src_name", None, None, "Non-optional parameter src_name is set to None"),
        ("scw_list", "066500220010.001, 066500230010.001", None, "a space separated science windows list is an unsupported format, please provide it as a comme separated list"),
        ("scw_list", ["066500220010.001 066500230010.001"], None, "a space separated science windows list is an unsupported format, please provide it as a comme separated list"),
    ],
)
def test_refused_values_carry_the_dispatchers_message(key, value, values, message):
    assert refused(key, value, values).message == message


@pytest.mark.shared
def test_captured_bad_angle_answer_matches():
    path = shared.CAPTURES_136 / "badangle.exchange.json"
    exchange = json.loads(path.read_text())
    answer = next(x["resp"] for x in exchange if "run_analysis" in x["url"])
    assert refused("ang", "abc").message == answer["error_message"]


@pytest.mark.parametrize(
    ("key", "value", "hint_part"),
    [
        ("RA", "a", "9h20m23s"),
        ("DEC", "south", "as d:m:s (read in deg)"),
        ("scw_list", "a b", "commas"),
        ("bounded_int_par", "4.5", "whole number"),
        ("bounded_float_par", 9, "between 2.2 and 7.7"),
        ("T1", "58000", "isot"),
        ("string_select_par", "x", "spam, eggs, ham"),
        ("struct", 5, "is not valid under any of the given schemas"),
    ],
)
def test_hints_say_what_to_change_beside_the_server_text(key, value, hint_part):
    assert hint_part in refused(key, value).hint


def test_time_without_companion_value_uses_the_advertised_format():
    time = spec("T1")
    assert time.format_parameter == "T_format"
    assert time.validate("2017-03-06T13:26:48.000", {}) == "2017-03-06T13:26:48.000"


def test_format_companion_offers_isot_and_mjd_and_refuses_unknown_formats():
    time = spec("T1")
    companion = parameter_from_description(ENTRIES["T_format"])
    companion.attach_to(time)
    assert isinstance(companion, FormatParameter)
    assert companion.kind == "format"
    assert companion.allowed_values == ["isot", "mjd"]
    assert companion.validate("jd") == "jd"
    with pytest.raises(ValidationError) as info:
        companion.validate("fortnight")
    assert "fortnight" in info.value.message and "isot" in info.value.message


# -- science windows, catalogs ---------------------------------------------------------------
def test_odd_science_window_ids_are_named_in_the_preview_not_refused():
    scw = spec("scw_list")
    wire = scw.validate("066500220010.001,1234,０６６５００２２００１０,abc")
    preview = scw.preview(wire)
    assert preview.startswith("4 science windows; 3 not shaped like a science window id")
    assert "'1234'" in preview and "'abc'" in preview and "０６６５" in preview
    assert "066500220010.001'" not in preview


def test_science_window_count():
    scw = spec("scw_list")
    assert isinstance(scw, InputProdListParameter)
    assert scw.count("066500220010.001,066500230010.001") == 2
    assert scw.count("") == 0
    assert scw.preview(scw.validate("066500220010.001")) == "1 science window"


def test_a_lone_science_window_with_commas_from_python_is_refused():
    err = refused("scw_list", ["066500220010.001,066500230010.001"])
    assert "commas" in err.message


CATALOG = {
    "cat_frame": "fk5",
    "cat_coord_units": "deg",
    "cat_column_list": [[17, 87], ["GRS 1915+105", "MAXI J1820+070"], [29.39, 1803.16], [288.79, 275.09], [10.93, 7.18]],
    "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
    "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U14"], ["significance", "<f8"], ["ra", "<f8"], ["dec", "<f8"]],
    "cat_lat_name": "dec",
    "cat_lon_name": "ra",
}


def test_catalog_dict_goes_as_json_text():
    wire = spec("selected_catalog").validate(CATALOG)
    assert isinstance(wire, str)
    assert json.loads(wire) == CATALOG


def test_catalog_text_is_sent_as_given():
    text = json.dumps(CATALOG)
    assert spec("selected_catalog").validate(f"  {text} ") == f"  {text} "


def test_catalog_object_is_asked_for_its_selected_catalog():
    class EditedCatalog:
        def to_selected_catalog(self) -> str:
            return json.dumps(CATALOG)

    assert json.loads(spec("selected_catalog").validate(EditedCatalog())) == CATALOG


GENERIC = "Error while setting catalog object"


@pytest.mark.parametrize(
    ("change", "message", "hint"),
    [
        (lambda c: c["cat_column_list"][4].__setitem__(0, 95.0), GENERIC + " : Latitude angle(s) must be within -90 deg <= angle <= 90 deg, got [95.    7.18] deg", "latitude column 'dec'"),
        (lambda c: c["cat_column_list"][3].__setitem__(0, "east"), GENERIC + " : Invalid character at col 0 parsing angle 'east'", "longitude column 'ra'"),
        (lambda c: c["cat_column_list"][0].append(3), GENERIC + " : Inconsistent data column lengths: {2, 3}", "into a table"),
        (lambda c: c.update(cat_column_names=["meta_ID", "name", "significance", "ra", "dec"]), GENERIC, "missing 'src_names'"),
        (lambda c: c.update(cat_lon_name="RA_deg"), GENERIC, "missing 'RA_deg'"),
        (lambda c: c.pop("cat_frame"), GENERIC, "missing 'cat_frame'"),
        (lambda c: c.pop("cat_coord_units"), GENERIC, "missing 'cat_coord_units'"),
        (lambda c: c.pop("cat_column_list"), GENERIC, "missing 'cat_column_list'"),
    ],
)
def test_malformed_catalogs_are_refused_with_the_servers_words_and_the_step(change, message, hint):
    catalog = json.loads(json.dumps(CATALOG))
    change(catalog)
    err = refused("selected_catalog", catalog)
    assert err.message == message
    assert hint in err.hint


def test_catalog_that_is_not_json_says_so_in_the_hint():
    err = refused("selected_catalog", "{cat_frame: fk5")
    assert err.message == GENERIC
    assert err.hint.startswith("The catalog is not JSON text")


def test_catalog_may_be_left_out():
    assert spec("selected_catalog").validate(None) is None


# -- kinds -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("RA", "angle"), ("T1", "time"), ("T_format", "format"), ("p", "float"),
        ("bounded_int_par", "integer"), ("string_select_par", "string"), ("struct", "structured"),
        ("flag", "boolean"), ("threshold", "detection_threshold"), ("time_bin", "time_delta"),
        ("scw_list", "input_prod_list"), ("selected_catalog", "user_catalog"), ("src_name", "string"),
    ],
)
def test_kind_follows_the_servers_class(key, kind):
    assert spec(key).kind == kind


@pytest.mark.parametrize(
    ("owl_uri", "kind"),
    [
        ([ONTO + "Energy", ONTO + "Frequency"], "energy"),
        ([ONTO + "TimeInterval"], "time_interval"),
        ([XSD + "str", ONTO + "String", ONTO + "FileReference", ONTO + "FileURL"], "file_url"),
        ([XSD + "str", ONTO + "String", ONTO + "FileReference", ONTO + "POSIXPath"], "posix_path"),
        ([XSD + "str", ONTO + "String", ONTO + "FileReference"], "file_reference"),
        ([XSD + "str", ONTO + "String", ONTO + "LongString"], "long_string"),
        ([XSD + "str", ONTO + "String", ONTO + "AstrophysicalObject"], "string"),
        ([ONTO + "PhosphorosFiltersTable"], "phosphoros_filters"),
        ([ONTO + "StructuredParameter"], "structured"),
        (ONTO + "Angle", "angle"),
        (["http://example.org/ontology#Spectrogram"], "unknown"),
    ],
)
def test_kind_from_ontology_uri(owl_uri, kind):
    entry = {"name": "x", "units": None, "value": 1.0, "restrictions": {"is_optional": False}, "owl_uri": owl_uri}
    assert parameter_from_description(entry).kind == kind


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ({"name": "RA", "units": "deg", "value": 265.97845833}, "angle"),
        ({"name": "ang", "units": "arcsec", "value": 1.0}, "angle"),
        ({"name": "T1", "units": "isot", "value": "2017-03-06T13:26:48.000"}, "time"),
        ({"name": "T2", "units": "mjd", "value": 57818.5}, "time"),
        ({"name": "T_format", "units": "str", "value": "isot"}, "format"),
        ({"name": "time_bin", "units": "sec", "value": 1000.0}, "time_delta"),
        ({"name": "energ", "units": "MeV", "value": 1.0}, "energy"),
        ({"name": "sb", "units": "keV", "value": 10.0}, "energy"),
        ({"name": "detection_threshold", "units": "sigma", "value": 7.0}, "detection_threshold"),
        ({"name": "duration", "units": "s", "value": 100.0}, "time_interval"),
        ({"name": "p", "units": "W", "value": 10.0}, "float"),
        ({"name": "max_pointings", "units": None, "value": 50}, "integer"),
        ({"name": "flag", "units": None, "value": False}, "boolean"),
        ({"name": "scw_list", "units": None, "value": []}, "input_prod_list"),
        ({"name": "p_list", "units": None, "value": []}, "input_prod_list"),
        ({"name": None, "units": None, "value": []}, "input_prod_list"),
        ({"name": "selected_catalog", "units": None, "value": None}, "user_catalog"),
        ({"name": "user_catalog", "units": None, "value": None}, "user_catalog"),
        ({"name": "src_name", "units": "str", "value": "1E 1740.7-2942"}, "string"),
        ({"name": "token", "units": "str", "value": None}, "string"),
        ({"name": "extra", "units": None, "value": {"a": 1}}, "structured"),
        ({"name": "mystery", "units": None, "value": None}, "unknown"),
    ],
)
def test_kind_of_older_descriptions_is_guessed_from_name_units_and_value(entry, kind):
    assert guess_kind(entry) == kind
    assert parameter_from_description(entry).kind == kind


def test_older_descriptions_make_parameters_without_default_optional():
    assert parameter_from_description({"name": "token", "units": "str", "value": None}).optional
    assert not parameter_from_description({"name": "RA", "units": "deg", "value": 1.0}).optional


def test_unknown_class_is_a_text_field_the_server_checks():
    entry = {"name": "spectrum_model", "units": None, "value": "powerlaw", "restrictions": {"is_optional": False}, "owl_uri": ["http://example.org/x#Model"]}
    unknown = parameter_from_description(entry)
    assert isinstance(unknown, UnknownParameter)
    assert unknown.validate(" cutoff ") == "cutoff"
    assert unknown.validate(3) == "3"


def test_extra_metadata_gives_label_description_group():
    entry = dict(ENTRIES["p"], extra_metadata={"label": "Power", "description": "Emitted power", "group": "Physics"})
    p = parameter_from_description(entry)
    assert (p.label, p.description, p.group) == ("Power", "Emitted power", "Physics")
    assert parameter_from_description(ENTRIES["p"]).label == "p"


def test_contract_attributes():
    p = spec("bounded_float_par")
    assert (p.name, p.units, p.default, p.optional) == ("bounded_float_par", None, 5.0, False)
    assert (p.min_value, p.max_value, p.allowed_values, p.schema) == (2.2, 7.7, None, None)
    assert p.owl_uri == (XSD + "float", ONTO + "Float")
    assert spec("struct").schema == {"oneOf": [{"type": "object"}, {"type": "array"}]}
    assert spec("string_select_par").allowed_values == ["spam", "eggs", "ham"]
    assert "bounded_float_par" in repr(p) and "2.2" in repr(p)


def test_classes_match_kinds():
    assert isinstance(spec("RA"), AngleParameter)
    assert isinstance(spec("T1"), TimeParameter)
    assert isinstance(spec("flag"), BooleanParameter)
    assert isinstance(spec("struct"), StructuredParameter)
    assert isinstance(spec("selected_catalog"), UserCatalogParameter)


def test_sexagesimal_is_in_the_parameters_unit_unless_the_text_names_one():
    assert spec("RA").validate("12:00:00") == pytest.approx(12.0)
    assert spec("DEC").validate("12:00:00") == pytest.approx(12.0)
    assert spec("RA").validate("12h00m00s") == pytest.approx(180.0)
    # read as astropy reads it in arcsec: 0 arcsec and 1/60 of one, as the server reads it
    assert spec("ang").validate("0:01:00") == pytest.approx(1 / 60)
    assert spec("RA").preview(spec("RA").validate("9h20m23s")) == "= 140.095833°"
    assert spec("ang").preview(3600.0) == "= 1.000000°"


# -- properties ------------------------------------------------------------------------------
@given(st.floats(min_value=2.2, max_value=7.7, allow_nan=False))
def test_any_float_within_bounds_passes_and_round_trips(x):
    wire = spec("bounded_float_par").validate(x)
    assert float(str(wire)) == x
    assert spec("bounded_float_par").validate(str(wire)) == x


@given(st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not 2.2 <= x <= 7.7))
def test_any_float_outside_bounds_fails(x):
    err = refused("bounded_float_par", x)
    assert err.message.startswith(f"Parameter bounded_float_par wrong value {float(x)}: should be ")


@given(st.integers(min_value=2, max_value=8))
def test_any_integer_within_bounds_passes(n):
    assert spec("bounded_int_par").validate(str(n)) == n


@given(st.text())
def test_any_text_that_is_not_a_number_fails_with_the_servers_text(text):
    stripped = text.strip()
    assume(stripped != "")
    try:
        float(stripped)
    except ValueError:
        pass
    else:
        assume(False)
    err = refused("p", text)
    assert err.message == f"Parameter p wrong value {stripped}. could not convert string to float: {stripped!r}"


@given(st.floats(min_value=-90, max_value=90, allow_nan=False))
def test_decimal_declination_passes_unchanged(x):
    assert spec("DEC").validate(repr(x)) == x
    assert not math.isnan(spec("DEC").validate(x))
