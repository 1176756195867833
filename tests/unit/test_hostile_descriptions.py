"""A hostile description cannot freeze the kernel or break the form: a remote $ref is never
fetched, a catastrophic pattern is stopped by its time bound, ten thousand parameters are refused
with a clear message, bookkeeping names are left out (Submit still works and sends none of their
defaults), and every malformed entry is a DispatcherError naming it."""

from __future__ import annotations

import threading

import pytest
from support.hostile_dispatcher import HostileDispatcher, description, done_answer
from support.memory import MiB, peak_of

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import DispatcherError

pytestmark = pytest.mark.unit

#: A form build that hangs fails here instead of holding the test run (not a speed claim).
HANG = 60


def structured(name: str, schema: dict, value: object) -> dict:
    return {"name": name, "units": None, "value": value,
            "restrictions": {"schema": schema, "is_optional": False},
            "owl_uri": ["http://odahub.io/ontology#StructuredParameter"]}


@pytest.fixture
def evil():
    with HostileDispatcher() as server:
        server.answer("/api/instr-list", ["evil"])
        server.answer("/instr-list", ["evil"])
        yield server


def build_form(evil: HostileDispatcher, entries: list[dict]):
    """The form of a description holding ``entries``, built in a thread that must end."""
    from oda_widgets.widgets.form import QueryForm

    evil.answer("/api/meta-data", description("evil", entries))
    built: dict = {}

    def build() -> None:
        disp = Dispatcher(evil.url, token="", registry=False, timeout=30)
        built["form"] = QueryForm(disp, instrument="evil", product="evil_image")

    worker = threading.Thread(target=build, daemon=True)
    worker.start()
    worker.join(HANG)
    assert not worker.is_alive(), f"the form was still being built after {HANG} s"
    return built["form"]


def test_a_remote_ref_is_never_fetched(evil):
    evil.answer("/schema.json", {"type": "object"})
    remote = f"{evil.url}/schema.json"
    form = build_form(evil, [structured("spec", {"$ref": remote}, {"a": 1})])
    assert evil.requests_to("/schema.json") == []  # nothing fetched
    message = form.fields["spec"].error
    assert "does not fetch" in message and remote in message
    assert form.fields["spec"] in form.invalid


def test_a_catastrophic_pattern_is_stopped_by_its_time_bound(evil):
    schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a|a)*$"}}}
    form = build_form(evil, [structured("spec", schema, {"s": "a" * 64 + "!"})])
    field = form.fields["spec"]
    assert "took longer than" in field.error_hint and "^(a|a)*$" in field.error_hint
    # the same field takes a value that matches
    field.set_value('{"s": "aaaa"}')
    assert field not in form.invalid and field.error is None


def test_ten_thousand_parameters_are_refused_with_the_limit_named(evil):
    many = [{"name": f"p{i}", "units": "str", "value": "x", "restrictions": {},
             "owl_uri": ["http://odahub.io/ontology#String"]} for i in range(10_000)]
    form, peak = peak_of(lambda: build_form(evil, many))
    assert "10000 parameters" in form.status_text and "200" in form.status_text
    assert form.fields == {} and peak < 64 * MiB


def test_bookkeeping_names_are_left_out_and_submit_still_works(evil, tmp_path):
    from oda_widgets.widgets.form import QueryForm

    entries = [{"name": name, "units": "str", "value": value, "restrictions": {},
                "owl_uri": ["http://odahub.io/ontology#String"]}
               for name, value in (("instrument", "other"), ("job_id", "0000000000000bad"),
                                   ("dry_run", "True"), ("session_id", "STOLEN"))]
    evil.answer("/api/meta-data", description("evil", entries))
    evil.answer("/run_analysis", done_answer({}))
    disp = Dispatcher(evil.url, token="", registry=tmp_path, timeout=30)
    form = QueryForm(disp, instrument="evil", product="evil_image")
    assert not {"instrument", "job_id", "dry_run", "session_id"} & set(form.fields)
    assert "a name the request itself uses" in form.status_text
    job = form.submit()
    job.wait(HANG)
    sent = evil.requests_to("/run_analysis")[0].params
    assert sent["instrument"] == ["evil"] and "dry_run" not in sent and "job_id" not in sent
    assert sent["session_id"] == [disp.session_id]


@pytest.mark.parametrize(("entry", "words"), [
    ({"name": ["RA"], "value": 1}, "its name is a list"),
    ({"name": "p", "value": 1, "restrictions": "none"}, "restrictions are a str"),
    ({"name": "p", "value": 1, "restrictions": {"min_value": {"x": 1}}}, "min_value is dict"),
    ({"name": "p", "value": 1, "restrictions": {"allowed_values": 5}}, "allowed_values are a int"),
    ({"name": "p", "value": 1, "extra_metadata": ["label"]}, "extra_metadata is a list"),
    ({"name": "p", "value": 1, "owl_uri": [1, 2]}, "owl_uri is a int"),
    ({"name": "line\u2028break", "value": 1}, "not a parameter name"),
    ({"name": "p", "value": {}, "restrictions": {"schema": {"pattern": "(("}}},
     "not a regular expression"),
])
def test_every_malformed_entry_is_a_dispatcher_error_naming_it(evil, entry, words):
    evil.answer("/api/meta-data", description("evil", [entry]))
    disp = Dispatcher(evil.url, token="", registry=False)
    with pytest.raises(DispatcherError) as refused:
        disp.describe("evil")
    text = str(refused.value)
    assert words in text and "entry 1 of 'evil_image_query'" in text
