"""Instrument descriptions of both dispatcher generations, read into InstrumentSpec and validated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import shared

from oda_widgets.client.errors import RequestRejected, ValidationError, ValidationErrors
from oda_widgets.client.query.spec import InstrumentSpec, parse_instrument_description
from oda_widgets.client.query.time_parameters import FormatParameter

pytestmark = pytest.mark.unit

DATA = shared.DATA
CURRENT = DATA / "dispatcher-1.3.6" / "api_meta-data_instrument=empty.json"


def description_files() -> list[Path]:
    return sorted(
        [p for p in (DATA / "dispatcher-1.3.3").glob("*meta*data*.json") if "unknown" not in p.name]
        + list((DATA / "dispatcher-1.3.6").glob("api_meta-data*.json"))
    )


def unknown_instrument_files() -> list[Path]:
    return sorted((DATA / "dispatcher-1.3.3").glob("*unknown_instrument*meta*data*.json")) + sorted(
        (DATA / "dispatcher-1.3.3").glob("*meta_data_unknown_instrument*.json")
    )


def load(path: Path):
    return json.loads(path.read_text())


@pytest.mark.shared
def test_the_captured_descriptions_are_there():
    names = {p.name for p in description_files()}
    assert len(names) == 7  # 6 of 1.3.3 (whole and product-filtered) and 1 of 1.3.6
    assert len(set(unknown_instrument_files())) == 2


@pytest.mark.parametrize("path", description_files(), ids=lambda p: p.name)
@pytest.mark.shared
def test_every_description_gives_a_spec_whose_defaults_validate(path):
    doc = load(path)
    spec = parse_instrument_description(doc)
    head, prod = doc[0][0], doc[0][1]["prod_dict"]
    assert spec.name == head["instrumet"]
    assert spec.product_names == list(prod)
    assert spec.products, "at least one product is described"
    assert list(spec.products) == [p for p in prod if p in spec.products]
    for product in spec.products:
        names = [p.name for p in spec.parameters(product)]
        assert len(names) == len(set(names)), "duplicates are removed"
        assert "token" not in names and "user_catalog" not in names
        assert {"src_name", "RA", "DEC", "T1", "T2", "selected_catalog"} <= set(names)
        sent = spec.validate(product, spec.defaults(product))
        assert set(sent) <= set(names)
        assert sent["RA"] == 265.97845833 and sent["T1"] == "2017-03-06T13:26:48.000"
        assert "selected_catalog" not in sent  # None by default: left out, the server uses None
    assert spec.name in repr(spec)


@pytest.mark.parametrize("path", unknown_instrument_files(), ids=lambda p: p.name)
@pytest.mark.shared
def test_unknown_instrument_answer_gives_a_clear_error(path):
    with pytest.raises(RequestRejected) as info:
        parse_instrument_description(load(path))
    message = str(info.value)
    assert '"nosuch"' in message
    assert "known: ['empty', 'empty-async', 'empty-semi-async']" in message


@pytest.mark.shared
def test_description_as_text_or_bytes():
    text = CURRENT.read_text()
    assert parse_instrument_description(text).name == "empty"
    assert parse_instrument_description(text.encode()).name == "empty"


@pytest.mark.parametrize(
    ("doc", "text"),
    [
        ({"unexpected": 1}, "not in the expected shape"),
        ([], "not in the expected shape"),
        ([[{"instrumet": "x"}]], "prod_dict"),
        ("<html>Internal Server Error</html>", "not JSON"),
        ([[{"instrumet": "x"}, {"prod_dict": {}}, "[{\"query_name\": \"src_query\"}"]], "not JSON"),
    ],
)
def test_malformed_descriptions_are_server_faults(doc, text):
    from oda_widgets.client.errors import DispatcherError

    with pytest.raises(DispatcherError) as info:
        parse_instrument_description(doc)
    assert text in str(info.value)


# -- the current generation ------------------------------------------------------------------
@pytest.fixture
def current() -> InstrumentSpec:
    return parse_instrument_description(load(CURRENT))


@pytest.mark.shared
def test_current_generation_reads_restrictions_and_format_companion(current):
    params = {p.name: p for p in current.parameters("restricted")}
    assert params["bounded_int_par"].kind == "integer"
    assert (params["bounded_int_par"].min_value, params["bounded_int_par"].max_value) == (2, 8)
    assert params["string_select_par"].allowed_values == ["spam", "eggs", "ham"]
    assert params["T1"].format_parameter == "T_format"
    assert params["T2"].format_parameter == "T_format"
    assert isinstance(params["T_format"], FormatParameter)
    assert params["T_format"].allowed_values == ["isot", "mjd"]
    assert current.parameter("structured", "struct").schema == {"oneOf": [{"type": "object"}, {"type": "array"}]}
    assert current.parameter("file_dummy", "dummy_file").optional


@pytest.mark.shared
def test_groups_are_source_instrument_product(current):
    groups = current.groups("echo")
    assert [g.query_name for g in groups] == ["src_query", "empty_instrument_query", "echo_parameters_dummy_query"]
    assert groups[2].product_name == "echo"
    assert groups[2].names() == ["ang", "ang_deg", "energ"]
    assert current.products["echo"].query_name == "echo_parameters_dummy_query"


@pytest.mark.shared
def test_one_time_format_applies_to_both_times(current):
    sent = current.validate("dummy", {"T1": "58000", "T2": "58001", "T_format": "mjd"})
    assert (sent["T1"], sent["T2"], sent["T_format"]) == ("58000", "58001", "mjd")
    with pytest.raises(ValidationErrors) as info:
        current.validate("dummy", {"T1": "58000", "T2": "58001"})
    assert info.value.by_parameter() == {
        "T1": "Parameter T1 wrong value 58000: can't be parsed as Time of isot format",
        "T2": "Parameter T2 wrong value 58001: can't be parsed as Time of isot format",
    }


@pytest.mark.shared
def test_every_bad_parameter_is_listed(current):
    with pytest.raises(ValidationErrors) as info:
        current.validate("restricted", {"RA": "a", "bounded_int_par": "4.5", "string_select_par": "x", "colour": "red"})
    by_parameter = info.value.by_parameter()
    assert by_parameter["RA"] == "Parameter RA wrong value a. could not convert string to float: 'a'"
    assert by_parameter["bounded_int_par"] == "Parameter bounded_int_par wrong value 4.5. invalid literal for int() with base 10: '4.5'"
    assert by_parameter["string_select_par"] == "Parameter string_select_par wrong value x: not in allowed ['spam', 'eggs', 'ham']"
    assert "Unknown parameter 'colour'" in by_parameter["colour"]
    assert "src_name, RA, DEC, T1, T_format, T2, p_list, selected_catalog, bounded_int_par" in by_parameter["colour"]
    assert isinstance(info.value, ValidationError)


@pytest.mark.shared
def test_unknown_name_suggests_the_right_one(current):
    with pytest.raises(ValidationErrors) as info:
        current.validate("numerical", {"ra": 10})
    assert "Did you mean 'RA'?" in info.value.errors[0].hint


@pytest.mark.shared
def test_none_for_a_required_parameter(current):
    with pytest.raises(ValidationErrors) as info:
        current.validate("numerical", {"p": None})
    assert info.value.by_parameter() == {"p": "Non-optional parameter p is set to None"}


@pytest.mark.shared
def test_explicit_none_for_an_optional_parameter_with_a_default_is_sent(current):
    sent = current.validate("optional", {"optional_def_float": None})
    assert "optional_def_float" in sent and sent["optional_def_float"] is None
    assert "optional_def_none" not in sent


@pytest.mark.shared
def test_token_and_user_catalog_are_not_query_parameters(current):
    with pytest.raises(ValidationErrors) as info:
        current.validate("dummy", {"token": "secret-value", "user_catalog": "{}"})
    messages = info.value.by_parameter()
    assert "Dispatcher(token=" in messages["token"]
    assert "selected_catalog" in messages["user_catalog"]
    assert "secret-value" not in str(info.value)


@pytest.mark.shared
def test_unknown_product_lists_the_products(current):
    with pytest.raises(ValidationError) as info:
        current.validate("imaeg", {})
    assert info.value.parameter is None
    assert "Unknown product 'imaeg' for instrument empty: choose one of dummy, numerical, file_dummy" in info.value.message


@pytest.mark.shared
def test_catalog_selection_travels_with_the_catalog(current):
    assert current.validate("dummy", {"catalog_selected_objects": [0, 3]})["catalog_selected_objects"] == "0,3"
    with pytest.raises(ValidationErrors) as info:
        current.validate("dummy", {"catalog_selected_objects": "0,x"})
    assert info.value.by_parameter() == {
        "catalog_selected_objects": "the selected catalog is wrongly formatted, please check your inputs"
    }


@pytest.mark.shared
def test_values_are_sent_in_description_order(current):
    sent = current.validate("echo", {"energ": "2", "ang": "1d", "RA": "17h45m40s"})
    assert list(sent)[:3] == ["src_name", "RA", "DEC"]
    assert sent["ang"] == pytest.approx(3600.0) and sent["energ"] == 2.0
    assert sent["RA"] == pytest.approx(266.4166666667)


# -- the older generation and product-filtered descriptions ---------------------------------
@pytest.mark.shared
def test_older_generation_reads_json_text_queries():
    spec = parse_instrument_description(load(DATA / "dispatcher-1.3.3" / "04_meta_data_empty.json"))
    kinds = {p.name: p.kind for p in spec.parameters("echo")}
    assert kinds == {
        "src_name": "string", "RA": "angle", "DEC": "angle", "T1": "time", "T2": "time",
        "p_list": "input_prod_list", "selected_catalog": "user_catalog",
        "ang": "angle", "ang_deg": "angle", "energ": "energy", "T_format": "format",
    }
    assert spec.generation == "1.3.3"
    # 1.3.3 describes no T_format but reads it: the client adds it, and reads T1 in it
    assert spec.validate("echo", {"T1": "58000", "T_format": "mjd"}) == {
        "T1": "58000", "T_format": "mjd"
    }
    with pytest.raises(ValidationErrors) as info:
        spec.validate("echo", {"T1": "58000"})
    assert "does not match isot format" in info.value.by_parameter()["T1"]


@pytest.mark.shared
def test_both_generations_agree_on_shared_parameters():
    old = parse_instrument_description(load(DATA / "dispatcher-1.3.3" / "04_meta_data_empty.json"))
    new = parse_instrument_description(load(CURRENT))
    for product in old.products:
        old_kinds = {p.name: p.kind for p in old.parameters(product)}
        new_kinds = {p.name: p.kind for p in new.parameters(product) if p.name in old_kinds}
        assert new_kinds == old_kinds


@pytest.mark.shared
def test_product_filtered_description():
    spec = parse_instrument_description(load(DATA / "dispatcher-1.3.3" / "05_meta_data_empty-async_product_numerical.json"))
    assert list(spec.products) == ["numerical"]
    assert spec.product_names == ["dummy", "numerical"]
    ids = "066500220010.001,066500230010.001"
    # 1.3.3 splits the text itself: it goes as given
    assert spec.validate("numerical", {"p": "5", "scw_list": ids})["scw_list"] == ids
    assert spec.parameter("numerical", "scw_list").items(ids) == ids.split(",")
    with pytest.raises(ValidationError) as info:
        spec.validate("dummy", {})
    assert "fetched for numerical only" in info.value.message
    assert "not described here: dummy" in repr(spec)


def test_duplicate_names_keep_the_first():
    doc = [[
        {"instrumet": "dup"},
        {"prod_dict": {"image": "image_query"}},
        [{"query_name": "src_query"}, {"name": "RA", "units": "deg", "value": 1.0, "restrictions": {"is_optional": False}, "owl_uri": ["http://odahub.io/ontology#Angle"]}],
        [{"query_name": "instr_query"}, {"name": "radius", "units": "deg", "value": 2.0, "restrictions": {"is_optional": False}, "owl_uri": ["http://odahub.io/ontology#Angle"]}],
        [{"query_name": "image_query"}, {"product_name": "image"},
         {"name": "RA", "units": None, "value": "x", "restrictions": {"is_optional": False}, "owl_uri": ["http://www.w3.org/2001/XMLSchema#str"]},
         {"name": "scale", "units": None, "value": 3, "restrictions": {"is_optional": False}, "owl_uri": ["http://odahub.io/ontology#Integer"]},
         {"name": "scale", "units": None, "value": "4", "restrictions": {"is_optional": False}, "owl_uri": ["http://odahub.io/ontology#String"]}],
    ]]
    spec = parse_instrument_description(doc)
    params = spec.parameters("image")
    assert [p.name for p in params] == ["RA", "radius", "scale"]
    assert params[0].kind == "angle" and params[2].kind == "integer"
