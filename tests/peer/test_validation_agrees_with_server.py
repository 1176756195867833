"""The client's validation agrees with the real dispatcher (1.3.3), input by input.

For each kind of parameter the dispatcher's test instruments have, a few hundred generated inputs
(hypothesis, fixed seed; valid, edge and junk values) are checked by the client and sent to the
real dispatcher with validation off. For every input:

- the client accepts it exactly when the dispatcher does;
- when both refuse, the dispatcher's words are in the client's message: the part of its
  ``error_message`` about the value (1.3.3 puts ``"[ InstrumentQueryBackEnd : <instrument> ]
  constructor failed: "`` before it, and ``", content of the temporary directory is [...]"``,
  a listing of its own folder, after a catalog refusal);
- when both accept, what the client sends is read by the dispatcher as the same value as the
  input itself (an empty text, which the client leaves out, as the default).

Inputs that cannot be sent at all (text with a lone surrogate) must be refused by the client.
Requests run concurrently from a thread pool.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from support import validation_inputs as inputs

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import RequestRejected, ValidationErrors
from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.query.generations import OLDER, parameter_words

pytestmark = pytest.mark.peer

PER_KIND = 300
SEED = 20261201
WORKERS = 4


def generated(strategy: st.SearchStrategy[Any], n: int = PER_KIND) -> list[Any]:
    """``n`` distinct examples of ``strategy``, the same on every run (fixed seed)."""
    found: dict[str, Any] = {}

    @seed(SEED)
    @settings(
        max_examples=4 * n, database=None, phases=[Phase.generate], deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: Any) -> None:
        if len(found) < n:
            found.setdefault(f"{type(value).__name__}:{value!r}", value)

    collect()
    assert len(found) >= n, f"only {len(found)} distinct inputs could be drawn"
    return list(found.values())


def server_words(message: str) -> str:
    """The dispatcher's words about the value, without its framing (see the module's text)."""
    words = parameter_words(message)
    return words.split(", content of the temporary directory")[0].strip()


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-300)
    return a == b


@dataclass
class Case:
    """One kind: where its parameters live and how an input becomes the query's values."""

    kind: str
    instrument: str
    product: str
    values_of: Callable[[Any, int], dict[str, Any]]
    strategy: st.SearchStrategy[Any]
    query_type: str = "Real"
    #: Whether the dispatcher is asked by a dry run (else by a job, which it runs).
    dry_run: bool = True
    #: Inputs whose sending without validation is oda_api's encoding, not the user's text.
    from_python: bool = False
    #: Whether to ask how the dispatcher reads the client's wire value too: for kinds the client
    #: converts (angles) or re-encodes (lists). A float goes as the exact positional text of
    #: float(text), a string stripped (tests/unit/test_wire.py, test_parameters.py).
    compare_wire: bool = True
    findings: list[str] = field(default_factory=list)


def one_of(*names: str) -> Callable[[Any, int], dict[str, Any]]:
    """Give input number i to the i-th of ``names`` in turn."""
    return lambda value, i: {names[i % len(names)]: value}


CASES = [
    Case("angles", "empty", "echo", one_of("ang", "ang_deg"), inputs.angle_texts()),
    Case("coordinates", "empty", "dummy", one_of("RA", "DEC"), inputs.angle_texts()),
    Case("times without T_format", "empty", "dummy", one_of("T1", "T2"), inputs.time_texts()),
    Case(
        "times with T_format", "empty", "dummy",
        lambda pair, i: {"T1": pair[0], "T_format": pair[1]}, inputs.time_with_format(),
    ),
    Case("energies", "empty", "echo", one_of("energ"), inputs.number_texts(),
         compare_wire=False),
    Case("spectral boundaries", "empty", "parametrical", one_of("sb"), inputs.number_texts(),
         compare_wire=False),
    Case("floats", "empty-async", "numerical", one_of("p"), inputs.number_texts(),
         compare_wire=False),
    Case("strings", "empty-async", "numerical", one_of("string_like_name", "src_name"),
         inputs.string_texts()),
    Case("product lists", "empty", "dummy", one_of("p_list"), inputs.list_texts()),
    Case("science window lists", "empty-async", "dummy", one_of("scw_list"), inputs.list_texts()),
    Case("lists from Python", "empty", "dummy", one_of("p_list"), inputs.python_lists(),
         from_python=True),
    Case("science window lists from Python", "empty-async", "dummy", one_of("scw_list"),
         inputs.python_lists(), from_python=True),
    Case("catalogs", "empty", "dummy", one_of("selected_catalog"), inputs.catalogs(),
         query_type="Dummy", dry_run=False),
]


@pytest.fixture(scope="module")
def disp(real_dispatcher, tmp_path_factory, token_factory):
    client = Dispatcher(
        real_dispatcher.url, token=token_factory("general"),
        registry=tmp_path_factory.mktemp("registry"), poll_interval=0.2,
    )
    yield client
    client.close()


