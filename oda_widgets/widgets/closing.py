"""Closing a view closes every widget it is made of, so that nothing keeps a closed view alive.

ipywidgets keeps every open widget in its registry until that widget itself is closed; closing a
box does not close its children, nor a bqplot figure its marks, scales, axes and interactions,
nor any widget its layout and style. A part left open stays in the registry with its observers,
and an observer that is a view's method or a closure over it (a button's click, a brush's
selection) keeps the whole view, its arrays and its figures alive as long as the kernel runs.
:func:`close_parts` finds the parts the way they are held (traits, attributes, and lists or dicts
of widgets in either) and closes each, calling its own ``close`` so that a view's own clean-up
(a catalog listener let go) runs too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import ipywidgets as widgets

__all__ = ["close_parts"]


def _held(value: Any) -> Iterator[widgets.Widget]:
    """The widgets a trait or an attribute holds: itself, or those in a list, tuple, set or dict."""
    if isinstance(value, widgets.Widget):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        yield from (item for item in value if isinstance(item, widgets.Widget))
    elif isinstance(value, dict):
        yield from (item for item in value.values() if isinstance(item, widgets.Widget))


def _parts(widget: widgets.Widget, kept: set[int]) -> list[widgets.Widget]:
    """Every widget ``widget`` holds, directly or through its parts, outermost first."""
    found: list[widgets.Widget] = []
    seen = {id(widget)} | kept
    stack = [widget]
    while stack:
        holder = stack.pop()
        values = [*holder._trait_values.values(), *vars(holder).values()]
        for value in values:
            for part in _held(value):
                if id(part) not in seen:
                    seen.add(id(part))
                    found.append(part)
                    stack.append(part)
    return found


def close_parts(widget: widgets.Widget, keep: Iterable[Any] = ()) -> None:
    """Close ``widget`` and every widget it holds: children, views, figures with their marks,
    scales, axes and interactions, layouts and styles.

    Parameters
    ----------
    widget : ipywidgets.Widget
        The widget to close. Its own class's ``close`` is not called here (a view's ``close``
        does its own clean-up, then calls this); the widget's comm is closed.
    keep : iterable
        Widgets the closed one uses but does not own (the query form a view fills): left open,
        and what they hold is not looked into.
    """
    for part in _parts(widget, {id(k) for k in keep}):
        if part.comm is not None:  # closed already, by a view closing its own parts
            part.close()
    widgets.Widget.close(widget)
