"""The command line: tokens the sandbox accepts, and the demo (sandbox + JupyterLab)."""

from __future__ import annotations

import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import jwt
import pytest
import requests

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox


def test_token_command_prints_a_token_the_sandbox_accepts():
    with start_sandbox(secret="a-classroom-secret-of-32-bytes!!") as sandbox:
        printed = subprocess.run(
            [sys.executable, "-m", "oda_widgets.cli", "sandbox", "token", "--roles",
             "general,unige-hpc-full", "--email", "teacher@example.org", "--hours", "2",
             "--secret", sandbox.secret],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
        claims = jwt.decode(printed, sandbox.secret, algorithms=["HS256"])
        assert claims["roles"] == "general,unige-hpc-full"
        assert claims["sub"] == "teacher@example.org"
        # more than 50 pointings needs unige-hpc-full: this token has it
        answer = requests.get(f"{sandbox.url}/run_analysis", params={
            "instrument": "isgri", "product_type": "isgri_image", "query_type": "Real",
            "query_status": "new", "max_pointings": "60", "token": printed,
            "scw_list": "066500220010.001"})
        assert answer.status_code == 200 and answer.json()["query_status"] == "submitted"


def test_token_command_without_secret_says_what_to_give():
    result = subprocess.run([sys.executable, "-m", "oda_widgets.cli", "sandbox", "token"],
                            capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert "--secret" in result.stderr


def _start_demo(tmp_path):
    """``oda-widgets demo --no-browser`` on a copy of notebooks/; its process and printed URLs."""
    pytest.importorskip("jupyterlab")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "explorer.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, '
                                              '"nbformat_minor": 5}')
    output = (tmp_path / "demo.out").open("w+")
    demo = subprocess.Popen(
        [sys.executable, "-m", "oda_widgets.cli", "demo", "--no-browser", "--lab-port", "0",
         "--duration", "0", "--notebooks", str(notebooks), "--workdir", str(tmp_path / "run")],
        stdout=output, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter_config"),
                 JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter_runtime")),
    )
    deadline = time.monotonic() + 180  # a guard against a hung start, not a speed requirement
    text = ""
    while time.monotonic() < deadline and demo.poll() is None:
        text = (tmp_path / "demo.out").read_text()
        if "Press Ctrl-C" in text:
            break
        time.sleep(0.5)
    assert "Press Ctrl-C" in text, f"the demo did not come up:\n{text}"
    lab = re.search(r"JupyterLab:\s+(http://\S+)", text).group(1)
    sandbox = re.search(r"sandbox dispatcher:\s+(http://[0-9.:]+)", text).group(1)
    return demo, lab, sandbox


def own_sessions_among_children(pid: int) -> list[int]:
    """Process groups of ``pid``'s children that lead their own session (JupyterLab's).

    The demo starts JupyterLab with ``start_new_session=True``: a SIGKILL of the demo alone would
    leave it running, so its group is found (from /proc) while the demo is up and stopped apart.
    """
    groups = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended while being read
        child, parent, group, session = int(stat.parent.name), int(fields[1]), int(fields[2]), int(fields[3])
        if parent == pid and child == group == session:
            groups.append(group)
    return groups


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def stop_demo(demo: subprocess.Popen, lab_groups: list[int], grace: float = 30) -> None:
    """Stop the demo as a user would (SIGTERM), then whatever is left: the demo, JupyterLab's group."""
    if demo.poll() is None:
        demo.terminate()
        try:
            demo.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait(timeout=30)
    for group in lab_groups:
        deadline = time.monotonic() + grace
        if _group_alive(group):
            os.killpg(group, signal.SIGTERM)
        while _group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _group_alive(group):
            os.killpg(group, signal.SIGKILL)


def kernel_sees(connection_file, variable: str) -> str | None:
    """The value of an environment variable inside a running kernel."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient(connection_file=str(connection_file))
    client.load_connection_file()
    client.start_channels()
    try:
        # on a loaded machine a starting kernel may take longer than the one second
        # wait_for_ready gives a kernel_info reply before asking the heartbeat, whose first beat
        # may not have come yet: it then says the kernel died. Ask again until a guard deadline.
        deadline = time.monotonic() + 120
        while True:
            try:
                client.wait_for_ready(timeout=60)
                break
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        reply = client.execute_interactive(
            "import os", user_expressions={"value": f"os.environ.get({variable!r})"}, timeout=60)
    finally:
        client.stop_channels()
    data = reply["content"]["user_expressions"]["value"]["data"]["text/plain"]
    return ast.literal_eval(data)


def _down(url: str) -> bool:
    try:
        requests.get(url, timeout=3)
    except requests.ConnectionError:
        return True
    return False


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_demo_serves_lab_and_sandbox_and_stops_both(tmp_path, stop_signal):
    demo, lab_link, sandbox_url = _start_demo(tmp_path)
    lab_groups = own_sessions_among_children(demo.pid)
    try:
        assert len(lab_groups) == 1, f"JupyterLab's own session among the demo's children: {lab_groups}"
        parts = urllib.parse.urlsplit(lab_link)
        lab_base = f"{parts.scheme}://{parts.netloc}"
        token = urllib.parse.parse_qs(parts.query)["token"][0]
        # the printed link opens the class notebook in a logged-in JupyterLab
        assert parts.path == "/lab/tree/explorer.ipynb"
        # which asks nothing about news (its page config turns the news off, and its settings
        # the "news?" toast)
        page = requests.get(f"{lab_base}/lab", params={"token": token}, timeout=60).text
        found = re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)'
                          r"</script>", page, re.S)
        assert found and json.loads(found.group(1))["news"] == {"disabled": True}
        setting = requests.get(
            f"{lab_base}/lab/api/settings/@jupyterlab/apputils-extension:notification",
            params={"token": token}, timeout=60).json()
        assert setting["settings"]["fetchNews"] == "false"
        # on a copy of the notebooks: what the class runs and saves stays out of the clone
        copy = tmp_path / "run" / "notebooks"
        assert (copy / "explorer.ipynb").is_file()
        assert str(copy) in (tmp_path / "demo.out").read_text()
        contents = requests.get(f"{lab_base}/api/contents", params={"token": token},
                                timeout=60).json()
        assert [c["name"] for c in contents["content"]] == ["explorer.ipynb"]
        requests.put(f"{lab_base}/api/contents/new.txt", params={"token": token},
                     json={"type": "file", "format": "text", "content": "x"}, timeout=60)
        assert (copy / "new.txt").is_file() and not (tmp_path / "notebooks" / "new.txt").exists()
        status = requests.get(f"{lab_base}/api/status", params={"token": token}, timeout=30)
        assert status.status_code == 200 and "started" in status.json()
        assert requests.get(f"{lab_base}/api/status", timeout=30).status_code == 403
        # the sandbox named by the demo answers as a dispatcher
        instruments = requests.get(f"{sandbox_url}/api/instr-list",
                                   params={"instrument": "mock"}, timeout=30)
        assert instruments.json() == ["isgri", "jemx", "spi_acs", "polar", "gev_sky"]
        # and a notebook's kernel is told where it is
        kernel = requests.post(f"{lab_base}/api/kernels", params={"token": token},
                               json={"name": "python3"}, timeout=120).json()
        assert kernel_sees(tmp_path / "jupyter_runtime" / f"kernel-{kernel['id']}.json",
                           "ODA_WIDGETS_SANDBOX_URL") == sandbox_url

        demo.send_signal(stop_signal)
        assert demo.wait(timeout=120) == 0
        # the demo stopped JupyterLab's session (kernels too) itself, not the cleanup below
        deadline = time.monotonic() + 30  # a guard for processes still exiting, not a speed limit
        while _group_alive(lab_groups[0]) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _group_alive(lab_groups[0]), "JupyterLab's processes outlived the demo"
    finally:
        stop_demo(demo, lab_groups)
    assert _down(f"{lab_base}/api/status") and _down(f"{sandbox_url}/api/instr-list")
    assert "demo stopped" in (tmp_path / "demo.out").read_text()
