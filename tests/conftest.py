"""Settings shared by every test tier."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from support import shared

# the mmoda tier runs its tests inside the local MMODA peer's namespace (tests/support/mmoda_tier.py);
# the browser harness's fixtures are registered once, here: two registrations (one per tier's
# conftest) would be two session-wide Playwrights in one thread, which Playwright refuses
pytest_plugins = ["support.mmoda_tier", "support.browser_harness"]

# No per-example deadline: hypothesis's 200 ms default is a wall-clock limit in disguise, and on
# a loaded CI machine a slow example would fail for the machine's sake, not the code's.
settings.register_profile("oda_widgets", deadline=None)
settings.load_profile("oda_widgets")


# --- ../shared: absent in a user's clone, reported on one line -------------------------------------
# A test that reads the reference data beside the clone is marked `shared`, or uses the fixture
# `shared_data` (tests/support/shared.py).
# Where ../shared is absent it is skipped before it runs, with one reason, and every such skip is
# folded into one line of the summary ("SKIPPED [N] ../shared: needs the reference data ...").
@pytest.hookimpl(tryfirst=True)
def _browser_tier_last(items: list[pytest.Item]) -> None:
    """Run the browser tests after every other tier.

    Playwright's sync API marks its event loop as running in the main thread from its start to
    its stop (the end of the session): a test run after it that builds a view would find a
    running loop where only a kernel has one (the light curve then sends its controls on the
    loop's next turn, which never comes). The other tiers must see the thread as a script does.
    """
    browser = Path(__file__).resolve().parent / "browser"
    items.sort(key=lambda item: browser in Path(item.path).parents)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _browser_tier_last(items)
    if shared.PRESENT:
        return
    for item in items:
        if shared.needs_shared(item):
            # first, so that it is the reason given (ahead of e.g. an empty parameter list's)
            item.add_marker(pytest.mark.skip(reason=shared.ABSENT), append=False)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``, for a fixture that reads it (a fixture cannot carry the mark)."""
    return shared.DATA


def _fold_into_one_line(report: pytest.TestReport) -> None:
    report.longrepr = (str(shared.SHARED), None, shared.ABSENT)


# --- under the README's test command a skip is a failure -------------------------------------------
# scripts/test installs every part a test needs (Chromium, Playwright, the real dispatcher, oda_api)
# and sets ODA_WIDGETS_NO_SKIPS=1: a test that still skips there has found a broken set-up, which
# must turn the run red rather than pass unnoticed. The one exception is ../shared, which the test
# command cannot install: a clone without it is green, with the count of what it could not run.
# A developer running one tier by hand keeps skips.
NO_SKIPS = os.environ.get("ODA_WIDGETS_NO_SKIPS") == "1"


def _as_failure(report: pytest.TestReport | pytest.CollectReport) -> None:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped under the test command, which must run every test: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    if shared.skips_for_absence(item):
        _fold_into_one_line(report)
    elif NO_SKIPS:
        _as_failure(report)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if NO_SKIPS and report.skipped:
        _as_failure(report)
