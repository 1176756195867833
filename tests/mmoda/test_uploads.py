"""A file of the user's reaches the real dispatcher 1.3.6 as it receives files.

The built-in ``empty-with-posix-path`` instrument has one ``POSIXPath`` parameter. The client
sends the file in a multipart ``run_analysis`` request (a dry run); the dispatcher stores it under
its MD5 and answers its own download URL as the parameter's value; that URL gives the same bytes
back, and the submitted job carries it. Through the form, the file comes from the Upload button
(the state the browser sends); with a notebook service (``nb2wtests``), the notebook runs with it.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import warnings
from pathlib import Path

import jwt
import pytest
import requests

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.query.file_parameters import LocalFile
from oda_widgets.widgets.form import QueryForm

pytestmark = pytest.mark.mmoda

CONTENT = b"SIMPLE  =                    T / a file of the user's\n" + bytes(range(256))
URL_OF_FILE = re.compile(r"/download_file\?file_list=(?P<md5>[0-9a-f]{32})&_is_mmoda_url=True&return_archive=False$")


def stored_bytes(url: str, token: str | None = None) -> bytes:
    params = {"token": token} if token else None
    answer = requests.get(url, params=params, timeout=60)
    answer.raise_for_status()
    return answer.content


def test_a_file_reaches_the_dispatcher_and_is_stored_as_sent(mmoda, tmp_path):
    path = tmp_path / "events.fits"
    path.write_bytes(CONTENT)
    answer = mmoda.dry_run("empty-with-posix-path", "file_dummy", dummy_POSIX_file=LocalFile.read(path))
    url = answer["analysis_parameters"]["dummy_POSIX_file"]
    match = URL_OF_FILE.search(url)
    assert match and match["md5"] == hashlib.md5(CONTENT).hexdigest()
    assert url.startswith(os.environ["DISPATCHER_URL"])  # the dispatcher's own address
    assert stored_bytes(url) == CONTENT


def peer_token(email: str = "observer@example.org") -> str:
    """A token the peer's dispatcher accepts (its configured test secret), role ``general``."""
    conf = Path(os.environ.get("MMODA_PEER_HOME", "/tmp/mmoda-peer")) / "conf" / "conf_env.yml"
    secret = re.search(r"secret_key:\s*'([^']+)'", conf.read_text())
    assert secret, f"no secret_key in {conf}"
    claims = {"sub": email, "email": email, "name": "Observer", "roles": "general",
              "exp": int(time.time()) + 3600}
    with warnings.catch_warnings():  # the peer's test secret is short: PyJWT says so
        warnings.simplefilter("ignore")
        return jwt.encode(claims, secret.group(1), algorithm="HS256")


def test_a_submitted_job_carries_the_dispatchers_url_of_the_file(mmoda_url, tmp_path):
    path = tmp_path / "catalog.txt"
    path.write_bytes(CONTENT)
    token = peer_token()
    with Dispatcher(mmoda_url, token=token, registry=False, poll_interval=0.5) as client:
        job = client.submit("empty-with-posix-path", "file_dummy", dummy_POSIX_file=path, p=7.0)
        job.wait(120)
    url = job.parameters["dummy_POSIX_file"]
    assert URL_OF_FILE.search(url)["md5"] == hashlib.md5(CONTENT).hexdigest()
    assert job.job_id  # the dispatcher made the job of that query
    # the built-in instrument has no data server behind it: it fails every job it runs, after
    # reading the request (the file's URL included)
    assert "DataServerQueryClassNotSet" in str(job.error)
    # the file is kept for its owner (the token's user), as the dispatcher keeps uploads
    assert stored_bytes(url, token) == CONTENT
    assert token not in job.api_code() and url in job.api_code()


def upload_in_the_form(form: QueryForm, name: str, file_name: str, content: bytes) -> None:
    """Choose a file in the Upload button as the browser reports it."""
    form.fields[name].upload.set_state({"value": [{
        "name": file_name, "type": "application/fits", "size": len(content),
        "content": memoryview(content), "last_modified": 1_700_000_000_000,
    }]})


def test_a_file_uploaded_in_the_form_runs_in_the_notebook(mmoda):
    form = QueryForm(dispatcher=mmoda, instrument="nb2wtests", product="testposixpath_extra_annotated")
    upload_in_the_form(form, "fits_file_path", "events.fits", CONTENT)
    assert form.values["fits_file_path"] == LocalFile("events.fits", CONTENT)
    job = form.submit()
    assert job is not None, form.status_text
    url = job.parameters["fits_file_path"]
    assert URL_OF_FILE.search(url)["md5"] == hashlib.md5(CONTENT).hexdigest()
    assert stored_bytes(url) == CONTENT
    assert job.wait(180).value == "failed"
    # the notebook ran: it fails only afterwards, on its own output's annotation (the peer's
    # README lists this notebook among those failing so), which hides what it said ...
    assert 'The output with name "output_file_download" has been wrongly annotated' in str(job.error)
    # ... so the notebook service is asked itself with the URL the job carries: the notebook
    # downloads it and finds the file
    assert notebook_output("testposixpath_extra_annotated", fits_file_path=url) == {
        "output_file_download": "file downloaded successfully"}


def notebook_output(notebook: str, **parameters: str) -> dict:
    """The outputs of one of nb2wtests' notebooks, asked of its service (nb2workflow) directly."""
    port = os.environ.get("MMODA_NB2WTESTS_PORT", "9394")
    url = f"http://127.0.0.1:{port}/api/v1.0/get/{notebook}"
    for _ in range(240):
        answer = requests.get(url, params=parameters, timeout=120).json()
        if "output" in answer:
            assert answer.get("exceptions") == [], answer
            return answer["output"]
        time.sleep(0.5)
    raise AssertionError(f"the notebook service did not finish {notebook}: {answer}")
