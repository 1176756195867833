"""Where a token may go: the ODA sites this client knows, the sandbox's own tokens, and nowhere else
by itself.

A token found on disk or in the environment (:func:`~.token.discover_token`) is the user's
credential for the ODA platform. It is sent only to the ODA sites in
:data:`~.sites.SITE_ALIASES` (matched by scheme, host and port, so a look-alike host or another
port is another site), and to the sandbox only when the sandbox itself issued it: a real token
never reaches a local sandbox, whose logs and files are nobody's secret. Any other dispatcher (a
host named by a share link, a URL typed by hand) gets a token only when the user gives one for it,
and plain ``http`` to a host other than this machine never carries one, given or not: anyone on
the path would read it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from .sites import SITE_ALIASES

__all__ = [
    "SANDBOX_ISSUER",
    "KNOWN_SITE_ORIGINS",
    "TokenScope",
    "origin_of",
    "is_loopback",
    "token_scope",
]

#: The ``iss`` claim of the tokens a sandbox signs; the only tokens discovered for a sandbox.
SANDBOX_ISSUER = "oda-widgets-sandbox"


def origin_of(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of ``url``, lower case, with the scheme's default port filled in."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if scheme == "https" else 80
    return scheme, (parts.hostname or "").lower().rstrip("."), port


#: The origins of the ODA sites this client knows (oda_api's site aliases).
KNOWN_SITE_ORIGINS: frozenset[tuple[str, str, int]] = frozenset(
    origin_of(url) for url in SITE_ALIASES.values()
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class TokenScope:
    """What a dispatcher URL may receive.

    Attributes
    ----------
    url : str
        The dispatcher's base URL.
    kind : str
        ``"oda-site"`` (a site this client knows), ``"sandbox"`` (the local sandbox, named
        ``"sandbox"``) or ``"other"``.
    """

    url: str
    kind: str

    @property
    def host(self) -> str:
        """The dispatcher's host (and port, when not the scheme's default)."""
        scheme, host, port = origin_of(self.url)
        default = 443 if scheme == "https" else 80
        return host if port == default else f"{host}:{port}"

    @property
    def discovers(self) -> bool:
        """Whether a token found in ``ODA_TOKEN``, ``.oda-token``... may be sent here."""
        return self.kind in ("oda-site", "sandbox")

    @property
    def carries_tokens(self) -> bool:
        """Whether any token may travel to this URL: not over plain http to another machine."""
        scheme, host, _ = origin_of(self.url)
        return scheme == "https" or is_loopback(host)

    def refusal(self) -> str:
        """Why a token given for this URL is not sent (for a URL that :attr:`carries_tokens` not)."""
        return (
            f"the dispatcher at {self.url} is reached over plain http on another machine: a "
            "token sent there could be read by anyone on the way, so none is sent. Use its "
            "https:// address to log in"
        )

    def notice(self) -> str:
        """What the user should know when no token was discovered for this URL."""
        if self.kind == "sandbox":
            return (
                "the sandbox gets only tokens it issued itself (oda-widgets sandbox token): "
                "a token of the ODA platform is never sent to it"
            )
        if self.kind == "oda-site":
            return ""
        if not self.carries_tokens:
            return (
                f"{self.host} is not an ODA site this client knows and is reached over plain "
                "http: no token is sent to it, public access only"
            )
        return (
            f"{self.host} is not an ODA site this client knows: your ODA token was not sent to "
            "it. If you trust it, give a token for it (Dispatcher(url, token=...), set_token(), "
            "or the form's token box)"
        )


def token_scope(url: str, *, sandbox: bool = False) -> TokenScope:
    """The :class:`TokenScope` of a dispatcher's base URL.

    Parameters
    ----------
    url : str
        The resolved base URL.
    sandbox : bool
        True when the user asked for the sandbox by name (``Dispatcher("sandbox")``).
    """
    if sandbox:
        return TokenScope(url, "sandbox")
    if origin_of(url) in KNOWN_SITE_ORIGINS:
        return TokenScope(url, "oda-site")
    return TokenScope(url, "other")
