"""ValueList: a job's text outputs and workflow parameters as a labelled list, shown as text.

Each row is an output's title (its label, else its name; the ontology class and description in
the tooltip) and its value: one line in a ``Label``, more lines in a read-only ``Textarea``.
Neither interprets markup: a server's text stays text.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from ..client.products.announced import short_uri
from ..client.products.kinds import TextProduct

__all__ = ["ValueList"]

#: A value longer than this, or of several lines, goes in a text box.
LINE_LIMIT = 120


def _value_widget(text: str) -> widgets.Widget:
    lines = text.splitlines() or [""]
    if len(lines) == 1 and len(text) <= LINE_LIMIT:
        label = widgets.Label(text)
        label.add_class("oda-value")
        return label
    box = widgets.Textarea(value=text, disabled=True, rows=min(max(len(lines), 2), 12),
                           layout=widgets.Layout(width="100%"))
    box.add_class("oda-value")
    box.add_class("oda-results-text")
    return box


def _tooltip(product: TextProduct) -> str:
    parts = [product.name]
    uri = short_uri(product.uri) or short_uri(product.meta_data.get("uri"))
    if uri:
        parts.append(uri)
    if product.announced is not None and product.announced.description:
        parts.append(product.announced.description)
    return " · ".join(parts)


class ValueList(widgets.GridBox):
    """Text products as rows of title and value.

    Parameters
    ----------
    products : list of TextProduct
        The job's text products and workflow parameters, in the order to show them.

    Attributes
    ----------
    values : dict
        The widget showing each product's value (``.value`` is the text), by product name.
    """

    def __init__(self, products: list[TextProduct], **kwargs: Any) -> None:
        super().__init__(layout=widgets.Layout(
            grid_template_columns="minmax(8em, max-content) minmax(0, 1fr)",
            grid_gap="2px 18px", align_items="baseline", width="100%"), **kwargs)
        self.values: dict[str, widgets.Widget] = {}
        children: list[widgets.Widget] = []
        for product in products:
            title = widgets.Label(product.title, tooltip=_tooltip(product))
            title.add_class("oda-value-title")
            value = _value_widget(product.text())
            self.values[product.name] = value
            children += [title, value]
        self.children = children
        self.add_class("oda-value-list")
