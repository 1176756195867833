"""What the form says before a query is sent that the dispatcher would only fail on later: T2
before T1, an empty energy band; and the light-curve bin it chooses for the time range.

The forms are built from the sandbox's own descriptions (see test_form.py)."""

from __future__ import annotations

import pytest
from support.saved_descriptions import form_for, sandbox_documents

from oda_widgets.client.failure_words import plain_failure
from oda_widgets.widgets.time_bin_default import TARGET_BINS, round_bin

pytestmark = pytest.mark.unit

CLASS = dict(RA=255.986542, DEC=-37.844167, T1="2003-03-15T23:27:40.0",
             T2="2003-03-16T00:03:15.0")
CLASS_SECONDS = 2135.0


@pytest.fixture(scope="module")
def documents():
    return sandbox_documents()


def test_t2_before_t1_is_refused_by_the_t2_field_and_submit_waits(documents):
    form = form_for(documents, "isgri", "isgri_spectrum")
    form.values = {**CLASS, "T2": "2003-03-15T20:00:00.0"}
    t2 = form.fields["T2"]
    assert t2.error is not None and "must be after" in t2.error
    assert "2003-03-15T23:27:40.0" in t2.error and "no INTEGRAL pointings" in t2.error_hint
    assert form.fields["T1"].error is None
    assert form.submit_button.disabled and t2.label in form.submit_blocked_reason
    assert form.submit() is None        # nothing sent
    # fixing T1 (not T2) clears T2's message
    form.values = {"T1": "2003-03-15T19:00:00.0"}
    assert t2.error is None and not form.submit_button.disabled


def test_t2_before_t1_is_refused_in_mjd_too_and_equal_times_as_well(documents):
    form = form_for(documents, "isgri", "isgri_image")
    form.values = {"T_format": "mjd", "T1": 52713.9, "T2": 52713.5}
    assert "must be after" in form.fields["T2"].error
    form.values = {"T2": 52713.9}
    assert "must be after" in form.fields["T2"].error
    form.values = {"T2": 52714.0}
    assert form.fields["T2"].error is None


def test_an_energy_band_upside_down_is_refused_by_its_upper_field(documents):
    form = form_for(documents, "isgri", "isgri_image")
    form.values = {**CLASS, "E1_keV": 80.0, "E2_keV": 30.0}
    assert "must be above" in form.fields["E2_keV"].error
    form.values = {"E2_keV": 200.0}
    assert form.fields["E2_keV"].error is None


def test_a_field_wrong_on_its_own_keeps_its_own_message(documents):
    form = form_for(documents, "isgri", "isgri_image")
    form.values = {**CLASS, "T2": "not a time"}
    assert "must be after" not in (form.fields["T2"].error or "")
    assert form.fields["T2"].error


def test_the_round_bin_gives_at_least_the_target_number_of_bins():
    assert round_bin(CLASS_SECONDS) == 50.0           # 42 bins over the class's 35 minutes
    assert CLASS_SECONDS / round_bin(CLASS_SECONDS) >= TARGET_BINS
    assert round_bin(86400.0) == 2000.0
    assert round_bin(365 * 86400.0, maximum=4000.0) == 4000.0
    assert round_bin(3.0, minimum=0.05) == 0.1
    for seconds in (60.0, 3600.0, 1e5, 3e7):
        chosen = round_bin(seconds)
        assert TARGET_BINS <= seconds / chosen < 2.5 * TARGET_BINS


def test_the_light_curve_bin_follows_t1_t2_until_the_user_types_one(documents):
    form = form_for(documents, "isgri", "isgri_lc")
    form.values = dict(CLASS)
    bin_s = float(form.values["time_bin"])
    assert CLASS_SECONDS / bin_s >= 20
    assert "≈ 43 bins over T1-T2" in form._time_bins.words.value
    form.values = {"T2": "2003-03-16T23:27:40.0"}             # a day: a longer bin
    assert float(form.values["time_bin"]) == 2000.0
    form.fields["time_bin"].control.value = "300"             # typed: the user's from now on
    form.values = {"T2": "2003-03-16T00:03:15.0"}
    assert float(form.values["time_bin"]) == 300.0
    assert "≈ 7 bins over T1-T2" in form._time_bins.words.value
    assert "chosen" not in form._time_bins.words.value


def test_a_bin_given_with_the_values_is_kept(documents):
    form = form_for(documents, "isgri", "isgri_lc")
    form.values = {**CLASS, "time_bin": 1000.0}   # e.g. a job's own parameters
    assert float(form.values["time_bin"]) == 1000.0
    form.values = {"T2": "2003-03-17T00:00:00.0"}
    assert float(form.values["time_bin"]) == 1000.0


def test_known_server_failures_are_said_in_plain_words():
    assert plain_failure("DDAException('scwlist empty')").startswith(
        "No INTEGRAL pointings in this time range")
    assert "shorter time bin" in plain_failure("Time bin max value exceeded =4000.000000")
    assert "token has expired" in plain_failure(
        "RequestNotAuthorized():The token provided is expired, please try to logout")
    assert "unige-hpc-full" in plain_failure(
        "it is needed to request > 50 ScW, you requested max_pointings=60")
    assert plain_failure("TypeError('cannot unpack non-iterable NoneType object')") is None
