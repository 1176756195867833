"""Who a token belongs to, and where to find one, the way oda_api does.

The dispatcher signs tokens with a secret only it knows, so a client can read the claims but not
check the signature; nothing here trusts the claims for anything but showing them to the user.
A :class:`TokenInfo` never holds the token itself.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt

from ..errors import ValidationError
from .secret import SecretToken, as_secret

__all__ = [
    "TOKEN_ENV_VAR",
    "TOKEN_FILE_NAME",
    "CONTEXT_FILE_NAME",
    "TokenInfo",
    "decode_token",
    "discover_token",
]

TOKEN_ENV_VAR = "ODA_TOKEN"
TOKEN_FILE_NAME = ".oda-token"
CONTEXT_FILE_NAME = ".oda_api_context"


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _roles(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list | tuple):
        items = [str(item) for item in value]
    else:
        return ()
    return tuple(item.strip() for item in items if item.strip())


def _span(seconds: float) -> str:
    """A rough human duration: '12 min', '23 h', '6 d'."""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"


@dataclass(frozen=True)
class TokenInfo:
    """The readable claims of an ODA token.

    Attributes
    ----------
    user : str or None
        The user id: the ``sub`` claim, else ``email``.
    name : str or None
        The user's name.
    roles : tuple of str
        The roles the dispatcher grants the holder (e.g. ``general``, ``unige-hpc-full``).
    expires : datetime or None
        When the token stops being accepted (UTC).
    issued_at : datetime or None
        When it was issued (UTC), if it says.
    """

    user: str | None
    name: str | None
    roles: tuple[str, ...]
    expires: datetime | None
    issued_at: datetime | None = None
    issuer: str | None = None

    @classmethod
    def from_claims(cls, claims: dict[str, Any]) -> TokenInfo:
        """Read the claims of a decoded JWT."""
        user = claims.get("sub") or claims.get("email")
        name = claims.get("name")
        return cls(
            user=str(user) if user is not None else None,
            name=str(name) if name is not None else None,
            roles=_roles(claims.get("roles")),
            expires=_timestamp(claims.get("exp")),
            issued_at=_timestamp(claims.get("iat")),
            issuer=str(claims["iss"]) if isinstance(claims.get("iss"), str) else None,
        )

    @property
    def expired(self) -> bool:
        """True once the expiry time has passed."""
        return self.expires is not None and self.expires <= datetime.now(UTC)

    def expiry_text(self, now: datetime | None = None) -> str:
        """``'expires 2026-11-22 14:00 UTC (in 23 h)'`` or ``'expired ... (3 h ago)'``."""
        if self.expires is None:
            return "no expiry date"
        now = now or datetime.now(UTC)
        when = self.expires.strftime("%Y-%m-%d %H:%M UTC")
        left = (self.expires - now).total_seconds()
        if left > 0:
            return f"expires {when} (in {_span(left)})"
        return f"expired {when} ({_span(left)} ago)"

    def describe(self, now: datetime | None = None) -> str:
        """One line for the user: who, and until when.

        Examples: ``"Jane Doe <jane@x.org>, expires 2026-11-22 14:00 UTC (in 23 h)"``,
        ``"jane@x.org, expired 2026-11-21 11:00 UTC (3 h ago)"``.
        """
        if self.name and self.user:
            who = f"{self.name} <{self.user}>"
        else:
            who = self.name or self.user or "unknown user"
        return f"{who}, {self.expiry_text(now)}"

    def has_role(self, role: str) -> bool:
        """Whether the token grants ``role``."""
        return role in self.roles


def decode_token(token: str | SecretToken) -> TokenInfo:
    """Read a token's claims without checking its signature.

    Raises
    ------
    ValidationError
        (parameter ``'token'``) when the text is not a JWT; the message never contains the token,
        and neither does any frame of its traceback (the token is held as a
        :class:`~.secret.SecretToken`, its text read in a frame that has returned by then).
    """
    secret = as_secret(token) if isinstance(token, str | SecretToken) else None
    # the plain text leaves this frame: a traceback through it shows only the SecretToken
    del token
    if secret is None:
        raise ValidationError(
            "token", "The token is empty: copy it from the ODA web site's 'API token' panel"
        )
    claims, problem = _read_claims(secret)
    if problem is not None:
        raise ValidationError(
            "token",
            f"This is not an ODA token: it could not be read as a JSON Web Token ({problem}). "
            "Copy the whole token from the ODA web site's 'API token' panel",
        )
    if not isinstance(claims, dict):
        raise ValidationError("token", "This is not an ODA token: its payload is not a JSON object")
    return TokenInfo.from_claims(claims)


def _read_claims(token: SecretToken) -> tuple[Any, str | None]:
    """The claims, or why there are none (the name of the JWT library's error)."""
    try:
        return jwt.decode(
            token.reveal().strip(),
            options={"verify_signature": False, "verify_exp": False, "verify_aud": False},
            algorithms=["HS256"],
        ), None
    except jwt.PyJWTError as exc:
        return None, type(exc).__name__


def _candidates() -> list[tuple[str, Any]]:
    """(source description, reader) in oda_api's order; each reader returns text or None."""

    def from_env() -> str | None:
        return os.environ.get(TOKEN_ENV_VAR)

    def from_file(path: Path) -> Any:
        def read() -> str | None:
            return path.read_text() if path.is_file() else None

        return read

    def from_context() -> str | None:
        path = Path.cwd() / CONTEXT_FILE_NAME
        if not path.is_file():
            return None
        context = json.loads(path.read_text())
        token = context.get("token") if isinstance(context, dict) else None
        return token if isinstance(token, str) else None

    return [
        (f"environment variable {TOKEN_ENV_VAR}", from_env),
        (f"file {Path.cwd() / TOKEN_FILE_NAME}", from_file(Path.cwd() / TOKEN_FILE_NAME)),
        (f"file {Path.home() / TOKEN_FILE_NAME}", from_file(Path.home() / TOKEN_FILE_NAME)),
        (f"file {Path.cwd() / CONTEXT_FILE_NAME}", from_context),
    ]


def discover_token(issuer: str | None = None) -> tuple[str | None, str | None, list[str]]:
    """Find a usable token where oda_api looks, in its order.

    The order is: the ``ODA_TOKEN`` environment variable, ``./.oda-token``, ``~/.oda-token``, then
    the ``token`` key of ``./.oda_api_context``. Expired and unreadable tokens are skipped.

    Parameters
    ----------
    issuer : str, optional
        Take only a token whose ``iss`` claim is this (the sandbox's own tokens); others are
        skipped, with a note that never holds them.

    Returns
    -------
    token : str or None
        The first usable token (stripped), or None.
    source : str or None
        Where it was found, e.g. ``"environment variable ODA_TOKEN"``.
    notes : list of str
        One plain sentence per skipped candidate (never containing a token).
    """
    notes: list[str] = []
    for source, read in _candidates():
        try:
            text = read()
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            notes.append(f"Could not read the {source} ({type(exc).__name__}); skipped it.")
            continue
        if text is None or not text.strip():
            continue
        token = text.strip()
        try:
            info = decode_token(token)
        except ValidationError:
            notes.append(f"The {source} does not hold a readable token; skipped it.")
            continue
        if info.expired:
            notes.append(f"The token in the {source} {info.expiry_text()}; skipped it.")
            continue
        if issuer is not None and info.issuer != issuer:
            notes.append(f"The token in the {source} was not issued by {issuer}; not used here.")
            continue
        return token, source, notes
    return None, None, notes
