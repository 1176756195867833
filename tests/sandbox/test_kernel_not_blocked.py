"""With 50 jobs followed by a JobMonitor, a real kernel still answers at once.

A real ipykernel is started with jupyter_client; in it a Dispatcher talks over HTTP to a sandbox
started here, 50 jobs of several seconds each are submitted and shown in a JobMonitor. A trivial
cell must then get its reply before any of the jobs has finished, and the monitor must not flood
IOPub with widget messages while the jobs run. (Latency figures are in benchmarks/batch.py.)
"""

from __future__ import annotations

import time

import pytest

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

N_JOBS = 50
# Each job needs about 24 s on the sandbox: the "1+1" cell must be answered before the first
# job finishes, and on a loaded 2-core machine submitting 50 jobs alone can take several seconds.
SECONDS_PER_SCW = 3.0
SCW_PER_JOB = 8


@pytest.fixture
def slow_sandbox():
    server = start_sandbox(port=0, duration=SECONDS_PER_SCW)
    yield server
    server.stop()


def test_kernel_answers_while_fifty_jobs_run(slow_sandbox, kernel):
    kernel.run(
        "import time\n"
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        "from oda_widgets.widgets.job_monitor import JobMonitor\n"
        f"disp = Dispatcher(url={slow_sandbox.url!r})\n"
        "monitor = JobMonitor(jobs=[], dispatcher=disp)\n"
        "display(monitor)\n"
    )
    queries = [
        {
            "instrument": "isgri",
            "product": "isgri_spectrum",
            "src_name": "Crab",
            "RA": 83.633,
            "DEC": 22.0145,
            "T1": f"{2003 + i % 10}-01-01T00:00:00",
            "T2": f"{2003 + i % 10}-12-31T23:59:59",
            "max_pointings": SCW_PER_JOB,
            "E1_keV": 20 + i,  # distinct queries: the dispatcher would merge identical ones
            "E2_keV": 200,
        }
        for i in range(N_JOBS)
    ]
    kernel.run(f"batch = monitor.submit_many({queries!r})")

    answered_at = kernel.reply_time("1+1")

    first_finish = float(kernel.run(
        "min((j.finished_at or float('inf')) for j in monitor.jobs)"
    ))
    assert answered_at < first_finish, "the kernel answered only after a job had finished"
    assert kernel.run("len(monitor.rows)") == str(N_JOBS)

    # While they all run: widget messages stay few (rows are batched, ~1 update/s per job).
    window = 5.0
    seen = kernel.count_comm_messages(window)
    print(f"{seen} widget messages in {window} s with {N_JOBS} jobs running")
    assert seen <= window * 4 + 10, f"{seen} widget messages in {window} s"

    deadline = time.monotonic() + 300
    while kernel.run("monitor.summary") != repr(f"{N_JOBS} of {N_JOBS} done, 0 failed, 0 running"):
        assert time.monotonic() < deadline, kernel.run("monitor.summary")
        time.sleep(1)
    assert kernel.run("sum(r['status'] == 'done' for r in monitor.rows)") == str(N_JOBS)
