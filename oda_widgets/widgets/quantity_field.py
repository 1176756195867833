"""Energies and time intervals: a number in the parameter's units, or text with other units.

``1 MeV`` typed for a parameter in keV is read by the parameter (astropy ``Quantity``, spectral
equivalency for energies) and sent as ``1000`` keV; the note beside the field shows the value in
the parameter's units whenever the text is not already a plain number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..client.errors import ValidationError
from .field_registry import register_field
from .fields import NumberField

__all__ = ["QuantityField"]


@register_field("energy", "time_interval")
class QuantityField(NumberField):
    """A number in the parameter's units (shown beside it), or text with its own units."""

    def query_value(self) -> Any:
        number = super().query_value()
        if not isinstance(number, str):
            return number
        try:
            # "1 MeV" becomes the number in the parameter's units
            return self.spec.validate(number)
        except (ValidationError, ValueError):
            return number

    def _changed(self, _change: Any = None) -> None:
        before = self.value
        super()._changed(_change)
        if self.value == before and hasattr(self, "message"):
            # "45 keV" typed over 45.0 is the same value, which no observer hears: the note
            # still has to follow the text (an energy's check needs no other value)
            self.check()

    def check(self, values: Mapping[str, Any] | None = None) -> Any:
        wire = super().check(values)
        if self.error is None and self.note and _is_plain_number(self.text):
            self.note = ""  # "= 50 keV" beside "50" with "keV" shown says nothing new
            self.clear_error()
        return wire


def _is_plain_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True
