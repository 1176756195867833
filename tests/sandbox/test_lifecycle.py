"""A job's life in the sandbox: submitted, progress per science window, ready, done."""

from __future__ import annotations

import copy
import time

import pytest
import requests
from support.dispatcher_answers import capture, exchange_response
from support.json_shape import shape, shape_differences

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

SCWS = "066500220010.001,066500230010.001,066500240010.001"
SPECTRUM = {"instrument": "isgri", "product_type": "isgri_spectrum", "query_type": "Real",
            "RA": "83.6331", "DEC": "22.0145", "src_name": "Crab", "scw_list": SCWS,
            "T1": "2008-04-02T00:00:00", "T2": "2008-04-03T00:00:00",
            "session_id": "LIFECYCLETEST001", "api": "True", "oda_api_version": "1.3.5"}

#: Simulated seconds per science window when a test must see a job between its states. Each
#: state (0, 1, 2 windows analysed) lasts this long, and a poll every POLL_S must land in each:
#: long enough that a loaded 2-core machine (a request stalled a second or more) still sees them.
SECONDS_PER_SCW = 2.5
POLL_S = 0.1

#: The real dispatcher's answers (1.3.3, test instrument empty-async; requests.md in the captures'
#: folder says what produced each): to a new request, and to a poll in each state of the job.
#: For a new request, also the index of 1.3.6's answer to one in ``async_full.exchange.json``:
#: the generations differ there in whether the job monitor carries a report list, and the
#: sandbox speaks the current one.
CAPTURED_NEW = {
    "submitted": ("dispatcher-1.3.3/13_async_dummy_Real_new_submitted.json", 1),
    "done": ("dispatcher-1.3.3/20_async_dummy_Real_repeat_new_after_done.json", 9),
}
CAPTURED_POLL = {
    "submitted": "dispatcher-1.3.3/14_async_dummy_Real_poll_still_submitted.json",
    "progress": "dispatcher-1.3.3/16_async_dummy_Real_poll_progress.json",
    "ready": "dispatcher-1.3.3/18_async_dummy_Real_poll_after_done_callback_ready.json",
    "done": "dispatcher-1.3.3/19_async_dummy_Real_poll_ready_done.json",
}


def capture_url(name: str, index: int) -> str:
    """The URL of the ``index``-th request in a 1.3.6 ``*.exchange.json`` capture."""
    return capture(f"dispatcher-1.3.6/{name}")[index]["url"]


def follow(url: str, job_id: str, status: str, until: str, limit: float = 120) -> list[dict]:
    """Poll as oda_api does until ``until``; the answers seen.

    ``limit`` only guards against a hung job; it is not a speed requirement.
    """
    seen = []
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        answer = requests.get(f"{url}/run_analysis",
                              params={**SPECTRUM, "query_status": status, "job_id": job_id}).json()
        seen.append(answer)
        status = answer["query_status"]
        if status in (until, "failed", "done"):
            return seen
        time.sleep(POLL_S)
    raise AssertionError(f"job {job_id} did not reach {until}: {[a['query_status'] for a in seen]}")


