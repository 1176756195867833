"""Forms built from saved instrument descriptions, with no server to ask.

:class:`SavedDispatcher` is the real :class:`~oda_widgets.client.dispatcher.Dispatcher` with its two
description requests answered from documents given to it (the sandbox's own, or answers recorded
from the real dispatchers); everything else, token handling, ``api_code`` and validation on
submit, is the client's own code.
"""

from __future__ import annotations

from typing import Any

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.query.spec import parse_instrument_description
from oda_widgets.sandbox import descriptions as sandbox_descriptions
from oda_widgets.widgets import QueryForm


class SavedDispatcher(Dispatcher):
    """A real Dispatcher whose description requests are answered from saved documents.

    Everything else (token handling, api_code, validation on submit) is the client's own code.
    """

    def __init__(self, documents: dict[str, Any], token: str | None = None) -> None:
        super().__init__(url="http://127.0.0.1:9/dispatch-data", token=token or "", registry=False)
        self._documents = documents

    def instruments(self) -> list[str]:
        return list(self._documents)

    def describe(self, instrument: str, product: str | None = None) -> Any:
        return parse_instrument_description(self._documents[instrument])


def sandbox_documents(generation: str = "1.3.6") -> dict[str, Any]:
    """The sandbox's description of each of its instruments, as a dispatcher of ``generation`` answers."""
    return {
        name: [description.describe(generation=generation)]
        for name, description in sandbox_descriptions.instruments().items()
    }


def form_for(documents: dict[str, Any], instrument: str, product: str | None = None, **kw) -> QueryForm:
    """A QueryForm of ``instrument`` (and ``product``) on a :class:`SavedDispatcher` of ``documents``."""
    return QueryForm(SavedDispatcher(documents), instrument=instrument, product=product, **kw)
