"""The stylesheet of a view without a front end of its own, put in the page once.

Every stylesheet of oda_widgets is a file in ``js/``. A widget with its own front end
(``js/<name>.js``) has its stylesheet bundled into it, and the front end puts it in the page
(``js/dom.js``'s ``addStyle``). A view built from ipywidgets alone (the query form, the results,
the spectrum, the Explorer, the time-resolved spectra) holds
``style_widget("<name>")``: a hidden widget whose stylesheet ``js/<name>.css`` anywidget puts in
the page's ``<head>`` once, under the stylesheet's name, however many views show it (a newer text
replaces it in place). No other code writes a style element: the sheets are our own text, never
server data.
"""

from __future__ import annotations

import re
from functools import cache

import anywidget
import ipywidgets as widgets

from .front_ends import front_end_file

__all__ = ["StyleSheet", "style_widget"]

# the widget shows nothing: its stylesheet is the point, and anywidget adds it on the model's
# creation, before any view of the page is drawn
_ESM = "export default { render({ el }) { el.hidden = true; } };\n"


@cache
def _sheet(name: str) -> str:
    # a name, not a path: only a stylesheet of js/ is ever read
    if not re.fullmatch(r"[a-z_]+", name):
        raise ValueError(f"{name!r} is not the name of a stylesheet")
    return front_end_file(f"{name}.css").read_text(encoding="utf-8")


class StyleSheet(anywidget.AnyWidget):
    """A hidden widget that puts the stylesheet ``js/<name>.css`` in the page, once per page.

    Parameters
    ----------
    name : str
        The stylesheet: ``"form"``, ``"results"``, ``"spectrum"``, ``"explorer"`` or
        ``"time_resolved_spectra"``.

    Raises
    ------
    ValueError
        For a name that is not a plain name (``[a-z_]+``).
    FileNotFoundError
        For a name with no stylesheet.
    """

    _esm = _ESM

    def __init__(self, name: str) -> None:
        self.name = name
        # anywidget's `_css`, kept in the page under `_anywidget_id`: one style element per sheet
        self._css = _sheet(name)
        super().__init__(_anywidget_id=f"oda_widgets.style.{name}",
                         layout=widgets.Layout(display="none"))


def style_widget(name: str) -> StyleSheet:
    """The hidden widget that styles a view: put it among the view's children.

    Parameters
    ----------
    name : str
        The view's stylesheet, ``js/<name>.css``.
    """
    return StyleSheet(name)
