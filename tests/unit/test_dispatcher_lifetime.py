"""What a Dispatcher and its jobs hold on to, where they send the token, and how a script ends.

* ``Dispatcher.jobs()`` follows again only the registry's jobs made at its own URL: another URL
  (an old sandbox port now used by someone else, say) never receives this dispatcher's token.
* Finished jobs are not kept alive by the dispatcher or the poller, nor is a closed JobMonitor by
  its throttle thread.
* A script that ends while a request is in flight ends at once: the request workers are daemon
  threads, and the scheduler leaves cleanly.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from pathlib import Path

import jwt
import pytest
from support.scripted_dispatcher import ScriptedDispatcher, envelope

from oda_widgets.client import Dispatcher
from oda_widgets.client.jobs import Job, JobStatus
from oda_widgets.client.poller import Poller
from oda_widgets.client.registry import JobRecord, JobRegistry
from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.unit

# made here rather than written out: a test token, signed with a throwaway secret
TOKEN = jwt.encode({"sub": "user@example.org"}, "throwaway-secret-of-thirty-two-bytes", algorithm="HS256")
WAIT = 60
REPO = Path(__file__).resolve().parents[2]
DONE_PRODUCTS = {"analysis_parameters": {"p": 5.0}, "api_code": "print('no code')"}


class RecordingListener:
    """A real TCP listener standing for "another URL": it records every byte it receives."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.received = bytearray()
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.settimeout(1)
                try:
                    while chunk := conn.recv(65536):
                        self.received.extend(chunk)
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.sock.close()


def _record(url: str, job_id: str, status: str = "submitted") -> JobRecord:
    return JobRecord(job_id=job_id, session_id="SESSIONSESSION01", url=url, instrument="y",
                     product="image", parameters={"p": 6}, status=status,
                     submitted_at=time.time())


def test_jobs_follows_again_only_the_records_of_its_own_url(tmp_path):
    elsewhere = RecordingListener()
    poller = Poller()
    try:
        with ScriptedDispatcher() as server:
            server.script("y", [envelope("submitted", "1111222233334444")])
            registry = JobRegistry(tmp_path)
            registry.save_record(_record(elsewhere.url, "aaaaaaaaaaaaaaaa"))
            registry.save_record(_record(elsewhere.url, "bbbbbbbbbbbbbbbb", status="done"))
            # the same server written slightly differently is still this dispatcher's
            registry.save_record(_record(server.url.upper().replace("HTTP:", "http:") + "/",
                                         "1111222233334444"))
            disp = Dispatcher(server.url, token=TOKEN, registry=registry, poller=poller)
            try:
                jobs = disp.jobs()
                assert [job.job_id for job in jobs] == ["1111222233334444"]
                deadline = time.monotonic() + WAIT
                while not server.sent("y") and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert server.sent("y")[0]["token"] == TOKEN  # its own server gets the token
                time.sleep(0.3)  # time enough for a request to the other URL, were one sent
            finally:
                disp.close()
        assert elsewhere.connections == 0
        assert bytes(elsewhere.received) == b""
        assert all(job.url == disp.url for job in jobs)
    finally:
        poller.close()
        elsewhere.close()


def test_reattach_ignores_a_record_made_at_another_url(tmp_path):
    elsewhere = RecordingListener()
    poller = Poller()
    try:
        with ScriptedDispatcher() as server:
            server.script("y", [envelope("submitted", "aaaaaaaaaaaaaaaa")])
            registry = JobRegistry(tmp_path)
            registry.save_record(_record(elsewhere.url, "aaaaaaaaaaaaaaaa"))
            disp = Dispatcher(server.url, token=TOKEN, registry=registry, poller=poller)
            try:
                with pytest.raises(ValueError, match="no record of job"):
                    disp.reattach("aaaaaaaaaaaaaaaa", "SESSIONSESSION01")
                job = disp.reattach("aaaaaaaaaaaaaaaa", "SESSIONSESSION01", "y", "image", {})
                assert job.url == disp.url
                deadline = time.monotonic() + WAIT
                while not server.sent("y") and time.monotonic() < deadline:
                    time.sleep(0.02)
                assert server.sent("y")
            finally:
                disp.close()
        assert elsewhere.connections == 0
    finally:
        poller.close()
        elsewhere.close()


def _collected(ref: weakref.ref) -> bool:
    deadline = time.monotonic() + WAIT
    while ref() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.02)
    return ref() is None


def test_a_finished_job_and_its_products_are_not_kept_alive_by_the_client():
    poller = Poller()
    try:
        with ScriptedDispatcher() as server:
            server.script("x", [envelope("submitted", "aaaabbbbccccdddd"),
                                envelope("done", "aaaabbbbccccdddd", products=DONE_PRODUCTS)])
            disp = Dispatcher(server.url, token=TOKEN, registry=False, poller=poller,
                              poll_interval=0.02)
            job = disp.submit("x", "image", validate=False, p=5)
            assert job.wait(WAIT) is JobStatus.DONE
            assert disp.jobs() == [job]  # listed while the user holds it
            assert job not in disp._followed.values()  # nothing left to stop in close()
            job_ref, products_ref = weakref.ref(job), weakref.ref(job.products)
            del job
            assert _collected(job_ref) and _collected(products_ref)
            assert disp.jobs() == []
            disp.close()
    finally:
        poller.close()


def _throttle_thread(monitor) -> threading.Thread:
    return monitor._throttle._thread


@pytest.mark.parametrize("how", ["JobMonitor.close", "ipywidgets Widget.close"])
def test_a_closed_job_monitor_ends_its_thread_and_is_freed(how):
    import ipywidgets

    from oda_widgets.widgets.job_monitor import JobMonitor

    job = Job("x", "image", "Real", {}, url="http://127.0.0.1:9", session_id="S",
              job_id="aaaabbbbccccdddd", status=JobStatus.SUBMITTED)
    monitor = JobMonitor(job)
    thread = _throttle_thread(monitor)
    assert thread.is_alive()
    if how == "JobMonitor.close":
        monitor.close()
    else:
        ipywidgets.Widget.close(monitor)  # the base class's close, as close_all() would
    thread.join(WAIT)
    assert not thread.is_alive()
    ref = weakref.ref(monitor)
    del monitor
    # the job it showed is still alive, and holds no reference to the monitor
    assert _collected(ref)
    assert job.status is JobStatus.SUBMITTED


def test_a_script_ends_at_once_while_a_request_is_in_flight():
    server = start_sandbox(faults="slow=25")  # every run_analysis answer takes 25 s
    script = textwrap.dedent(f"""
        import time
        from oda_widgets.client import Dispatcher

        disp = Dispatcher({server.url!r}, token="", registry=False)
        job = disp.submit("isgri", "isgri_image", validate=False, RA=83.63, DEC=22.01)
        time.sleep(1.0)  # the first request is now in flight, for 25 s
        print(job.status.value, flush=True)
    """)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        # a functional check, not a benchmark: the child must not wait for the slow answer
        out, err = child.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        pytest.fail("the script waited for the in-flight request instead of exiting")
    finally:
        server.stop()
    assert child.returncode == 0, err
    assert out.strip() == "prepared"  # it really was still waiting for the first answer
    assert "Traceback" not in err and "cannot schedule" not in err
