"""Energies and time intervals: a number in the parameter's units, or text with other units.

``1 MeV`` typed for a parameter in keV is read by the parameter (astropy ``Quantity``, spectral
equivalency for energies) and sent as ``1000`` keV; the note beside the field shows the value in
the parameter's units whenever the text is not already a plain number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .field_registry import register_field
from .fields import NumberField

__all__ = ["QuantityField"]


@register_field("energy", "time_interval")
class QuantityField(NumberField):
    """A number in the parameter's units (shown beside it), or text with its own units."""

    with_units = True  # "1 MeV" becomes the number in the parameter's units

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
