"""A format companion (``delta_T_format``, a product's own time format) as a choice of the
formats the server reads, never free text.

The source's ``T_format`` is the form's ISOT/MJD switch (:class:`~.fields.TimeFormatSwitch`),
which converts the times it serves; any other format companion is this Dropdown.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..client.query.time_parameters import FormatParameter
from .field_registry import register_field
from .fields import LABEL_WIDTH, ChoiceField, Field, TextField

__all__ = ["FormatChoiceField", "format_field"]


class FormatChoiceField(ChoiceField):
    """A Dropdown of the formats the parameter's server accepts (astropy's), usual ones first."""

    spec: FormatParameter

    def _make_control(self) -> widgets.Widget:
        formats = list(self.spec.accepted_formats())
        default = self.spec.default
        if isinstance(default, str) and default and default not in formats:
            formats.insert(0, default)
        return widgets.Dropdown(
            options=[(str(f), f) for f in formats],
            description=self.label,
            style={"description_width": LABEL_WIDTH},
        )


@register_field("format")
def format_field(spec: Any) -> Field:
    """A :class:`FormatChoiceField` for the format of a time or duration; text otherwise (a
    format companion of a parameter the client cannot tell the formats of)."""
    accepted = getattr(spec, "accepted_formats", None)
    if callable(accepted) and accepted():
        return FormatChoiceField(spec)
    return TextField(spec)
