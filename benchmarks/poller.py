"""Benchmark: following 1, 10 and 100 concurrent jobs.

Baseline: the loop oda_api users write today (oda_api's asynchronous user-guide example): one
``DispatcherAPI(wait=False)`` per job, each polled in turn with ``poll()``, ``time.sleep(1)``
between rounds. It runs with unmodified oda_api in its own environment, as a subprocess,
against the same server.

The server is a small asynchronous status server (real sockets, its own process so that its
CPU is not counted for either client): a job answers ``submitted`` until ``--change-after``
seconds after it was submitted, then ``ready``, and ``done`` on the next request.

Measured per client and job count: requests per second sent to the server, the client's CPU
seconds while following, and the delay from the server-side status change to the moment the
client saw the job done.

Run: ``.venv/bin/python benchmarks/poller.py [--odaapi-python PATH] [--change-after 5]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import statistics
import subprocess
import sys
import textwrap
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from environments import odaapi_python

REPO_ROOT = Path(__file__).resolve().parents[1]


# --- the status server (runs in its own process) ----------------------------------------------
def serve(port_queue: multiprocessing.Queue, change_after: float) -> None:
    jobs: dict[str, dict] = {}
    lock = threading.Lock()
    counter = {"requests": 0}

    def envelope(status: str, job_id: str, session_id: str) -> dict:
        products = {"analysis_parameters": {"job": job_id}, "api_code": "pass"} if status == "done" else {}
        return {
            "query_status": status, "job_status": status, "products": products,
            "exit_status": {"job_status": status, "status": 0, "message": "", "error_message": "",
                            "debug_message": "", "comment": "", "warning": ""},
            "job_monitor": {"job_id": job_id, "session_id": session_id, "status": status},
            "session_id": session_id, "time_request": time.time(),
        }

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if self.command == "POST":
                length = int(self.headers.get("Content-Length") or 0)
                params.update({k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()})
            if parts.path == "/stats":
                with lock:
                    body = {"requests": counter["requests"], "jobs": jobs}
            elif parts.path == "/reset":
                with lock:
                    jobs.clear()
                    counter["requests"] = 0
                body = {}
            elif parts.path == "/api/par-names":
                body = ["RA", "DEC", "src_name", "T1", "T2", "token"]
            else:
                body = self.run_analysis(params)
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_POST = do_GET

        def run_analysis(self, params: dict) -> dict:
            key = json.dumps({k: params.get(k) for k in ("instrument", "product_type", "RA")})
            job_id = hashlib.md5(key.encode()).hexdigest()[:16]
            session_id = params.get("session_id", "S" * 16)
            now = time.time()
            with lock:
                counter["requests"] += 1
                job = jobs.setdefault(job_id, {"created": now, "change": now + change_after,
                                               "done_sent": None})
                if now < job["change"]:
                    status = "submitted"
                elif params.get("query_status") == "ready" or job["done_sent"]:
                    status = "done"
                    job["done_sent"] = job["done_sent"] or now
                else:
                    status = "ready"
            return envelope(status, job_id, session_id)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()


def get_json(url: str) -> dict:
    import requests

    return requests.get(url, timeout=30).json()


# --- our client ----------------------------------------------------------------------------------
def run_oda_widgets(url: str, n_jobs: int) -> dict:
    from oda_widgets.client import Dispatcher
    from oda_widgets.client.jobs import JobStatus

    seen_done: dict[str, float] = {}
    lock = threading.Lock()

    def listener(event) -> None:
        if event.status is JobStatus.DONE:
            with lock:
                seen_done[event.job.job_id] = time.time()

    disp = Dispatcher(url, token="", registry=False)
    cpu0, wall0 = time.process_time(), time.time()
    jobs = []
    for number in range(n_jobs):
        job = disp.submit("bench", "status", validate=False, RA=float(number))
        job.add_listener(listener)
        jobs.append(job)
    for job in jobs:
        job.wait(600)
    cpu, wall = time.process_time() - cpu0, time.time() - wall0
    disp.close()
    assert all(j.status is JobStatus.DONE for j in jobs), [j.status for j in jobs]
    return {"cpu": cpu, "wall": wall, "seen_done": seen_done}


# --- the oda_api loop users write today (run under oda_api's own Python) --------------------------
ODA_API_LOOP = textwrap.dedent(
    """
    import contextlib, io, json, sys, time
    import logging
    logging.disable(logging.CRITICAL)
    from oda_api.api import DispatcherAPI

    url, n_jobs = sys.argv[1], int(sys.argv[2])
    sink = io.StringIO()
    cpu0, wall0 = time.process_time(), time.time()
    seen_done = {}
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        disps = []
        for number in range(n_jobs):
            disp = DispatcherAPI(url=url, instrument="mock", wait=False)
            disp.get_product(instrument="bench", product="status", product_type="Real",
                             RA=float(number))
            disps.append(disp)
        while not all(d.is_complete for d in disps):
            for disp in disps:
                if not disp.is_complete:
                    disp.poll()
                    if disp.is_complete:
                        seen_done[disp.job_id] = time.time()
            time.sleep(1)
    cpu, wall = time.process_time() - cpu0, time.time() - wall0
    print(json.dumps({"cpu": cpu, "wall": wall, "seen_done": seen_done}))
    """
)


def run_oda_api(python: Path, url: str, n_jobs: int) -> dict:
    done = subprocess.run([str(python), "-c", ODA_API_LOOP, url, str(n_jobs)],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"the oda_api loop failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- measuring -------------------------------------------------------------------------------------
def measure(name: str, run, url: str, n_jobs: int) -> dict:
    get_json(f"{url}/reset")
    outcome = run(url, n_jobs)
    stats = get_json(f"{url}/stats")
    delays = [outcome["seen_done"][job_id] - job["change"]
              for job_id, job in stats["jobs"].items() if job_id in outcome["seen_done"]]
    return {
        "client": name,
        "jobs": n_jobs,
        "requests": stats["requests"],
        "req_per_s": stats["requests"] / outcome["wall"],
        "cpu_s": outcome["cpu"],
        "delay_median_s": statistics.median(delays),
        "delay_max_s": max(delays),
        "wall_s": outcome["wall"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--odaapi-python", help="Python of an environment with oda-api 1.3.5")
    parser.add_argument("--change-after", type=float, default=5.0,
                        help="seconds after submission when each job becomes ready")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 10, 100])
    args = parser.parse_args()

    queue: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(queue, args.change_after), daemon=True)
    server.start()
    url = f"http://127.0.0.1:{queue.get(timeout=30)}"
    odaapi = odaapi_python(args.odaapi_python)
    if odaapi is None:
        print("oda_api 1.3.5 not found (--odaapi-python or ODA_WIDGETS_ODAAPI_PYTHON): "
              "measuring oda_widgets only", file=sys.stderr)
    # the imports are not part of what is measured
    import oda_widgets.client.dispatcher  # noqa: F401
    import oda_widgets.client.products.product_set  # noqa: F401

    rows = []
    try:
        for n_jobs in args.jobs:
            ours = measure("oda_widgets", run_oda_widgets, url, n_jobs)
            rows.append((ours, measure("oda_api loop", lambda u, n: run_oda_api(odaapi, u, n),
                                       url, n_jobs) if odaapi else None))
    finally:
        server.terminate()
        server.join(timeout=10)

    print(f"\nEach job turns ready {args.change_after:.0f} s after submission "
          "(then done on the next request).\n")
    header = (f"{'jobs':>5} {'client':<13} {'requests':>9} {'req/s':>7} {'CPU s':>7} "
              f"{'delay med s':>12} {'delay max s':>12} {'wall s':>7}")
    print(header)
    print("-" * len(header))
    for ours, theirs in rows:
        for row in (ours, theirs):
            if row is None:
                continue
            print(f"{row['jobs']:>5} {row['client']:<13} {row['requests']:>9} "
                  f"{row['req_per_s']:>7.1f} {row['cpu_s']:>7.3f} {row['delay_median_s']:>12.2f} "
                  f"{row['delay_max_s']:>12.2f} {row['wall_s']:>7.1f}")
        if theirs is not None:
            print(f"{'':>5} {'ratio ours/oda_api':<19} requests x{ours['requests'] / theirs['requests']:.2f}"
                  f"  CPU x{ours['cpu_s'] / max(theirs['cpu_s'], 1e-9):.2f}"
                  f"  median delay x{ours['delay_median_s'] / max(theirs['delay_median_s'], 1e-9):.2f}")
        print()


if __name__ == "__main__":
    main()
