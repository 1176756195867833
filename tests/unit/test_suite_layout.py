"""The suite's own layout, which keeps a clone's test command working anywhere.

Helpers live in ``tests/support`` only; ``../shared`` is named in ``tests/support/shared.py``
only (a test says it reads it with the ``shared`` mark); benchmarks reach the harness through
``benchmarks/harness.py``, never by putting ``tests`` on ``sys.path``; and no two test modules
share a name, which pytest's default import mode cannot collect together.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent
SUPPORT = TESTS / "support"


def _python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_two_test_modules_share_a_name():
    names = Counter(p.name for p in _python_files(TESTS)
                    if p.name.startswith("test_") and SUPPORT not in p.parents)
    assert [name for name, count in names.items() if count > 1] == []


def test_helpers_live_in_tests_support_only():
    strays = [str(p.relative_to(TESTS)) for p in _python_files(TESTS)
              if SUPPORT not in p.parents and not p.name.startswith("test_")
              and p.name != "conftest.py"]
    assert strays == []


def test_no_test_module_imports_another():
    importing = [str(p.relative_to(TESTS)) for p in _python_files(TESTS)
                 if re.search(r"^\s*(from|import) test_\w+", p.read_text(), flags=re.M)]
    assert importing == []


def test_the_path_to_shared_is_built_in_one_place():
    # the folder beside the clone, as REPO.parent or Path(__file__).parents[3], then "shared"
    builds = re.compile(r"""(\.parent|\.parents\[\d\])\s*/\s*["']shared["']""")
    elsewhere = [str(p.relative_to(REPO)) for p in _python_files(TESTS) + _python_files(REPO / "benchmarks")
                 if p != SUPPORT / "shared.py" and builds.search(p.read_text())]
    assert elsewhere == []


def test_benchmarks_do_not_put_the_tests_on_their_path():
    reaching = [p.name for p in _python_files(REPO / "benchmarks")
                if p.name != "harness.py" and re.search(r"""["']tests["']|import support|from support""",
                                                        p.read_text())]
    assert reaching == []
