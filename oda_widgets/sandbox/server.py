"""Running a sandbox dispatcher: in a background thread (tests, notebooks) or in the foreground (CLI).

``start_sandbox(port=0)`` serves on 127.0.0.1 at a free port with werkzeug's threaded server and
returns a :class:`SandboxServer`; ``stop()`` (or leaving the ``with`` block) shuts it down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import create_app
from .generations import CURRENT
from .tokens import make_token, new_secret

__all__ = ["SandboxServer", "PathOnlyLogHandler", "start_sandbox"]


class PathOnlyLogHandler(WSGIRequestHandler):
    """Logs each request by its method, path and status, never its query string: a GET's query
    holds the client's token, and the log is shown on the terminal and kept in files."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = self.path.split("?", 1)[0]
        self.log("info", '"%s %s" %s %s', self.command, path, code, size)


class _QuietHandler(WSGIRequestHandler):
    """Serves without a log line per request (an in-process sandbox would flood test output)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SandboxServer:
    """A sandbox dispatcher serving in a background thread.

    Attributes
    ----------
    url : str
        The dispatcher base URL (``http://127.0.0.1:<port>``), what clients take as ``url``.
    secret : str
        The token-signing secret.
    app : flask.Flask
        The application.
    """

    def __init__(self, app: Any, host: str, port: int, secret: str) -> None:
        self.app = app
        self.secret = secret
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"oda-sandbox-{self.port}", daemon=True
        )
        self._thread.start()

    def make_token(self, roles: Iterable[str] = ("general",), hours: float = 24.0,
                   **claims: Any) -> str:
        """A token this sandbox accepts (see :func:`oda_widgets.sandbox.tokens.make_token`)."""
        return make_token(self.secret, roles, hours=hours, **claims)

    def set_faults(self, spec: str | None) -> None:
        """Replace the fault plan (see :mod:`oda_widgets.sandbox.faults`); None turns faults off."""
        self.app.extensions["oda_widgets_sandbox"].faults.set(spec)

    @property
    def duration(self) -> float:
        """Seconds of simulated analysis per science window (0: jobs finish at the next poll)."""
        return self.app.extensions["oda_widgets_sandbox"].seconds_per_scw

    def set_duration(self, seconds_per_scw: float) -> None:
        """Change the simulated analysis time per science window for jobs submitted from now on.

        Raises
        ------
        ValueError
            If ``seconds_per_scw`` is negative.
        """
        if seconds_per_scw < 0:
            raise ValueError(f"a duration is zero or more seconds, not {seconds_per_scw}")
        self.app.extensions["oda_widgets_sandbox"].seconds_per_scw = float(seconds_per_scw)

    def received(self, job_id: str) -> dict[str, Any] | None:
        """The parameters a job was asked for, as the sandbox read them (no token), or None for
        an unknown job: what a test checks the client really sent."""
        job = self.app.extensions["oda_widgets_sandbox"].jobs.get(job_id)
        return None if job is None else dict(job.parameters)

    def stop(self) -> None:
        """Stop serving and wait for the server thread and job workers."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.app.extensions["oda_widgets_sandbox"].jobs.shutdown()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"SandboxServer(url={self.url!r})"


def start_sandbox(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    duration: float = 0.0,
    generation: str = CURRENT,
    faults: str | None = None,
    secret: str | None = None,
    protocol: str | None = None,
) -> SandboxServer:
    """Start a sandbox dispatcher in a background thread.

    Parameters
    ----------
    port : int
        0 picks a free port.
    host : str
        Interface to listen on.
    duration : float
        Simulated seconds of analysis per science window (0: jobs complete at once).
    generation : {"1.3.6", "1.3.3"}
        Dispatcher generation to speak (``"current"`` is still read as 1.3.6).
    faults : str or None
        Fault plan (see :mod:`oda_widgets.sandbox.faults`).
    secret : str or None
        Token-signing secret; random when None.
    protocol : str or None
        The former name of ``generation``, still read (scripts may pass it).

    Returns
    -------
    SandboxServer
        Serving; call ``stop()`` when done.
    """
    secret = secret or new_secret()
    if protocol is not None:
        generation = protocol
    app = create_app(secret, seconds_per_scw=duration, generation=generation, faults=faults)
    return SandboxServer(app, host, port, secret)
