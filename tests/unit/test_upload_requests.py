"""Local files go to the dispatcher as it receives them (multipart, one file field per parameter),
in a dry run before the query; the job then carries the dispatcher's URL of each file.

The scripted dispatcher (real HTTP) records the multipart requests; what the real 1.3.6
dispatcher does with them is checked in ``tests/mmoda/test_uploads.py``.
"""

from __future__ import annotations

import hashlib

import pytest
from support.scripted_dispatcher import envelope

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.errors import DispatcherError
from oda_widgets.client.query.file_parameters import LocalFile

pytestmark = pytest.mark.unit

CONTENT = b"a,b\n1,2\n"
MD5 = hashlib.md5(CONTENT).hexdigest()


def stored_url(server) -> str:
    return f"{server.url}/download_file?file_list={MD5}&_is_mmoda_url=True&return_archive=False"


def dry_run_answer(analysis: dict) -> dict:
    return envelope("done", products={"analysis_parameters": analysis, "instrument_parameters": []},
                    exit_status={"message": "dry-run"})


def test_a_file_is_uploaded_in_a_dry_run_and_the_job_carries_its_url(server):
    server.script("empty-with-posix-path", [
        dry_run_answer({"dummy_POSIX_file": stored_url(server), "p": 7.0}),
        envelope("done", products={}),
    ])
    with Dispatcher(server.url, token="", registry=False, poll_interval=0.05) as client:
        job = client.submit("empty-with-posix-path", "file_dummy", validate=False, p=7.0,
                            dummy_POSIX_file=LocalFile("table.csv", CONTENT))
        assert job.wait(30).value == "done"
    upload, submitted = server.sent("empty-with-posix-path")[:2]
    assert upload["_method"] == "POST"
    assert upload["_headers"]["Content-Type"].startswith("multipart/form-data")
    assert upload["_files"] == {"dummy_POSIX_file": ("table.csv", CONTENT)}
    assert upload["dry_run"] == "True" and upload["allow_unknown_args"] == "True"
    assert upload["instrument"] == "empty-with-posix-path" and upload["product_type"] == "file_dummy"
    assert submitted["dummy_POSIX_file"] == stored_url(server) and submitted["_files"] == {}
    assert job.parameters["dummy_POSIX_file"] == stored_url(server)
    assert stored_url(server) in job.api_code()


def test_a_dispatcher_that_runs_the_query_instead_is_not_sent_it_again(server):
    server.script("*", [envelope("submitted", job_id="0123456789abcdef")])
    with Dispatcher(server.url, token="", registry=False) as client:
        with pytest.raises(DispatcherError, match="did not answer the upload as a dry run"):
            client.submit("empty", "file_dummy", validate=False, dummy_file=LocalFile("a.txt", CONTENT))
    assert len(server.sent("*")) == 1


def test_a_file_the_dispatcher_did_not_store_is_said(server):
    server.script("*", [dry_run_answer({"dummy_file": "a.txt"})])
    with Dispatcher(server.url, token="", registry=False) as client:
        with pytest.raises(DispatcherError, match=r"did not store the file a.txt \(8 bytes\) sent as dummy_file"):
            client.submit("empty", "file_dummy", validate=False, dummy_file=LocalFile("a.txt", CONTENT))


def test_a_dry_run_sends_the_files_with_the_query(server):
    server.script("*", [dry_run_answer({"dummy_file": stored_url(server), "p": 7.0})])
    with Dispatcher(server.url, token="", registry=False) as client:
        answer = client.dry_run("empty", "file_dummy", p=7.0, dummy_file=LocalFile("a.txt", CONTENT))
    assert answer["analysis_parameters"]["dummy_file"] == stored_url(server)
    request, = server.sent("*")
    assert request["_files"] == {"dummy_file": ("a.txt", CONTENT)} and request["p"] == "7.0"
