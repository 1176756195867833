"""Fixtures of the unit tier."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.scripted_dispatcher import ScriptedDispatcher


@pytest.fixture
def server() -> Iterator[ScriptedDispatcher]:
    """A scripted dispatcher on a loopback port (real HTTP), stopped after the test."""
    with ScriptedDispatcher() as running:
        yield running
