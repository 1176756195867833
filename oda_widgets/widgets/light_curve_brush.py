"""The light curve's time brush: a time range selected by dragging, given to a form as T1 and T2.

The brush (bqplot's ``BrushIntervalSelector``) is built on first use, when the user chooses
"Select time" or a program reads ``view.brush``: a view that is only looked at never creates it.
The selected range is observable (``selected_range``, astropy ``Time``) and "Use this time range"
sets a query form's T1 and T2 (ISOT) to it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import traitlets
from bqplot.interacts import BrushIntervalSelector

from ..analysis.time_axis import range_text
from .events import Events
from .light_curve_controls import NO_SELECTION

__all__ = ["TimeBrush"]


class TimeBrush(traitlets.HasTraits):
    """The time brush of :class:`~oda_widgets.widgets.light_curve.LightCurveView` (its base).

    The view provides ``x_scale``, ``lines`` (the marks the brush selects on), ``axis`` and
    ``time_axis`` (to turn the brush's values into times), ``form``, the selection row's
    widgets (``selection_text``, ``use_button``, ``use_message``) and ``_tell(line, text)``,
    which says a line's text on it and in the view's ``status``.
    """

    selected_range = traitlets.Any(None, allow_none=True)

    _brush: BrushIntervalSelector | None = None
    _form_filled: Events | None = None

    @property
    def brush(self) -> BrushIntervalSelector:
        """The brush across the time axis (built on first use, again for a new time axis)."""
        if self._brush is None:
            view: Any = self
            self._brush = BrushIntervalSelector(scale=view.x_scale, marks=list(view.lines),
                                                color="#ff7f0e")
            self._brush.observe(self._brushed, names=["selected"])
        return self._brush

    def _drop_brush(self) -> None:
        """Close the brush of a figure that is replaced."""
        if self._brush is not None:
            self._brush.close()
            self._brush = None

    def _brushed(self, change: Any) -> None:
        selected = change["new"]
        if selected is None or len(selected) < 2:
            self.selected_range = None
            return
        view: Any = self
        values = list(selected)[:2]
        if view.time_axis == "utc":
            values = [np.datetime64(v, "us") for v in values]
        seconds = np.sort(view.axis.from_axis(values, view.time_axis))
        times = view.axis.to_time(seconds)
        self.selected_range = (times[0], times[1])

    @traitlets.observe("selected_range")
    def _selection_changed(self, change: Any) -> None:
        view: Any = self
        selected = change["new"]
        if selected is None:
            view._tell("selection_text", NO_SELECTION)
            view.use_button.disabled = True
            return
        view._tell("selection_text", "Selected: " + range_text(*selected))
        view.use_button.disabled = view.form is None
        view._tell("use_message", "")

    def use_time_range(self, form: Any) -> tuple[str, str]:
        """Set ``form``'s T1 and T2 (ISOT) to the selected range, for the next query.

        Returns
        -------
        tuple of str
            The T1 and T2 given to the form.

        Raises
        ------
        ValueError
            If no range is selected.
        """
        if self.selected_range is None:
            raise ValueError("no time range is selected: choose Select time and drag across "
                             "the plot first")
        start, stop = self.selected_range
        form.set_time_range(start, stop)
        values = form.values
        t1, t2 = str(values.get("T1")), str(values.get("T2"))
        if self._form_filled is not None:
            self._form_filled(f"T1 is now {t1} and T2 {t2} (from a light curve)")
        return t1, t2

    def on_form_filled(self, callback: Any, remove: bool = False) -> None:
        """Call ``callback(text)`` each time this view puts its time range into a form.

        ``text`` says what changed, e.g. ``"T1 is now 2019-03-01T00:00:00.000 and T2 ...
        (from a light curve)"``; ``remove=True`` unregisters.
        """
        if self._form_filled is None:
            self._form_filled = Events()
        self._form_filled.register_callback(callback, remove=remove)

    def _use_clicked(self) -> None:
        view: Any = self
        if view.form is None:
            view._tell("use_message", "⚠ No form to fill: give one, "
                       "LightCurveView(..., form=form)", "oda-error-text")
            return
        try:
            t1, t2 = self.use_time_range(view.form)
        except (ValueError, KeyError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            view._tell("use_message", f"⚠ {message}", "oda-error-text")
            return
        view._tell("use_message", f"The form's T1 and T2 are now {t1} and {t2}.")
