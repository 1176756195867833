"""The sandbox listens on this machine, where any web page can reach it: its control routes need
its secret, another site's page cannot make it run jobs, and requests larger than it simulates
are refused with the limit named (before anything is allocated)."""

from __future__ import annotations

import io
import logging
import threading

import pytest
import requests
from werkzeug.serving import make_server

from oda_widgets.sandbox.server import PathOnlyLogHandler

pytestmark = pytest.mark.sandbox

IMAGE = {"instrument": "isgri", "product_type": "isgri_image", "query_type": "Real",
         "query_status": "new", "scw_list": "066500220010.001"}


def test_the_fault_plan_cannot_be_read_or_changed_without_the_secret(sandbox):
    url = f"{sandbox.url}/sandbox/faults"
    for answer in (requests.post(url, json={"spec": "http503"}, timeout=30),
                   requests.get(url, timeout=30),
                   requests.post(url, json={"spec": "http503"},
                                 headers={"Sandbox-Secret": "guessed"}, timeout=30)):
        assert answer.status_code == 403
        assert "Sandbox-Secret" in answer.json()["error_message"]
    # nothing changed: jobs still run
    ran = requests.get(f"{sandbox.url}/run_analysis", params=IMAGE, timeout=30)
    assert ran.status_code == 200 and ran.json()["query_status"] == "submitted"


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"},  # <img src=...> elsewhere
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},  # fetch()/form post
    {"Origin": "null"},  # a sandboxed frame or a local file
])
def test_another_sites_page_cannot_start_a_job(sandbox, headers):
    for method in ("GET", "POST"):
        answer = requests.request(method, f"{sandbox.url}/run_analysis",
                                  params=IMAGE if method == "GET" else None,
                                  data=IMAGE if method == "POST" else None,
                                  headers=headers, timeout=30)
        assert answer.status_code == 403, (method, headers)
        assert "another web site" in answer.json()["error_message"]
    assert not sandbox.app.extensions["oda_widgets_sandbox"].jobs._jobs


def test_a_post_with_a_token_and_same_origin_requests_still_run(sandbox):
    token = sandbox.make_token()
    posted = requests.post(f"{sandbox.url}/run_analysis", data={**IMAGE, "token": token},
                           headers={"Origin": "https://evil.example",
                                    "Sec-Fetch-Site": "cross-site"}, timeout=30)
    assert posted.status_code == 200 and posted.json()["query_status"] == "submitted"
    own = requests.get(f"{sandbox.url}/run_analysis", params={**IMAGE, "scw_list": "066500230010.001"},
                       headers={"Origin": sandbox.url, "Sec-Fetch-Site": "same-origin"}, timeout=30)
    assert own.status_code == 200


def test_a_week_of_spi_acs_is_refused_with_the_limit_named(sandbox):
    week = {"instrument": "spi_acs", "product_type": "spi_acs_lc", "query_type": "Real",
            "query_status": "new", "T1": "2020-01-01T00:00:00", "T2": "2020-01-08T00:00:00",
            "time_bin": "0.05"}
    answer = requests.get(f"{sandbox.url}/run_analysis", params=week, timeout=60)
    assert answer.status_code == 400
    message = answer.json()["error_message"]
    assert "1728000" in message and "time_bin" in message
    # the same week in 1 s bins is within the limit and runs
    coarse = requests.get(f"{sandbox.url}/run_analysis", params={**week, "time_bin": "1"},
                          timeout=120)
    assert coarse.status_code == 200 and coarse.json()["query_status"] == "done"


def test_the_foreground_log_never_shows_the_query_string(sandbox):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("werkzeug")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    server = make_server("127.0.0.1", 0, sandbox.app, request_handler=PathOnlyLogHandler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    try:
        token = sandbox.make_token()
        requests.get(f"http://127.0.0.1:{server.server_port}/api/meta-data",
                     params={"instrument": "isgri", "token": token}, timeout=30)
        thread.join(30)
    finally:
        server.server_close()
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    logged = stream.getvalue()
    assert "/api/meta-data" in logged and token not in logged and "token=" not in logged
