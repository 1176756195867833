"""The command line: tokens the sandbox accepts."""

from __future__ import annotations

import subprocess
import sys

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
