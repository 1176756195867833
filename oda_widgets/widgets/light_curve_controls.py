"""The light curve's controls: time axis, rate scale, zoom or select, rebinning, the legend.

Every ipywidget is a model the browser creates before the view is drawn, with a layout and often a
style model of its own: the controls share their layouts and styles (one model each for all the
widgets that look alike) and carry their CSS inline, so a view opens a few dozen models rather
than seventy; each opens with its CSS class (no second message to add it). Which widget does what (and what the tests and users click) is unchanged.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_string import HTMLStyle

from ..analysis.time_axis import MODES
from .source_colours import source_colour

__all__ = ["Controls", "note"]

_AXIS_NAMES = {"utc": "UTC", "mjd": "MJD", "t1": "s since T1"}
_INLINE = {
    "oda-lc-note": "color: var(--jp-ui-font-color2, #555)",
    "oda-error-text": "color: #b00020; font-weight: bold",
}
_SWATCH = "display: inline-block; width: 1.4em; height: 0.35em; margin-right: 0.3em; " \
    "vertical-align: middle"
NO_SELECTION = "No time range selected: choose Select time and drag across the plot."


def note(text: str, css: str = "oda-lc-note") -> str:
    """``text`` as an HTML span of class ``css`` (a note, or ``oda-error-text``), escaped."""
    return f'<span class="{css}" style="{_INLINE[css]}">{html.escape(text)}</span>'


class Controls:
    """The widgets around a light curve's figure, built once per view.

    Parameters
    ----------
    sources : sequence of str
        The curves' sources, for the legend (each in its colour).
    quantity_label : str
        What the values are (the rate buttons' description); ``log_allowed`` False hides them.
    time_axis, log_rate : str, bool
        The first time axis and rate scale.
    factors : sequence of int
        The rebinning factors offered (1 is native).
    native : float
        The native bin in seconds (the bin-width box's first value).

    Attributes
    ----------
    top : ipywidgets.HBox
        Time axis, rate scale, zoom/select, whole curve.
    rebin_row, legend_row, selection_row : ipywidgets.HBox
        Rebinning; the sources' toggles; the selected range and "Use this time range".
    """

    def __init__(self, sources: Sequence[str], quantity_label: str, log_allowed: bool,
                 time_axis: str, log_rate: bool, factors: Sequence[int], native: float) -> None:
        auto = widgets.Layout(width="auto")
        plain = widgets.Layout()
        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        html_style = HTMLStyle()
        button_style = widgets.ButtonStyle()

        def text(value: str, css: str) -> widgets.HTML:
            return widgets.HTML(value, layout=plain, style=html_style, _dom_classes=(css,))

        def button(css: str, layout: widgets.Layout = plain, **kwargs: Any) -> widgets.Button:
            return widgets.Button(layout=layout, style=button_style, _dom_classes=(css,),
                                  **kwargs)

        self.axis_buttons = widgets.ToggleButtons(
            options=[(_AXIS_NAMES[m], m) for m in MODES], value=time_axis,
            description="Time", tooltips=["UTC dates", "Modified Julian Date (UTC)",
                                          "seconds since T1"],
            style={"button_width": "7em", "description_width": "3em"}, layout=auto,
            _dom_classes=("oda-lc-time-axis",),
        )
        self.rate_buttons = widgets.ToggleButtons(
            options=[("linear", False), ("log", True)], value=log_rate,
            description=quantity_label, tooltips=["linear rate axis", "logarithmic rate axis"],
            style={"button_width": "5em", "description_width": "3em"},
            # its own layout: hidden for magnitudes, which are logarithms already
            layout=widgets.Layout(width="auto", display=None if log_allowed else "none"),
            _dom_classes=("oda-lc-rate-scale",),
        )
        self.mode_buttons = widgets.ToggleButtons(
            options=[("Zoom / pan", "zoom"), ("Select time", "select")], value="zoom",
            tooltips=["wheel to zoom the time axis, drag to pan",
                      "drag across the plot to select a time range"],
            style={"button_width": "8em"}, layout=auto,
            _dom_classes=("oda-lc-mode",),
        )
        self.reset_button = button("oda-lc-reset", description="Whole curve", icon="expand",
                                   tooltip="show the whole time range")
        self.top = widgets.HBox([self.axis_buttons, self.rate_buttons, self.mode_buttons,
                                 self.reset_button], layout=wrap)

        self.rebin_select = widgets.Dropdown(
            options=[("native" if f == 1 else f"x{f}", f) for f in factors], value=1,
            description="Bin", style={"description_width": "3em"},
            layout=widgets.Layout(width="12em"),
            tooltip="combine bins: counts conserved, errors propagated",
            _dom_classes=("oda-lc-rebin",),
        )
        self.bin_seconds = widgets.FloatText(
            value=round(native, 6), description="or (s)", style={"description_width": "4em"},
            layout=widgets.Layout(width="13em"), tooltip="a bin width in seconds",
            _dom_classes=("oda-lc-bin-seconds",),
        )
        self.bin_button = button("oda-lc-bin-apply", widgets.Layout(width="6em"),
                                 description="Rebin", tooltip="rebin to this many seconds")
        self.bin_text = text("", "oda-lc-bin-text")
        self.rebin_row = widgets.HBox([self.rebin_select, self.bin_seconds, self.bin_button,
                                       self.bin_text], layout=wrap)

        self.toggles: list[widgets.Checkbox] = []
        item_layout = widgets.Layout(align_items="center", margin="0 1em 0 0")
        checkbox_style = CheckboxStyle()
        items = []
        for source in sources:
            swatch = widgets.HTML(
                f'<span class="oda-lc-swatch" style="{_SWATCH}; '
                f'background:{source_colour(source)}"></span>', layout=plain, style=html_style)
            toggle = widgets.Checkbox(value=True, description=source, indent=False, layout=auto,
                                      style=checkbox_style, tooltip=f"show or hide {source}",
                                      _dom_classes=("oda-lc-toggle",))
            self.toggles.append(toggle)
            items.append(widgets.HBox([swatch, toggle], layout=item_layout))
        self.legend_row = widgets.HBox(items, layout=wrap, _dom_classes=("oda-lc-legend",))

        self.selection_text = text(note(NO_SELECTION), "oda-lc-selection")
        self.use_button = button(
            "oda-lc-use-range", auto, description="Use this time range", icon="clock",
            disabled=True,
            tooltip="set the form's T1 and T2 to the selected range for the next query",
        )
        self.use_message = text("", "oda-lc-use-message")
        self.selection_row = widgets.HBox([self.selection_text, self.use_button,
                                           self.use_message], layout=wrap)
