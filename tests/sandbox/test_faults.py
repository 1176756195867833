"""Injected faults produce what they say."""

from __future__ import annotations

import json

import pytest
import requests

from oda_widgets.sandbox import start_sandbox
from oda_widgets.sandbox.faults import FaultPlan, FaultSpecError

pytestmark = pytest.mark.sandbox

IMAGE = {"instrument": "isgri", "product_type": "isgri_image", "query_type": "Real",
         "query_status": "new", "scw_list": "066500220010.001"}


def run(sandbox, **extra):
    return requests.get(f"{sandbox.url}/run_analysis", params={**IMAGE, **extra}, timeout=30)


def test_faults_are_off_by_default(sandbox):
    assert run(sandbox).json()["query_status"] == "submitted"


def test_http_errors_and_html_pages(sandbox):
    sandbox.set_faults("isgri_image:http500")
    answer = run(sandbox)
    assert answer.status_code == 500 and answer.json()["message"] == "request not valid"
    sandbox.set_faults("http503")
    assert run(sandbox).status_code == 503
    sandbox.set_faults("isgri_image:html_error")
    page = run(sandbox)
    assert page.status_code == 500 and page.headers["Content-Type"].startswith("text/html")
    assert "<h1>Internal Server Error</h1>" in page.text


def test_faults_touch_only_their_product(sandbox):
    sandbox.set_faults("isgri_spectrum:http500")
    assert run(sandbox).status_code == 200
    assert run(sandbox, product_type="isgri_spectrum").status_code == 500
    described = requests.get(f"{sandbox.url}/api/meta-data", params={"instrument": "isgri"})
    assert described.status_code == 200


def test_malformed_json_and_all_endpoints(sandbox):
    sandbox.set_faults("all:malformed_json")
    answer = requests.get(f"{sandbox.url}/api/meta-data", params={"instrument": "isgri"})
    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)


def test_dropped_connection(sandbox):
    sandbox.set_faults("drop")
    with pytest.raises(requests.ConnectionError):
        run(sandbox)
    sandbox.set_faults(None)
    assert run(sandbox).status_code == 200


def test_slow_answers_take_longer(sandbox):
    sandbox.set_faults("isgri_image:slow=0.5")
    answer = run(sandbox)
    assert answer.status_code == 200 and answer.elapsed.total_seconds() >= 0.5


def test_failed_jobs_answer_a_failed_envelope(sandbox):
    sandbox.set_faults("isgri_image:failed")
    body = run(sandbox).json()
    assert body["query_status"] == "failed" and body["exit_status"]["status"] == 1
    assert body["exit_status"]["message"] == "failed: isgri_image"


def test_rates_are_repeatable_with_a_seed():
    outcomes = []
    for _ in range(2):
        with start_sandbox(faults="seed=3,rate=0.5:http503") as sandbox:
            outcomes.append([run(sandbox).status_code for _ in range(12)])
    assert outcomes[0] == outcomes[1]
    assert set(outcomes[0]) == {200, 503}


def test_faults_change_at_run_time_over_http_with_the_secret(sandbox):
    url = f"{sandbox.url}/sandbox/faults"
    secret = {"Sandbox-Secret": sandbox.secret}
    assert requests.post(url, json={"spec": "isgri_image:http503"}, headers=secret).json() == {
        "spec": "isgri_image:http503"}
    assert run(sandbox).status_code == 503
    refused = requests.post(url, json={"spec": "isgri_image:explode"}, headers=secret)
    assert refused.status_code == 400 and "explode" in refused.json()["error_message"]
    assert requests.get(url, headers=secret).json() == {"spec": "isgri_image:http503"}


def test_unreadable_plans_say_what_to_change():
    with pytest.raises(FaultSpecError, match="slow needs seconds"):
        FaultPlan("slow=soon")
    with pytest.raises(FaultSpecError, match="rate must be between 0 and 1"):
        FaultPlan("rate=2:http500")
