"""Modules stay small enough to read in one sitting: a module of more than ``LIMIT`` lines is
allowed only when docs/architecture.md ("Modules over 600 lines") says why it is still one idea.

A note for a module that has shrunk below the limit, or that no longer exists, fails too: the page
must not defend what is not there.
"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "oda_widgets"
PAGE = ROOT / "docs" / "architecture.md"
LIMIT = 600
SECTION = "## Modules over 600 lines"


def _line_counts() -> dict[str, int]:
    return {
        path.relative_to(PACKAGE).as_posix(): len(path.read_text().splitlines())
        for path in PACKAGE.rglob("*.py")
        if "_aladin" not in path.parts
    }


def _noted_modules() -> dict[str, str]:
    """Module path -> the reason given, from the section's table rows ``| `path` | reason |``."""
    text = PAGE.read_text()
    assert SECTION in text, f"docs/architecture.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*`([^`]+\.py)`\s*\|\s*(.+?)\s*\|\s*$", section, flags=re.MULTILINE)
    return dict(rows)


def test_every_long_module_has_a_note_that_says_why_it_is_one_idea():
    noted = _noted_modules()
    long_ones = {name: n for name, n in _line_counts().items() if n > LIMIT}
    unexplained = sorted(f"{name} ({n} lines)" for name, n in long_ones.items() if name not in noted)
    assert not unexplained, (
        f"over {LIMIT} lines without a note in docs/architecture.md ({SECTION}): split the module "
        f"or say why it is one idea: {unexplained}"
    )
    assert all(len(reason) > 40 for reason in noted.values()), "a note says why, in a sentence"


def test_no_note_defends_a_module_that_is_short_or_gone():
    counts = _line_counts()
    stale = sorted(name for name in _noted_modules() if counts.get(name, 0) <= LIMIT)
    assert not stale, f"notes in {SECTION} for modules that are short now or gone: {stale}"
