"""CatalogField: the catalog a query sends as ``selected_catalog``, said in words.

The field shows what the catalog holds ("catalog: 7 sources (2 removed, 1 added)"), follows a
client :class:`~oda_widgets.client.catalog.source_catalog.Catalog`'s edits and selection as
they happen, offers "selected rows only" (then ``catalog_selected_objects`` goes too and the job
extracts only those rows) and a Clear button (the dispatcher then uses its own catalog).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.catalog.source_catalog import Catalog
from ..client.query.parameter_spec import ParameterSpec
from .field_registry import register_field
from .fields import LABEL_WIDTH, Field
from .reentry import Reentry

__all__ = ["CatalogField", "GivenCatalog"]

#: What a form takes as a catalog: a client Catalog, the dispatcher's catalog dict, or its JSON.
GivenCatalog = Catalog | Mapping[str, Any] | str


@register_field("user_catalog")
class CatalogField(Field):
    """The catalog sent as ``selected_catalog``: what it holds in words, "selected rows only", a
    Clear button and :meth:`set_catalog`.

    With no catalog the dispatcher uses its own. A catalog may be a client ``Catalog`` (its edits
    and selection show here at once), a dispatcher catalog dict, or ``selected_catalog`` JSON
    text. With "selected rows only" ticked and rows selected, ``catalog_selected_objects`` goes
    too and the job extracts only those rows.
    """

    EMPTY = "no catalog: the dispatcher uses its own"
    observe_control = False

    selected_rows = traitlets.Unicode(
        None, allow_none=True, read_only=True,
        help="The catalog_selected_objects sent with the catalog (None: every row goes).",
    )

    def __init__(self, spec: ParameterSpec) -> None:
        self._catalog: GivenCatalog | None = None
        self._reentry = Reentry()
        self.clear_button = widgets.Button(
            description="Clear",
            tooltip="forget the catalog: the dispatcher then uses its own",
            layout=widgets.Layout(width="6em"),
        )
        self.selected_only_box = widgets.Checkbox(
            value=False, description="selected rows only", indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.selected_only_box.add_class("oda-catalog-selected-only")
        super().__init__(spec)
        self.clear_button.on_click(lambda _button: self.set_catalog(None))
        self.selected_only_box.observe(lambda _change: self._refresh(), names="value")

    def _make_control(self) -> widgets.Widget:
        return widgets.Label(self.EMPTY)

    def _row(self) -> list[widgets.Widget]:
        title = widgets.Label(self.label, layout=widgets.Layout(width=LABEL_WIDTH))
        return [title, self.control, self.selected_only_box, self.clear_button, self.message]

    @property
    def catalog(self) -> GivenCatalog | None:
        """The catalog that the next query sends (``None``: the dispatcher's own)."""
        return self._catalog

    @property
    def selected_only(self) -> bool:
        """Whether only the catalog's selected rows are extracted."""
        return bool(self.selected_only_box.value)

    def set_catalog(self, catalog: GivenCatalog | None, selected_only: bool | None = None) -> None:
        """Use ``catalog`` for the next query (``None`` clears it); ``selected_only`` ticks or
        unticks "selected rows only" (left as it is when omitted)."""
        self._stop_following()
        if isinstance(catalog, str) and not catalog.strip():
            catalog = None
        self._catalog = catalog
        if isinstance(catalog, Catalog):
            catalog.add_listener(self._catalog_edited)
        if selected_only is not None:
            with self._reentry("ticking"):  # one refresh below, not two
                self.selected_only_box.value = bool(selected_only)
        self._refresh()

    def _stop_following(self) -> None:
        if isinstance(self._catalog, Catalog):
            try:
                self._catalog.remove_listener(self._catalog_edited)
            except (ValueError, KeyError):
                pass

    def _catalog_edited(self, *_args: object) -> None:
        self._refresh()

    def _refresh(self) -> None:
        self.control.value = self.summary()
        self.clear_button.disabled = self._catalog is None
        if not self._reentry.active("ticking"):
            self._changed()

    def _changed(self, _change: object = None) -> None:
        super()._changed(_change)
        self.set_trait("selected_rows", self.selected_objects())

    def set_value(self, value: Any) -> None:
        self.set_catalog(value)

    def summary(self) -> str:
        """What the field holds: ``"catalog: 7 sources (2 removed, 1 added)"``, and when only
        the selected rows go, ``"; only the 2 selected"``."""
        if self._catalog is None:
            return self.EMPTY
        count, selected = _catalog_counts(self._catalog)
        if count is None:
            return "a catalog (its size could not be read)"
        text = f"catalog: {count} source{'' if count == 1 else 's'}"
        if isinstance(self._catalog, Catalog):
            parts = [f"{n} {what}" for what, n in self._catalog.changes().items() if n]
            text += f" ({', '.join(parts)})" if parts else " (as the job returned it)"
        if self.selected_only:
            if selected:
                text += f"; only the {selected} selected"
            else:
                text += "; no row selected, so all of them"
        elif selected:
            text += f", {selected} selected (all are sent)"
        return text

    def typed(self) -> Any:
        return self.query_value()

    def check(self, values: Mapping[str, Any] | None = None) -> Any:
        wire = super().check(values)
        if self.error is None:
            self.note = ""  # the summary already says what the catalog is
            self.clear_error()
        return wire

    def query_value(self) -> str | None:
        catalog = self._catalog
        if catalog is None:
            return None
        if isinstance(catalog, Catalog):
            return catalog.to_selected_catalog()
        if isinstance(catalog, str):
            return catalog
        return json.dumps(catalog)

    def selected_objects(self) -> str | None:
        """The ``catalog_selected_objects`` to send: the selected rows' meta_IDs when "selected
        rows only" is ticked and rows are selected, else None."""
        if not self.selected_only or not isinstance(self._catalog, Catalog):
            return None
        return self._catalog.catalog_selected_objects()

    def hand_over(self) -> tuple[GivenCatalog | None, bool]:
        """The catalog and the "selected rows only" choice, for the field of another product;
        this field stops following the catalog's edits."""
        self._stop_following()
        return self._catalog, self.selected_only


def _catalog_counts(catalog: GivenCatalog) -> tuple[int | None, int | None]:
    """Number of sources and of selected ones, from a Catalog, a dict or JSON text."""
    if isinstance(catalog, Catalog):
        chosen = catalog.catalog_selected_objects()
        selected = len([s for s in str(chosen).split(",") if s.strip()]) if chosen else None
        return len(catalog.table), selected
    data: object = catalog
    if isinstance(catalog, str):
        try:
            data = json.loads(catalog)
        except ValueError:
            return None, None
    if not isinstance(data, Mapping):
        return None, None
    columns = data.get("cat_column_list")
    if isinstance(columns, list) and columns and isinstance(columns[0], list):
        return len(columns[0]), None
    return None, None
