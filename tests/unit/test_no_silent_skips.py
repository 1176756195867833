"""Under the README's test command a skip is a failure that keeps its reason; by hand it is a skip.

The one exception is ``../shared``: a clone without it skips the tests that read it, counts them
on one line, and stays green. Each case runs pytest on a small test file in a clone made here (the
suite's own ``tests/conftest.py`` and the ``tests/support`` modules it loads, the hooks under test),
with ``../shared`` beside it or not, with and without ``ODA_WIDGETS_NO_SKIPS=1`` as ``scripts/test``
sets it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parents[1]
CONFTEST = TESTS / "conftest.py"

READS_SHARED = (
    "import pytest\n"
    "from support import shared\n\n"
    "@pytest.mark.shared\n"
    "def test_marked():\n"
    "    assert (shared.DATA / 'answer.json').read_text() == '42'\n\n"
    "@pytest.fixture\n"
    "def answer(shared_data):\n"
    "    return (shared_data / 'answer.json').read_text()\n\n"
    "def test_through_a_fixture(answer):\n"
    "    assert answer == '42'\n\n"
    "@pytest.mark.shared\n"
    "@pytest.mark.parametrize('path', sorted(shared.DATA.glob('*.json')))\n"
    "def test_each_file(path):\n"
    "    assert path.read_text() == '42'\n\n"
    "def test_without():\n"
    "    pass\n"
)

CASES = {
    "test_skips.py": 'import pytest\n\ndef test_browser():\n    pytest.skip("no Chromium at /usr/bin/chromium")\n',
    "test_module_skips.py": 'import pytest\n\npytest.importorskip("no_such_peer_module")\n\ndef test_peer():\n    pass\n',
    "test_expected_failure.py": 'import pytest\n\n@pytest.mark.xfail(reason="known")\ndef test_known():\n    assert False\n',
    "test_reads_shared.py": READS_SHARED,
}
CASES["test_reads_shared_and_skips.py"] = READS_SHARED + CASES["test_skips.py"].split("\n", 2)[2]


def _run(tmp_path: Path, name: str, no_skips: bool, shared: bool = True) -> subprocess.CompletedProcess:
    """Run ``name`` in a clone at ``tmp_path/clone``, with ``tmp_path/shared`` beside it if ``shared``."""
    tests = tmp_path / "clone" / "tests"
    # tests/support whole: the conftest registers plugins from it (the mmoda tier, the harness)
    shutil.copytree(TESTS / "support", tests / "support",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFTEST, tests / "conftest.py")
    (tests / name).write_text(CASES[name])
    if shared:
        (tmp_path / "shared" / "data").mkdir(parents=True)
        (tmp_path / "shared" / "data" / "answer.json").write_text("42")
    env = {k: v for k, v in os.environ.items()
           if k not in ("ODA_WIDGETS_NO_SKIPS", "ODA_WIDGETS_MMODA_PEER")}
    if no_skips:
        env["ODA_WIDGETS_NO_SKIPS"] = "1"
    # the suite's conftest loads its plugins from tests/support
    env["PYTHONPATH"] = os.pathsep.join([str(tests), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-ra",
                           "-c", os.devnull, "--rootdir", str(tests.parent), str(tests / name)],
                          cwd=tests.parent, env=env, capture_output=True, text=True, timeout=120)


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


def test_without_shared_its_tests_skip_on_one_line_and_the_run_is_green(tmp_path):
    done = _run(tmp_path, "test_reads_shared.py", no_skips=True, shared=False)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 3 skipped" in done.stdout
    lines = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert lines == ["SKIPPED [3] ../shared: needs the reference data in ../shared, absent here"]


def test_with_shared_its_tests_run(tmp_path):
    done = _run(tmp_path, "test_reads_shared.py", no_skips=True, shared=True)
    assert done.returncode == 0, done.stdout
    assert "4 passed" in done.stdout and "skipped" not in done.stdout


def test_without_shared_any_other_skip_still_fails(tmp_path):
    done = _run(tmp_path, "test_reads_shared_and_skips.py", no_skips=True, shared=False)
    assert done.returncode == 1, done.stdout
    assert "1 failed, 1 passed, 3 skipped" in done.stdout
    assert "skipped under the test command, which must run every test" in done.stdout
    assert "no Chromium at /usr/bin/chromium" in done.stdout
