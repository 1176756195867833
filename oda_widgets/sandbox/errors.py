"""The sandbox's request errors, named and shaped as the dispatcher's own.

The dispatcher answers a refused request with a JSON body whose ``error`` field reads
``"<ExceptionClass>():<message>"``; clients (oda_api among them) look at the class name and the
status code, so the sandbox keeps both.
"""

from __future__ import annotations

__all__ = [
    "APIError",
    "ConstructorFailed",
    "InstrumentNotRecognized",
    "InternalError",
    "InvalidJobIDProvided",
    "MissingRequestParameter",
    "NoInstrumentSpecified",
    "RequestNotAuthorized",
    "RequestNotUnderstood",
]


class APIError(Exception):
    """A refused request: HTTP ``status_code`` with the dispatcher's error body.

    Parameters
    ----------
    message : str
        The text put in ``error_message`` (and after the class name in ``error``).
    debug_message : str or None
        Put in ``debug_message`` when not None (the dispatcher adds it to 403 answers only).
    """

    status_code = 400

    def __init__(self, message: str, debug_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.debug_message = debug_message

    @property
    def kind(self) -> str:
        """The exception class name the dispatcher writes in ``error``."""
        return type(self).__name__


class RequestNotUnderstood(APIError):
    """400: a parameter value or the request's form is wrong."""


class NoInstrumentSpecified(APIError):
    """400: the request names no instrument."""


class InstrumentNotRecognized(APIError):
    """400: the request names an instrument the dispatcher does not have."""


class InvalidJobIDProvided(APIError):
    """400: a poll names a job the dispatcher has no record of."""


class MissingRequestParameter(APIError):
    """400: ``query_type`` or ``product_type`` is missing."""


class InternalError(APIError):
    """500: the dispatcher itself failed (e.g. it could not lock a job's scratch directory)."""

    status_code = 500


class RequestNotAuthorized(APIError):
    """403: the token is expired or not signed by this dispatcher."""

    status_code = 403

    def __init__(self, message: str, debug_message: str = "") -> None:
        super().__init__(message, debug_message)


class ConstructorFailed(Exception):
    """A failure the dispatcher reports as ``[ InstrumentQueryBackEnd : <instr> ] constructor failed: ...``.

    Raised deep in parameter handling, where the instrument is not known; the request handler turns
    it into :class:`RequestNotUnderstood` with the dispatcher's prefix.
    """
