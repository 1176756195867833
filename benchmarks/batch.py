"""Benchmark: a batch of 20 spectra, the oda_api user-guide loop against submit_many + JobMonitor.

Baseline ("oda_api loop"): the pattern of oda_api's asynchronous user-guide example, run with
unmodified oda_api 1.3.5 in its own environment as a subprocess: one ``DispatcherAPI(wait=False)``
per query, ``get_product`` to submit, then ``poll()`` on the unfinished ones in a ``while True``
loop (the guide's loop has no pause between rounds) until every job is complete, and
``get_product`` once more to fetch each result. The notebook cell holding the loop is blocked
for the whole run.

oda_widgets: a real ipykernel driven through jupyter_client, as a notebook would be. One cell
``monitor.submit_many(queries)`` (a JobMonitor on a Dispatcher), after which the kernel is free;
while the jobs run, trivial cells (``1+1``) measure how quickly the kernel answers.

Each talks over HTTP to its own fresh sandbox dispatcher (in this process, so no job is already
cached from the other run; ``--seconds-per-scw`` seconds of simulated analysis per science
window). Requests are counted at the sandbox by a WSGI
middleware wrapped around its application here (the sandbox itself is unchanged).

Figures: time the notebook was blocked (oda_api: the loop cell; oda_widgets: the submitting
cell), wall time from the first submission to the last result, requests received by the
dispatcher, and (oda_widgets only) the reply time of ``1+1`` while the jobs run.

Run from the repository root::

    .venv/bin/python benchmarks/batch.py [--jobs 20] [--seconds-per-scw 0.5] [--scw 10]
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from environments import odaapi_python  # noqa: E402

from oda_widgets.sandbox import start_sandbox  # noqa: E402


class RequestCounter:
    """WSGI middleware counting the requests that reach the application, by path."""

    def __init__(self, app) -> None:
        self.app = app
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.counts[environ.get("PATH_INFO", "")] += 1
        return self.app(environ, start_response)

    def take(self) -> Counter[str]:
        """The counts so far, then start again from zero."""
        with self._lock:
            counts, self.counts = self.counts, Counter()
        return counts


def queries(n_jobs: int, n_scw: int) -> list[dict]:
    """One Crab spectrum per year, as in the user guide (20 jobs: 2003 to 2022)."""
    return [
        {
            "instrument": "isgri",
            "product": "isgri_spectrum",
            "src_name": "Crab",
            "RA": 83.633080,
            "DEC": 22.014500,
            "radius": 10,
            "max_pointings": n_scw,
            "osa_version": "OSA11.2" if year >= 2016 else "OSA10.2",
            "T1": f"{year}-01-01T00:00:00",
            "T2": f"{year}-12-31T23:59:59",
        }
        for year in range(2003, 2003 + n_jobs)
    ]


# --- baseline: the oda_api loop ---------------------------------------------------------------------
ODAAPI_LOOP = """
import contextlib, io, json, logging, os, sys, time
logging.disable(logging.CRITICAL)
from oda_api.api import DispatcherAPI

url = os.environ["SANDBOX_URL"]
queries = json.loads(os.environ["QUERIES"])
dispatchers, results = {}, {}
start = time.time()
with contextlib.redirect_stdout(io.StringIO()):   # the loop prints a lot; keep the figures
    while True:
        for n, query in enumerate(queries):
            if n in results:
                continue
            parameters = dict(query, product_type="Real")
            d = dispatchers.setdefault(n, DispatcherAPI(url=url, wait=False))
            if d.is_failed:
                results[n] = "failed"
                continue
            if not d.is_submitted:
                data = d.get_product(**parameters)
            else:
                d.poll()
            if d.is_complete:
                data = d.get_product(**parameters)
                if data is not None or d.is_failed:
                    results[n] = "failed" if d.is_failed else "done"
        if len(results) == len(queries):
            break
wall = time.time() - start
print(json.dumps({"wall": wall, "blocked": wall,
                  "done": sum(v == "done" for v in results.values())}))