def ask_server(disp: Dispatcher, case: Case, values: dict[str, Any]) -> tuple[bool, Any]:
    """(accepted, the dispatcher's reading of the values or its message), validation off."""
    try:
        if case.dry_run:
            answer = disp.dry_run(case.instrument, case.product, query_type=case.query_type,
                                  **values)
            return True, answer["analysis_parameters"]
        job = disp.submit(case.instrument, case.product, case.query_type, validate=False,
                          **values)
        status = job.wait(120)
    except RequestRejected as exc:
        return False, exc.message
    if status is JobStatus.DONE:
        return True, None
    if isinstance(job.error, RequestRejected):
        return False, job.error.message
    raise AssertionError(f"{values!r}: the job ended {status} with {job.error!r}")


def check(disp: Dispatcher, case: Case, number: int, value: Any) -> str | None:
    """Compare the client's verdict on one input with the dispatcher's; a finding or None."""
    spec = disp.describe(case.instrument)
    values = case.values_of(value, number)
    try:
        wire = spec.validate(case.product, values)
        client_accepts, message = True, ""
    except ValidationErrors as exc:
        wire = None
        client_accepts, message = False, " ".join(e.message for e in exc.errors)
    if case.from_python:
        return check_python_list(disp, case, values, wire, message)
    server_accepts, reading = ask_server(disp, case, values)
    if client_accepts != server_accepts:
        said = reading if not server_accepts else "accepted"
        return (f"{values!r}: client {'accepts' if client_accepts else 'refuses: ' + message}; "
                f"server: {said}")
    if not client_accepts:
        words = server_words(reading)
        return None if words in message else f"{values!r}: {words!r} not in {message!r}"
    if not case.dry_run or not case.compare_wire:
        return None
    return compare_readings(disp, case, values, wire, reading, spec)


def compare_readings(disp, case, values, wire, reading, spec) -> str | None:
    """What the client sends is read as the input is (an input left out: as the default)."""
    if wire == values:
        return None  # the very request already answered
    accepted, wire_reading = ask_server(disp, case, wire)
    if not accepted:
        return f"{values!r}: the client's wire {wire!r} is refused: {wire_reading}"
    defaults = spec.defaults(case.product)
    for name in values:
        if name == "T_format":
            continue  # the server writes every time back in its default format
        expected = reading.get(name) if name in wire else defaults.get(name)
        got = wire_reading.get(name)
        if not same_value(got, expected):
            return f"{values!r}: sent as {wire!r}, read as {got!r}, not {expected!r}"
    return None


def check_python_list(disp, case, values, wire, message) -> str | None:
    """A Python list arrives item for item (empty items dropped), or is refused with the reason
    it cannot: the dispatcher would split an item on its commas (1.3.3 reads a product list as
    one comma-separated text, and every generation reads a lone science window as text), or a
    lone science window holds whitespace-separated ids."""
    ((name, given_list),) = values.items()
    expected = [str(item) for item in given_list if str(item) != ""]
    read_as_text = name == "scw_list" and len(expected) == 1
    split_on_commas = read_as_text or spec_generation(disp, case) == OLDER
    if wire is None:
        if split_on_commas and any("," in item for item in expected):
            return None if "commas" in message else f"{values!r}: refused with {message!r}"
        if read_as_text and len(expected[0].split()) > 1:
            return None if "space separated" in message else f"{values!r}: {message!r}"
        return f"{values!r}: refused ({message}) though it could be sent"
    accepted, reading = ask_server(disp, case, wire)
    if not accepted:
        return f"{values!r}: the client's wire {wire!r} is refused: {reading}"
    got = reading.get(name, [])
    if got != expected:
        return f"{values!r}: sent as {wire!r}, read as {got!r}"
    return None


def spec_generation(disp, case) -> str:
    return disp.describe(case.instrument).generation


def test_the_peer_is_the_older_generation(disp):
    assert disp.describe("empty").generation == OLDER


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_client_and_dispatcher_accept_and_refuse_the_same_inputs(disp, case):
    values = generated(case.strategy)
    with ThreadPoolExecutor(WORKERS) as pool:
        findings = [f for f in pool.map(lambda nv: check(disp, case, *nv), enumerate(values)) if f]
    assert not findings, f"{len(findings)} of {len(values)} disagree:\n" + "\n".join(findings[:25])


@pytest.mark.parametrize("text", inputs.UNSENDABLE)
@pytest.mark.parametrize("name", ["src_name", "RA", "T1"])
def test_text_that_cannot_be_sent_is_refused_before_sending(disp, name, text):
    with pytest.raises(ValidationErrors) as caught:
        disp.describe("empty").validate("dummy", {name: text})
    (error,) = caught.value.errors
    assert "cannot be sent" in error.message and error.hint


def test_an_unknown_time_format_is_refused_by_both_with_astropys_words(disp):
    spec = disp.describe("empty")
    with pytest.raises(ValidationErrors) as caught:
        spec.validate("dummy", {"T1": "58000", "T_format": "nosuch"})
    accepted, reading = ask_server(disp, CASES[3], {"T1": "58000", "T_format": "nosuch"})
    assert not accepted
    # astropy lists its formats, and the two releases know different ones: compare up to there
    words = server_words(reading).split(" [")[0]
    assert words == "Format 'nosuch' is not one of the allowed formats"
    assert words in caught.value.errors[0].message
