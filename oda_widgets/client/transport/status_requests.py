"""``/run_analysis`` requests straight through urllib3: the poller's hot path, kept lean.

A status request of a followed job is the one request the client sends many times a second
(100 jobs: 100 a second). Through ``requests`` each one costs about 1 ms of CPU, of which two
thirds are ``requests``' own work (preparing the request, merging settings, hooks, cookies,
building a Response) and not the HTTP exchange. Here the same exchange goes to urllib3's
connection pool directly, with keep-alive connections, the connections of
:mod:`.deadline` (one deadline for the whole answer), no retries (the poller retries per job),
no redirects, and the encoding ``requests`` would have produced (form fields, UTF-8, ``+`` for
spaces). The answer is wrapped in :class:`PooledAnswer`, which reads like the few parts of a
``requests.Response`` the transport uses.

The description calls keep ``requests`` (they are few, and get urllib3's retries through it),
and so does ``/run_analysis`` when a proxy applies to the dispatcher (rare on the machines that
follow many jobs, and ``requests`` knows every kind of proxy).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from typing import Any, Protocol, cast
from urllib.parse import quote_plus

import certifi
import urllib3
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from .deadline import deadline_pools

__all__ = ["Answer", "StatusRequests", "PooledAnswer", "form_encoded"]


class Answer(Protocol):
    """What the transport reads of an answer: a ``requests.Response`` or a :class:`PooledAnswer`."""

    @property
    def status_code(self) -> int: ...

    @property
    def url(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def encoding(self) -> str | None: ...

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        """The body, decompressed, ``chunk_size`` bytes at a time."""
        ...

    def close(self) -> None:
        """Drop the connection."""
        ...


def form_encoded(fields: list[tuple[str, str]]) -> str:
    """``urllib.parse.urlencode(fields)``, each field but the token quoted once per process.

    A followed job sends the same fields at every poll (the dispatcher checks the job against
    them): quoting them again was a fifth of a status request's CPU. The token is quoted each
    time, never kept.
    """
    return "&".join(
        f"token={quote_plus(value)}" if key == "token" else _quoted_field(key, value)
        for key, value in fields
    )


@functools.lru_cache(maxsize=4096)
def _quoted_field(key: str, value: str) -> str:
    return f"{quote_plus(key)}={quote_plus(value)}"


class PooledAnswer:
    """urllib3's streamed response, read the way the transport reads a ``requests.Response``."""

    def __init__(self, raw: urllib3.BaseHTTPResponse, url: str) -> None:
        self.raw = raw
        self.url = url
        self.status_code = raw.status
        self.headers = raw.headers
        # urllib3's headers are case-insensitive too, and the function only calls .get on them
        self.encoding = get_encoding_from_headers(cast("CaseInsensitiveDict[str]", raw.headers))

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        """The body, decompressed, ``chunk_size`` bytes at a time."""
        yield from self.raw.stream(chunk_size, decode_content=True)
        self.raw.release_conn()  # read to its end: the connection goes back for the next one

    def close(self) -> None:
        """Drop the connection (an answer read only in part must not be reused)."""
        self.raw.close()


class StatusRequests:
    """One dispatcher's ``/run_analysis`` requests over a pool of keep-alive connections.

    Parameters
    ----------
    headers : Mapping
        Sent with every request (the transport's own: user agent, oda_api's timeouts).
    timeout : float
        Connect and read timeout of the sockets (the deadline of the whole answer is
        :func:`~.deadline.answer_deadline`'s).
    verify : bool or str
        Whether HTTPS certificates are checked, or the CA bundle to check them with
        (``requests``' default, certifi's bundle, when True).
    maxsize : int
        Connections kept per host: one per poller worker.
    """

    def __init__(
        self, headers: Mapping[str, str], timeout: float, *, verify: bool | str | None = True,
        maxsize: int = 16,
    ) -> None:
        tls: dict[str, Any] = (
            {"cert_reqs": "CERT_NONE"} if verify is False
            else {"cert_reqs": "CERT_REQUIRED",
                  "ca_certs": verify if isinstance(verify, str) else certifi.where()}
        )
        self._pools = urllib3.PoolManager(num_pools=4, maxsize=maxsize, block=False, **tls)
        self._pools.pool_classes_by_scheme = deadline_pools()
        self._headers = {
            # what requests sends by default, so that a server sees the same client either way
            "Accept": "*/*",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "keep-alive",
            **headers,
        }
        self._form_headers = {
            **self._headers, "Content-Type": "application/x-www-form-urlencoded"
        }
        self._timeout = urllib3.Timeout(connect=timeout, read=timeout)

    def send(self, url: str, fields: list[tuple[str, str]], *, post: bool) -> PooledAnswer:
        """Send the form ``fields`` to ``url`` (in the query string, or as a form POST)."""
        encoded = form_encoded(fields)
        if post:
            raw = self._pools.urlopen(
                "POST", url, body=encoded, headers=self._form_headers, redirect=False,
                retries=False, timeout=self._timeout, preload_content=False,
            )
        else:
            raw = self._pools.urlopen(
                "GET", f"{url}?{encoded}" if encoded else url, headers=self._headers,
                redirect=False, retries=False, timeout=self._timeout, preload_content=False,
            )
        return PooledAnswer(raw, url)

    def close(self) -> None:
        """Close every connection."""
        self._pools.clear()
