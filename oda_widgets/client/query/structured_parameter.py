"""A JSON object or array parameter (``StructuredParameter``), checked against its schema."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .kinds import register_kind
from .parameter_spec import ONTOLOGY, ParameterSpec
from .schema_words import schema_hints

__all__ = [
    "StructuredParameter",
]


@register_kind("structured", owl_uris=(ONTOLOGY + "StructuredParameter",))
class StructuredParameter(ParameterSpec):
    """A JSON object or array (server class ``StructuredParameter``), checked with its schema.

    Accepts a dict, a list, or their JSON text; the wire value is the dict or list.
    """

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                # The server keeps undecodable text as text, which no object/array schema admits.
                if self.schema is None:
                    return value
                raise self.error(
                    f"Wrong value of structured parameter {self.name}",
                    hint=f"The text is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
                ) from None
        if isinstance(value, tuple):
            value = list(value)
        if self.schema is not None:
            self._check_schema(value)
        return value

    def _check_schema(self, value: Any) -> None:
        # no network, a time bound, bounded patterns: a description's schema is server data
        from .schema_check import check_value

        check_value(self.schema, value, self.name)

    def schema_hints(self) -> list[str]:
        """What the schema says about the value, in its own words (titles, descriptions,
        choices), one line per described part: for a form to show beside the field."""
        return schema_hints(self.schema)

