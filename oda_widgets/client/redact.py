"""Remove tokens from whatever may be shown, logged or saved: dicts, lists, text, api_code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REMOVED = "<token removed>"

#: A JSON Web Token: three base64url segments, the first (the header) a JSON object ("eyJ").
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

#: ``token=<value>`` in a query string or form body (the value ends at ``&``, a quote or a space).
TOKEN_IN_QUERY = re.compile(r"(?i)\b(token=)[^&\s'\"]+")


def scrub_text(text: str, token: str | None = None) -> str:
    """``text`` with the given token and anything that looks like a JWT replaced."""
    if token:
        text = text.replace(token, REMOVED)
    return JWT_PATTERN.sub(REMOVED, text)


def scrub_url_text(text: str, token: str | None = None) -> str:
    """:func:`scrub_text`, and every ``token=`` value of a query string replaced too.

    For text that may hold a request URL (log records of the HTTP library), where the token may
    not look like a JWT and the caller may not know it.
    """
    return TOKEN_IN_QUERY.sub(lambda m: m.group(1) + REMOVED, scrub_text(text, token))


def scrub_token(obj: Any, token: str | None = None) -> Any:
    """A copy of ``obj`` with every token removed.

    Parameters
    ----------
    obj : dict, list, tuple, str or any
        A server answer, a parameter dict, ``api_code`` text...
    token : str, optional
        A token to remove wherever it appears, even if it does not look like a JWT.

    Returns
    -------
    Any
        The same structure: values of keys named ``token`` become ``"<token removed>"``
        (``None`` and empty values are kept: there is nothing to hide), strings have JWTs replaced,
        other objects are returned unchanged.
    """
    if isinstance(obj, str):
        return scrub_text(obj, token)
    if isinstance(obj, Mapping):
        cleaned = {}
        for key, value in obj.items():
            if isinstance(key, str) and key.lower() == "token" and value not in (None, ""):
                cleaned[key] = REMOVED
            else:
                cleaned[key] = scrub_token(value, token)
        return cleaned
    if isinstance(obj, list):
        return [scrub_token(item, token) for item in obj]
    if isinstance(obj, tuple):
        return tuple(scrub_token(item, token) for item in obj)
    return obj
