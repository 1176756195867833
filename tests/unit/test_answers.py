"""What one dispatcher answer means for a job, read without any server or thread.

The answers are the real dispatcher's (``../shared/data/dispatcher-1.3.3``, captured from
cdci-data-analysis 1.3.3) where one shows the case, else shaped like them (``envelope``).
"""

from __future__ import annotations

import json

import pytest
from support import shared
from support.scripted_dispatcher import envelope

from oda_widgets.client.answers import JOB_ID_PATTERN, decoded_products, read_answer
from oda_widgets.client.errors import (
    DispatcherError,
    JobFailed,
    ProductDecodeError,
    Unauthorized,
)
from oda_widgets.client.jobs import Job, JobStatus
from oda_widgets.client.products.product_set import ProductSet

pytestmark = pytest.mark.unit

CAPTURED = shared.CAPTURES_133
SESSION = "SESSIONSESSION01"
TOKEN = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLXBheWxvYWQ.c2lnbmF0dXJlLXRleHQ"


def captured(name: str) -> dict:
    return json.loads((CAPTURED / name).read_text())


def job_of(answer: dict | None = None, job_id: str | None = None) -> Job:
    """A job of the answer's own session (as the request that got it was)."""
    session = (answer or {}).get("session_id") or SESSION
    return Job("empty-async", "dummy", url="http://127.0.0.1:1", session_id=session,
               job_id=job_id, status=JobStatus.SUBMITTED if job_id else JobStatus.PREPARED)


def answer(query_status: str, job_id: str = "0123456789abcdef", **kwargs) -> dict:
    return envelope(query_status, job_id, SESSION, **kwargs)


@pytest.mark.shared
def test_a_running_answer_gives_the_status_progress_and_job_id():
    progress = captured("16_async_dummy_Real_poll_progress.json")
    job = job_of(progress, "c675ecfddcceecb7")
    reading = read_answer(job, progress)
    assert (reading.query_status, reading.status, reading.job_id) == (
        "progress", JobStatus.PROGRESS, "c675ecfddcceecb7")
    assert reading.progress.message == "progressing" and reading.error is None
    assert reading.products is None
    # reading changes nothing: the poller applies it
    assert job.status is JobStatus.SUBMITTED and job.progress.message is None


def test_the_first_answer_gives_a_new_job_its_id():
    reading = read_answer(job_of(), answer("submitted", "feedfeedfeedfeed"))
    assert (reading.status, reading.job_id) == (JobStatus.SUBMITTED, "feedfeedfeedfeed")
    assert read_answer(job_of(), answer("submitted", "")).job_id is None  # "" is no id yet


@pytest.mark.shared
def test_a_job_failed_through_the_backends_callback_takes_the_reports_words():
    failed = captured("28_async_dummy_Real_poll_failed.json")
    assert failed["exit_status"]["message"] == ""  # the dispatcher's own words are empty
    reading = read_answer(job_of(failed, "06086a17b4f40d81"), failed)
    assert reading.status is JobStatus.FAILED and isinstance(reading.error, JobFailed)
    assert reading.error.message == "failed at node_failed"
    assert reading.error.job_id == reading.job_id == "06086a17b4f40d81"


def test_a_failed_answer_keeps_the_comment_and_warning_and_never_the_token():
    failed = answer("failed", exit_status={
        "message": f"crashed with token={TOKEN}", "error_message": "KeyError",
        "comment": "check the time range", "warning": "no data in 2003"})
    error = read_answer(job_of(), failed, TOKEN).error
    assert isinstance(error, JobFailed) and error.error_message == "KeyError"
    assert "comment: check the time range" in error.debug_message
    assert "warning: no data in 2003" in error.debug_message
    assert TOKEN not in error.message and TOKEN not in json.dumps(error.payload)
    assert "crashed with token=" in error.message


