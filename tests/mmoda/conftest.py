"""Fixtures of the mmoda tier: today's platform (dispatcher 1.3.6 with nb2workflow), reached from
inside the local peer's namespace (tests/support/mmoda_tier.py runs this tier there). The browser
harness's fixtures (registered in tests/conftest.py) start JupyterLab and Chromium there too."""

from __future__ import annotations

import os

import pytest

from oda_widgets.client.dispatcher import Dispatcher

__all__ = ["mmoda", "mmoda_url"]


@pytest.fixture(scope="session")
def mmoda_url() -> str:
    """The peer's dispatcher as production serves it: ``.../mmoda/dispatch-data`` (set by ``run``)."""
    url = os.environ.get("DISPATCHER_URL")
    if not url:
        pytest.fail("DISPATCHER_URL is not set: the mmoda tier runs inside the peer (run CMD)")
    return url


@pytest.fixture
def mmoda(mmoda_url: str, tmp_path) -> Dispatcher:
    """A client of the peer with no token and a job registry of the test's own."""
    dispatcher = Dispatcher(mmoda_url, token="", registry=False, poll_interval=0.5)
    yield dispatcher
    dispatcher.close()
