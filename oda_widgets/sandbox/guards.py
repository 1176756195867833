"""Who may change the sandbox's state: its control routes need its secret, and a web page of
another site cannot make it run jobs.

A sandbox listens on this machine, where any web page the user opens can send it requests: a
``<img src="http://127.0.0.1:PORT/run_analysis?...">`` would start jobs, and a form posted to
``/sandbox/faults`` would break it. Clients that are not browsers (oda_api, this package's
client, curl) send no ``Origin`` and no ``Sec-Fetch-Site`` header; browsers send them on every
request another site makes. So:

* ``/sandbox/...`` routes answer only a request carrying the sandbox's secret in the
  :data:`SECRET_HEADER` header (the secret is printed when the sandbox starts, and held by the
  :class:`~oda_widgets.sandbox.server.SandboxServer` of an in-process sandbox);
* a request that changes state (``/run_analysis``) is refused when a browser says another site
  sent it, unless it is a POST carrying a token (which that other site cannot know).
"""

from __future__ import annotations

import hmac
from typing import Any

__all__ = ["SECRET_HEADER", "has_secret", "foreign_site"]

#: The request header that carries the sandbox's secret to its control routes.
SECRET_HEADER = "Sandbox-Secret"

#: ``Sec-Fetch-Site`` values of requests another site made.
_FOREIGN_FETCH = ("cross-site", "same-site")


def has_secret(headers: Any, secret: str) -> bool:
    """Whether the request's :data:`SECRET_HEADER` holds ``secret`` (compared in constant time)."""
    given = headers.get(SECRET_HEADER) or ""
    return bool(given) and hmac.compare_digest(given.encode(), secret.encode())


def foreign_site(headers: Any, own_origin: str) -> str | None:
    """The site that sent a browser request, when it is not the sandbox itself (else ``None``).

    Parameters
    ----------
    headers : mapping
        The request's headers.
    own_origin : str
        The sandbox's own ``scheme://host:port``.
    """
    origin = (headers.get("Origin") or "").rstrip("/")
    if origin and origin != own_origin.rstrip("/"):
        return origin  # "null" (a sandboxed frame, a file) is foreign too
    fetch_site = (headers.get("Sec-Fetch-Site") or "").lower()
    if fetch_site in _FOREIGN_FETCH:
        return origin or f"another site (Sec-Fetch-Site: {fetch_site})"
    return None

