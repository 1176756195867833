"""QueryDraft without any widget: values, roles, problems, what would be sent, from a job or a
share URL, and a submission through the client.

Each draft is built from a saved description (the sandbox's own, or a 1.3.3 dispatcher's captured
answer) and compared with the QueryForm given the same values: both must find the same problems
and send the same parameters.
"""

from __future__ import annotations

import json
import subprocess
import sys

import jwt
import pytest
from support import shared
from support.saved_descriptions import SavedDispatcher, form_for, sandbox_documents

import oda_widgets as ow
from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.errors import ValidationErrors
from oda_widgets.client.jobs import Job
from oda_widgets.client.query.draft import QueryDraft
from oda_widgets.widgets import QueryForm

pytestmark = pytest.mark.unit

CATALOG = {
    "cat_frame": "fk5", "cat_coord_units": "deg",
    "cat_column_list": [[0, 1, 2], ["A", "B", "C"], [5.0, 6.0, 7.0], [1.0, 2.0, 3.0],
                        [4.0, 5.0, 6.0]],
    "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
    "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U5"], ["significance", "<f8"],
                         ["ra", "<f8"], ["dec", "<f8"]],
    "cat_lat_name": "dec", "cat_lon_name": "ra",
}
TOKEN = jwt.encode({"sub": "x"}, "throwaway-secret-of-thirty-two-bytes", algorithm="HS256")


def _draft(instrument: str = "isgri", product: str = "isgri_image",
           generation: str = "current") -> QueryDraft:
    return QueryDraft(SavedDispatcher(sandbox_documents(generation)).describe(instrument), product)


def _without(values: dict, names: set[str]) -> dict:
    return {k: v for k, v in values.items() if k not in names}


def _messages(form: QueryForm) -> dict[str, str | None]:
    return {field.name: field.error for field in form.invalid}


