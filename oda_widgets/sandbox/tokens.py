"""Sandbox access tokens: HS256 JWTs signed with the sandbox's secret, read as the dispatcher does.

A token carries the user's e-mail (``sub``), name, roles (comma-separated) and expiry. The
dispatcher answers an expired or foreign token with 403 and a garbled one with 400; the texts
here are its texts. A request of an instrument is checked once, by :func:`requesting_user`: an
absent, empty or null token makes it public, as the dispatcher reads it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from .errors import ConstructorFailed, RequestNotAuthorized, RequestNotUnderstood

__all__ = [
    "ALGORITHM",
    "EXPIRED_MESSAGE",
    "INVALID_MESSAGE",
    "NO_TOKEN",
    "User",
    "make_token",
    "new_secret",
    "requesting_user",
    "roles_of",
    "verify",
    "verify_for_listing",
]

ALGORITHM = "HS256"

EXPIRED_MESSAGE = (
    "The token provided is expired, please try to logout and login again. "
    "If already logged out, please clean the cookies, and resubmit you request."
)
INVALID_MESSAGE = (
    "The token provided is not valid, please try to logout and login again. "
    "If already logged out, please clean the cookies, and resubmit you request."
)

#: The token values the dispatcher reads as no token: a public request (``InstrumentQueryBackEnd``
#: takes ``token not in ["", "None", None]`` as given; ``"\x00"`` is oda_api's None on the wire).
NO_TOKEN = (None, "", "None", "\x00")


def new_secret() -> str:
    """A random secret for a sandbox started without one."""
    return secrets.token_urlsafe(24)


def make_token(
    secret: str,
    roles: Iterable[str] = ("general",),
    *,
    email: str = "student@sandbox.local",
    name: str = "sandbox user",
    hours: float = 24.0,
) -> str:
    """Sign a token for the sandbox.

    Parameters
    ----------
    secret : str
        The sandbox's secret.
    roles : iterable of str
        E.g. ``["general", "unige-hpc-full", "integral-private-qla"]``.
    email, name : str
        The user's identity (``sub``/``email`` and ``name`` claims).
    hours : float
        Validity from now; negative values make an already expired token (for tests).

    Returns
    -------
    str
        The encoded JWT.
    """
    now = int(time.time())
    payload = {
        "sub": email,
        "email": email,
        "name": name,
        "roles": ",".join(roles),
        "iat": now,
        "exp": now + int(hours * 3600),
        "iss": "oda-widgets-sandbox",
        # the sandbox sends no e-mail; the claims say so as production tokens can
        "mssub": False,
        "msdone": False,
        "msfail": False,
    }
    return jwt.encode(payload, secret, algorithm=ALGORITHM)


@dataclass(frozen=True)
class User:
    """Who a verified token belongs to."""

    email: str
    name: str
    roles: tuple[str, ...]


def roles_of(claims: dict[str, Any]) -> tuple[str, ...]:
    """The roles claim, given as a comma-separated text or a list, whitespace stripped."""
    roles = claims.get("roles")
    if roles is None:
        return ()
    if isinstance(roles, str):
        roles = roles.split(",")
    return tuple(str(role).strip() for role in roles)


def verify(token: str, secret: str) -> User:
    """Check a token's signature and expiry.

    Raises
    ------
    RequestNotAuthorized
        Expired, or not signed with ``secret`` (403).
    ConstructorFailed
        Not a JWT at all (the dispatcher's 400, e.g. "Not enough segments").
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM])
    except jwt.ExpiredSignatureError:
        raise RequestNotAuthorized(EXPIRED_MESSAGE) from None
    except jwt.InvalidSignatureError:
        raise RequestNotAuthorized(INVALID_MESSAGE) from None
    except jwt.InvalidTokenError as e:
        raise ConstructorFailed(str(e)) from None
    email = claims.get("sub") or claims.get("email") or ""
    return User(email=email, name=claims.get("name", ""), roles=roles_of(claims))


def requesting_user(arguments: Mapping[str, Any], secret: str) -> User | None:
    """Who a request of an instrument (``/api/meta-data``, ``/api/par-names``, ``/run_analysis``)
    comes from: None when its token is one of :data:`NO_TOKEN` (a public request).

    Raises
    ------
    RequestNotAuthorized
        Expired, or not signed with ``secret`` (403).
    RequestNotUnderstood
        Not a JWT at all, in the dispatcher's words (400).
    """
    token = arguments.get("token")
    if token in NO_TOKEN:
        return None
    try:
        return verify(str(token), secret)
    except ConstructorFailed as e:
        raise RequestNotUnderstood(
            f"[ InstrumentQueryBackEnd : instrument-not-set ] constructor failed: {e}"
        ) from None


def verify_for_listing(token: str, secret: str) -> str | None:
    """The plain-text refusal ``/instr-list`` answers for a bad token, or None if it is good.

    The listing is not a request of an instrument: the dispatcher checks any token it is given
    there, an empty one included (refused as not valid), and lists for nobody only without one.
    """
    try:
        jwt.decode(token, secret, algorithms=[ALGORITHM])
    except jwt.ExpiredSignatureError:
        return "The token provided is expired."
    except jwt.InvalidTokenError:
        return "The token provided is not valid."
    return None
