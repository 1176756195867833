"""A tiny HTTP server, over real sockets, that answers what a test scripts.

It plays a dispatcher that misbehaves on purpose: 503s, dropped connections, HTML error pages,
malformed JSON, slow answers. Each ``/run_analysis`` request is answered from the script of its
``instrument`` (one script per simulated job), step after step; the last step repeats. Every
request is recorded with its decoded parameters so tests can check what the client sent (the
files of a multipart request under ``_files``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.loopback_server import LoopbackServer


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Any = None  # dict/list -> JSON; str -> sent as is
    content_type: str | None = None
    delay: float = 0.0
    drop: bool = False  # close the connection without answering
    headers: dict[str, str] = field(default_factory=dict)
    # held until the test sets it (at most HOLD_LIMIT s): a slow answer that needs no timing
    hold: threading.Event | None = None
    # send the whole answer (status line, headers, body) one byte every `trickle` seconds;
    # `trickled` is set once the last byte went out, `abandoned` once the client hung up first
    trickle: float = 0.0
    trickled: threading.Event = field(default_factory=threading.Event)
    abandoned: threading.Event = field(default_factory=threading.Event)


HOLD_LIMIT = 120.0

#: In a scripted body, replaced by the session_id of the request it answers (the dispatcher
#: answers with the session it was asked about).
REQUEST_SESSION = "<the request's session_id>"


def envelope(
    query_status: str,
    job_id: str = "0123456789abcdef",
    session_id: str = REQUEST_SESSION,
    *,
    products: dict | None = None,
    report: dict | None = None,
    reports: list[dict] | None = None,
    exit_status: dict | None = None,
    status_code: int | None = None,
) -> dict:
    """A ``run_analysis`` answer shaped like the real dispatcher's (by default about the session
    of the request it answers)."""
    monitor: dict[str, Any] = {"job_id": job_id, "session_id": session_id, "status": query_status}
    if report is not None:
        monitor["full_report_dict"] = report
    if reports is not None:
        monitor["full_report_dict_list"] = reports
    answer = {
        "query_status": query_status,
        "job_status": query_status,
        "products": products or {},
        "exit_status": {
            "job_status": query_status,
            "status": 0,
            "message": "",
            "error_message": "",
            "debug_message": "",
            "comment": "",
            "warning": "",
            **(exit_status or {}),
        },
        "job_monitor": monitor,
        "session_id": session_id,
        "time_request": time.time(),
    }
    if status_code is not None:
        answer["status_code"] = status_code
    return answer


def _multipart(content_type: str, body: bytes) -> tuple[list[tuple[str, str]], dict[str, tuple[str, bytes]]]:
    """The text fields and the files (name -> file name, content) of a multipart body."""
    message = BytesParser(policy=default_policy).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: list[tuple[str, str]] = []
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        content = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = (filename, content)
        else:
            fields.append((name, content.decode()))
    return fields, files


class ScriptedDispatcher(LoopbackServer):
    """Start with ``with ScriptedDispatcher() as server:``; ``server.url`` is its address."""

    def __init__(self) -> None:
        self.scripts: dict[tuple[str, str], list[Reply]] = {}
        self.requests: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        self.request_times: dict[tuple[str, str], list[float]] = defaultdict(list)
        self._lock = threading.Lock()
        self._served: dict[tuple[str, str], int] = defaultdict(int)
        super().__init__(self._make_handler())

    # --- scripting ----------------------------------------------------------------------------
    def script(self, key: str, replies: Iterable[Reply | dict], path: str = "/run_analysis") -> None:
        """Answer requests to ``path`` whose ``instrument`` is ``key`` (``key="*"``: any).

        Scripting a key again starts it afresh (its recorded requests too).
        """
        steps = [r if isinstance(r, Reply) else Reply(body=r) for r in replies]
        with self._lock:
            self.scripts[(path, key)] = steps
            self._served[(path, key)] = 0
            self.requests[(path, key)] = []
            self.request_times[(path, key)] = []

    def sent(self, key: str, path: str = "/run_analysis") -> list[dict[str, Any]]:
        """The parameters of every request answered from the script ``key`` so far."""
        with self._lock:
            return list(self.requests[(path, key)])

    def times(self, key: str, path: str = "/run_analysis") -> list[float]:
        """When those requests arrived (``time.monotonic``)."""
        with self._lock:
            return list(self.request_times[(path, key)])

    # --- serving ------------------------------------------------------------------------------
    def _next_reply(self, path: str, params: dict[str, Any]) -> Reply | None:
        with self._lock:
            key = (path, str(params.get("instrument", "")))
            if key not in self.scripts:
                key = (path, "*")
            steps = self.scripts.get(key)
            if not steps:
                return None
            index = min(self._served[key], len(steps) - 1)
            self._served[key] += 1
            self.requests[key].append(params)
            self.request_times[key].append(time.monotonic())
            return steps[index]

    def _make_handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _params(self) -> tuple[str, dict[str, Any]]:
                parts = urlsplit(self.path)
                query = parse_qs(parts.query, keep_blank_values=True)
                files: dict[str, tuple[str, bytes]] = {}
                if self.command == "POST":
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length)
                    content_type = self.headers.get("Content-Type", "")
                    if content_type.startswith("multipart/form-data"):
                        fields, files = _multipart(content_type, body)
                        for name, value in fields:
                            query.setdefault(name, []).append(value)
                    else:
                        query.update(parse_qs(body.decode(), keep_blank_values=True))
                params = {k: v[0] if len(v) == 1 else v for k, v in query.items()}
                params["_files"] = files
                params["_method"] = self.command
                params["_headers"] = dict(self.headers.items())
                # the client's end of the connection: equal ports, one kept-alive connection
                params["_client_port"] = self.client_address[1]
                return parts.path, params

            def _answer(self) -> None:
                path, params = self._params()
                reply = server._next_reply(path, params)
                if reply is None:
                    reply = Reply(404, {"error": f"nothing scripted for {path}"})
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.hold is not None:
                    reply.hold.wait(HOLD_LIMIT)
                if reply.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                body = reply.body
                if isinstance(body, (dict, list)):
                    session = str(params.get("session_id") or "SESSIONSESSION01")
                    data = json.dumps(body).replace(REQUEST_SESSION, session).encode()
                    content_type = reply.content_type or "application/json"
                else:
                    data = str(body if body is not None else "").encode()
                    content_type = reply.content_type or "text/html; charset=utf-8"
                if reply.trickle:
                    self._trickle(reply, data, content_type)
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _trickle(self, reply: Reply, data: bytes, content_type: str) -> None:
                head = (f"HTTP/1.1 {reply.status} OK\r\nContent-Type: {content_type}\r\n"
                        f"Content-Length: {len(data)}\r\n\r\n").encode()
                self.close_connection = True
                try:
                    for byte in head + data:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.trickle)
                except OSError:  # the client gave up and closed the connection
                    reply.abandoned.set()
                    return
                reply.trickled.set()

            do_GET = _answer
            do_POST = _answer

        return Handler
