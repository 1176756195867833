"""A list of input products (``scw_list``, ``p_list``): read item by item as each generation
reads it, science window lists refused when whitespace-separated, odd ids named, not refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from .generations import OLDER
from .kinds import register_kind
from .parameter_spec import ONTOLOGY, ParameterSpec, sent_text

__all__ = [
    "SCIENCE_WINDOW_ID",
    "SPACE_SEPARATED_LIST",
    "InputProdListParameter",
]

#: The shape of an INTEGRAL science window id (ASCII digits only): ``066500220010.001``.
SCIENCE_WINDOW_ID = re.compile(r"^[0-9]{12}(\.[0-9]{3})?$")

#: What both generations answer for a science window list given as whitespace-separated text.
SPACE_SEPARATED_LIST = (
    "a space separated science windows list is an unsupported format, "
    "please provide it as a comme separated list"
)


@register_kind("input_prod_list", owl_uris=(ONTOLOGY + "InputProdList",))
class InputProdListParameter(ParameterSpec):
    """A list of input products (server class ``InputProdList``): ``scw_list``, ``p_list``.

    A list is taken item by item. Text is read as the server reads it: split on commas (1.3.6
    first reads JSON text such as ``'["a", "b"]'`` as a list); a science window list written as
    whitespace-separated text is refused by both generations. The wire value is what the
    generation reads back as the same list: a list (sent as JSON text, or as repeated keys for
    ``scw_list``), except 1.3.3's other lists, sent as comma-separated text.

    The server takes any ids; ids that do not have the shape of a science window are named in
    :meth:`preview`, not refused.
    """

    def __init__(self, name: str | None, **kwargs: Any) -> None:
        kwargs["optional"] = True  # the server makes every product list optional
        super().__init__(name, **kwargs)

    @property
    def holds_science_windows(self) -> bool:
        return self.name == "scw_list"

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        self._check_encodable(value)
        if value is None:
            return []
        if isinstance(value, str | bytes):
            return self._from_text(sent_text(value))
        if isinstance(value, Sequence | set | frozenset):
            items = [sent_text(item) for item in value if item is not None]
        else:
            items = [sent_text(value)]
        items = [item for item in items if item != ""]
        if len(items) == 1 and self.holds_science_windows:
            # one value of scw_list is read as text (repeated keys as they are)
            self._refuse_commas(items)
            self._from_text(items[0])
        if self.generation == OLDER and not self.holds_science_windows:
            self._refuse_commas(items)
            return ",".join(items)  # 1.3.3 reads only the first of repeated keys
        return items

    def _from_text(self, text: str) -> Any:
        if self.generation != OLDER and text.strip().startswith("["):
            try:
                decoded = json.loads(text)
            except json.JSONDecodeError:
                decoded = None
            if isinstance(decoded, list):
                return [sent_text(item) for item in decoded if item is not None]
        if self.holds_science_windows and len(text.split()) > 1:
            raise self.error(
                SPACE_SEPARATED_LIST,
                hint="Separate the ids with commas (no spaces), or give a list of ids.",
            )
        if self.generation == OLDER:
            return text  # sent as it is: the server splits it on commas itself
        return self.items_of_text(text)

    @staticmethod
    def items_of_text(text: str) -> list[str]:
        """The items the server finds in ``text``: split on commas, nothing for empty text."""
        items = text.split(",")
        return [] if items == [""] else items

    def _refuse_commas(self, items: list[str]) -> None:
        """Items the dispatcher would read as several, split on their commas, are refused."""
        bad = [item for item in items if "," in item]
        if bad:
            raise self.error(
                f"The item(s) {', '.join(repr(b) for b in bad[:3])} of {self.name} contain commas, "
                "which this dispatcher reads as separators: it would receive other items",
                hint="Remove the commas from the items, or give the ids as one comma-separated text.",
            )

    @staticmethod
    def items_of_lines(text: str) -> list[str]:
        """The ids of a form's text box: one per line, commas and whitespace also separate.

        The form sends them as a list, which every generation reads item by item.
        """
        return [item for item in re.split(r"[,\s]+", text) if item]

    def items(self, value: Any) -> list[str]:
        """The ids the server reads from ``value`` (raises like :meth:`validate`)."""
        wire = self.validate(value)
        return self.items_of_text(wire) if isinstance(wire, str) else list(wire)

    def count(self, value: Any) -> int:
        """How many ids ``value`` holds once read (0 for nothing); raises like :meth:`validate`."""
        return len(self.items(value))

    def preview(self, wire: Any) -> str:
        items = self.items_of_text(wire) if isinstance(wire, str) else list(wire or [])
        noun = "science window" if self.holds_science_windows else "item"
        text = f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
        if self.holds_science_windows:
            odd = [item for item in items if not SCIENCE_WINDOW_ID.match(item.strip())]
            if odd:
                shown = ", ".join(repr(item) for item in odd[:3]) + (", ..." if len(odd) > 3 else "")
                text += (
                    f"; {len(odd)} not shaped like a science window id (12 digits, optional "
                    f".001): {shown}. The dispatcher takes them as given"
                )
        return text

    def when_empty(self) -> str:
        return "empty: no list is sent"

