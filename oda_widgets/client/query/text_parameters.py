"""Text the dispatcher reads as given: strings, long strings, booleans, and parameters of a
class the client does not know.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .kinds import register_kind
from .parameter_spec import ONTOLOGY, XSD, ParameterSpec, wire_text

__all__ = [
    "StringParameter",
    "LongStringParameter",
    "BooleanParameter",
    "UnknownParameter",
]


@register_kind("string", owl_uris=(XSD + "str", ONTOLOGY + "String", ONTOLOGY + "AstrophysicalObject"))
class StringParameter(ParameterSpec):
    """Text (server classes ``String`` and ``Name``), stripped as the server strips it."""


@register_kind("long_string", owl_uris=(ONTOLOGY + "LongString",))
class LongStringParameter(StringParameter):
    """Text of several lines (server class ``LongString``): the server keeps the line breaks
    inside and strips the ends; a form shows it in a multi-line box, as MMODA's web form does."""


@register_kind("boolean", owl_uris=(ONTOLOGY + "Boolean", XSD + "bool"))
class BooleanParameter(ParameterSpec):
    """True or false (server class ``Boolean``): ``True true yes 1`` / ``False false no 0``."""

    TRUE = ("True", "true", "yes", "1")
    FALSE = ("False", "false", "no", "0")

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        text = None if value is None else wire_text(value)
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        # The server says this for None too, optional or not.
        raise self.error(
            f"Wrong value for boolean parameter {self.name}",
            hint="Give True or False (also accepted: true/false, yes/no, 1/0).",
        )


@register_kind("unknown")
class UnknownParameter(ParameterSpec):
    """A parameter of a class this client does not know: sent as text, checked by the server."""

