"""The source catalog a query sends (``selected_catalog``): refused exactly when the dispatcher
could not build it, with its words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..catalog.dispatcher_build import CatalogRefused, build_catalog, build_catalog_from_text
from .kinds import register_kind
from .parameter_spec import ParameterSpec, sent_text

__all__ = [
    "UserCatalogParameter",
]


@register_kind("user_catalog")
class UserCatalogParameter(ParameterSpec):
    """A source catalog (server class ``UserCatalog``): ``selected_catalog``.

    Accepts JSON text, a dict of the dispatcher's catalog shape, or an object with a
    ``to_selected_catalog()`` method; the wire value is JSON text. The catalog is built as the
    dispatcher builds it (:mod:`oda_widgets.client.catalog.dispatcher_build`), so a catalog refused here is
    one the dispatcher refuses, with its words.
    """

    def __init__(self, name: str | None, **kwargs: Any) -> None:
        kwargs["optional"] = True
        super().__init__(name, **kwargs)

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        self._check_encodable(value)
        if value is None:
            return None  # not sent: the dispatcher uses its own catalog
        to_selected = getattr(value, "to_selected_catalog", None)
        if callable(to_selected):
            value = to_selected()
        try:
            if isinstance(value, str | bytes):
                text = sent_text(value)
                build_catalog_from_text(text)
                return text
            if isinstance(value, Mapping):
                build_catalog(dict(value))
                return json.dumps(dict(value))
        except CatalogRefused as exc:
            raise self.error(exc.message, hint=exc.hint) from None
        raise self.error(
            f"{self.name} must be a catalog as JSON text or a dict, not {type(value).__name__}",
            hint="Pass the catalog of a previous job, e.g. products.catalog.",
        )

    def when_empty(self) -> str:
        return "empty: the dispatcher uses its own catalog"

