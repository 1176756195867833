"""Jobs and products on disk: a kernel restart loses nothing, and the token is never written."""

from __future__ import annotations

import base64
import gzip
import json
import pickle
import time

import jwt
import numpy as np
import pytest
from support.scripted_dispatcher import ScriptedDispatcher, envelope

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import JobFailed, OdaError, UnsafePayload
from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.registry import JobRecord, JobRegistry

pytestmark = pytest.mark.unit
# made here rather than written out: a test token, signed with a throwaway secret
TOKEN = jwt.encode({"sub": "user@example.org"}, "throwaway-secret-of-thirty-two-bytes", algorithm="HS256")
WAIT = 60


def numpy_products(job_id: str) -> dict:
    """A done answer's products as the dispatcher sends them: a pickled array, and the token
    echoed in analysis_parameters and api_code (as the real server does)."""
    array = np.arange(12.0).reshape(3, 4)
    unit = {"data": None, "dt": "float64", "name": "image", "header": {}, "meta_data": {},
            "hdu_type": "image", "units_dict": None,
            "binarys": base64.b64encode(pickle.dumps(array)).decode()}
    return {
        "numpy_data_product_list": [{"data_unit_list": [unit], "name": "mosaic", "meta_data": "{}"}],
        "analysis_parameters": {"p": 5.0, "token": TOKEN, "instrument": "x"},
        "api_code": f'par_dict = {{"token": "{TOKEN}"}}',
        "job_id": job_id,
    }


@pytest.fixture()
def server():
    with ScriptedDispatcher() as running:
        running.script("x", [envelope("submitted", "aaaabbbbccccdddd"),
                             envelope("done", "aaaabbbbccccdddd",
                                      products=numpy_products("aaaabbbbccccdddd"))])
        running.script("y", [envelope("submitted", "1111222233334444")])
        yield running


def test_a_new_kernel_finds_the_jobs_and_their_products(server, tmp_path):
    first = Dispatcher(server.url, token=TOKEN, registry=tmp_path, poll_interval=0.05)
    done = first.submit("x", "image", validate=False, p=5)
    running = first.submit("y", "image", validate=False, p=6)
    assert done.wait(WAIT) is JobStatus.DONE
    # the running job is recorded once the dispatcher has given it an id: wait for that
    deadline = time.monotonic() + WAIT
    while running.job_id is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert running.job_id == "1111222233334444"
    first.close()  # the kernel goes away; the running job is no longer followed here

    second = Dispatcher(server.url, token=TOKEN, registry=tmp_path, poll_interval=0.05)
    try:
        jobs = {job.job_id: job for job in second.jobs()}
        assert set(jobs) == {"aaaabbbbccccdddd", "1111222233334444"}
        restored = jobs["aaaabbbbccccdddd"]
        assert restored.status is JobStatus.DONE
        assert (restored.instrument, restored.product, restored.parameters) == ("x", "image",
                                                                               {"p": 5})
        image = next(h.data for h in restored.result()["mosaic_0"].to_hdulist()
                     if h.data is not None)
        assert image.tolist() == np.arange(12.0).reshape(3, 4).tolist()
        # the unfinished one is followed again, from where it was
        followed = jobs["1111222233334444"]
        assert followed.session_id == running.session_id
        assert followed.status is JobStatus.SUBMITTED and not followed.is_finished
        sent = server.sent("y")
        assert sent[-1]["query_status"] == "submitted" and sent[-1]["job_id"] == "1111222233334444"
    finally:
        second.close()

    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    everything = written + b"".join(gzip.decompress(p.read_bytes())
                                    for p in tmp_path.rglob("*.gz"))
    assert TOKEN.encode() not in everything
    assert b"eyJ" not in everything


def test_drop_removes_the_record_and_the_products(server, tmp_path):
    disp = Dispatcher(server.url, token=TOKEN, registry=tmp_path, poll_interval=0.05)
    job = disp.submit("x", "image", validate=False)
    job.wait(WAIT)
    disp.close()
    registry = JobRegistry(tmp_path)
    assert registry.get(job.job_id) is not None and registry.has_products(job.job_id)
    assert registry.drop(job.job_id)
    assert registry.get(job.job_id) is None and not registry.has_products(job.job_id)
    assert registry.list() == []


