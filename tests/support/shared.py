"""``../shared``: what some tests read from beside the clone, named once.

The folder beside the repository holds the reference material: the answers recorded from the
real dispatchers 1.3.3 and 1.3.6 (``data/dispatcher-1.3.3``, ``data/dispatcher-1.3.6``), real
INTEGRAL products (``data/integral``) and the local MMODA peer (``peers/mmoda``). CI has it; a
user's clone has not.

A test that reads it says so with ``@pytest.mark.shared`` (or in ``pytestmark``), and takes its
paths from here; a fixture that reads it (pytest puts no marks on fixtures) asks for the
``shared_data`` fixture, and every test using it is counted as marked. Where ``../shared`` is
absent such a test is skipped with :data:`ABSENT` before it runs, and the run reports those skips
on one line; under the README's test command every other skip is still a failure
(``tests/conftest.py``). Where ``../shared`` is present a missing file in it is a broken set-up:
the test fails on it rather than skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
"""The one place the tests look for reference material."""

PRESENT = SHARED.is_dir()
MARKER = "shared"
FIXTURE = "shared_data"
ABSENT = "needs the reference data in ../shared, absent here"

DATA = SHARED / "data"
CAPTURES_133 = DATA / "dispatcher-1.3.3"
CAPTURES_136 = DATA / "dispatcher-1.3.6"
INTEGRAL = DATA / "integral"
MMODA_PEER = SHARED / "peers" / "mmoda"


def needs_shared(item: pytest.Item) -> bool:
    """Whether ``item`` reads ``../shared``: marked ``shared``, using the ``shared_data`` fixture,
    or in the mmoda tier while its peer is the one in ``../shared`` (``ODA_WIDGETS_MMODA_PEER``
    may name another)."""
    if item.get_closest_marker(MARKER) or FIXTURE in getattr(item, "fixturenames", ()):
        return True
    return bool(item.get_closest_marker("mmoda")) and not os.environ.get("ODA_WIDGETS_MMODA_PEER")


def skips_for_absence(item: pytest.Item) -> bool:
    """Whether ``item`` is skipped here because ``../shared`` is absent."""
    return not PRESENT and needs_shared(item)
