"""Which dispatcher to talk to: the default URL, oda_api's site aliases, and the local sandbox."""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

from ..errors import OdaError, ValidationError

__all__ = [
    "DEFAULT_URL",
    "STAGING_URL",
    "SITE_ALIASES",
    "SANDBOX_ALIAS",
    "SANDBOX_URL_ENV_VAR",
    "validate_url",
    "resolve_url",
    "sandbox_url",
    "is_sandbox_url",
    "SANDBOX_SHARE_NOTE",
]

#: The ODA production dispatcher (oda_api's fallback for site ``unige-production``).
DEFAULT_URL = "https://www.astro.unige.ch/mmoda/dispatch-data"
STAGING_URL = "https://dispatcher-staging.obsuks1.unige.ch"

#: Names accepted in place of a URL, as oda_api accepts them (labels of ``odahub.io/oda-sites.ttl``).
SITE_ALIASES: dict[str, str] = {
    "unige-production": DEFAULT_URL,
    "production": DEFAULT_URL,
    "prod": DEFAULT_URL,
    "unige-staging": STAGING_URL,
    "staging": STAGING_URL,
}

SANDBOX_ALIAS = "sandbox"

#: The sandbox is an extra: Flask serves it (a plain install talks to real dispatchers only).
SANDBOX_INSTALL = 'pip install "oda_widgets[sandbox]"'
SANDBOX_URL_ENV_VAR = "ODA_WIDGETS_SANDBOX_URL"

_sandbox: Any = None
_sandbox_lock = threading.Lock()


def validate_url(url: str) -> str:
    """Check that ``url`` can be a dispatcher's base URL; return it without a trailing slash.

    Raises
    ------
    ValidationError
        (parameter ``'url'``) saying what is wrong.
    """
    text = url.strip()
    if any(char.isspace() for char in text):
        raise ValidationError("url", f"The dispatcher URL {text!r} contains spaces: remove them")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ValidationError(
            "url", f"The dispatcher URL {text!r} must start with http:// or https://"
        )
    if not parts.hostname:
        raise ValidationError("url", f"The dispatcher URL {text!r} has no host name")
    try:
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        raise ValidationError("url", f"The dispatcher URL {text!r} has an invalid port") from None
    if parts.query or parts.fragment:
        raise ValidationError(
            "url",
            f"The dispatcher URL {text!r} must be the base URL, without '?' or '#' parts, "
            f"e.g. {DEFAULT_URL}",
        )
    if parts.username or parts.password:
        raise ValidationError("url", "The dispatcher URL must not contain a user name or password")
    return text.rstrip("/")


def resolve_url(url: str | None) -> str:
    """The dispatcher base URL for ``url``: a URL, a site alias, ``"sandbox"`` or None (default).

    Parameters
    ----------
    url : str or None
        ``None`` gives :data:`DEFAULT_URL`; ``production``/``prod``/``unige-production`` and
        ``staging``/``unige-staging`` are oda_api's aliases; ``sandbox`` gives the URL in
        ``$ODA_WIDGETS_SANDBOX_URL``, else starts a local sandbox dispatcher (one per process).

    Raises
    ------
    ValidationError
        For an unknown name or a malformed URL.
    OdaError
        When the sandbox is asked for but cannot be started.
    """
    if url is None:
        return DEFAULT_URL
    if not isinstance(url, str):
        raise ValidationError("url", f"The dispatcher URL must be text, not {type(url).__name__}")
    text = url.strip()
    if text.startswith(("http://", "https://")):
        return validate_url(text)
    name = text.lower()
    if name in SITE_ALIASES:
        return SITE_ALIASES[name]
    if name == SANDBOX_ALIAS:
        return sandbox_url()
    if "://" in text:
        return validate_url(text)  # says what is wrong with the scheme
    known = ", ".join([*SITE_ALIASES, SANDBOX_ALIAS])
    raise ValidationError(
        "url",
        f"Unknown dispatcher {text!r}: give a URL starting with https:// or one of the names {known}",
    )


def sandbox_url() -> str:
    """The URL of the local sandbox dispatcher, starting it on first use."""
    from_env = os.environ.get(SANDBOX_URL_ENV_VAR, "").strip()
    if from_env:
        return validate_url(from_env)
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            try:
                from ...sandbox import start_sandbox
            except ImportError as exc:
                raise OdaError(
                    "The local sandbox dispatcher is not available in this installation "
                    f"({exc}): install it with {SANDBOX_INSTALL}, give the URL of a dispatcher "
                    f"instead, or set {SANDBOX_URL_ENV_VAR}"
                ) from exc
            # One sandbox per process: every Dispatcher(url="sandbox") shares it.
            _sandbox = start_sandbox(port=0)
        return validate_url(_sandbox.url)


#: What a share link of a sandbox query leads to, in words.
SANDBOX_SHARE_NOTE = (
    "The sandbox has no web front end: this link opens a page that says so and lists the "
    "query. QueryForm.from_url(link) fills a form with it in a notebook."
)


def is_sandbox_url(url: str | None) -> bool:
    """Whether ``url`` is the local sandbox's (``$ODA_WIDGETS_SANDBOX_URL``, or the one this
    process started); it never starts one."""
    if not url:
        return False
    wanted = str(url).rstrip("/")
    known = [os.environ.get(SANDBOX_URL_ENV_VAR, "").strip().rstrip("/")]
    if _sandbox is not None:
        known.append(str(_sandbox.url).rstrip("/"))
    return any(k and k == wanted for k in known)