def test_a_failed_answer_without_any_words_says_the_server_gave_no_reason():
    error = read_answer(job_of(), answer("failed")).error
    assert error.message == "the job failed on the server (it gave no reason)"


@pytest.mark.shared
def test_a_403_answer_is_unauthorized_with_the_dispatchers_message():
    refused = captured("23_async_numerical_Real_public_403.json")
    reading = read_answer(job_of(refused), refused)
    assert isinstance(reading.error, Unauthorized) and reading.error.status_code == 403
    assert reading.error.message == refused["exit_status"]["message"]
    assert reading.job_id == "309a45c5f3f1bfc1"


@pytest.mark.shared
def test_a_done_answer_hands_over_its_raw_products_which_decode():
    done = captured("08_run_empty_dummy_Dummy_done.json")
    reading = read_answer(job_of(done), done)
    assert reading.status is JobStatus.DONE and reading.error is None
    # the exit_status travels with the products: its comment is part of the result
    assert reading.products == {**done["products"], "exit_status": done["exit_status"]}
    products = decoded_products(job_of(done), reading.products)
    assert isinstance(products, ProductSet)
    assert products.analysis_parameters == done["products"]["analysis_parameters"]


def test_a_done_answer_without_products_fails_the_job():
    done = answer("done")
    done["products"] = None
    reading = read_answer(job_of(), done)
    assert isinstance(reading.error, DispatcherError)
    assert "said done but sent no products" in str(reading.error)
    assert reading.job_id == "0123456789abcdef"


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (lambda a: a.update(session_id="OTHERSESSION0000"),
         "answered for session 'OTHERSESSION0000'"),
        (lambda a: a["job_monitor"].update(job_id="0123456789abcdef\n"), "which is not a job id"),
        (lambda a: a["job_monitor"].update(job_id="../../etc/passwd"), "which is not a job id"),
        (lambda a: a["job_monitor"].update(job_id=12345), "which is not a job id"),
        (lambda a: a["job_monitor"].update(job_id="aaaaaaaaaaaaaaaa"),
         "answered for job aaaaaaaaaaaaaaaa while following job 0123456789abcdef"),
        (lambda a: a.pop("query_status"), "has no query_status"),
    ],
)
def test_an_answer_that_cannot_be_about_the_job_fails_it_and_gives_it_no_id(mangle, words):
    done = answer("done", products={"analysis_parameters": {}, "api_code": ""})
    mangle(done)
    reading = read_answer(job_of(job_id="0123456789abcdef"), done)
    assert isinstance(reading.error, DispatcherError) and words in str(reading.error)
    assert reading.status is JobStatus.FAILED
    assert reading.products is None and reading.job_id is None


def test_an_answer_about_another_session_in_the_job_monitor_only_is_accepted():
    # job_monitor.session_id names the session that first ran the same query (aliased jobs)
    aliased = answer("submitted")
    aliased["job_monitor"]["session_id"] = "FIRSTSESSION0000"
    assert read_answer(job_of(), aliased).error is None


def test_an_unknown_word_keeps_the_status_and_asks_again():
    reading = read_answer(job_of(job_id="0123456789abcdef"), answer("unknown"))
    assert (reading.query_status, reading.status, reading.error) == ("unknown", None, None)


def test_the_job_id_pattern_is_matched_whole():
    assert JOB_ID_PATTERN.fullmatch("06086a17b4f40d81")
    assert not JOB_ID_PATTERN.fullmatch("06086a17b4f40d81\n")
    assert not JOB_ID_PATTERN.fullmatch("a" * 129)


def test_products_that_cannot_be_decoded_become_the_jobs_error():
    job = job_of()
    with pytest.raises(ProductDecodeError, match="data_unit_list is not a list"):
        decoded_products(job, {"numpy_data_product": {"data_unit_list": 3}})
    # a shape the decoder does not expect at all is still an OdaError the job can carry
    with pytest.raises(DispatcherError, match="could not be decoded"):
        decoded_products(job, {"analysis_parameters": 5})
