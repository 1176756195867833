"""One bad record never hides the others: a JSON list, a text timestamp, a ../ job id, a bad port,
deep nesting; each is listed as refused (a failed row saying why), every valid job still listed."""

from __future__ import annotations

import json

import pytest

from oda_widgets.client import Dispatcher
from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.registry import JobRecord, JobRegistry

pytestmark = pytest.mark.unit
URL = "http://127.0.0.1:9"


def good(job_id: str) -> dict:
    record = JobRecord(job_id, "SESSIONSESSION01", URL, "isgri", "isgri_image",
                       status="failed", submitted_at=10.0, updated_at=20.0,
                       error="no data", error_type="JobFailed")
    return record.to_json()


BAD = {
    "00000000000000a1": [good("00000000000000a1")],  # a JSON list
    "00000000000000a2": good("00000000000000a2") | {"submitted_at": "yesterday"},
    "00000000000000a3": good("00000000000000a3") | {"job_id": "../../etc/passwd"},
    "00000000000000a4": good("00000000000000a4") | {"url": "http://127.0.0.1:99999"},
    "00000000000000a5": "nested",
    "00000000000000a6": good("00000000000000a6") | {"session_id": "a b"},
    "00000000000000a7": good("00000000000000a7") | {"status": ["done"]},
}


def test_bad_records_are_listed_as_refused_and_every_good_job_still_listed(tmp_path):
    jobs_dir = tmp_path / "jobs"
    jobs_dir.mkdir()
    for job_id, doc in BAD.items():
        text = "[" * 100_000 + "]" * 100_000 if doc == "nested" else json.dumps(doc)
        (jobs_dir / f"{job_id}.json").write_text(text)
    for job_id in ("0000000000000001", "0000000000000002"):
        (jobs_dir / f"{job_id}.json").write_text(json.dumps(good(job_id)))

    registry = JobRegistry(tmp_path)
    records, refused = registry.scan()
    assert [r.job_id for r in records] == ["0000000000000001", "0000000000000002"]
    reasons = {item.path.stem: item.reason for item in refused}
    assert set(reasons) == set(BAD)
    assert "not an object" in reasons["00000000000000a1"]
    assert "submitted_at" in reasons["00000000000000a2"]
    assert "job_id" in reasons["00000000000000a3"]
    assert "url" in reasons["00000000000000a4"]
    assert "nested too deeply" in reasons["00000000000000a5"]

    jobs = Dispatcher(URL, token="", registry=tmp_path).jobs()
    listed = [job for job in jobs if job.instrument == "isgri"]
    assert [job.job_id for job in listed] == ["0000000000000001", "0000000000000002"]
    refused_rows = [job for job in jobs if job.instrument != "isgri"]
    assert len(refused_rows) == len(BAD)
    assert all(job.status is JobStatus.FAILED and "is not valid" in str(job.error)
               for job in refused_rows)

    from oda_widgets.widgets.job_monitor import JobMonitor

    monitor = JobMonitor(dispatcher=Dispatcher(URL, token="", registry=tmp_path),
                         autostart=False)
    assert len(monitor.jobs) == 2 + len(BAD)
    monitor.close()



def test_a_damaged_long_request_record_leaves_its_parts_listed_as_rows(tmp_path):
    """A long request's record with a value that is not a number lists its parts one by one."""
    import json

    from oda_widgets.client.dispatcher import Dispatcher
    from oda_widgets.client.jobs import Job
    from oda_widgets.client.long.request import long_jobs_again

    disp = Dispatcher(url="http://127.0.0.1:9", token="", registry=tmp_path)
    parts = [Job("isgri", "isgri_lc", "Real", {}, url=disp.url, job_id=f"{i:016x}",
                 session_id="s")
             for i in range(2)]
    (tmp_path / "long").mkdir()
    (tmp_path / "long" / ("a" * 32 + ".json")).write_text(json.dumps({
        "url": disp.url, "instrument": "isgri", "product": "isgri_lc",
        "parameters": {}, "max_attempts": "many",
        "parts": [{"scw_list": ["000100010010"], "job_id": job.job_id, "session_id": "s"}
                  for job in parts],
    }))
    try:
        assert long_jobs_again(disp, parts) == parts
    finally:
        disp.close()
