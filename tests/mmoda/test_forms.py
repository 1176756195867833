"""Forms of today's platform against the real dispatcher 1.3.6 and its notebook services.

``nbexamples/echo`` is the notebook that echoes its parameters: its source times are MJD, its own
``time_instant`` ISOT. Its form was refused before sending ("Fix 1 field: time_instant"); with
its defaults it is now accepted and done, and the notebook receives the instant unchanged.
"""

from __future__ import annotations

import ast

import pytest

from oda_widgets.widgets.file_field import FileField
from oda_widgets.widgets.form import QueryForm
from oda_widgets.widgets.long_text_field import LongTextField

pytestmark = pytest.mark.mmoda

ECHO_INSTANT = "2017-08-17T12:43:00.000"


def echoed(job) -> dict:
    """What the echo notebook says it received (a Python dict printed as text)."""
    products = job.result(timeout=120)
    return ast.literal_eval(products["output_0"].value)


def test_echo_with_its_defaults_is_accepted_and_done(mmoda):
    form = QueryForm(dispatcher=mmoda, instrument="nbexamples", product="echo")
    assert form.invalid == [] and form.submit_blocked_reason == ""
    assert form.fields["T_format"].control.value == "mjd"  # the source's format, for every time
    job = form.submit()
    assert job is not None and job.wait(180).value == "done", job.error
    received = echoed(job)
    assert received["time_instant"] == ECHO_INSTANT  # the ISOT default, sent as MJD, read back
    assert received["start_time"] == 56000.0 and received["band"] == "z"
    # the same query from code, with nothing given, is the same job (the server's own defaults)
    again = mmoda.submit("nbexamples", "echo")
    assert again.wait(180).value == "done" and again.job_id == job.job_id


def test_echo_in_isot_sends_every_time_in_isot(mmoda):
    form = QueryForm(dispatcher=mmoda, instrument="nbexamples", product="echo")
    form.fields["T_format"].control.value = "isot"
    assert form.parameters()["T1"] == "2012-03-14T00:00:00.000"
    form.values = {"time_instant": "2017-08-18T06:00:00"}
    job = form.submit()
    assert job.wait(180).value == "done", job.error
    received = echoed(job)
    assert received["time_instant"] == "2017-08-18T06:00:00.000"
    assert received["start_time"] == pytest.approx(56000.0)


def test_a_long_string_reaches_the_dispatcher_with_its_lines(mmoda):
    form = QueryForm(dispatcher=mmoda, instrument="nb2wtests", product="multiline")
    field = form.fields["string_param"]
    assert isinstance(field, LongTextField)
    assert field.control.value == "Foo Bar\nContains = Symbol\nSpam Ham"
    field.control.value = "first line\n  second = 2\nthird\n"
    answer = form.check_with_dispatcher()
    assert answer is not None, form.status_text
    assert answer["analysis_parameters"]["string_param"] == "first line\n  second = 2\nthird"


def test_an_untyped_parameter_is_shown_by_its_defaults_kind_and_sent_as_the_server_reads_it(mmoda):
    form = QueryForm(dispatcher=mmoda, instrument="nb2wtests", product="structured_input")
    assert form.fields["lst"].value == ["b", "c", "d"] and form.fields["dct"].value == {
        "foo": [1, 2, 3], "bar": [4, 5, 6]}
    form.values = {"lst": '["x", "y"]'}
    answer = form.check_with_dispatcher()
    assert answer["analysis_parameters"]["lst"] == ["x", "y"]
    multiline = QueryForm(dispatcher=mmoda, instrument="nb2wtests", product="multiline")
    multiline.values = {"otheropt": "abc"}
    assert multiline.fields["otheropt"].error is None  # the dispatcher takes it
    assert "may refuse this" in multiline.fields["otheropt"].note


def test_a_rule_the_description_does_not_tell_is_shown_from_the_dispatcher(mmoda):
    form = QueryForm(dispatcher=mmoda, instrument="empty", product="numerical")
    form.values = {"p": 900.0}
    assert form.invalid == []  # nothing in the description bounds p
    assert form.check_with_dispatcher() is None
    assert "p value is restricted to 800 W" in form.status_text


def test_a_file_url_is_checked_and_an_upload_offered(mmoda):
    form = QueryForm(dispatcher=mmoda, instrument="nb2wtests", product="testfileurl_extra_annotated")
    field = form.fields["fits_file_url"]
    assert isinstance(field, FileField) and field.label == "Test url"
    assert "Description test url" in field.widget.tooltip
    form.values = {"fits_file_url": "testkeys.fits"}
    assert [f.name for f in form.invalid] == ["fits_file_url"]
    assert field.error == 'Parameter fits_file_url value "testkeys.fits" can not be interpreted as FileURL.'
    assert form.submit_blocked_reason == "Fix 1 field: Test url"
