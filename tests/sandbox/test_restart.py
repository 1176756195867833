"""After a kernel restart, a JobMonitor built on the same registry shows every job again.

In a real kernel (registry under a temporary ``ODA_WIDGETS_HOME``) two jobs are submitted to a
sandbox started here: a short one and a long one. Once the short one is done the kernel is
restarted; the new kernel builds ``JobMonitor(dispatcher=Dispatcher(url=...))``. It must list both
jobs: the finished one done at once with its products read from disk, the running one re-attached,
followed again, and then done.
"""

from __future__ import annotations

import ast

import pytest

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

# The long job (30 pointings, about 60 s) must still run after the kernel restarted and
# re-imported everything, which on a loaded 2-core machine can take tens of seconds.
SECONDS_PER_SCW = 2.0


@pytest.fixture
def slow_sandbox():
    server = start_sandbox(port=0, duration=SECONDS_PER_SCW)
    yield server
    server.stop()


def crab_spectrum(year: int, pointings: int) -> dict:
    return {
        "instrument": "isgri",
        "product": "isgri_spectrum",
        "src_name": "Crab",
        "RA": 83.633,
        "DEC": 22.0145,
        "T1": f"{year}-01-01T00:00:00",
        "T2": f"{year}-12-31T23:59:59",
        "max_pointings": pointings,
    }


def test_monitor_after_restart_shows_finished_and_running_jobs(slow_sandbox, kernel):
    kernel.run(
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        f"disp = Dispatcher(url={slow_sandbox.url!r})\n"
        f"batch = disp.submit_many([{crab_spectrum(2004, 1)!r}, {crab_spectrum(2005, 30)!r}])"
    )
    kernel.wait_until("batch[0].status.value == 'done'")
    short_id, long_id = ast.literal_eval(kernel.run("[j.job_id for j in batch]"))
    assert kernel.run("batch[1].is_finished") == "False", "the long job must outlive the kernel"
    assert (kernel.home / "products" / f"{short_id}.json.gz").exists()

    kernel.restart()

    kernel.run(
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        "from oda_widgets.widgets.job_monitor import JobMonitor\n"
        f"monitor = JobMonitor(dispatcher=Dispatcher(url={slow_sandbox.url!r}))\n"
        "def row(job_id):\n"
        "    return next(r for r in monitor.rows if r['job_id'] == job_id)\n"
        "def job(job_id):\n"
        "    return next(j for j in monitor.jobs if j.job_id == job_id)\n"
        f"short_status_at_start = row({short_id!r})['status']\n"
        f"long_status_at_start = row({long_id!r})['status']\n"
    )
    assert sorted(ast.literal_eval(kernel.run("[r['job_id'] for r in monitor.rows]"))) == sorted(
        [short_id, long_id]
    )
    # The finished job is done in the new kernel straight away, its products read from disk.
    assert kernel.run("short_status_at_start") == "'done'"
    assert kernel.run(f"'Crab' in job({short_id!r}).result(timeout=0).spectra") == "True"
    # The running one was re-attached: followed again, not shown as stopped or failed.
    assert kernel.run("long_status_at_start") in ("'submitted'", "'progress'")

    kernel.wait_until(f"row({long_id!r})['status'] == 'done'", timeout=300)  # a hang guard
    assert kernel.run("monitor.summary") == "'2 of 2 done, 0 failed, 0 running'"
    assert kernel.run(f"'Crab' in job({long_id!r}).result(timeout=0).spectra") == "True"
