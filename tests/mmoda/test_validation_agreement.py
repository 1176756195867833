"""Validation agrees with today's dispatcher (1.3.6), parameter class by parameter class.

The promise (docs/validation.md): a value the client refuses, the dispatcher refuses; a value the
client accepts, the dispatcher accepts in the form the client sends it (the client reads some
text the server does not, such as ``1 MeV`` or sexagesimal angles, and sends the number). Two
ways of asking the real server:

- the instruments the peer serves, by dry runs over HTTP (``dry_run=True``: the request is read
  and checked, nothing runs) on the ``empty`` instrument's ``restricted``, ``structured``,
  ``numerical``, ``parametrical``, ``optional`` and ``echo`` products and the notebook services'
  products;
- every parameter class of ``cdci_data_analysis.analysis.parameters``, built by the peer's own
  Python (``peer_classes.py``): its description entry read by the client, and each input set on
  it the way a request reaches it, for the classes no instrument of the peer uses
  (``TimeInterval``, ``DetectionThreshold``, ``TimeDelta``, ``PhosphorosFiltersTable`` ...).

Refusals that come from the notebook service, not the dispatcher (an empty file reference, a
``FileURL`` that is not a URL), are named; ``test_the_notebook_service_refuses_what_the_client_
refuses_for_it`` shows the service failing such jobs with the same words.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from oda_widgets.client.errors import DispatcherError, RequestRejected, ValidationErrors
from oda_widgets.client.query.parameter_parsing import parameter_from_description
from oda_widgets.client.query.wire import encode_parameters

pytestmark = pytest.mark.mmoda

HERE = Path(__file__).resolve().parent

#: The words of refusals that are the notebook service's, not the dispatcher's.
SERVICE_RULES = ("Empty string is not a valid value of FileReference parameter",
                 "can not be interpreted as FileURL.")

# --- inputs by kind ---------------------------------------------------------------------------
INPUTS: dict[str, list[str]] = {
    "angle": ["12.5", "-0.5", "12:00:00", "9h20m23s", "abc", "1e-05", "nan", ""],
    "float": ["3.5", "2.2", "7.7", "7.71", "2.19", "900", "abc", "inf", "1_0", ""],
    "integer": ["5", "2", "8", "9", "1", "5.0", "4.5", "abc", "+7", ""],
    "energy": ["50", "35", "800", "801", "34.9", "0.3 MeV", "5 kg", "abc", ""],
    "string": ["Crab", "  spaced  ", "line\nbreak", ""],
    "long_string": ["one\ntwo", "  x  ", ""],
    "time": ["2017-03-06T13:26:48", "2017-03-06", "57818.5", "yesterday", ""],
    "boolean": ["True", "false", "yes", "0", "maybe", "TRUE"],
    "structured": ['{"a": [1, 2]}', "[1, 2]", "not json", "5", '"text"'],
    "untyped": ["5", "abc", '["x", "y"]', '{"k": 1}'],
    "posix_path": ["/data/x.fits", "https://example.org/x.fits", ""],
    "file_reference": ["/data/x.fits", "https://example.org/x.fits", ""],
    "file_url": ["https://example.org/x.fits", "http://localhost/a.fits", "not a url", ""],
    "input_prod_list": ["066500220010.001", "066500220010.001,066500230010.001", "a b"],
}

PRODUCTS = [
    ("empty", "restricted"), ("empty", "structured"), ("empty", "numerical"),
    ("empty", "parametrical"), ("empty", "optional"), ("empty", "echo"), ("empty", "file_dummy"),
    ("nbexamples", "echo"), ("nbexamples", "structured"), ("nbexamples", "optional_par"),
    ("nbexamples", "product_label"), ("nbexamples", "echo_unannotated"),
    ("nb2wtests", "multiline"), ("nb2wtests", "structured_input"), ("nb2wtests", "testbool"),
    ("nb2wtests", "testfileurl_extra_annotated"), ("nb2wtests", "testposixpath_extra_annotated"),
    ("nb2wtests", "testfilereference_extra_annotated"), ("mmoda_derived", "magic_image_public_dl3"),
    ("empty-async", "numerical"),
]

#: A rule the description cannot tell: the ``empty`` instrument's ``p`` is a Float subclass with
#: its own check (``BoundaryFloat``: at most 800 W), said in no restriction. The client accepts
#: such values and the form shows the dispatcher's refusal on the field
#: (tests/mmoda/test_forms.py).
UNDESCRIBED_RULES = {
    ("empty", "p"): "p value is restricted to 800 W",
    ("empty-async", "p"): "p value is restricted to 800 W",
}

#: The client's own rule: an empty text given explicitly for a number that is not optional.
#: The dispatcher stores no value (None) for it without a word (``NumericParameter.
#: set_par_internal_value``), which a parameter that must have one cannot use; the client says
#: so. (An empty form field is not sent at all: the default applies.)
EMPTY_NUMBER = "Non-optional parameter {name} is set to None"


def client_verdict(spec: Any, product: str, name: str, text: str) -> tuple[bool, Any]:
    """(accepted, wire value or the refusal's message) of the client's own check."""
    try:
        wire = spec.validate(product, {name: text})
    except ValidationErrors as exc:
        return False, "; ".join(e.message for e in exc.errors)
    return True, wire.get(name)


def server_verdict(mmoda: Any, instrument: str, product: str, values: dict) -> tuple[bool, Any]:
    """(accepted, analysis parameters or the refusal) of the dispatcher's dry run."""
    try:
        answer = mmoda.dry_run(instrument, product, **values)
    except RequestRejected as exc:
        return False, exc.message if hasattr(exc, "message") else str(exc)
    except DispatcherError as exc:  # a 500 on a bad value is a refusal too
        return False, str(exc)
    return True, answer["analysis_parameters"]


@pytest.mark.parametrize(("instrument", "product"), PRODUCTS, ids=[f"{i}/{p}" for i, p in PRODUCTS])
def test_the_dispatcher_refuses_what_the_client_refuses_and_takes_what_it_sends(mmoda, instrument, product):
    spec = mmoda.describe(instrument)
    disagreements = []
    checked = 0
    for parameter in spec.parameters(product):
        if parameter.name is None or parameter.kind in ("format", "user_catalog"):
            continue
        kind = parameter.kind
        inputs = list(INPUTS.get(kind, []))
        if parameter.allowed_values and kind != "boolean":
            inputs = [str(parameter.allowed_values[0]), str(parameter.allowed_values[-1]),
                      "not-allowed", str(parameter.allowed_values[0]).upper()]
        for text in inputs:
            accepted, said = client_verdict(spec, product, parameter.name, text)
            if accepted:
                # what the client sends for the text (a number for "0.3 MeV")
                sent = {parameter.name: said if said is not None else text}
            else:
                sent = {parameter.name: text}
            server_accepted, server_said = server_verdict(mmoda, instrument, product, sent)
            checked += 1
            if accepted == server_accepted:
                continue
            undescribed = UNDESCRIBED_RULES.get((instrument, parameter.name))
            if accepted and undescribed is not None and undescribed in str(server_said):
                continue
            if (not accepted and text == "" and said == EMPTY_NUMBER.format(name=parameter.name)
                    and server_said.get(parameter.name) is None):
                continue  # the server took "" as no value at all (see EMPTY_NUMBER)
            if not accepted and any(rule in said for rule in SERVICE_RULES):
                continue  # the notebook service's rule: see the test below
            disagreements.append((parameter.name, kind, text, "client", accepted, said,
                                  "server", server_accepted, str(server_said)[:200]))
    assert checked, f"no parameter of {instrument}/{product} was checked"
    assert disagreements == [], "\n".join(map(repr, disagreements))


def test_a_time_format_sent_applies_to_every_time_sent(mmoda):
    spec = mmoda.describe("nbexamples")
    cases = [
        {},
        {"time_instant": "2017-08-18T00:00:00", "T1": "56001"},
        {"T_format": "mjd", "time_instant": "57982.53"},
        {"T_format": "mjd", "time_instant": "2017-08-17T12:43:00.000"},
        {"time_instant": "57982.53"},
        {"T_format": "isot", "T1": "2012-03-14T00:00:00", "T2": "2012-03-20T00:00:00"},
        {"T_format": "isot", "time_instant": "2017-08-17T12:43:00.000", "T1": "56001"},
    ]
    for values in cases:
        try:
            spec.validate("echo", values)
            client = True
        except ValidationErrors:
            client = False
        server, said = server_verdict(mmoda, "nbexamples", "echo", dict(values))
        assert client == server, (values, said)
        if server:
            assert said["time_instant"].startswith("2017-08-1"), said  # read as the same instant


# --- every parameter class, built by the peer's own Python ------------------------------------
PHOSPHOROS_VALUE = {"filter": ["CFHT|MegaCam.g"], "flux": ["FG"], "flux_error": ["EG"]}
PHOTOMETRY = {"type": "object", "title": "Photometry", "properties": {
    "band": {"type": "string", "enum": ["g", "r", "i"]}, "mag": {"type": "number", "minimum": 0}},
    "required": ["band", "mag"]}

CLASS_CASES: list[tuple[str, dict, list[str]]] = [
    ("String", {"value": "spam", "name": "s"}, ["eggs", "  padded  ", "", "\x00", "a\nb"]),
    ("String", {"value": "spam", "name": "sel", "allowed_values": ["spam", "eggs"]},
     ["eggs", "ham", "Spam", " eggs "]),
    ("LongString", {"value": "a\nb", "name": "ls"}, ["one\ntwo", "  \nx\n  ", "", "\x00"]),
    ("Name", {"value": "Crab", "name": "src_name"}, ["Vela X-1", "", "\x00"]),
    ("FileReference", {"value": "/home/local/test.fits", "name": "f"}, ["/data/x.fits", "https://a.org/x", ""]),
    ("POSIXPath", {"value": "test.fits", "name": "p", "is_optional": True}, ["/data/x.fits", "\x00", ""]),
    ("FileURL", {"value": "https://a.org/b.fits", "name": "u"},
     ["https://x.org/y.fits", "http://localhost/a", "not a url", ""]),
    ("Float", {"value": 5.0, "name": "f", "min_value": 2.2, "max_value": 7.7},
     ["5", "2.2", "7.7", "7.71", "2.19", "abc", "nan", " 3 ", "1_0", "\x00", "0x10", "3,5", "1e0"]),
    ("Float", {"value": 5.0, "name": "fo", "is_optional": True}, ["\x00", "", "6"]),
    ("Integer", {"value": 5, "name": "i", "min_value": 2, "max_value": 8},
     ["5", "2", "8", "9", "1", "5.0", "4.5", "abc", " 6 ", "\x00", "+7", "1e1"]),
    ("Time", {"value": "2017-03-06T13:26:48.000", "name": "T1"},
     ["2017-03-06T13:26:48", "2017-03-06", "57818.5", "yesterday", "\x00", "2017-13-01T00:00:00"]),
    ("TimeDelta", {"value": 1000.0, "name": "time_bin"}, ["1000", "0.5", "abc", "-5"]),
    ("TimeInterval", {"value": 100.0, "name": "duration", "min_value": 1.0},
     ["100", "0.5", "1", "2 hour", "abc", "\x00"]),
    ("TimeInterval", {"value": 2.0, "name": "span", "units": "day"}, ["3", "36 hour", "1 kg"]),
    ("Angle", {"value": 1.0, "units": "arcsec", "name": "ang"},
     ["1", "-0.5", "1e-05", "12:00:00", "abc", "nan"]),
    ("Energy", {"value": 50.0, "E_units": "keV", "name": "energy", "min_value": 35.0, "max_value": 800.0},
     ["50", "35", "800", "34.9", "801", "0.3 MeV", "1 MeV", "5 kg", "abc"]),
    # a frequency (its default units too: the server converts every value to them)
    ("Energy", {"value": 1.0, "E_units": "GHz", "default_units": "GHz", "name": "nu"}, ["1.4", "1 keV", "21 cm"]),
    ("SpectralBoundary", {"value": 10.0, "name": "sb"}, ["10", "abc", "20 keV"]),
    ("DetectionThreshold", {"value": 7.0, "name": "detection_threshold", "max_value": 20.0},
     ["7", "20", "21", "abc"]),
    ("Boolean", {"value": True, "name": "flag"},
     ["True", "true", "yes", "1", "False", "false", "no", "0", "TRUE", "y", "\x00", "2"]),
    ("InputProdList", {"value": [], "name": "p_list"}, ["a,b", "a", "", '["a", "b"]']),
    ("StructuredParameter", {"value": {"a": [1, 2]}, "name": "struct"},
     ['{"a": 1}', "[1, 2]", '"text"', "not json", "5", "{}", "[]", "\x00"]),
    ("StructuredParameter", {"value": {"band": "g", "mag": 1.0}, "name": "phot", "schema": PHOTOMETRY},
     ['{"band": "r", "mag": 18}', '{"band": "z", "mag": 18}', '{"band": "g", "mag": -1}',
      '{"band": "g"}', "[]"]),
    ("PhosphorosFiltersTable", {"value": PHOSPHOROS_VALUE, "name": "filters"}, [
        json.dumps(PHOSPHOROS_VALUE),
        json.dumps({"filter": ["CFHT|MegaCam.g", "Euclid|VIS.vis"], "flux": ["FG", "FV"], "flux_error": ["EG", "EV"]}),
        json.dumps({"filter": ["CFHT|MegaCam.g", "CFHT|MegaCam.r"], "flux": ["FG"], "flux_error": ["EG"]}),
        json.dumps({"filter": ["No|Such.filter"], "flux": ["FG"], "flux_error": ["EG"]}),
        json.dumps({"filter": ["CFHT|MegaCam.g", "CFHT|MegaCam.g"], "flux": ["A", "B"], "flux_error": ["C", "D"]}),
        json.dumps({"filter": ["CFHT|MegaCam.g"], "flux": [""], "flux_error": ["EG"]}),
        json.dumps({"filter": ["CFHT|MegaCam.g"], "flux": ["FG"]}),
        json.dumps({**PHOSPHOROS_VALUE, "extra": [1]}),
        "[]",
    ]),
    ("Parameter", {"value": 5, "name": "otheropt", "is_optional": True}, ["5", "abc", "[1, 2]", "\x00"]),
    ("Parameter", {"value": ["b", "c"], "name": "lst"}, ['["x"]', "x", "\x00"]),
]


def peer_python() -> str:
    home = os.environ.get("MMODA_PEER_HOME", "/tmp/mmoda-peer")
    python = Path(home) / "venv" / "bin" / "python"
    if not python.exists():
        pytest.fail(f"the peer's Python is not at {python}: run the peer's setup")
    return str(python)


def ask_peer(cases: list[tuple[str, dict, list[str]]]) -> list[dict]:
    """The dispatcher's classes' descriptions and verdicts (``peer_classes.py`` in its venv)."""
    request = {"cases": [{"class": c, "kwargs": k, "inputs": i} for c, k, i in cases]}
    done = subprocess.run(
        [peer_python(), str(HERE.parent / "support" / "peer_classes.py")], input=json.dumps(request),
        capture_output=True, text=True, check=False, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)["results"]


def _sent_text(name: str, wire: Any) -> str:
    """The text of the request field the client sends for a wire value (its own encoding)."""
    fields = encode_parameters({name: wire})
    return "\x00" if not fields else fields[0][1]


@pytest.fixture(scope="module")
def class_verdicts() -> list[dict]:
    """Per case: the client's spec, and per input the client's verdict, what it sends and the
    dispatcher's verdicts on the input and on what the client sends."""
    first = ask_peer(CLASS_CASES)
    checked = []
    for (_class, _kwargs, inputs), result in zip(CLASS_CASES, first, strict=True):
        description = result["description"]
        spec = parameter_from_description(description[0], description[1] if len(description) > 1 else None)
        rows = []
        for text, server in zip(inputs, result["verdicts"], strict=True):
            try:
                wire = spec.validate(None if text == "\x00" else text)
            except Exception as exc:  # noqa: BLE001 - a ValidationError, compared in the test
                rows.append({"text": text, "client": False, "said": getattr(exc, "message", str(exc)),
                             "server": server})
                continue
            sent = None if wire is None else _sent_text(spec.name, wire)
            rows.append({"text": text, "client": True, "said": wire, "sent": sent, "server": server})
        checked.append({"spec": spec, "rows": rows})
    # the dispatcher's verdict on what the client sends, where it is not the text given
    second = ask_peer([
        (class_name, kwargs, [row["sent"] for row in case["rows"] if row.get("sent") is not None])
        for (class_name, kwargs, _), case in zip(CLASS_CASES, checked, strict=True)
    ])
    for case, result in zip(checked, second, strict=True):
        sent_rows = [row for row in case["rows"] if row.get("sent") is not None]
        for row, verdict in zip(sent_rows, result["verdicts"], strict=True):
            row["server_of_sent"] = verdict
    return checked


@pytest.mark.parametrize("index", range(len(CLASS_CASES)), ids=[f"{c}-{k['name']}" for c, k, _ in CLASS_CASES])
def test_every_parameter_class_is_checked_as_the_dispatcher_checks_it(class_verdicts, index):
    class_name, kwargs, _ = CLASS_CASES[index]
    case = class_verdicts[index]
    spec = case["spec"]
    assert spec.kind != "unknown", class_name
    if class_name == "Parameter":
        assert spec.kind == "untyped" and spec.optional == kwargs.get("is_optional", False)
    disagreements = []
    for row in case["rows"]:
        if not row["client"]:
            if row["server"]["accepted"] and not any(rule in row["said"] for rule in SERVICE_RULES):
                disagreements.append((row["text"], "client refused", row["said"],
                                      "server took it", row["server"].get("value")))
            continue
        if row.get("sent") is None:
            assert row["server"]["accepted"], row  # not sent: the dispatcher keeps its default
            continue
        if not row["server_of_sent"]["accepted"]:
            disagreements.append((row["text"], "client sent", row["sent"], "server refused",
                                  row["server_of_sent"].get("message")))
    assert disagreements == []


# --- what the notebook service refuses ---------------------------------------------------------
@pytest.mark.parametrize(
    ("product", "values", "words"),
    [
        ("testfileurl_extra_annotated", {"fits_file_url": "not a url"},
         'Parameter fits_file_url value "not a url" can not be interpreted as FileURL.'),
        ("testposixpath_extra_annotated", {"fits_file_path": ""},
         "Empty string is not a valid value of FileReference parameter fits_file_path"),
    ],
)
def test_the_notebook_service_refuses_what_the_client_refuses_for_it(mmoda, product, values, words):
    spec = mmoda.describe("nb2wtests")
    with pytest.raises(ValidationErrors) as refused:
        spec.validate(product, values)
    assert refused.value.errors[0].message == words
    # sent all the same (validate=False), the dispatcher takes it and the service fails the job
    job = mmoda.submit("nb2wtests", product, validate=False, **values)
    assert job.wait(180).value == "failed"
    assert words in str(job.error)
