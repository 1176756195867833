"""Text of several lines (``LongString``) in a multi-line box, as MMODA's web form shows it."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from .field_registry import register_field
from .fields import TextField, _typing_box

__all__ = ["LongTextField"]

#: The box grows with the text up to this many lines, then scrolls.
MAX_ROWS = 12


@register_field("long_string")
class LongTextField(TextField):
    """A Textarea: line breaks are kept and sent; the server strips only the ends."""

    def _make_control(self) -> widgets.Widget:
        box = _typing_box(widgets.Textarea, self.label, rows=self._rows(self.spec.default))
        box.add_class("oda-long-text")
        return box

    @staticmethod
    def _rows(text: Any) -> int:
        lines = str(text or "").count("\n") + 1
        return max(3, min(MAX_ROWS, lines + 1))

    def set_value(self, value: Any) -> None:
        super().set_value(value)
        self.control.rows = max(self.control.rows or 3, self._rows(value))
