"""Every decode path is budgeted while it reads: a gzip bomb, a JSON data unit or a catalog
column whose dtype asks for gigabytes, a JSON answer of a million empty lists, a bomb kept in the
registry. Each is refused with UnsafePayload, the memory it took measured and small, and the other
jobs carry on."""

from __future__ import annotations

import base64
import gzip
import json
import pickle

import numpy as np
import pytest
from support.hostile_dispatcher import HostileDispatcher, done_answer, gzip_bomb
from support.memory import MiB, peak_of

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import UnsafePayload
from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.poller import Poller
from oda_widgets.client.products import budget
from oda_widgets.client.products.product_set import decode_products

pytestmark = pytest.mark.unit
WAIT = 60

#: some 500 bytes of answer whose legacy JSON data unit declares two rows of 2 GB each
LEGACY_BOMB = {"numpy_data_product_list": [{"name": "x", "meta_data": "{}", "data_unit_list": [
    {"data": "[[1], [2]]", "dt": "[('a', '<f8', (16000, 16000))]", "hdu_type": "bintable",
     "header": {}, "name": "x", "units_dict": None, "binarys": None, "meta_data": {}}]}]}
#: a catalog of two rows whose name column is described as 2 GB a row
CATALOG_BOMB = {"catalog": {
    "cat_column_list": [[0, 1], ["a", "b"], [1.0, 2.0], [4.0, 5.0]],
    "cat_column_names": ["meta_ID", "src_names", "ra", "dec"],
    "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U500000000"], ["ra", "<f8"],
                         ["dec", "<f8"]],
    "cat_lat_name": "dec", "cat_lon_name": "ra", "cat_frame": "fk5", "cat_coord_units": "deg"}}


def good_products() -> dict:
    unit = {"data": None, "dt": "float64", "name": "image", "header": {}, "meta_data": {},
            "hdu_type": "image", "units_dict": None,
            "binarys": base64.b64encode(pickle.dumps(np.arange(12.0).reshape(3, 4))).decode()}
    return {"numpy_data_product_list": [{"data_unit_list": [unit], "name": "mosaic",
                                         "meta_data": "{}"}]}


@pytest.fixture
def poller():
    running = Poller(give_up_after=5, first_retry_delay=0.05, max_retry_delay=0.1)
    yield running
    running.close()


@pytest.fixture
def evil():
    with HostileDispatcher() as server:
        yield server


def test_small_answers_declaring_gigabytes_are_refused_before_allocation():
    for products in (LEGACY_BOMB, CATALOG_BOMB):
        assert len(json.dumps(products)) < 700
        outcome, peak = peak_of(lambda products=products: decode_products(products))
        assert isinstance(outcome, UnsafePayload), outcome
        assert "MAX_DECODED_BYTES" in str(outcome) and "nothing" in str(outcome)
        assert peak < 16 * MiB


def test_a_gzip_bomb_is_refused_while_it_arrives_and_other_jobs_finish(
        evil, poller, tmp_path, monkeypatch):
    monkeypatch.setattr(budget, "MAX_DECODED_BYTES", 64 * MiB)  # a budget a test can afford
    bomb = gzip_bomb(6 << 30)  # 6 GiB once inflated, a few megabytes on the wire
    good = done_answer(good_products())

    def answer(params: dict) -> object:
        if params.get("instrument") == "bomb":
            return bomb
        return gzip.compress(json.dumps(good(params)).encode())

    evil.answer("/run_analysis", answer, Content_Encoding="gzip",
                Content_Type="application/json")
    disp = Dispatcher(evil.url, token="", registry=tmp_path, poller=poller,
                      poll_interval=0.02, timeout=30)

    def run() -> tuple:
        jobs = [disp.submit(name, "image", validate=False) for name in ("bomb", "fine")]
        return tuple(job.wait(WAIT) for job in jobs), jobs

    (statuses, jobs), peak = peak_of(run)
    assert statuses == (JobStatus.FAILED, JobStatus.DONE)
    assert isinstance(jobs[0].error, UnsafePayload)
    assert "after decompression" in str(jobs[0].error)
    assert jobs[1].result(0).names == ["mosaic_0"]
    assert peak < 3 * 64 * MiB, f"peak {peak / MiB:.0f} MiB"


def test_json_that_would_build_millions_of_objects_is_refused_before_parsing(evil, poller,
                                                                            tmp_path):
    # 30 MB of "[[],[],...]": json.loads would make ten million lists (several GB)
    body = b"[" + b"[]," * 10_000_000 + b"[]]"
    evil.answer("/run_analysis", body, Content_Type="application/json")
    disp = Dispatcher(evil.url, token="", registry=tmp_path, poller=poller, timeout=30)
    job, peak = peak_of(lambda: disp.submit("x", "image", validate=False))
    status, wait_peak = peak_of(lambda: job.wait(WAIT))
    assert status is JobStatus.FAILED and isinstance(job.error, UnsafePayload)
    assert "JSON of the answer" in str(job.error)
    assert max(peak, wait_peak) < 3 * len(body)


def test_a_bomb_kept_in_the_registry_fails_its_own_job_and_only_when_opened(tmp_path):
    url = "http://127.0.0.1:9"
    from oda_widgets.client.registry import JobRecord, JobRegistry

    registry = JobRegistry(tmp_path)
    for job_id, products in (("00000000000000b0", LEGACY_BOMB), ("00000000000000f1",
                                                                 good_products())):
        registry.save_record(JobRecord(job_id, "SESSION0SESSION0", url, "isgri", "isgri_image",
                                       status="done", submitted_at=1.0, updated_at=2.0))
        (tmp_path / "products").mkdir(exist_ok=True)
        (tmp_path / "products" / f"{job_id}.json.gz").write_bytes(
            gzip.compress(json.dumps(products).encode()))
    assert (tmp_path / "products" / "00000000000000b0.json.gz").stat().st_size < 400

    disp = Dispatcher(url, token="", registry=tmp_path)
    jobs, peak = peak_of(disp.jobs)  # every kernel start: nothing is decoded yet
    assert [job.job_id for job in jobs] == ["00000000000000b0", "00000000000000f1"]
    assert all(job.status is JobStatus.DONE for job in jobs) and peak < 16 * MiB
    outcome, peak = peak_of(lambda: jobs[0].result(0))
    assert isinstance(outcome, UnsafePayload) and jobs[0].status is JobStatus.FAILED
    assert peak < 16 * MiB
    assert jobs[1].result(0).names == ["isgri_image_0"] or len(jobs[1].result(0)) == 1
    # a monitor of the registry shows both rows, the refused one failed with its reason
    from oda_widgets.widgets.job_monitor import JobMonitor

    monitor = JobMonitor(dispatcher=Dispatcher(url, token="", registry=tmp_path),
                         autostart=False)
    assert len(monitor.jobs) == 2
    monitor.close()
