"""The client's errors: a small hierarchy with plain messages.

Every message says what happened and, where the user can act, what to change. No message ever
contains a token: server payloads are scrubbed before they are stored on an error.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "OdaError",
    "ValidationError",
    "ValidationErrors",
    "ServerAnswerError",
    "RequestRejected",
    "Unauthorized",
    "DispatcherUnavailable",
    "DispatcherError",
    "ProductDecodeError",
    "JobFailed",
    "UnsafePayload",
    "JobNotFinished",
]


class OdaError(Exception):
    """Base class of every error raised by :mod:`oda_widgets.client`."""


class ValidationError(OdaError, ValueError):
    """A parameter value was refused before anything was sent.

    Parameters
    ----------
    parameter : str or None
        The parameter the value was meant for (``None`` when the problem concerns the query as a
        whole, e.g. an unknown product).
    message : str
        What is wrong. Where the dispatcher has a message for the same input, this is that
        message, in the words of the server generation the client talks to.
    hint : str or None
        What to change, in the client's words, shown beside the message (``None`` when the
        message says it already).
    """

    def __init__(self, parameter: str | None, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message
        self.hint = hint


class ValidationErrors(ValidationError):
    """Several parameters were refused at once; ``errors`` holds one :class:`ValidationError` each."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = list(errors)
        text = "; ".join(
            f"{e.parameter}: {e.message}" if e.parameter else e.message for e in self.errors
        )
        super().__init__(
            self.errors[0].parameter if len(self.errors) == 1 else None,
            text,
            hint=self.errors[0].hint if len(self.errors) == 1 else None,
        )

    def by_parameter(self) -> dict[str | None, str]:
        """Map each refused parameter to its message."""
        return {e.parameter: e.message for e in self.errors}


class ServerAnswerError(OdaError):
    """Base of errors carrying an answer of the dispatcher.

    Parameters
    ----------
    message : str
        The server's own message (``error_message`` or ``exit_status.message``).
    status_code : int or None
        The HTTP status of the answer.
    payload : dict or None
        The decoded answer, with every token removed.
    """

    def __init__(
        self, message: str, status_code: int | None = None, payload: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.payload = payload or {}


class RequestRejected(ServerAnswerError):
    """HTTP 400: the dispatcher did not accept the request; ``message`` is its own text.

    ``parameter`` names the parameter the server complained about, when its message names one
    (``"Parameter RA wrong value a. ..."``), so a form can put the message next to that field.
    """

    def __init__(
        self,
        message: str,
        status_code: int | None = 400,
        payload: dict[str, Any] | None = None,
        parameter: str | None = None,
    ) -> None:
        super().__init__(message, status_code, payload)
        self.parameter = parameter


class Unauthorized(ServerAnswerError):
    """HTTP 403: the token is missing, expired, invalid, or lacks a role this request needs."""

    def __init__(
        self,
        message: str,
        status_code: int | None = 403,
        payload: dict[str, Any] | None = None,
        debug_message: str = "",
    ) -> None:
        super().__init__(message, status_code, payload)
        self.debug_message = debug_message


class DispatcherUnavailable(ServerAnswerError):
    """The dispatcher could not be reached or answered 502/503/504 (transient; retried first)."""


class DispatcherError(ServerAnswerError):
    """The dispatcher failed in an unexpected way: HTTP 500, an HTML error page, malformed JSON."""


class ProductDecodeError(DispatcherError):
    """A product in a ``done`` answer could not be decoded (corrupt, truncated, inconsistent).

    Parameters
    ----------
    product : str
        Which product (its name or ``"<key>[<index>]"``) the problem is in.
    reason : str
        What is wrong with it.
    """

    def __init__(self, product: str, reason: str) -> None:
        super().__init__(f"product {product!r} could not be decoded: {reason}")
        self.product = product
        self.reason = reason


class JobFailed(ServerAnswerError):
    """The job ran and failed; the server's ``message``, ``error_message`` and ``debug_message``."""

    def __init__(
        self,
        message: str,
        error_message: str = "",
        debug_message: str = "",
        job_id: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, 200, payload)
        self.error_message = error_message
        self.debug_message = debug_message
        self.job_id = job_id

    def __str__(self) -> str:
        parts = [self.message or "the job failed"]
        if self.error_message:
            parts.append(self.error_message)
        return ": ".join(parts)


class UnsafePayload(OdaError):
    """The product decoder refused a payload that would do more than rebuild arrays or tables."""


class JobNotFinished(OdaError):
    """A job's result was asked for before it finished (or after it stopped being followed)."""