def comparable(answer: dict, reference: dict, isgri_parameters: list[str],
               current: dict | None = None) -> tuple[dict, dict]:
    """``answer`` and ``reference`` with the differences the sandbox has on purpose taken out.

    The captures are of the dispatcher's test instrument ``empty-async``; the sandbox answers for
    ISGRI and speaks the current generation (``current``: 1.3.6's answer to the same request).
    Each difference removed here is checked first, so anything else (a missing key, a number
    sent as a string) still shows.
    """
    ours, theirs = copy.deepcopy(answer), copy.deepcopy(reference)
    monitor = ours["job_monitor"]
    if current is not None:
        # whether a new request's monitor has a report list (always empty then) follows 1.3.6
        assert current["job_monitor"].get("full_report_dict_list", []) == []
        assert theirs["job_monitor"].pop("full_report_dict_list", []) == []
        if "full_report_dict_list" in current["job_monitor"]:
            assert monitor.pop("full_report_dict_list") == []
    reports = monitor.get("full_report_dict_list", []) + [monitor.get("full_report_dict", {})]
    for report in filter(None, reports):
        # ISGRI's backend reports its progress per science window; empty-async's has no counts
        extra = {k: report.pop(k) for k in ("progress", "progress_max", "stage")}
        assert all(isinstance(v, str) for v in extra.values()), extra
    products, their_products = ours["products"], theirs["products"]
    if "input_prod_list" in products:
        # empty-async has no input science windows; an ISGRI job lists those it analyses
        assert their_products["input_prod_list"] == []
        assert products["input_prod_list"] == SCWS.split(",")
        products["input_prod_list"] = []
    if "analysis_parameters" in products:
        # ISGRI's parameters instead of empty-async's; api and oda_api_version are echoed as
        # the 1.3.6 capture of an oda_api request shows (1.3.3's capture did not send them)
        theirs_keys = set(their_products["analysis_parameters"])
        for name in set(products["analysis_parameters"]) - theirs_keys:
            assert name in isgri_parameters or name in ("api", "oda_api_version"), name
            del products["analysis_parameters"][name]
    if theirs["query_status"] == "done":
        # the sandbox's products travel in numpy_data_product_list; it sends no table of input
        # science windows (input_param_scw_list), which oda_api 1.3.5 does not read
        assert products.pop("numpy_data_product_list")
        their_products.pop("input_param_scw_list")
    return ours, theirs


def assert_shaped_like_the_real_answers(url: str, new: list[dict], polls: list[dict]) -> None:
    """Every answer (to ``new`` requests, to ``polls``) has the keys and value types of the real
    dispatcher's answer to the same request in the same state."""
    isgri_parameters = requests.get(f"{url}/api/par-names", params={
        "instrument": "isgri", "product_type": SPECTRUM["product_type"]}).json()
    for answer in new:
        name, index = CAPTURED_NEW[answer["query_status"]]
        status, current = exchange_response("async_full.exchange.json", index)
        assert status == 200 and "query_status=new" in capture_url("async_full.exchange.json", index)
        ours, theirs = comparable(answer, capture(name), isgri_parameters, current)
        assert shape(ours) == shape(theirs), (
            answer["query_status"], shape_differences(ours, theirs))
    for answer in polls:
        reference = capture(CAPTURED_POLL[answer["query_status"]])
        ours, theirs = comparable(answer, reference, isgri_parameters)
        assert shape(ours) == shape(theirs), (
            answer["query_status"], shape_differences(ours, theirs))


def failed_message(product: str) -> str:
    """The real dispatcher's ``exit_status.message`` for a failed job of ``product``.

    Capture 09 is a failed job of the test product ``dummy``: its message with our product's name.
    """
    reference = capture("dispatcher-1.3.3/09_run_empty_dummy_Real_failed.json")
    their_product = reference["products"]["analysis_parameters"]["product_type"]
    assert their_product in reference["exit_status"]["message"]
    return reference["exit_status"]["message"].replace(their_product, product)


@pytest.mark.shared
def test_a_job_reports_each_science_window_then_is_ready():
    with start_sandbox(duration=SECONDS_PER_SCW) as sandbox:
        first = requests.get(f"{sandbox.url}/run_analysis",
                             params={**SPECTRUM, "query_status": "new"}).json()
        assert first["query_status"] == "submitted"
        assert first["job_monitor"]["full_report_dict_list"] == []
        assert first["products"]["analysis_parameters"]["scw_list"] == SCWS.split(",")
        job_id = first["job_monitor"]["job_id"]
        assert len(job_id) == 16 and int(job_id, 16) >= 0
        answers = follow(sandbox.url, job_id, "submitted", "ready")
        assert_shaped_like_the_real_answers(sandbox.url, new=[first], polls=answers)
    statuses = [a["query_status"] for a in answers]
    assert statuses[-1] == "ready" and "progress" in statuses
    counts = [len(a["job_monitor"]["full_report_dict_list"]) for a in answers]
    assert counts == sorted(counts), "reports are never taken back"
    assert set(counts) == {0, 1, 2, 3}, f"each science window is reported in turn: {counts}"
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


