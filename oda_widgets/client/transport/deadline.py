"""A deadline for a whole HTTP answer, across every read and every retry.

``requests`` (through urllib3) applies its timeout to each socket operation: a server that
trickles one byte a little faster than the timeout keeps a request alive for ever, and urllib3's
retries of a description call each get the full timeout again. Inside :func:`answer_deadline`
the sockets of this module's connections read with their timeout set, before every read, to what
is left of the deadline; connecting waits no longer than what is left; and :class:`DeadlineRetry`
stops retrying (and shortens its pauses) once it is gone. A read at the deadline raises
``TimeoutError``, which urllib3 reports as a read timeout.

The deadline is per thread: each poller worker or user thread sends its own requests.
"""

from __future__ import annotations

import http.client
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import MaxRetryError, ResponseError
from urllib3.util.retry import Retry

__all__ = [
    "AnswerDeadline",
    "answer_deadline",
    "current_deadline",
    "DeadlineAdapter",
    "DeadlineRetry",
    "deadline_pools",
]

_current = threading.local()


class AnswerDeadline:
    """The moment by which the whole answer must have arrived."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False  # set once a read or a retry found it passed

    def remaining(self) -> float:
        """Seconds left (negative once passed)."""
        return self.at - time.monotonic()


@contextmanager
def answer_deadline(seconds: float) -> Iterator[AnswerDeadline]:
    """Give every request this thread sends inside the block one deadline, ``seconds`` away."""
    previous = getattr(_current, "deadline", None)
    deadline = _current.deadline = AnswerDeadline(seconds)
    try:
        yield deadline
    finally:
        _current.deadline = previous


def current_deadline() -> AnswerDeadline | None:
    """The deadline of the request this thread is sending, if any."""
    return getattr(_current, "deadline", None)


class _DeadlineReader(io.RawIOBase):
    """The socket reader of one answer: before each read, the timeout is what is left."""

    def __init__(self, raw: io.RawIOBase, sock: Any, deadline: AnswerDeadline) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self._deadline.remaining()
        if left <= 0:
            self._deadline.expired = True
            raise TimeoutError(f"the answer took longer than {self._deadline.seconds} s")
        self._sock.settimeout(left)
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            if self._deadline.remaining() <= 0:
                self._deadline.expired = True
            raise

    def close(self) -> None:
        if not self.closed:
            self._raw.close()  # the socket's own reader: releases its hold on the socket
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """``http.client``'s response, reading through a :class:`_DeadlineReader` when a deadline
    is set (status line and headers included: a server may trickle those too)."""

    def __init__(self, sock: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        deadline = current_deadline()
        if deadline is not None:
            self.fp = io.BufferedReader(_DeadlineReader(self.fp.detach(), sock, deadline))


class _ConnectsBeforeTheDeadline(HTTPConnection):
    # a subclass of the plain connection so that the HTTPS one below finds its own connect() next
    # in the method order (TLS wrapped around the socket this one opens in time)
    def connect(self) -> None:
        deadline = current_deadline()
        if deadline is not None and isinstance(self.timeout, int | float):
            self.timeout = max(0.001, min(self.timeout, deadline.remaining()))
        super().connect()


class _HTTPConnection(_ConnectsBeforeTheDeadline, HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(_ConnectsBeforeTheDeadline, HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


def deadline_pools() -> dict[str, type[HTTPConnectionPool]]:
    """urllib3's ``pool_classes_by_scheme`` whose connections keep the deadline."""
    return dict(_POOLS)


class DeadlineAdapter(HTTPAdapter):
    """A requests adapter whose connections keep the deadline of :func:`answer_deadline`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = deadline_pools()

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = deadline_pools()
        return manager


class DeadlineRetry(Retry):
    """urllib3's ``Retry``, giving up once the deadline has passed or would pass while pausing."""

    def increment(  # type: ignore[override]
        self,
        method: str | None = None,
        url: str | None = None,
        response: Any = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> Retry:
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        deadline = current_deadline()
        if deadline is not None and deadline.remaining() <= retry.get_backoff_time():
            deadline.expired = True
            reason = error or ResponseError(f"answered HTTP {getattr(response, 'status', '?')}")
            raise MaxRetryError(_pool, url, reason) from reason
        return retry

    def get_retry_after(self, response: Any) -> float | None:
        wait = super().get_retry_after(response)
        deadline = current_deadline()
        if wait is not None and deadline is not None:
            wait = max(0.0, min(wait, deadline.remaining()))
        return wait
