"""With 50 jobs followed by a JobMonitor, a real kernel still answers at once.

A real ipykernel is started with jupyter_client; in it a Dispatcher talks over HTTP to a sandbox
started here, 50 jobs of several seconds each are submitted and shown in a JobMonitor. A trivial
cell must then get its reply before any of the jobs has finished, and the monitor must not flood
IOPub with widget messages while the jobs run. (Latency figures are in benchmarks/batch.py.)
"""

from __future__ import annotations

import os
import queue
import time
from dataclasses import dataclass, field

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
from jupyter_client import KernelManager  # noqa: E402

from oda_widgets.sandbox import start_sandbox  # noqa: E402

pytestmark = pytest.mark.sandbox

N_JOBS = 50
SECONDS_PER_SCW = 1.0
SCW_PER_JOB = 8  # so each job needs about 8 s on the sandbox


@dataclass
class KernelSession:
    """A kernel and its client; runs cells and keeps count of the comm messages it sees."""

    manager: KernelManager
    client: object
    comm_messages: list[float] = field(default_factory=list)

    def _drain_iopub(self, until_idle_of: str | None = None, timeout: float = 120) -> list[dict]:
        outputs: list[dict] = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no idle status from the kernel within {timeout} s")
            try:
                msg = self.client.get_iopub_msg(timeout=min(remaining, 0.2))
            except queue.Empty:
                if until_idle_of is None:
                    return outputs
                continue
            kind = msg["msg_type"]
            if kind == "comm_msg":
                self.comm_messages.append(time.monotonic())
            if msg["parent_header"].get("msg_id") != until_idle_of:
                continue
            if kind in ("execute_result", "stream", "error"):
                outputs.append(msg)
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                return outputs

    def run(self, code: str, timeout: float = 120) -> str:
        """Execute ``code``; return its text result (raises with the traceback if it failed)."""
        msg_id = self.client.execute(code)
        outputs = self._drain_iopub(until_idle_of=msg_id, timeout=timeout)
        reply = self.client.get_shell_msg(timeout=timeout)
        if reply["content"]["status"] != "ok":
            raise AssertionError("cell failed:\n" + "\n".join(reply["content"].get("traceback", [])))
        texts = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        return texts[-1] if texts else ""

    def reply_time(self, code: str, timeout: float = 120) -> float:
        """Send ``code`` and return the moment its execute_reply arrived (time.time())."""
        msg_id = self.client.execute(code)
        while True:
            reply = self.client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                arrived = time.time()
                assert reply["content"]["status"] == "ok"
                self._drain_iopub(until_idle_of=msg_id, timeout=timeout)
                return arrived

    def count_comm_messages(self, seconds: float) -> int:
        """Listen to IOPub for ``seconds`` and count the widget messages seen."""
        before = len(self.comm_messages)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._drain_iopub(timeout=seconds)
        return len(self.comm_messages) - before


@pytest.fixture
def slow_sandbox():
    server = start_sandbox(port=0, duration=SECONDS_PER_SCW)
    yield server
    server.stop()


@pytest.fixture
def kernel(tmp_path):
    manager = KernelManager(kernel_name="python3")
    env = dict(os.environ, ODA_WIDGETS_HOME=str(tmp_path / "home"))
    manager.start_kernel(env=env)
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=120)
    yield KernelSession(manager, client)
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def test_kernel_answers_while_fifty_jobs_run(slow_sandbox, kernel):
    kernel.run(
        "import time\n"
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        "from oda_widgets.widgets.jobs import JobMonitor\n"
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