@pytest.mark.shared
def test_no_pointings_fail_the_job_with_http_200(sandbox):
    answer = requests.get(f"{sandbox.url}/run_analysis",
                          params={**SPECTRUM, "scw_list": None, "query_status": "new",
                                  "T1": "2003-01-01T00:00:00", "T2": "2003-01-01T00:10:00",
                                  "RA": "10", "DEC": "80", "radius": "1"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["query_status"] == "failed" and body["exit_status"]["status"] == 1
    assert body["exit_status"]["message"] == failed_message("isgri_spectrum")
    assert body["exit_status"]["error_message"] == "DDAException('scwlist empty')"
    assert body["exit_status"]["debug_message"]  # the sandbox says why nothing was found


@pytest.mark.shared
def test_ready_then_done_with_products_and_cached_rerun(sandbox):
    job_id = requests.get(f"{sandbox.url}/run_analysis",
                          params={**SPECTRUM, "query_status": "new"}).json()["job_monitor"]["job_id"]
    answers = follow(sandbox.url, job_id, "submitted", "done")
    done = answers[-1]
    assert done["query_status"] == "done", done["exit_status"]
    assert done["products"]["analysis_parameters"]["job_id"] == job_id
    assert "numpy_data_product_list" in done["products"]
    # asking again for a finished job (oda_api's get_product in a loop) gets its products at once
    again = requests.get(f"{sandbox.url}/run_analysis",
                         params={**SPECTRUM, "query_status": "new"}).json()
    assert again["query_status"] == "done", again["exit_status"]
    assert again["products"]["numpy_data_product_list"] == done["products"]["numpy_data_product_list"]
    assert_shaped_like_the_real_answers(sandbox.url, new=[again], polls=answers)


def test_asking_again_for_a_running_job_reports_its_progress_without_restarting_it():
    with start_sandbox(duration=SECONDS_PER_SCW) as sandbox:
        first = requests.get(f"{sandbox.url}/run_analysis",
                             params={**SPECTRUM, "query_status": "new"}).json()
        assert first["query_status"] == "submitted"
        seen = []
        deadline = time.monotonic() + 120  # a guard against a hung job, not a speed requirement
        while time.monotonic() < deadline:
            answer = requests.get(f"{sandbox.url}/run_analysis",
                                  params={**SPECTRUM, "query_status": "new"}).json()
            assert answer["job_monitor"]["job_id"] == first["job_monitor"]["job_id"]
            seen.append(answer)
            if answer["query_status"] in ("done", "failed"):
                break
            time.sleep(POLL_S)
    statuses = [a["query_status"] for a in seen]
    assert statuses[-1] == "done" and "progress" in statuses
    counts = [len(a["job_monitor"].get("full_report_dict_list", [])) for a in seen[:-1]]
    assert counts == sorted(counts), "re-sending new must not restart the analysis"
    assert {1, 2} <= set(counts), f"the job's progress shows while it runs: {counts}"
    assert "numpy_data_product_list" in seen[-1]["products"]


@pytest.mark.shared
def test_a_computation_the_simulation_refuses_is_a_failed_job_not_an_http_error(sandbox):
    reference = capture("dispatcher-1.3.3/28_async_dummy_Real_poll_failed.json")
    light_curve = {**SPECTRUM, "product_type": "isgri_lc", "time_bin": "5000",
                   "query_status": "new"}
    first = requests.get(f"{sandbox.url}/run_analysis", params=light_curve)
    assert first.status_code == 200
    job_id = first.json()["job_monitor"]["job_id"]
    deadline = time.monotonic() + 120  # a guard against a hung job, not a speed requirement
    while True:
        answer = requests.get(f"{sandbox.url}/run_analysis",
                              params={**light_curve, "query_status": "submitted", "job_id": job_id})
        assert answer.status_code == 200
        body = answer.json()
        if body["query_status"] != "submitted" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert body["query_status"] == "failed"
    assert body["exit_status"]["message"] == failed_message("isgri_lc")
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
