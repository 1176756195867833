"""The two generations of the dispatcher's protocol, and how the client tells them apart.

cdci-data-analysis 1.3.3 (the newest release on PyPI, and what older deployments run) describes
each query of ``/api/meta-data`` as JSON *text*, with neither ``restrictions`` nor ``owl_uri``, and
reads every request argument as the text it received. Its parameter classes refuse a value with
the words of the library doing the reading (astropy's angle parser, Python's ``float``...), and the
whole request with ``"[ InstrumentQueryBackEnd : <instrument> ] constructor failed: <words>"``.

Later servers (1.3.6 is the one captured) describe queries as lists with restrictions and
ontology URIs, decode JSON lists and ``"\\x00"`` (None) from the request, and refuse a value with
their own sentences (``"Parameter RA wrong value a. could not convert string to float: 'a'"``).

The client quotes the texts of the generation it talks to, decided by the description's shape.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OLDER", "CURRENT", "OLDER_REFUSAL_PREFIX", "generation_of", "parameter_words"]

#: The older generation: queries as JSON text, every argument read as text.
OLDER = "1.3.3"
#: The current generation: queries as lists with restrictions and ontology URIs.
CURRENT = "1.3.6"

#: What 1.3.3 puts before the words of a parameter it refused.
OLDER_REFUSAL_PREFIX = "constructor failed: "


def generation_of(query_items: list[Any]) -> str:
    """The generation that wrote these query items of ``/api/meta-data`` (``OLDER`` when any of
    them is JSON text, as only 1.3.3 sends them)."""
    return OLDER if any(isinstance(item, str) for item in query_items) else CURRENT


def parameter_words(server_message: str) -> str:
    """The part of a 1.3.3 refusal that is about the value (after ``constructor failed:``)."""
    head, sep, tail = server_message.partition(OLDER_REFUSAL_PREFIX)
    return tail if sep else server_message
