"""Stopping the servers the tests start (JupyterLab, the real dispatcher) with all they spawned."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen, grace: float = 15) -> None:
    """Stop ``process`` and its process group (kernels, reloader children): TERM, then KILL.

    The process must have been started with ``start_new_session=True`` so that its group is
    its own and nothing else is signalled.
    """
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
