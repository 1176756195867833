"""A job's life in the sandbox: submitted, progress per science window, ready, done."""

from __future__ import annotations

import time

import pytest
import requests
from conftest import capture, needs_products

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

SCWS = "066500220010.001,066500230010.001,066500240010.001"
SPECTRUM = {"instrument": "isgri", "product_type": "isgri_spectrum", "query_type": "Real",
            "RA": "83.6331", "DEC": "22.0145", "src_name": "Crab", "scw_list": SCWS,
            "T1": "2008-04-02T00:00:00", "T2": "2008-04-03T00:00:00",
            "session_id": "LIFECYCLETEST001", "api": "True", "oda_api_version": "1.3.5"}


def follow(url: str, job_id: str, status: str, until: str, limit: float = 60) -> list[dict]:
    """Poll as oda_api does until ``until``; the answers seen."""
    seen = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        answer = requests.get(f"{url}/run_analysis",
                              params={**SPECTRUM, "query_status": status, "job_id": job_id}).json()
        seen.append(answer)
        status = answer["query_status"]
        if status in (until, "failed", "done"):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not reach {until}: {[a['query_status'] for a in seen]}")


def test_a_job_reports_each_science_window_then_is_ready():
    reference = capture("dispatcher-1.3.3/16_async_dummy_Real_poll_progress.json")
    with start_sandbox(duration=0.4) as sandbox:
        first = requests.get(f"{sandbox.url}/run_analysis",
                             params={**SPECTRUM, "query_status": "new"}).json()
        assert first["query_status"] == "submitted"
        assert first["job_monitor"]["full_report_dict_list"] == []
        assert first["products"]["analysis_parameters"]["scw_list"] == SCWS.split(",")
        job_id = first["job_monitor"]["job_id"]
        assert len(job_id) == 16 and int(job_id, 16) >= 0
        answers = follow(sandbox.url, job_id, "submitted", "ready")
    statuses = [a["query_status"] for a in answers]
    assert statuses[-1] == "ready" and "progress" in statuses
    counts = [len(a["job_monitor"]["full_report_dict_list"]) for a in answers]
    assert counts == sorted(counts) and counts[-1] == 3
    progress = next(a for a in answers if a["query_status"] == "progress")
    assert set(progress["job_monitor"]) == set(reference["job_monitor"])
    assert set(progress) == set(reference)
    reports = answers[-1]["job_monitor"]["full_report_dict_list"]
    assert [r["node_id"] for r in reports] == SCWS.split(",")
    assert [(r["progress"], r["progress_max"]) for r in reports] == [("1", "3"), ("2", "3"), ("3", "3")]
    assert answers[-1]["products"] == {}


def test_the_same_request_is_the_same_job_whatever_the_session(sandbox):
    ids = set()
    for session in ("AAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBB"):
        answer = requests.get(f"{sandbox.url}/run_analysis",
                              params={**SPECTRUM, "query_status": "new", "session_id": session})
        ids.add(answer.json()["job_monitor"]["job_id"])
        assert answer.json()["session_id"] == session
    assert len(ids) == 1
    other_user = requests.get(f"{sandbox.url}/run_analysis",
                              params={**SPECTRUM, "query_status": "new", "token": sandbox.make_token()})
    assert other_user.json()["job_monitor"]["job_id"] not in ids


def test_polling_someone_elses_job_is_refused(sandbox):
    job_id = requests.get(f"{sandbox.url}/run_analysis",
                          params={**SPECTRUM, "query_status": "new",
                                  "token": sandbox.make_token(email="a@example.org")}
                          ).json()["job_monitor"]["job_id"]
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**SPECTRUM, "query_status": "submitted", "job_id": job_id})
    assert answer.status_code == 403
    assert answer.json()["exit_status"]["message"] == "Request not authorized"
    assert answer.json()["exit_status"]["debug_message"].startswith(f"The provided job_id={job_id}")


def test_no_pointings_fail_the_job_with_http_200(sandbox):
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**SPECTRUM, "scw_list": None, "query_status": "new",
                                  "T1": "2003-01-01T00:00:00", "T2": "2003-01-01T00:10:00",
                                  "RA": "10", "DEC": "80", "radius": "1"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["query_status"] == "failed" and body["exit_status"]["status"] == 1
    assert body["exit_status"]["message"] == "failed: isgri_spectrum"
    assert body["exit_status"]["error_message"] == "DDAException('scwlist empty')"
    assert body["exit_status"]["debug_message"]  # the sandbox says why nothing was found


