"""ResultTabs: the Explorer's tabs of opened results, a row of tab buttons over the panels.

Each tab button shows a short title and the whole title on hover (its tooltip). Every panel stays
laid out at the tabs' width, the inactive ones folded to no height and hidden: a figure inside a
panel that is not shown keeps its size, so bqplot never lays one out at zero width (which would
draw negative sizes), and Aladin Lite keeps its view; switching tabs redraws nothing.
Their looks are the Explorer's stylesheet (``js/explorer.css``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import traitlets

__all__ = ["ResultTabs"]

_SHOWN = {"visibility": None, "height": None, "overflow": None}
_FOLDED = {"visibility": "hidden", "height": "0px", "overflow": "hidden"}


class ResultTabs(widgets.VBox):
    """Tabs over panels; ``selected_index`` is the panel shown (None when there is none).

    Attributes
    ----------
    titles : tuple of str
        The short titles on the tab buttons.
    tooltips : tuple of str
        The whole titles, shown on hover.
    panels : tuple of ipywidgets.Widget
    """

    selected_index = traitlets.Int(None, allow_none=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bar = widgets.HBox()
        self.bar.add_class("oda-tab-bar")
        self.stack = widgets.VBox(layout=widgets.Layout(width="100%"))
        self.stack.add_class("oda-tab-panels")
        self.titles: tuple[str, ...] = ()
        self.tooltips: tuple[str, ...] = ()
        self.panels: tuple[widgets.Widget, ...] = ()
        self._buttons: list[widgets.Button] = []
        self.children = [self.bar, self.stack]
        self.add_class("oda-result-tabs")

    def set_tabs(self, panels: Sequence[widgets.Widget], titles: Sequence[str],
                 tooltips: Sequence[str]) -> None:
        """Show ``panels`` under tab buttons named ``titles`` (``tooltips`` on hover)."""
        self.panels, self.titles, self.tooltips = tuple(panels), tuple(titles), tuple(tooltips)
        buttons = []
        for index, (title, tooltip) in enumerate(zip(self.titles, self.tooltips, strict=True)):
            button = self._buttons[index] if index < len(self._buttons) else self._new_button(
                index)
            button.description, button.tooltip = title, tooltip
            buttons.append(button)
        for extra in self._buttons[len(buttons):]:
            extra.close()
        self._buttons = buttons
        self.bar.children = buttons
        self.stack.children = list(self.panels)
        if not self.panels:
            self.selected_index = None
        elif self.selected_index is None or self.selected_index >= len(self.panels):
            self.selected_index = len(self.panels) - 1
        self._show()

    def _new_button(self, index: int) -> widgets.Button:
        button = widgets.Button(layout=widgets.Layout(width="auto"))
        button.add_class("oda-tab")
        button.on_click(lambda _b, i=index: setattr(self, "selected_index", i))
        return button

    @traitlets.observe("selected_index")
    def _selected(self, _change: Any) -> None:
        self._show()

    def _show(self) -> None:
        for index, (panel, button) in enumerate(zip(self.panels, self._buttons, strict=True)):
            active = index == self.selected_index
            for name, value in (_SHOWN if active else _FOLDED).items():
                setattr(panel.layout, name, value)
            (button.add_class if active else button.remove_class)("oda-tab-active")
            button.button_style = ""