def test_the_draft_is_the_public_name_and_needs_no_widget_library():
    assert ow.QueryDraft is QueryDraft
    code = ("import sys, oda_widgets as ow; ow.QueryDraft; "
            "print(sorted(m for m in ('ipywidgets', 'traitlets', 'bqplot') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


@pytest.mark.parametrize("generation", ["current", "1.3.3"])
def test_every_sandbox_product_drafts_as_the_form_shows_it(generation):
    documents = sandbox_documents(generation)
    dispatcher = SavedDispatcher(documents)
    for instrument in documents:
        spec = dispatcher.describe(instrument)
        for product in spec.products:
            draft = QueryDraft(spec, product)
            form = QueryForm(dispatcher, instrument=instrument, product=product)
            # the form's light curves take a bin chosen for T1-T2 (widgets/time_bin_default.py)
            # until one is typed; a draft keeps the description's until it is given one
            chosen = {"time_bin"} if "time_bin" in form.values and form._time_bins.words.value \
                else set()
            assert _without(draft.values, chosen) == _without(form.values, chosen), product
            assert _without(draft.parameters(), chosen) == _without(form.parameters(), chosen)
            draft.set(**{name: form.values[name] for name in chosen})
            assert draft.parameters() == form.parameters(), (instrument, product)
            assert draft.problems() == {} and form.invalid == []
            form.close()


def test_values_set_on_a_draft_read_and_send_as_the_forms():
    given = {"RA": "9h20m23s", "DEC": "-12:30:00", "src_name": " Crab ", "E1_keV": 25,
             "E2_keV": "80", "T1": "2003-03-15T23:27:40", "T2": "2003-03-16T00:03:12"}
    draft = _draft().set(**given)
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.values = given
    assert draft.values == form.values
    assert draft.parameters() == form.parameters()
    assert draft.parameters()["RA"] == pytest.approx(140.0958333)  # 9h20m23s in degrees
    assert draft.parameters()["src_name"] == "Crab"
    assert draft.problems() == {} and form.invalid == []
    assert draft.api_code(form.dispatcher.url) == form.api_code()


def test_wrong_values_are_the_problems_the_form_shows():
    given = {"RA": "abc", "DEC": "north", "E1_keV": 80, "E2_keV": 30}
    draft = _draft().set(**given)
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.values = given
    problems = draft.problems()
    assert {name: p.message for name, p in problems.items()} == _messages(form)
    assert set(problems) == {"RA", "DEC", "E2_keV"}
    assert {name: p.hint for name, p in problems.items()} == \
        {f.name: f.error_hint for f in form.invalid}


def test_a_time_range_upside_down_is_a_problem_of_the_end_time():
    draft = _draft()
    draft.set_time_range("2003-03-16T00:00:00", "2003-03-15T00:00:00")
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.set_time_range("2003-03-16T00:00:00", "2003-03-15T00:00:00")
    assert list(draft.problems()) == ["T2"]
    assert draft.problems()["T2"].message == form.fields["T2"].error
    assert "must be after" in draft.problems()["T2"].message
    draft.set_time_range("2003-03-15T00:00:00", "2003-03-16T00:00:00")
    assert draft.problems() == {}


def test_roles_name_the_target_its_position_and_the_time_range():
    draft = _draft()
    assert [draft.role(r) for r in ("target", "ra", "dec", "start", "stop")] == \
        ["src_name", "RA", "DEC", "T1", "T2"]
    assert draft.time_range() == ("T1", "T2") and draft.energy_band() == ("E1_keV", "E2_keV")
    with pytest.raises(KeyError, match="the roles are"):
        draft.role("colour")


def test_an_unknown_name_says_which_names_exist():
    with pytest.raises(KeyError, match="has no parameter RAA; it has .*RA"):
        _draft().set(RAA=1)


@pytest.mark.shared
def test_an_exponent_in_a_133_angle_is_caught_as_the_form_catches_it():
    doc = json.loads((shared.CAPTURES_133 / "04_meta_data_empty.json").read_text())
    documents = {"empty": doc}
    spec = SavedDispatcher(documents).describe("empty")
    message = "Invalid character at col 1 parsing angle '1e-05'"
    for given in ("1e-05", 1e-05):
        draft = QueryDraft(spec, "dummy").set(RA=given)
        form = form_for(documents, "empty", "dummy")
        form.values = {"RA": given}
        assert draft.problems()["RA"].message == message == form.fields["RA"].error
        assert "no exponent" in (draft.problems()["RA"].hint or "")
        assert draft.parameters() == form.parameters()
    # typed as the user types it: the form's draft checks the text, not the number it reads as
    form = form_for(documents, "empty", "dummy")
    form.fields["RA"].control.value = "1e-05"
    assert form.draft is not None and form.draft.problems()["RA"].message == message
    assert form.submit_button.disabled
    form.fields["RA"].control.value = "0.00001"  # the same number: the text is what is checked
    assert "RA" not in form.draft.problems() and form.fields["RA"].error is None
    assert not form.submit_button.disabled


def test_a_draft_with_problems_sends_nothing():
    draft = _draft().set(RA="abc")

    class Refuses:
        def submit(self, *args, **kwargs):
            raise AssertionError("a draft with problems reached the dispatcher")

    with pytest.raises(ValidationErrors, match="RA"):
        draft.submit(Refuses())


def test_a_share_url_round_trips_through_a_draft_catalog_selection_included():
    dispatcher = SavedDispatcher(sandbox_documents())
    draft = QueryDraft(dispatcher.describe("isgri"), "isgri_spectrum")
    draft.set(RA=265.97845833, DEC=-29.74516667, src_name="1E 1740.7-2942",
              T1="2003-03-15T23:27:40.0", T2="2003-03-16T00:03:15.0")
    catalog = Catalog.from_dispatcher(CATALOG)
    catalog.remove([0])
    catalog.select([2])
    draft.set_catalog(catalog, selected_only=True)
    assert draft.parameters()["catalog_selected_objects"] == "2"
    wire = dispatcher.describe("isgri").validate("isgri_spectrum", draft.parameters())
    job = Job("isgri", "isgri_spectrum", "Real", wire, url=dispatcher.url, session_id="S",
              job_id="abcdef0123456789")
    url = job.share_url()

    again = QueryDraft.from_url(url, dispatcher=SavedDispatcher(sandbox_documents()))
    form = QueryForm.from_url(url, dispatcher=SavedDispatcher(sandbox_documents()))
    assert (again.instrument, again.product) == ("isgri", "isgri_spectrum")
    assert again.values == draft.values == form.values
    assert again.parameters() == form.parameters()
    assert json.loads(again.parameters()["selected_catalog"]) == \
        json.loads(draft.parameters()["selected_catalog"])
    assert again.parameters()["catalog_selected_objects"] == "2"
    assert again.problems() == {} and again.ignored == form.url_ignored == []


def test_a_share_url_of_an_unknown_product_is_drafted_as_the_form_shows_it():
    url = "http://127.0.0.1:9/dispatch-data?instrument=isgri&product_type=isgri_nothing&RA=10"
    draft = QueryDraft.from_url(url, dispatcher=SavedDispatcher(sandbox_documents()))
    # a token given: the status line is not taken by the notice that the link's host is unknown
    form = QueryForm.from_url(url, dispatcher=SavedDispatcher(sandbox_documents(), token=TOKEN))
    assert draft.product == form.product == "isgri_image"
    assert "isgri has no product isgri_nothing" in " ".join(draft.notes)
    assert "isgri has no product isgri_nothing" in form.status
    assert draft.values == form.values and draft.values["RA"] == 10.0


def test_from_job_drafts_the_jobs_query_again():
    dispatcher = SavedDispatcher(sandbox_documents())
    form = QueryForm(dispatcher, instrument="isgri", product="isgri_image")
    form.values = {"RA": 1.5, "DEC": 2.5, "E2_keV": 80.0}
    wire = dispatcher.describe("isgri").validate("isgri_image", form.parameters())
    job = Job("isgri", "isgri_image", "Real", wire, url=dispatcher.url, session_id="s")
    again = QueryDraft.from_job(job, dispatcher)
    assert (again.instrument, again.product) == ("isgri", "isgri_image")
    assert again.values == form.values == QueryForm.from_job(job, dispatcher).values


def test_the_forms_draft_is_what_it_sends():
    form = form_for(sandbox_documents(), "isgri", "isgri_image")
    form.values = {"RA": 83.63, "DEC": 22.01, "scw_list": "066500220010.001\n066500230010.001"}
    draft = form.draft
    assert draft is not None
    assert draft.parameters() == form.parameters()
    assert draft.parameters()["scw_list"] == ["066500220010.001", "066500230010.001"]
    assert draft.query == form.query


def test_a_script_submits_a_draft_through_the_client():
    """Against a real sandbox over HTTP: no widget in the way."""
    from oda_widgets.sandbox import start_sandbox

    with start_sandbox(port=0) as sandbox:
        dispatcher = Dispatcher(url=sandbox.url, token="", registry=False)
        try:
            draft = QueryDraft(dispatcher.describe("isgri"), "isgri_image")
            draft.set(RA=255.98, DEC=-37.84)
            draft.set_time_range("2003-03-15T23:27:40", "2003-03-16T00:03:12")
            assert draft.problems() == {}
            answer = draft.dry_run(dispatcher)
            assert answer["analysis_parameters"]["RA"] == pytest.approx(255.98)
            job = draft.submit(dispatcher)
            assert isinstance(job, Job) and job.product == "isgri_image"
            assert job.wait(timeout=60) == "done", job.error
        finally:
            dispatcher.close()


ONTO = "http://odahub.io/ontology#"
STRING = ["http://www.w3.org/2001/XMLSchema#str", ONTO + "String"]
TIME = [ONTO + "TimeInstant"]


def _entry(name, value, owl_uri, *, units=None, optional=False, **restrictions):
    return {"name": name, "units": units, "value": value, "owl_uri": owl_uri,
            "restrictions": {"is_optional": optional, **restrictions}, "extra_metadata": {}}


def _every_kind() -> dict:
    """A description with a parameter of each kind today's dispatchers describe."""
    source = [{"query_name": "src_query"},
              _entry("RA", 10.0, [ONTO + "Angle"], units="deg"),
              _entry("T1", 56000.0, TIME, units="mjd"), {"name": "T_format", "units": "str", "value": "mjd"},
              _entry("T2", 56005.0, TIME, units="mjd")]
    product = [{"query_name": "kinds_query"}, {"product_name": "kinds"},
               _entry("time_instant", "2017-08-17T12:43:00.000", TIME, units="isot"),
               _entry("energy", 50.0, [ONTO + "Energy"], units="keV", max_value=800.0),
               _entry("duration", 100.0, [ONTO + "TimeInterval"], units="s"),
               _entry("count", 5, [ONTO + "Integer"]),
               _entry("flag", True, [ONTO + "Boolean"]),
               _entry("band", "a", STRING, units="str", allowed_values=["a", "b"]),
               _entry("struct", {"col1": ["foo"]}, [ONTO + "StructuredParameter"]),
               _entry("p_list", None, [ONTO + "InputProdList"], optional=True),
               _entry("untyped_list", [1, 2], []),
               _entry("note", "hello", STRING, units="str")]
    return {"kinds": [[{"instrumet": "kinds"}, {"prod_dict": {"kinds": "kinds_query"}},
                       source, [{"query_name": "instr_query"}], product]]}


@pytest.mark.parametrize(("given", "refused"), [
    ({}, set()),
    ({"T_format": "isot"}, set()),  # both times, the product's own too, converted to ISOT
    ({"T_format": "isot", "T1": "2020-01-01T00:00:00", "T2": "2020-01-02T00:00:00"}, set()),
    ({"energy": "0.3 MeV", "duration": "2 minute", "count": "7", "flag": "no", "band": "b"},
     set()),
    ({"struct": '{"col1": ["x"]}', "p_list": "a, b\nc", "untyped_list": [3], "note": "  "},
     set()),
    ({"energy": "1 MeV", "count": "7.5", "band": "z", "T1": "yesterday"},
     {"energy", "count", "T1"}),
    ({"T2": 55000.0}, {"T2"}),  # before T1
])
def test_every_kind_drafts_reads_and_checks_as_the_form(given, refused):
    documents = _every_kind()
    spec = SavedDispatcher(documents).describe("kinds")
    draft = QueryDraft(spec, "kinds").set(**given)
    form = form_for(documents, "kinds", "kinds")
    form.values = given
    assert draft.values == form.values
    assert draft.parameters() == form.parameters()
    assert {name: p.message for name, p in draft.problems().items()} == _messages(form)
    assert set(draft.problems()) == refused
    if "T_format" in given:
        assert draft.values["time_instant"] == "2017-08-17T12:43:00.000"
