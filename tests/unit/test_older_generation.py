"""The 1.3.3 generation's reading and words, without a server (the peer tier checks them live).

The parameters are those of the captured 1.3.3 description of the instrument ``empty``.
"""

from __future__ import annotations

import json

import pytest
from support import shared

from oda_widgets.client.errors import ValidationErrors
from oda_widgets.client.query.generations import OLDER, parameter_words
from oda_widgets.client.query.spec import parse_instrument_description
from oda_widgets.client.query.wire import encode_parameters

pytestmark = [pytest.mark.unit, pytest.mark.shared]



@pytest.fixture(scope="module")
def spec():
    path = shared.CAPTURES_133 / "04_meta_data_empty.json"
    return parse_instrument_description(json.loads(path.read_text()))


def refusal(spec, product, values, name):
    with pytest.raises(ValidationErrors) as caught:
        spec.validate(product, values)
    return caught.value.by_parameter()[name], caught.value.errors[0].hint


def test_the_description_shape_tells_the_generation(spec):
    assert spec.generation == OLDER
    assert all(p.generation == OLDER for p in spec.parameters("echo"))


@pytest.mark.parametrize(
    ("values", "name", "words"),
    [
        ({"RA": "a"}, "RA", "Invalid character at col 0 parsing angle 'a'"),
        ({"RA": "1e-05"}, "RA", "Invalid character at col 1 parsing angle '1e-05'"),
        ({"DEC": "nan"}, "DEC", "Invalid character at col 0 parsing angle 'nan'"),
        ({"RA": "1" * 400}, "RA", "int too large to convert to float"),
        ({"T1": "58000"}, "T1", "Input values did not match the format class isot:\nValueError: Time 58000 does not match isot format"),
        ({"T1": " 2017-03-06T13:26:48"}, "T1", "Time  2017-03-06T13:26:48 does not match isot format"),
        ({"T1": "-962875334.3", "T_format": "jd"}, "T1", 'ERFA function "d2dtf" yielded 1 of "unacceptable date (Note 6)"'),
        ({"RA": "\ud800"}, "RA", "cannot be sent"),
    ],
)
def test_refusals_quote_what_1_3_3_says(spec, values, name, words):
    message, hint = refusal(spec, "dummy", values, name)
    assert words in message
    assert hint


def test_float_words_and_what_float_takes(spec):
    message, hint = refusal(spec, "echo", {"energ": "x"}, "energ")
    assert message == "the Float parameter energ cannot be assigned the value x of type str"
    assert "MeV" in hint
    for text in ("nan", "inf", "1_000", "１２", " 5 "):
        assert "energ" in spec.validate("echo", {"energ": text})


def test_what_1_3_3_accepts_and_what_goes_on_the_wire(spec):
    wire = spec.validate("dummy", {
        "RA": "9 20 23", "DEC": 1e-05, "T1": "58000.5", "T_format": "mjd",
        "p_list": ["a", "b"], "src_name": " Crab ",
    })
    assert wire["RA"] == pytest.approx(9.3397222222)  # in the parameter's unit, as 1.3.3 reads it
    assert wire["T1"] == "58000.5" and wire["T_format"] == "mjd"
    assert wire["p_list"] == "a,b"  # one text: 1.3.3 reads the first of repeated keys only
    assert wire["src_name"] == "Crab"
    fields = dict(encode_parameters(wire))
    assert fields["DEC"] == "0.00001"  # positional: 1.3.3's angle parser refuses 1e-05
    assert fields["p_list"] == "a,b"


def test_what_is_not_given_is_neither_checked_nor_sent(spec):
    # T1 keeps its default, which 1.3.3 does not read again in the new format
    assert spec.validate("dummy", {"T_format": "mjd"}) == {"T_format": "mjd"}
    assert spec.validate("dummy", {"RA": None}) == {}  # no null on 1.3.3's wire: left out


def test_list_items_that_1_3_3_would_split_are_refused(spec):
    message, hint = refusal(spec, "dummy", {"p_list": ["a", "b,c"]}, "p_list")
    assert "'b,c'" in message and "commas" in message
    assert spec.validate("dummy", {"p_list": "a, b"}) == {"p_list": "a, b"}  # text: split by 1.3.3


def test_the_framing_of_a_refusal_is_not_part_of_the_words():
    message = "[ InstrumentQueryBackEnd : empty ] constructor failed: Invalid character at col 0 parsing angle 'a'"
    assert parameter_words(message) == "Invalid character at col 0 parsing angle 'a'"
    assert parameter_words("p value is restricted to 800 W") == "p value is restricted to 800 W"
