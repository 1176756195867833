"""Soak: 100 jobs over 10 minutes against a sandbox that injects faults into 10 % of requests.

The sandbox runs in its own process (``oda-widgets sandbox --faults ...``), as a remote
dispatcher would. One ``Dispatcher`` with a registry in a temporary folder submits the jobs at an
even pace (ISGRI and JEM-X images, spectra and light curves, each query a little different so
that none is answered from the sandbox's cache) and lets the background poller follow them.
When a job finishes its outcome is noted and the Job is let go, as a notebook that moved on
would; its products stay in the registry.

Every 10 s the client process is sampled: its thread count; its resident memory (``VmRSS``) as
it is, then again after ``malloc_trim(0)`` has handed the C allocator's free pages back to the
system (each request worker thread gets its own glibc arena, which keeps freed pages of decoded
products as a high-water mark: the first figure grows with it, the second is what the process
holds); the objects the garbage collector tracks; and the Jobs still alive (a weak set of every
submitted Job). Figures: the samples, the baseline (the first sample after ``--warmup`` seconds,
once the imports, the first decodes and the request pool have settled) and the last and highest
samples as ratios against it; how every job ended (done, or failed with which error); and
whether every done job's products come back from the registry through a fresh
``Dispatcher.jobs()`` (a finished product lost would show there).

Run from the repository root (it takes about ``--minutes`` plus the time the last jobs need)::

    .venv/bin/python benchmarks/soak.py [--jobs 100] [--minutes 10] [--fault-rate 0.1]
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import ctypes.util
import gc
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from oda_widgets.client import Dispatcher  # noqa: E402
from oda_widgets.client.jobs import JobEvent, JobStatus  # noqa: E402
from oda_widgets.sandbox.tokens import make_token  # noqa: E402

PRODUCTS = [
    ("isgri", "isgri_image"),
    ("isgri", "isgri_spectrum"),
    ("isgri", "isgri_lc"),
    ("jemx", "jemx_image"),
    ("jemx", "jemx_spectrum"),
    ("jemx", "jemx_lc"),
]


def fault_plan(rate: float, seed: int) -> str:
    """Faults of every kind the sandbox has, ``rate`` of /run_analysis requests in all.

    Rules are tried in turn, each with its own draw, so their rates compound to ``rate``.
    """
    shares = {"http503": 0.25, "drop": 0.25, "slow=5": 0.2, "html_error": 0.1,
              "malformed_json": 0.05, "failed": 0.1, "http500": 0.05}
    left, rules = 1.0, []
    for kind, share in shares.items():
        # the probability this rule fires given that no earlier one did
        conditional = rate * share / max(1e-9, left)
        rules.append(f"rate={conditional:.4f}:{kind}")
        left -= rate * share
    return ",".join([f"seed={seed}"] + rules)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sandbox(port: int, secret: str, faults: str, duration: float) -> subprocess.Popen:
    command = [sys.executable, "-c", "from oda_widgets.cli import main; raise SystemExit(main())",
               "sandbox", "--port", str(port), "--secret", secret, "--faults", faults,
               "--duration", str(duration)]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the sandbox did not start within 60 s")


def resident_mib() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")


def trimmed_resident_mib() -> float:
    """Resident memory once the C allocator has returned its free pages (glibc only)."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)
    return resident_mib()


class Sample:
    """One look at the client process."""

    def __init__(self, t: float, running: int, alive: weakref.WeakSet) -> None:
        self.t = t
        self.running = running
        self.threads = threading.active_count()
        self.rss = resident_mib()
        self.trimmed = trimmed_resident_mib()
        self.objects = len(gc.get_objects())
        self.jobs_alive = len(alive)

    def line(self) -> str:
        return (f"  t={self.t:6.0f} s  threads={self.threads:3d}  rss={self.rss:7.1f} MiB  "
                f"after trim={self.trimmed:6.1f} MiB  objects={self.objects:7d}  "
                f"jobs alive={self.jobs_alive:3d}  running={self.running}")


