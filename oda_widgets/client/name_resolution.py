"""A source name resolved to coordinates by the dispatcher's resolver, its failures said in
words that offer RA and DEC instead.
"""

from __future__ import annotations

from typing import Any

from .errors import DispatcherError, RequestRejected
from .transport.http import Transport
from .transport.secret import SecretToken

__all__ = ["resolve_name"]


def resolve_name(transport: Transport, url: str, name: str,
                 token: SecretToken | None) -> dict[str, Any]:
    """Coordinates of ``name`` from the resolver of the dispatcher at ``url`` (see
    :meth:`Dispatcher.resolve_name <oda_widgets.client.dispatcher.Dispatcher.resolve_name>`)."""
    try:
        answer = transport.resolve_name(name, token)
    except DispatcherError as exc:
        if exc.status_code == 404:
            raise RequestRejected(
                f"the dispatcher at {url} has no name resolver; give RA and DEC instead",
                404,
            ) from None
        raise RequestRejected(
            f"the dispatcher at {url} could not resolve {name!r}: its name resolver is "
            f"missing or failing (HTTP {exc.status_code}); give RA and DEC instead",
            exc.status_code,
            exc.payload,
        ) from None
    if not isinstance(answer, dict) or answer.get("RA") is None or answer.get("DEC") is None:
        message = answer.get("message") if isinstance(answer, dict) else None
        raise RequestRejected(
            f"the dispatcher does not know the name {name!r}"
            + (f" ({message})" if message else "")
            + "; check the spelling or give RA and DEC instead",
            200,
            answer if isinstance(answer, dict) else None,
            parameter="src_name",
        )
    return answer
