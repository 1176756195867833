"""Under the README's test command a skip is a failure that keeps its reason; by hand it is a skip.

Each case runs pytest on a small test file next to a copy of the suite's own ``tests/conftest.py``
(the hooks under test), with and without ``ODA_WIDGETS_NO_SKIPS=1`` as ``scripts/test`` sets it.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

CASES = {
    "test_skips.py": 'import pytest\n\ndef test_browser():\n    pytest.skip("no Chromium at /usr/bin/chromium")\n',
    "test_module_skips.py": 'import pytest\n\npytest.importorskip("no_such_peer_module")\n\ndef test_peer():\n    pass\n',
    "test_expected_failure.py": 'import pytest\n\n@pytest.mark.xfail(reason="known")\ndef test_known():\n    assert False\n',
}


def _run(tmp_path: Path, name: str, no_skips: bool) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text(CONFTEST.read_text())
    (tmp_path / name).write_text(CASES[name])
    env = {k: v for k, v in os.environ.items() if k != "ODA_WIDGETS_NO_SKIPS"}
    if no_skips:
        env["ODA_WIDGETS_NO_SKIPS"] = "1"
    # the suite's conftest loads its plugins from tests/support
    env["PYTHONPATH"] = os.pathsep.join([str(CONFTEST.parent), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA",
                           "-c", os.devnull, "--rootdir", str(tmp_path), name],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_a_skipped_test_fails_with_its_reason(tmp_path):
    done = _run(tmp_path, "test_skips.py", no_skips=True)
    assert done.returncode == 1, done.stdout
    assert "1 failed" in done.stdout
    assert "skipped under the test command" in done.stdout
    assert "no Chromium at /usr/bin/chromium" in done.stdout


def test_a_skipped_module_fails_with_its_reason(tmp_path):
    done = _run(tmp_path, "test_module_skips.py", no_skips=True)
    assert done.returncode != 0, done.stdout
    assert "no_such_peer_module" in done.stdout
    assert "skipped under the test command" in done.stdout


@pytest.mark.parametrize("name", ["test_skips.py", "test_module_skips.py"])
def test_by_hand_a_skip_stays_a_skip(tmp_path, name):
    done = _run(tmp_path, name, no_skips=False)
    # 5 is pytest's "no test ran" (the only test's module was skipped): not a failure
    assert done.returncode in (0, 5), done.stdout
    assert "1 skipped" in done.stdout


def test_an_expected_failure_is_not_a_skip(tmp_path):
    done = _run(tmp_path, "test_expected_failure.py", no_skips=True)
    assert done.returncode == 0, done.stdout
    assert "1 xfailed" in done.stdout
