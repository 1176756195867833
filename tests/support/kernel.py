"""A real ipykernel driven through jupyter_client, as a notebook front end drives it."""

from __future__ import annotations

import queue
import time
from typing import Any

from jupyter_client import KernelManager


class Kernel:
    """Start a kernel, run cells, watch IOPub, restart it.

    Parameters
    ----------
    env : dict
        The kernel's environment (e.g. ``ODA_WIDGETS_HOME`` pointing into the test's folder).
    """

    def __init__(self, env: dict[str, str]) -> None:
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env)
        self.comm_messages: list[float] = []  # when each widget message was seen on IOPub
        self._connect()

    def _connect(self) -> None:
        self.client: Any = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=120)

    def _drain_iopub(self, until_idle_of: str | None = None, timeout: float = 120) -> list[dict]:
        """Read IOPub (counting widget messages) until ``until_idle_of``'s cell is idle, or
        until IOPub is quiet when no cell is named; the outputs of that cell."""
        outputs: list[dict] = []
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if until_idle_of is None:
                    return outputs
                raise TimeoutError(f"the cell did not finish within {timeout} s")
            try:
                msg = self.client.get_iopub_msg(timeout=min(remaining, 0.2))
            except queue.Empty:
                if until_idle_of is None:
                    return outputs
                continue
            kind = msg["msg_type"]
            if kind == "comm_msg":
                self.comm_messages.append(time.monotonic())
            if until_idle_of is None or msg["parent_header"].get("msg_id") != until_idle_of:
                continue
            if kind in ("execute_result", "stream", "error"):
                outputs.append(msg)
            if kind == "status" and msg["content"]["execution_state"] == "idle":
                return outputs

    def _reply(self, msg_id: str, timeout: float) -> dict:
        while True:
            reply = self.client.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply

    def run(self, code: str, timeout: float = 120) -> str:
        """Execute ``code``; its text result (AssertionError with the traceback if it failed)."""
        msg_id = self.client.execute(code)
        outputs = self._drain_iopub(until_idle_of=msg_id, timeout=timeout)
        reply = self._reply(msg_id, timeout)
        if reply["content"]["status"] != "ok":
            raise AssertionError("cell failed:\n" + "\n".join(reply["content"].get("traceback", [])))
        texts = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
        return texts[-1] if texts else ""

    def reply_time(self, code: str, timeout: float = 120) -> float:
        """Send ``code``; the moment (``time.time()``) its execute_reply arrived."""
        msg_id = self.client.execute(code)
        reply = self._reply(msg_id, timeout)
        arrived = time.time()
        assert reply["content"]["status"] == "ok", reply["content"]
        self._drain_iopub(until_idle_of=msg_id, timeout=timeout)
        return arrived

    def count_comm_messages(self, seconds: float) -> int:
        """Listen to IOPub for ``seconds``; how many widget messages went by."""
        before = len(self.comm_messages)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self._drain_iopub(timeout=end - time.monotonic())
        return len(self.comm_messages) - before

    def wait_until(self, expression: str, timeout: float = 120) -> None:
        """Evaluate ``expression`` every half second until it is ``True``."""
        deadline = time.monotonic() + timeout
        while self.run(expression) != "True":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} still false after {timeout} s")
            time.sleep(0.5)

    def restart(self) -> None:
        """Restart the kernel, as the notebook's Restart Kernel does."""
        self.client.stop_channels()
        self.manager.restart_kernel(now=True)
        self._connect()

    def shutdown(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
