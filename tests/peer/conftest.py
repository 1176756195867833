"""The real ODA dispatcher (cdci-data-analysis 1.3.3) as a test peer.

A session fixture starts the dispatcher's own server, in its own Python environment, with its
built-in test instruments (``DISPATCHER_DEBUG_MODE=yes``), on a free local port, from a working
folder of its own. Helpers drive its asynchronous test backend (``empty-async``) the way a real
backend would: by writing the status file it reads and calling the dispatcher's ``/call_back``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
import requests
from support.environments import odaapi_python, peer_python
from support.processes import stop_process_group

REPO_ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "secretkey_test"

CONFIG_TEMPLATE = """\
dispatcher:
    dummy_cache: dummy-cache
    products_url: http://127.0.0.1:{port}/frontend
    dispatcher_callback_url_base: http://127.0.0.1:{port}
    sentry_url:
    logstash_host:
    logstash_port:
    secret_key: '{secret}'
    bind_options:
        bind_host: 127.0.0.1
        bind_port: {port}
    email_options:
        smtp_server: 'localhost'
        sender_email_address: 'team@example.org'
        cc_receivers_email_addresses: []
        bcc_receivers_email_addresses: []
        smtp_port: 61025
        smtp_server_password: ''
        email_sending_timeout: True
        email_sending_timeout_default_threshold: 1800
        email_sending_job_submitted: True
        email_sending_job_submitted_default_interval: 60
        sentry_for_email_sending_check: False
        incident_report_email_options:
            incident_report_sender_email_address: 'postmaster@example.org'
            incident_report_receivers_email_addresses: []
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_token(roles: str | list[str] = "general", lifetime_s: float = 3600, **claims) -> str:
    """An HS256 JWT signed with the test dispatcher's secret key."""
    payload = {
        "sub": "tester@example.org",
        "email": "tester@example.org",
        "name": "tester",
        "roles": roles,
        "exp": int(time.time() + lifetime_s),
        # no e-mails from the dispatcher about our test jobs
        "msdone": False,
        "mssub": False,
        "msfail": False,
        "mstout": False,
    }
    payload.update(claims)
    with warnings.catch_warnings():
        # the test dispatcher's secret is short on purpose; PyJWT warns about it
        warnings.simplefilter("ignore")
        return jwt.encode(payload, SECRET_KEY, algorithm="HS256")


@dataclass
class RealDispatcher:
    """A running dispatcher: its URL, working folder and process."""

    url: str
    workdir: Path
    process: subprocess.Popen
    log_path: Path

    def set_backend_status(self, status: str | None) -> None:
        """Say what the ``empty-async`` backend reports next (``None``: submitted)."""
        state = self.workdir / "DataServerQuery-status.state"
        if status is None:
            state.unlink(missing_ok=True)
        else:
            state.write_text(status)

    def call_back(self, job_id: str, session_id: str, action: str, **fields: str) -> None:
        """Send the dispatcher the callback a backend sends (``progress``, ``done``, ``failed``)."""
        params = {
            "job_id": job_id,
            "session_id": session_id,
            "instrument_name": "empty-async",
            "action": action,
            "node_id": fields.pop("node_id", f"node_{action}"),
            "message": fields.pop("message", action),
        }
        params.update(fields)
        answer = requests.get(f"{self.url}/call_back", params=params, timeout=30)
        answer.raise_for_status()

    def log_tail(self, n_chars: int = 3000) -> str:
        """The end of the server's log, for failure messages."""
        try:
            return self.log_path.read_text(errors="replace")[-n_chars:]
        except OSError:
            return ""


def _wait_until_ready(url: str, process: subprocess.Popen, deadline_s: float) -> bool:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            return False
        try:
            answer = requests.get(f"{url}/api/instr-list", params={"instrument": "mock"}, timeout=5)
            if answer.status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


@pytest.fixture(scope="session")
def real_dispatcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealDispatcher]:
    """Start the real dispatcher 1.3.3 for the test session; stop it (and its children) after."""
    python = peer_python()
    server_script = python.parent / "run_osa_cdci_server.py"
    if not server_script.exists():
        pytest.skip(f"{server_script} is missing: cdci-data-analysis is not installed there")

    root = tmp_path_factory.mktemp("dispatcher")
    workdir = root / "work"
    workdir.mkdir()
    port = free_port()
    config = root / "conf_env.yml"
    config.write_text(CONFIG_TEMPLATE.format(port=port, secret=SECRET_KEY))
    log_path = root / "dispatcher.log"
    env = dict(os.environ, DISPATCHER_DEBUG_MODE="yes")
    with open(log_path, "wb") as log:
        # its own process group, so that stopping it also stops any child it starts
        process = subprocess.Popen(
            [str(python), str(server_script), "-conf_file", str(config), "--log-config", ":info"],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    server = RealDispatcher(url=url, workdir=workdir, process=process, log_path=log_path)
    try:
        if not _wait_until_ready(url, process, deadline_s=120):
            pytest.fail(f"the real dispatcher did not start; its log ends with:\n{server.log_tail()}")
        yield server
    finally:
        stop_process_group(process)


@pytest.fixture()
def async_backend(real_dispatcher: RealDispatcher) -> Iterator[RealDispatcher]:
    """The dispatcher with the ``empty-async`` backend reset to 'submitted' before and after."""
    real_dispatcher.set_backend_status(None)
    yield real_dispatcher
    real_dispatcher.set_backend_status(None)


@pytest.fixture()
def general_token() -> str:
    """A valid token with the role ``general`` (what the ``numerical`` products ask for)."""
    return make_token("general")


@pytest.fixture()
def registry_root(tmp_path: Path) -> Path:
    """A job registry folder of the test's own (never the user's ~/.oda_widgets)."""
    return tmp_path / "registry"


@pytest.fixture(scope="session")
def token_factory():
    """``make_token(roles, lifetime_s, **claims)``: signed tokens for the test dispatcher."""
    return make_token


@pytest.fixture(scope="session")
def odaapi_env() -> Path:
    """The Python of the oda_api 1.3.5 environment (skips when it is not installed)."""
    return odaapi_python()
