"""The ``mmoda`` tier: tests against today's platform, run inside the local MMODA peer's namespace.

``../shared/peers/mmoda`` runs the real 1.3.6 dispatcher with the nb2workflow plugin and its
services in a network namespace that has only loopback: a client reaches it only from inside
(``run CMD``). So one pytest command runs the tier in two steps. Outside the namespace the tests
marked ``mmoda`` are taken out of the run; after the others, the peer is set up (idempotent) and
started, the same tests run in a second pytest inside the namespace, and the peer is stopped
whatever happens (unless it was already running: then it is left as it was found). Inside
(``ODA_WIDGETS_MMODA_INSIDE=1``, set by this plugin) only the ``mmoda`` tests run.

Where the peer cannot run (it needs root) the tests stay in the outer run and skip with that
reason; where ``../shared`` is absent (a user's clone) they are among the tests that need it
(``support/shared.py``), skipped and counted on one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support import shared

PEER = Path(os.environ.get("ODA_WIDGETS_MMODA_PEER", shared.MMODA_PEER))
INSIDE = os.environ.get("ODA_WIDGETS_MMODA_INSIDE") == "1"
MARKER = "mmoda"

_deferred = pytest.StashKey[list[str]]()


def why_not_runnable() -> str | None:
    """Why the peer cannot run here, or None when it can."""
    if not (PEER / "start").is_file():
        return f"needs the local MMODA peer at {PEER} (../shared/peers/mmoda), absent here"
    if os.geteuid() != 0:
        return "needs root: the local MMODA peer runs in its own network namespace (unshare, nsenter)"
    return None


# last: after `-m` and `-k` have deselected, so that `scripts/test -m unit` starts no peer
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    ours = [item for item in items if item.get_closest_marker(MARKER)]
    if INSIDE:
        others = [item for item in items if not item.get_closest_marker(MARKER)]
        if others:
            config.hook.pytest_deselected(items=others)
        items[:] = ours
        return
    if not ours:
        return
    reason = why_not_runnable()
    if reason:
        for item in ours:
            item.add_marker(pytest.mark.skip(reason=reason))
        return
    config.hook.pytest_deselected(items=ours)
    items[:] = [item for item in items if not item.get_closest_marker(MARKER)]
    config.stash[_deferred] = [item.nodeid for item in ours]


def _script(name: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(PEER / name), *args], env=env, capture_output=True, text=True, check=False
    )


def _inner_arguments(config: pytest.Config) -> list[str]:
    """The outer run's options that still mean something for the chosen tests."""
    options = ["-p", "no:cacheprovider", "-ra"]
    verbosity = config.get_verbosity()
    if verbosity > 0:
        options.append("-" + "v" * verbosity)
    elif verbosity < 0:
        options.append("-q")
    if config.getoption("exitfirst", False):
        options.append("-x")
    return options


def _run_inside(config: pytest.Config, nodeids: list[str], say: Callable[[str], None]) -> int:
    env = dict(os.environ)
    # a peer already running from this state folder (a developer's) is used and left running
    # (its setup refuses to run under a running stack)
    started_here = _script("run", env, "true").returncode != 0
    if started_here:
        setup = _script("setup", env)
        if setup.returncode:
            say(f"peer setup failed:\n{setup.stdout}{setup.stderr}")
            return 1
        start = _script("start", env)
        if start.returncode:
            say(f"peer start failed:\n{start.stdout}{start.stderr}")
            return 1
        say(start.stdout.strip().splitlines()[-1])
    try:
        # streamed line by line: the tier takes minutes and a CI log should show it going
        with subprocess.Popen(
            ["bash", str(PEER / "run"), sys.executable, "-m", "pytest",
             *_inner_arguments(config), *nodeids],
            env={**env, "ODA_WIDGETS_MMODA_INSIDE": "1"}, cwd=config.rootpath,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        ) as inner:
            assert inner.stdout is not None
            for line in inner.stdout:
                say(line.rstrip("\n"))
        return inner.returncode
    finally:
        if started_here:
            stop = _script("stop", env)
            say(stop.stdout.strip() or "peer stopped")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Iterator[None]:
    yield
    nodeids = session.config.stash.get(_deferred, [])
    if not nodeids or session.shouldstop or session.config.option.collectonly:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    say = reporter.write_line if reporter is not None else print
    if reporter is not None:
        reporter.write_sep("=", f"mmoda tier: {len(nodeids)} tests inside the local MMODA peer")
    code = _run_inside(session.config, nodeids, say)
    if reporter is not None:
        reporter.write_sep("=", f"mmoda tier: {'passed' if code == 0 else 'FAILED'}")
    if code != 0:
        session.testsfailed += 1
