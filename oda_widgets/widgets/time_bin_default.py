"""A light curve's bin chosen from the query's duration until the user picks one.

The dispatcher's default bin (1000 s for ISGRI and JEM-X) gives three points for a 35-minute
query and tens of thousands for a year. While the user has not typed a bin of their own, the form
sets the bin to a round value (1, 2 or 5 times a power of ten) that gives at least
:data:`TARGET_BINS` bins over T1-T2, within the parameter's bounds; beside the field it always
says how many bins the bin gives, so a bin typed by hand is also seen against the range.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from ..client.query.pair_checks import time_span_seconds
from .reentry import Reentry

__all__ = ["TARGET_BINS", "TimeBinDefault", "round_bin"]

#: Bins a light curve should have at least: enough to see variability and to brush a range.
TARGET_BINS = 30
_SECONDS = {"sec": 1.0, "s": 1.0, "second": 1.0, "seconds": 1.0,
            "jd": 86400.0, "day": 86400.0, "days": 86400.0, "d": 86400.0}


def round_bin(duration_s: float, minimum: float | None = None,
              maximum: float | None = None) -> float:
    """The largest round bin (1, 2 or 5 x 10^k s) giving at least :data:`TARGET_BINS` bins over
    ``duration_s`` seconds, kept within ``minimum`` and ``maximum`` (seconds)."""
    ideal = duration_s / TARGET_BINS
    power = 10.0 ** math.floor(math.log10(ideal))
    chosen = max(k * power for k in (1, 2, 5, 10) if k * power <= ideal * (1 + 1e-9))
    if maximum is not None:
        chosen = min(chosen, maximum)
    if minimum is not None:
        chosen = max(chosen, minimum)
    return float(f"{chosen:.6g}")


class TimeBinDefault:
    """Keeps a form's light-curve bin in step with its time range while it is the form's own.

    Parameters
    ----------
    form : QueryForm
        The form; it calls :meth:`update` after its fields are checked and :meth:`given` with
        the values it is about to set.
    """

    def __init__(self, form: Any) -> None:
        self._form = weakref.ref(form)
        self._field: Any = None
        self._auto: float | None = None
        self._own = False
        self._setting = Reentry()  # the bin being set by this default, not typed
        self.words = widgets.Label("")
        self.words.add_class("oda-time-bin-words")

    # --- what the form tells -----------------------------------------------------------------
    def given(self, values: Mapping[str, Any]) -> None:
        """Values about to be set in the form: a bin among them, not ours, is the user's."""
        if self._setting.active() or self._field is None or self._field.name not in values:
            return
        if _float(values[self._field.name]) != self._auto:
            self._own = True

    # --- keeping the bin ---------------------------------------------------------------------
    def update(self) -> None:
        """Choose the bin for the time range (unless the user's), and say how many bins it gives."""
        form = self._form()
        if form is None or self._setting.active():
            return
        field = form.fields.get("time_bin")
        if field is None:
            self._field = None
            return
        if field is not self._field:
            # a new field (a product switch builds them again): its value is the default
            self._field, self._own = field, False
            self._auto = _float(field.value)
            field.add_extra(self.words)
        value = _float(field.value)
        if value != self._auto:
            self._own = True
        unit = self._unit(form)
        span = self._span(form)
        if span is None or unit is None:
            self.words.value = ""
            return
        if not self._own:
            low = _float(getattr(field.spec, "min_value", None))
            high = _float(getattr(field.spec, "max_value", None))
            seconds = round_bin(span, low * unit if low else None,
                                high * unit if high else None)
            wanted = float(f"{seconds / unit:.6g}")
            if wanted != value:
                # set as the form sets values in bulk: the form publishes them once, after this
                with self._setting("bin"), form._reentry("filling"):
                    field.set_value(wanted)
                field.check(form._typed())
                self._auto = value = wanted
        if value and value > 0:
            count = span / (value * unit)
            chosen = "" if self._own else " (chosen for the range until you type a bin)"
            self.words.value = f"≈ {count:,.0f} bins over T1-T2{chosen}"
        else:
            self.words.value = ""

    @staticmethod
    def _span(form: Any) -> float | None:
        first, last = form.fields.get("T1"), form.fields.get("T2")
        if first is None or last is None:
            return None
        span = time_span_seconds(first.query_value(), last.query_value(),
                                 getattr(first, "time_format", "isot"))
        return span if span is not None and span > 0 else None

    @staticmethod
    def _unit(form: Any) -> float | None:
        """Seconds per unit of the bin, from its format companion (seconds without one)."""
        companion = form.fields.get("time_bin_format")
        if companion is None:
            return 1.0
        return _SECONDS.get(str(companion.value or "sec").strip().lower())


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
