"""What an answer's text says: a short plain excerpt of a server body (an HTML error page
reduced to its text, the token scrubbed before and after), and the parameter a 400 message names.

Both read server text only; nothing here sends or decodes an answer (``http.py`` does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from .redaction import scrub_text
from .secret import SecretToken

__all__ = ["EXCERPT_CHARS", "text_excerpt", "parameter_named_in"]

EXCERPT_CHARS = 400

# "Parameter RA wrong value a. could not convert ..." / "Non-optional parameter X is set to None"
_PARAMETER_IN_MESSAGE = (
    re.compile(r"\bParameter (?P<name>[A-Za-z_][\w\-\[\]]*) wrong value"),
    re.compile(r"\bNon-optional parameter (?P<name>[A-Za-z_][\w\-\[\]]*) is set to None"),
    re.compile(r"\bWrong value for boolean parameter (?P<name>[A-Za-z_][\w\-\[\]]*)"),
    re.compile(r"\bWrong value of structured parameter (?P<name>[A-Za-z_][\w\-\[\]]*)"),
    re.compile(r"^(?P<name>[A-Za-z_]\w*) value is restricted to"),
)
# "... parsing angle 'a'": older servers do not name the parameter, only the value
_QUOTED_VALUE = re.compile(r"'([^']*)'")


class _TextOfHtml(HTMLParser):
    """Collects the visible text of an HTML page (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def text_excerpt(
    body: str, limit: int = EXCERPT_CHARS, token: str | SecretToken | None = None
) -> str:
    """A short plain-text excerpt of a server body (HTML pages reduced to their text).

    Tokens are scrubbed from the raw body, then again from its text (where ``&#46;`` has become
    a dot and the tags splitting a token are gone), before it is cut (a cut inside a token
    would leave part of it unrecognised).
    """
    body = scrub_text(body, token)
    if "<" in body and ">" in body:
        parser = _TextOfHtml()
        try:
            parser.feed(body)
            parser.close()
            body = " ".join(parser.parts)
        except Exception:  # a broken page: fall back to the raw text
            pass
    body = scrub_text(" ".join(body.split()), token)
    return body if len(body) <= limit else body[: limit - 1] + "…"


def parameter_named_in(message: str, sent: Mapping[str, Any] | None = None) -> str | None:
    """The parameter a 400 message complains about, when it can be told.

    Current dispatchers write ``"Parameter RA wrong value a. ..."``. Older ones only quote the
    value (``"... parsing angle 'a'"``): then the parameter is the one sent with that value, when
    exactly one was.
    """
    for pattern in _PARAMETER_IN_MESSAGE:
        match = pattern.search(message)
        if match:
            return match.group("name")
    if sent:
        quoted = set(_QUOTED_VALUE.findall(message))
        matches = [
            name
            for name, value in sent.items()
            if name != "token" and isinstance(value, (str, int, float)) and str(value) in quoted
        ]
        if len(matches) == 1:
            return matches[0]
    return None