"""


def run_odaapi(python: str, url: str, batch: list[dict]) -> dict:
    completed = subprocess.run(
        [python, "-c", textwrap.dedent(ODAAPI_LOOP)],
        env={**os.environ, "SANDBOX_URL": url, "QUERIES": json.dumps(batch)},
        capture_output=True, text=True, timeout=1800,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the oda_api loop failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# --- oda_widgets in a real kernel --------------------------------------------------------------------
class Kernel:
    """An ipykernel through jupyter_client; ``run`` returns (text result, seconds to the reply)."""

    def __init__(self, env: dict[str, str]) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def run(self, code: str, timeout: float = 600) -> tuple[str, float]:
        sent = time.perf_counter()
        msg_id = self.client.execute(code)
        while True:
            reply = self.client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        replied = time.perf_counter() - sent
        if reply["content"]["status"] != "ok":
            raise RuntimeError("\n".join(reply["content"]["traceback"]))
        result = ""
        while True:  # the result and the idle status come on IOPub
            try:
                msg = self.client.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                break
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "execute_result":
                result = msg["content"]["data"]["text/plain"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        return result, replied

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def run_oda_widgets(url: str, batch: list[dict]) -> dict:
    home = tempfile.mkdtemp(prefix="oda-widgets-bench-")
    kernel = Kernel({**os.environ, "ODA_WIDGETS_HOME": home})
    try:
        kernel.run(
            "import time\n"
            "from oda_widgets.client.dispatcher import Dispatcher\n"
            "from oda_widgets.widgets.job_monitor import JobMonitor\n"
            f"disp = Dispatcher(url={url!r})\n"
        )
        _, blocked = kernel.run(
            "start = time.time()\n"
            "monitor = JobMonitor(jobs=[], dispatcher=disp)\n"
            f"batch = monitor.submit_many({batch!r})\n"
            "display(monitor)\n"
        )
        latencies = []
        while kernel.run("all(j.is_finished for j in batch)")[0] != "True":
            latencies.append(kernel.run("1+1")[1])
            time.sleep(0.2)
        wall = float(kernel.run("max(j.finished_at for j in batch) - start")[0])
        done = int(kernel.run("sum(j.status.value == 'done' for j in batch)")[0])
        return {"wall": wall, "blocked": blocked, "done": done, "latencies": latencies}
    finally:
        kernel.close()


def on_fresh_sandbox(client, batch: list[dict], seconds_per_scw: float) -> tuple[dict, Counter]:
    """Run ``client(url, batch)`` against a new sandbox (no job cached from another run);
    return its figures and the requests the sandbox received."""
    sandbox = start_sandbox(port=0, duration=seconds_per_scw)
    counter = RequestCounter(sandbox.app.wsgi_app)
    sandbox.app.wsgi_app = counter
    try:
        return client(sandbox.url, batch), counter.take()
    finally:
        sandbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--scw", type=int, default=10, help="science windows per job")
    parser.add_argument("--seconds-per-scw", type=float, default=0.5)
    parser.add_argument("--odaapi-python", default=None)
    args = parser.parse_args()

    batch = queries(args.jobs, args.scw)
    ours, ours_requests = on_fresh_sandbox(run_oda_widgets, batch, args.seconds_per_scw)
    python = odaapi_python(args.odaapi_python)
    theirs, their_requests = (None, None)
    if python:
        theirs, their_requests = on_fresh_sandbox(
            lambda url, b: run_odaapi(python, url, b), batch, args.seconds_per_scw
        )

    print(f"{args.jobs} ISGRI spectra, {args.scw} science windows each, "
          f"{args.seconds_per_scw} s per science window on the sandbox "
          f"(one job alone: about {args.scw * args.seconds_per_scw:.1f} s)\n")
    rows = [
        ("notebook blocked (s)", theirs and theirs["blocked"], ours["blocked"]),
        ("wall time to all results (s)", theirs and theirs["wall"], ours["wall"]),
        ("requests to the dispatcher", their_requests and sum(their_requests.values()),
         sum(ours_requests.values())),
        ("jobs done", theirs and theirs["done"], ours["done"]),
    ]
    print(f"{'':32}{'oda_api loop':>16}{'oda_widgets':>16}{'ratio':>10}")
    for name, base, mine in rows:
        ratio = f"{base / mine:.1f}x" if base and mine else "-"
        base_text = f"{base:.3f}" if isinstance(base, float) else str(base if base is not None else "-")
        mine_text = f"{mine:.3f}" if isinstance(mine, float) else str(mine)
        print(f"{name:32}{base_text:>16}{mine_text:>16}{ratio:>10}")
    if ours["latencies"]:
        lat = sorted(ours["latencies"])
        print(f"\n'1+1' while the jobs ran (oda_widgets, {len(lat)} cells): median "
              f"{statistics.median(lat) * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms; "
              "with the oda_api loop the kernel answers only when the loop ends.")
    print("\nrequests by path:")
    print("  oda_widgets:", dict(ours_requests))
    if their_requests is not None:
        print("  oda_api loop:", dict(their_requests))
    else:
        print("  oda_api loop: not run (no oda_api environment; set ODA_WIDGETS_ODAAPI_PYTHON)")


if __name__ == "__main__":
    main()
