"""The token, held so that nothing can print it: ``repr``, ``str`` and formatting hide it.

A token passed around as a plain string ends up wherever a string can: in the locals of every
frame between the user's call and the socket, which IPython's verbose tracebacks (``%xmode
Verbose``) and ``traceback.TracebackException(..., capture_locals=True)`` print, and in the
arguments of log calls and error messages. Inside :mod:`oda_widgets.client` the token travels as
a :class:`SecretToken`; its text is taken out (:meth:`SecretToken.reveal`) only where the HTTP
request is encoded (``client/transport/http.py``), where a JWT's claims are read (``client/transport/token.py``) and
where answers are scrubbed of it (``client/transport/redaction.py``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["HIDDEN", "SecretToken", "as_secret", "reveal"]

HIDDEN = "<token hidden>"


class SecretToken:
    """A token whose text shows only through :meth:`reveal`.

    Parameters
    ----------
    text : str or SecretToken
        The token.
    """

    __slots__ = ("__text",)

    def __init__(self, text: str | SecretToken) -> None:
        if isinstance(text, SecretToken):
            text = text.reveal()
        if not isinstance(text, str):
            raise TypeError(f"a token is text, not {type(text).__name__}")
        self.__text = text

    def reveal(self) -> str:
        """The token's text, for the one place that sends it."""
        return self.__text

    def __repr__(self) -> str:
        return HIDDEN

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return HIDDEN

    def __bool__(self) -> bool:
        return bool(self.__text.strip())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SecretToken):
            return other.reveal() == self.__text
        return NotImplemented

    def __hash__(self) -> int:
        return hash((SecretToken, self.__text))

    def __copy__(self) -> SecretToken:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> SecretToken:
        return self

    def __reduce__(self) -> Any:
        raise TypeError("a token is never pickled (it would be written out in full)")


def as_secret(value: str | SecretToken | None) -> SecretToken | None:
    """``value`` as a :class:`SecretToken`; ``None`` for no token (``None`` or blank text)."""
    if value is None:
        return None
    secret = value if isinstance(value, SecretToken) else SecretToken(value)
    return secret if secret else None


def reveal(value: str | SecretToken | None) -> str | None:
    """The text of a token given either way (``None`` stays ``None``)."""
    if isinstance(value, SecretToken):
        return value.reveal()
    return value
