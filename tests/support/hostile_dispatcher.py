"""A hostile dispatcher on a loopback port: it answers what a test gives it, byte for byte, and
keeps every request it received, so a test can tell whether a token reached it.

It plays the server of a share link sent by an attacker, or a compromised dispatcher: it sends
descriptions with remote ``$ref`` and catastrophic patterns, gzip bombs, legacy data units with
huge dtypes, products whose decoding would take gigabytes. ``answer(path, body, ...)`` sets what
a path returns (a dict or list is sent as JSON; bytes as they are, with the headers given; a
callable is called with the request's parameters and returns either).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from support.loopback_server import LoopbackServer

__all__ = ["HostileDispatcher", "Answer", "gzip_bomb", "description", "done_answer"]


@dataclass
class Answer:
    """What one path returns."""

    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    """One request, as the hostile server saw it."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    raw: str  # the request line and body, to search for a token however it was sent


class HostileDispatcher(LoopbackServer):
    """``with HostileDispatcher() as evil:``; ``evil.url`` is its ``http://127.0.0.1:PORT``."""

    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.received: list[Received] = []
        self._lock = threading.Lock()
        super().__init__(self._handler())

    def answer(self, path: str, body: Any, status: int = 200, **headers: str) -> None:
        """Return ``body`` for every request to ``path`` or a path ending with it (``*``: any
        path not set)."""
        with self._lock:
            self.answers[path] = Answer(body, status, {k.replace("_", "-"): v
                                                       for k, v in headers.items()})

    def requests_to(self, path: str) -> list[Received]:
        """The requests received for ``path`` (under any prefix: ``/mmoda/dispatch-data/...``)."""
        with self._lock:
            return [r for r in self.received if r.path.endswith(path)]

    def _answer_for(self, path: str) -> Answer | None:
        # the longest answered path the request's path ends with: a share link's dispatcher
        # lives under /mmoda/dispatch-data
        matching = [key for key in self.answers if key != "*" and path.endswith(key)]
        if matching:
            return self.answers[max(matching, key=len)]
        return self.answers.get("*")

    def saw(self, secret: str) -> bool:
        """Whether ``secret`` (a token, or any part of it) arrived in any request."""
        parts = [secret, *[p for p in secret.split(".") if len(p) > 8]]
        with self._lock:
            return any(part in r.raw for r in self.received for part in parts)

    def tokens_received(self) -> list[str]:
        """Every ``token`` argument received (empty when none arrived)."""
        with self._lock:
            return [v for r in self.received for v in r.params.get("token", [])]

    # --- serving ---------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("latin-1") if length else ""
                params = parse_qs(parts.query, keep_blank_values=True)
                for key, values in parse_qs(body, keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
                raw = f"{self.command} {self.path}\n{dict(self.headers.items())}\n{body}"
                with server._lock:
                    server.received.append(Received(self.command, parts.path, params,
                                                     dict(self.headers.items()), raw))
                    answer = server._answer_for(parts.path)
                if answer is None:
                    answer = Answer({"error_message": f"nothing here: {parts.path}"}, 404)
                content = answer.body
                if callable(content):
                    content = content({k: v[0] for k, v in params.items()})
                headers = dict(answer.headers)
                if isinstance(content, bytes):
                    data = content
                else:
                    data = json.dumps(content).encode()
                    headers.setdefault("Content-Type", "application/json")
                try:
                    self.send_response(answer.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up: what a safe client does with a bomb
                    self.close_connection = True

            do_GET = _serve
            do_POST = _serve

        return Handler


def gzip_bomb(decompressed: int, chunk: bytes = b" ") -> bytes:
    """About ``decompressed`` bytes of ``chunk`` repeated, as gzip (some 1000:1): one member of
    64 MiB compressed once and repeated (a gzip stream may hold many members), so building it
    never holds the decompressed bytes."""
    member_size = 64 << 20
    member = gzip.compress(chunk * (member_size // len(chunk)), compresslevel=9)
    return member * max(1, decompressed // member_size)


def description(instrument: str, parameters: list[dict[str, Any]],
                product: str = "evil_image") -> list:
    """A current-generation ``/api/meta-data`` answer with ``parameters`` in the product's query."""
    def entry(name: str, value: Any, owl: str, **restrictions: Any) -> dict[str, Any]:
        return {"name": name, "units": "deg" if owl.endswith("RA") or owl.endswith("DEC")
                else "str", "value": value, "restrictions": restrictions or {},
                "owl_uri": [f"http://odahub.io/ontology#{owl}"]}

    source = [{"query_name": "src_query"},
              entry("src_name", "Crab", "AstrophysicalObject"),
              entry("RA", 83.63, "PointOfInterestRA"),
              entry("DEC", 22.01, "PointOfInterestDEC"),
              entry("token", None, "LongString", is_optional=True)]
    instrument_query = [{"query_name": f"{instrument}_parameters"}]
    product_query = [{"query_name": f"{product}_query"}, {"product_name": product}, *parameters]
    return [[{"instrumet": instrument}, {"prod_dict": {product: f"{product}_query"}},
             source, instrument_query, product_query]]


def done_answer(products: dict[str, Any], job_id: str = "00000000000000aa") -> Callable:
    """A ``/run_analysis`` answer: the job is done at once with ``products`` (about the session
    of the request it answers)."""
    def reply(params: dict[str, str]) -> dict[str, Any]:
        return {"query_status": "done", "job_status": "done", "products": products,
                "exit_status": {"status": 0, "message": "", "error_message": "",
                                "debug_message": ""},
                "job_monitor": {"job_id": job_id, "status": "done"},
                "session_id": params.get("session_id"), "time_request": time.time()}

    return reply