def test_a_corrupt_record_is_skipped_with_a_warning(tmp_path, caplog):
    registry = JobRegistry(tmp_path)
    registry.jobs_dir.mkdir(parents=True)
    (registry.jobs_dir / "0000000000000000.json").write_text("{ half a record")
    (registry.jobs_dir / "0000000000000001.json").write_text(json.dumps(
        {"job_id": "0000000000000001", "session_id": "S", "url": "http://x", "instrument": "i",
         "product": "p", "status": "failed", "error": "it broke", "error_type": "JobFailed"}))
    records = registry.list()
    assert [r.job_id for r in records] == ["0000000000000001"]
    assert "0000000000000000.json" in caplog.text


def test_the_cache_is_guarded_by_the_same_safe_decoder(tmp_path):
    registry = JobRegistry(tmp_path)

    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    unit = {"data": None, "dt": "float64", "name": "x", "header": {}, "meta_data": {},
            "hdu_type": "image", "units_dict": None,
            "binarys": base64.b64encode(pickle.dumps(Evil())).decode()}
    registry.store_products("abcdefabcdefabcd", {
        "numpy_data_product_list": [{"data_unit_list": [unit], "name": "x", "meta_data": "{}"}]})
    with pytest.raises(UnsafePayload):
        registry.load_products("abcdefabcdefabcd")


def test_job_ids_cannot_leave_the_registry_folder(tmp_path):
    with pytest.raises(ValueError):
        JobRegistry(tmp_path).get("../../etc/passwd")


def test_the_default_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ODA_WIDGETS_HOME", str(tmp_path / "home"))
    assert JobRegistry().root == tmp_path / "home"


def _record(job_id: str, status: str, **fields) -> JobRecord:
    return JobRecord(job_id=job_id, session_id="SESSIONSESSION01", url="http://127.0.0.1:1",
                     instrument="isgri", product="isgri_image", parameters={"RA": 83.63},
                     status=status, submitted_at=1000.0, updated_at=1090.0, **fields)


def test_a_failed_record_comes_back_as_a_failed_job_with_its_error(tmp_path):
    registry = JobRegistry(tmp_path)
    job = registry.finished_job(_record("0000000000000002", "failed", finished_at=1060.0,
                                        error="failed: no data", error_type="JobFailed"))
    assert job.status is JobStatus.FAILED and job.wait(0) is JobStatus.FAILED
    assert (job.job_id, job.parameters, job.finished_at, job.elapsed) == (
        "0000000000000002", {"RA": 83.63}, 1060.0, 60.0)
    with pytest.raises(JobFailed, match="failed: no data"):
        job.result(0)
    # an error class this client does not have is still an error, with its message
    other = registry.finished_job(_record("0000000000000003", "failed", error="it broke",
                                          error_type="SomeServerError"))
    assert type(other.error) is OdaError and str(other.error) == "it broke"
    assert other.finished_at == 1090.0  # no finished_at recorded: when it was last written


def test_a_done_record_comes_back_only_with_products_the_decoder_accepts(tmp_path):
    registry = JobRegistry(tmp_path)
    registry.store_products("0000000000000004", numpy_products("0000000000000004"))
    done = registry.finished_job(_record("0000000000000004", "done"))
    assert done.status is JobStatus.DONE and "mosaic_0" in done.result(0)

    assert registry.finished_job(_record("0000000000000005", "done")) is None  # none kept
    registry.store_products("0000000000000006", {"numpy_data_product_list": [
        {"data_unit_list": [{"binarys": base64.b64encode(pickle.dumps(print)).decode(),
                             "dt": "float64", "name": "x", "header": {}, "meta_data": {},
                             "hdu_type": "image", "units_dict": None, "data": None}],
         "name": "x", "meta_data": "{}"}]})
    # refused products are decoded (and refused) only when asked for: that job, and it alone,
    # then turns failed, saying why
    tampered = registry.finished_job(_record("0000000000000006", "done"))
    seen = []
    tampered.add_listener(lambda event: seen.append(event.status))
    with pytest.raises(UnsafePayload, match="builtins.print"):
        tampered.result(0)
    assert tampered.status is JobStatus.FAILED and isinstance(tampered.error, UnsafePayload)
    assert seen[-1] is JobStatus.FAILED
    # a job still running when last recorded has nothing finished to rebuild
    assert registry.finished_job(_record("0000000000000007", "progress")) is None
