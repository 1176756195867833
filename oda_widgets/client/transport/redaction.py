"""Remove tokens from whatever may be shown, logged or saved: dicts, lists, text, api_code.

A known token is removed however a server may have written it back: whole, as any one of its
three dot-separated parts alone (a message quoting only the signature), with its dots written as
HTML or URL escapes (``&#46;``, ``%2E``), or with markup or white space between its characters
(an HTML page whose tags split it, reduced to text). Anything else shaped like a JWT goes too.
Dict keys are scrubbed as well as values (a server may key a mapping by the token).

The same rule covers the HTTP library's own log records: the description calls
(``/api/meta-data`` ...) send the token in the query string of a GET, as the dispatcher expects,
and a retried request is logged by urllib3 with its full URL (``WARNING Retrying (...)
/api/meta-data?instrument=isgri&token=eyJ...``, and at DEBUG every request line).
:func:`install_urllib3_redaction` puts a filter on urllib3's loggers that replaces every
``token=`` value and anything shaped like a JWT before a record reaches any handler.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from collections.abc import Mapping
from typing import Any

from .secret import SecretToken, reveal

__all__ = [
    "REMOVED",
    "JWT_PATTERN",
    "TOKEN_IN_QUERY",
    "MIN_PART_LENGTH",
    "scrub_text",
    "scrub_url_text",
    "scrub_token",
    "URLLIB3_LOGGERS",
    "TokenRedactingFilter",
    "install_urllib3_redaction",
]

REMOVED = "<token removed>"

#: A JSON Web Token: three base64url segments, the first (the header) a JSON object ("eyJ").
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

#: ``token=<value>`` in a query string or form body (the value ends at ``&``, a quote or a space).
TOKEN_IN_QUERY = re.compile(r"(?i)\b(token=)[^&\s'\"]+")

#: Parts of a token shorter than this are not looked for alone (they could be ordinary words).
MIN_PART_LENGTH = 12

# between two characters of the token: white space or markup, as an HTML page may put there
_FILLER = r"(?:\s|<[^<>]{0,200}>)*"
# a dot of the token, as written in HTML or a URL
_DOT = r"(?:\.|&#0*46;|&#x0*2e;|&period;|%2e)"


def _spelled_out(text: str) -> str:
    return _FILLER.join(_DOT if char == "." else re.escape(char) for char in text)


@functools.lru_cache(maxsize=8)
def _forms_of(token: str) -> tuple[tuple[str, ...], re.Pattern[str]]:
    """The token and its long parts (longest first), and a pattern of them in any spelling."""
    parts = sorted({p for p in token.split(".") if len(p) >= MIN_PART_LENGTH}, key=len, reverse=True)
    exact = (token, *(p for p in parts if p != token))
    pattern = re.compile("|".join(f"(?:{_spelled_out(a)})" for a in exact), re.IGNORECASE)
    return exact, pattern


# Only text with one of these can hold the token spelled otherwise than plainly; the long
# base64 strings of products have none, so they are spared the slower pattern.
_RESPELLING = re.compile(r"[\s<&%]")


def scrub_text(text: str, token: str | SecretToken | None = None) -> str:
    """``text`` with the given token (in any spelling, or any long part of it) and anything that
    looks like a JWT replaced."""
    known = (reveal(token) or "").strip()
    if known:
        exact, pattern = _forms_of(known)
        for form in exact:
            text = text.replace(form, REMOVED)
        if _RESPELLING.search(text):
            text = pattern.sub(REMOVED, text)
    return JWT_PATTERN.sub(REMOVED, text)


def scrub_url_text(text: str, token: str | SecretToken | None = None) -> str:
    """:func:`scrub_text`, and every ``token=`` value of a query string replaced too.

    For text that may hold a request URL (log records of the HTTP library), where the token may
    not look like a JWT and the caller may not know it.
    """
    return TOKEN_IN_QUERY.sub(lambda m: m.group(1) + REMOVED, scrub_text(text, token))


def scrub_token(obj: Any, token: str | SecretToken | None = None) -> Any:
    """A copy of ``obj`` with every token removed.

    Parameters
    ----------
    obj : dict, list, tuple, str or any
        A server answer, a parameter dict, ``api_code`` text...
    token : str or SecretToken, optional
        A token to remove wherever it appears, even if it does not look like a JWT.

    Returns
    -------
    Any
        The same structure: values of keys named ``token`` become ``"<token removed>"``
        (``None`` and empty values are kept: there is nothing to hide), strings (keys included)
        have tokens replaced, a :class:`SecretToken` becomes ``"<token removed>"``, other objects
        are returned unchanged.

    Raises
    ------
    RecursionError
        For structures nested beyond the interpreter's recursion limit (JSON decoded from a
        server cannot be: ``json.loads`` stops earlier).
    """
    if isinstance(obj, str):
        return scrub_text(obj, token)
    if isinstance(obj, SecretToken):
        return REMOVED
    if isinstance(obj, Mapping):
        cleaned = {}
        for key, value in obj.items():
            if isinstance(key, str) and key.lower() == "token" and value not in (None, ""):
                cleaned[key] = REMOVED
                continue
            if isinstance(key, str):
                key = scrub_text(key, token)
            cleaned[key] = scrub_token(value, token)
        return cleaned
    if isinstance(obj, list):
        return [scrub_token(item, token) for item in obj]
    if isinstance(obj, tuple):
        return tuple(scrub_token(item, token) for item in obj)
    return obj


#: Where urllib3 logs request URLs. A logger's filters see only the records logged to that very
#: logger (not those its children propagate), so each one gets the filter.
URLLIB3_LOGGERS = (
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
)

_install_lock = threading.Lock()


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record's message without tokens; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: scrub the parts
            record.msg = scrub_url_text(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(scrub_url_text(str(arg)) for arg in record.args)
            return True
        # The message is formatted here once, so arguments whose repr holds a URL (exceptions,
        # Retry objects) are covered as well as plain strings.
        record.msg = scrub_url_text(text)
        record.args = ()
        return True


def install_urllib3_redaction() -> None:
    """Put a :class:`TokenRedactingFilter` on urllib3's loggers (once; later calls do nothing)."""
    with _install_lock:
        for name in URLLIB3_LOGGERS:
            target = logging.getLogger(name)
            if not any(isinstance(f, TokenRedactingFilter) for f in target.filters):
                target.addFilter(TokenRedactingFilter())
