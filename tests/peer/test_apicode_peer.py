"""The generated oda_api code runs unmodified under oda_api 1.3.5, against the real dispatcher."""

from __future__ import annotations

import os
import subprocess

import pytest

from oda_widgets.client import Dispatcher

pytestmark = pytest.mark.peer


def run_under_oda_api(python, code: str, token: str | None, cwd) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "ODA_TOKEN"}
    env["HOME"] = str(cwd)  # no ~/.oda-token of the machine's user
    if token:
        env["ODA_TOKEN"] = token
    script = code + "\nprint('ITEMS', sorted(data_collection._n_list))\n"
    return subprocess.run([str(python), "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_the_api_code_runs_under_oda_api_with_the_token_from_the_environment(
    real_dispatcher, odaapi_env, general_token, registry_root, tmp_path
):
    disp = Dispatcher(real_dispatcher.url, token=general_token, registry=registry_root)
    try:
        job = disp.submit("empty", "numerical", "Dummy", p=5)
        code = job.api_code()
    finally:
        disp.close()
    assert general_token not in code
    assert "oda_api.token.discover_token()" in code
    result = run_under_oda_api(odaapi_env, code, general_token, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ITEMS ['numerical_0']" in result.stdout


def test_without_a_token_the_same_code_meets_the_servers_refusal(
    real_dispatcher, odaapi_env, tmp_path
):
    code = Dispatcher(real_dispatcher.url, token="", registry=False).api_code(
        "empty", "numerical", "Dummy", p=5)
    result = run_under_oda_api(odaapi_env, code, None, tmp_path)
    assert result.returncode != 0
    assert "general" in result.stderr