class Outcomes:
    """How each job ended, noted from the poller's threads; holds no Job."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done: set[str] = set()
        self.failed: collections.Counter[str] = collections.Counter()
        self.failed_ids: set[str] = set()
        self.unclear: list[str] = []
        self.finished = 0
        self.all_finished = threading.Event()
        self.expected = 0

    def listener(self, event: JobEvent) -> None:
        if not event.status.is_finished:
            return
        job = event.job
        with self.lock:
            if event.status is JobStatus.DONE and job.products is not None and job.job_id:
                self.done.add(job.job_id)
            elif event.status is JobStatus.FAILED and job.error is not None and str(job.error):
                self.failed[type(job.error).__name__] += 1
                if job.job_id:
                    self.failed_ids.add(job.job_id)
            else:
                self.unclear.append(f"{job!r}: {event.status} error={job.error!r}")
            self.finished += 1
            if self.finished >= self.expected:
                self.all_finished.set()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--fault-rate", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--seconds-per-scw", type=float, default=0.5)
    parser.add_argument("--sample-every", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=60.0)
    args = parser.parse_args()

    secret = secrets.token_hex(16)
    port = free_port()
    faults = fault_plan(args.fault_rate, args.seed)
    sandbox = start_sandbox(port, secret, faults, args.seconds_per_scw)
    home = tempfile.mkdtemp(prefix="oda-soak-")
    token = make_token(secret, ["general"])
    outcomes = Outcomes()
    outcomes.expected = args.jobs
    samples: list[Sample] = []
    alive: weakref.WeakSet = weakref.WeakSet()
    print(f"sandbox at http://127.0.0.1:{port}, faults: {faults}")
    print(f"registry: {home}")
    try:
        disp = Dispatcher(f"http://127.0.0.1:{port}", token=token, registry=home,
                          timeout=60)
        specs = {instrument: disp.describe(instrument) for instrument, _ in PRODUCTS}
        start = time.monotonic()
        pace = args.minutes * 60 / args.jobs
        next_sample = start
        submitted = 0
        while True:
            now = time.monotonic()
            if now >= next_sample:
                with outcomes.lock:
                    running = submitted - outcomes.finished
                samples.append(Sample(now - start, running, alive))
                print(samples[-1].line(), flush=True)
                next_sample += args.sample_every
            if submitted < args.jobs and now >= start + submitted * pace:
                instrument, product = PRODUCTS[submitted % len(PRODUCTS)]
                defaults = specs[instrument].defaults(product)
                # a slightly different energy range each time: a new job, not a cached answer
                e1 = float(defaults["E1_keV"]) * (1 + 0.001 * submitted)
                job = disp.submit(instrument, product, E1_keV=round(e1, 4))
                job.add_listener(outcomes.listener)
                alive.add(job)
                del job  # the notebook moves on: only the poller and the registry hold it
                submitted += 1
            if submitted >= args.jobs and outcomes.all_finished.is_set():
                break
            if now - start > args.minutes * 60 + 900:
                print("  giving up waiting: 15 minutes past the last submission")
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - start
        gc.collect()
        samples.append(Sample(elapsed, 0, alive))
        print(samples[-1].line(), flush=True)

        # every done job's products, read back by a fresh Dispatcher from the registry
        fresh = Dispatcher(f"http://127.0.0.1:{port}", token=token, registry=home)
        restored = {job.job_id for job in fresh.jobs()
                    if job.status is JobStatus.DONE and job.products is not None}
        for job in fresh.jobs():
            if not job.is_finished:
                job.cancel()
        fresh.close()
        disp.close()
    finally:
        os.killpg(sandbox.pid, 15)
        sandbox.wait(timeout=30)

    baseline = next((x for x in samples if x.t >= args.warmup), samples[0])
    after = [x for x in samples if x.t >= args.warmup] or samples
    last = samples[-1]
    print()
    print(f"{args.jobs} jobs over {args.minutes:.0f} min, {args.fault_rate:.0%} of requests "
          f"faulted; ran {elapsed:.0f} s")
    print(f"baseline: the first sample after the {args.warmup:.0f} s warm-up (t={baseline.t:.0f} s)")
    print(f"{'':24}{'baseline':>10}{'last':>10}{'ratio':>8}{'highest':>10}{'ratio':>8}")
    for label, attribute, unit in (("threads", "threads", ""), ("RSS", "rss", " MiB"),
                                   ("RSS after malloc_trim", "trimmed", " MiB"),
                                   ("objects (gc)", "objects", ""),
                                   ("Jobs alive", "jobs_alive", "")):
        first, final = getattr(baseline, attribute), getattr(last, attribute)
        highest = max(getattr(x, attribute) for x in after)
        ratio = f"x{final / first:.2f}" if first else "-"
        top = f"x{highest / first:.2f}" if first else "-"
        print(f"{label + unit:24}{first:>10.0f}{final:>10.0f}{ratio:>8}{highest:>10.0f}{top:>8}")
    with outcomes.lock:
        done, failed, unclear = set(outcomes.done), dict(outcomes.failed), list(outcomes.unclear)
        finished = outcomes.finished
    lost = done - restored
    print(f"jobs finished: {finished} of {args.jobs}; done {len(done)}, failed "
          f"{sum(failed.values())} {failed or ''}; unclear {len(unclear)}")
    for line in unclear:
        print(f"  unclear: {line}")
    print(f"done jobs whose products came back from the registry: {len(done & restored)} of "
          f"{len(done)}; lost {len(lost)} {sorted(lost) or ''}")
    ok = finished == args.jobs and not unclear and not lost
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
