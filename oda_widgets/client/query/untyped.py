"""A parameter the server does not type (its plain class ``Parameter``): any value goes through.

A notebook parameter with no annotation the ontology knows (``lst = ['b', 'c']``, ``otheropt = 5
# oda:optional``) is described with neither ``owl_uri`` nor bounds, and the dispatcher keeps
whatever it receives: text stripped, JSON lists and objects decoded (its request reading),
``"\\x00"`` as None (refused unless the description says the parameter is optional). The service
then reads it as the type of its default. So the client accepts what the dispatcher accepts, and
the form shows the plain kind the default has (a number box for ``5``, a JSON box for a list);
a value not of that type gets a note saying the service may not read it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .kinds import register_kind
from .parameter_spec import ParameterSpec, wire_text

__all__ = ["UntypedParameter", "plain_kind_of"]


def plain_kind_of(value: Any) -> str:
    """The plain kind of a default: ``boolean``, ``integer``, ``float``, ``structured`` (a list or
    an object) or ``string`` (text, or no default)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, list | dict):
        return "structured"
    return "string"


_EXPECTED = {
    "boolean": "true or false",
    "integer": "a whole number",
    "float": "a number",
    "structured": "JSON",
}


@register_kind("untyped")
class UntypedParameter(ParameterSpec):
    """A parameter of the server's plain class ``Parameter``: no type, no check but optionality.

    ``plain_kind`` is the kind of its default (see :func:`plain_kind_of`), which decides its
    form field. The wire value is the value given: text (stripped), a number, a bool, or the list
    or object that JSON text decodes to (the dispatcher reads such text as that list or object).
    """

    @property
    def plain_kind(self) -> str:
        """The kind of the default's value (``integer`` for ``5``, ``structured`` for a list)."""
        return plain_kind_of(self.default)

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        if isinstance(value, tuple):
            value = list(value)
        if not isinstance(value, str):
            return value
        text = wire_text(value)
        if text[:1] in "[{":
            try:
                decoded = json.loads(text)
            except json.JSONDecodeError:
                return text
            if isinstance(decoded, list | dict):
                return decoded
        return text

    def _reads_as_default(self, wire: Any) -> bool:
        kind = self.plain_kind
        if kind == "string":
            return True
        if kind == "structured":
            return isinstance(wire, type(self.default))
        if kind == "boolean":
            return isinstance(wire, bool) or str(wire).strip() in ("True", "False", "true", "false")
        try:
            (int if kind == "integer" else float)(str(wire))
        except ValueError:
            return False
        return not isinstance(wire, bool | list | dict)

    def preview(self, wire: Any) -> str:
        if self._reads_as_default(wire):
            return ""
        expected = _EXPECTED.get(self.plain_kind, self.plain_kind)
        default = json.dumps(self.default) if self.plain_kind == "structured" else self.default
        return (
            f"The service reads {expected} here (default {default}) and may refuse this; "
            "the dispatcher passes it on unchecked"
        )

    def describe_restrictions(self) -> str:
        return f"untyped ({self.plain_kind} default), " + super().describe_restrictions()