@needs_products
def test_ready_then_done_with_products_and_cached_rerun(sandbox):
    reference = capture("dispatcher-1.3.3/19_async_dummy_Real_poll_ready_done.json")
    job_id = requests.get(f"{sandbox.url}/run_analysis",
                          params={**SPECTRUM, "query_status": "new"}).json()["job_monitor"]["job_id"]
    done = follow(sandbox.url, job_id, "submitted", "done")[-1]
    assert done["query_status"] == "done", done["exit_status"]
    assert set(done) == set(reference)
    assert set(reference["products"]) - {"input_param_scw_list"} <= set(done["products"])
    assert done["products"]["analysis_parameters"]["job_id"] == job_id
    assert "numpy_data_product_list" in done["products"]
    # asking again for a finished job (oda_api's get_product in a loop) gets its products at once
    again = requests.get(f"{sandbox.url}/run_analysis",
                         params={**SPECTRUM, "query_status": "new"}).json()
    assert again["query_status"] == "done", again["exit_status"]
    assert set(again) == set(reference)
    assert again["products"]["numpy_data_product_list"] == done["products"]["numpy_data_product_list"]


def test_asking_again_for_a_running_job_reports_its_progress_without_restarting_it():
    with start_sandbox(duration=0.5) as sandbox:
        first = requests.get(f"{sandbox.url}/run_analysis",
                             params={**SPECTRUM, "query_status": "new"}).json()
        assert first["query_status"] == "submitted"
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = requests.get(f"{sandbox.url}/run_analysis",
                                  params={**SPECTRUM, "query_status": "new"}).json()
            assert answer["job_monitor"]["job_id"] == first["job_monitor"]["job_id"]
            seen.append(answer)
            if answer["query_status"] in ("done", "failed"):
                break
            time.sleep(0.1)
    statuses = [a["query_status"] for a in seen]
    assert statuses[-1] == "done" and "progress" in statuses
    counts = [len(a["job_monitor"].get("full_report_dict_list", [])) for a in seen[:-1]]
    assert counts == sorted(counts), "re-sending new must not restart the analysis"
    assert "numpy_data_product_list" in seen[-1]["products"]


@needs_products
def test_a_computation_the_simulation_refuses_is_a_failed_job_not_an_http_error(sandbox):
    reference = capture("dispatcher-1.3.3/28_async_dummy_Real_poll_failed.json")
    light_curve = {**SPECTRUM, "product_type": "isgri_lc", "time_bin": "5000",
                   "query_status": "new"}
    first = requests.get(f"{sandbox.url}/run_analysis", params=light_curve)
    assert first.status_code == 200
    job_id = first.json()["job_monitor"]["job_id"]
    deadline = time.monotonic() + 60
    while True:
        answer = requests.get(f"{sandbox.url}/run_analysis",
                              params={**light_curve, "query_status": "submitted", "job_id": job_id})
        assert answer.status_code == 200
        body = answer.json()
        if body["query_status"] != "submitted" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert body["query_status"] == "failed"
    assert body["exit_status"]["message"] == "failed: isgri_lc"
    assert "4000" in body["exit_status"]["debug_message"]
    assert body["exit_status"]["error_message"].startswith("ValueError(")
    # shaped as the dispatcher's answer to a poll after the backend reported a failure
    assert set(body) == set(reference)
    assert set(body["job_monitor"]) == set(reference["job_monitor"])
    assert set(body["job_monitor"]["full_report_dict"]) == set(
        reference["job_monitor"]["full_report_dict"])
    assert {k: type(v) for k, v in body["exit_status"].items()} == {
        k: type(v) for k, v in reference["exit_status"].items()}


def test_the_duration_can_be_changed_on_a_running_sandbox():
    with start_sandbox(duration=0) as sandbox:
        sandbox.set_duration(30)  # 90 s for three science windows: far longer than this test
        first = requests.get(f"{sandbox.url}/run_analysis",
                             params={**SPECTRUM, "query_status": "new"}).json()
        poll = requests.get(f"{sandbox.url}/run_analysis", params={
            **SPECTRUM, "query_status": "submitted", "job_id": first["job_monitor"]["job_id"]}).json()
        assert sandbox.duration == 30
        assert poll["query_status"] in ("submitted", "progress")
        with pytest.raises(ValueError, match="zero or more seconds"):
            sandbox.set_duration(-1)
