"""The time axis of a light curve: UTC, MJD or seconds since T1, to and from astropy ``Time``.

Samples count seconds from a reference ``Time`` (:class:`.CurveSamples`); an axis shows them as
UTC dates (NumPy ``datetime64``, what a date scale draws), as MJD in UTC (what the query form's MJD
format means) or as seconds since T1. Conversions go through astropy ``Time``, so leap seconds and
the file's time scale (INTEGRAL files count in TT) are handled by it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from astropy.time import Time, TimeDelta

__all__ = ["MODES", "TimeAxis", "duration_text", "range_text"]

#: The axis modes: UTC dates, MJD (UTC), seconds since T1.
MODES = ("utc", "mjd", "t1")


class TimeAxis:
    """Converts seconds since ``reference`` to and from one of :data:`MODES`.

    Parameters
    ----------
    reference : astropy.time.Time
        What the samples' seconds count from.
    t1 : astropy.time.Time, optional
        The origin of the "seconds since T1" axis (``reference`` by default).
    """

    def __init__(self, reference: Time, t1: Time | None = None) -> None:
        self.reference = reference
        self.t1 = t1 if t1 is not None else reference
        self._t1_seconds = float((self.t1 - reference).sec)

    def to_time(self, seconds: Any) -> Time:
        """Seconds since the reference as ``Time`` (UTC)."""
        return (self.reference + TimeDelta(np.asarray(seconds, dtype=float), format="sec")).utc

    def from_time(self, time: Time) -> npt.NDArray[np.float64]:
        """``Time`` as seconds since the reference."""
        return np.asarray((time - self.reference).sec, dtype=np.float64)

    def to_axis(
        self, seconds: Any, mode: str
    ) -> npt.NDArray[np.float64] | npt.NDArray[np.datetime64]:
        """Seconds since the reference as axis values: ``datetime64[ms]`` (utc), float (mjd, t1)."""
        values = np.asarray(seconds, dtype=np.float64)
        if mode == "t1":
            return values - self._t1_seconds
        if mode == "mjd":
            return np.asarray(self.to_time(values).mjd, dtype=np.float64)
        if mode == "utc":
            return _civil_dates(self.to_time(values))
        raise ValueError(f"time axis mode {mode!r}: choose one of {', '.join(MODES)}")

    def from_axis(self, values: Any, mode: str) -> npt.NDArray[np.float64]:
        """Axis values (as :meth:`to_axis` makes them, or Python datetimes) as seconds."""
        if mode == "t1":
            return np.asarray(values, dtype=np.float64) + self._t1_seconds
        if mode == "mjd":
            return self.from_time(Time(np.asarray(values, dtype=float), format="mjd", scale="utc"))
        if mode == "utc":
            dates = np.asarray(values, dtype="datetime64[us]")
            return self.from_time(Time(dates, format="datetime64", scale="utc"))
        raise ValueError(f"time axis mode {mode!r}: choose one of {', '.join(MODES)}")

    def label(self, mode: str) -> str:
        """The axis label of ``mode``."""
        if mode == "utc":
            return "Time (UTC)"
        if mode == "mjd":
            return "Time (MJD, UTC)"
        return f"Seconds since T1 = {_rounded_isot(self.t1.utc, 3)}"


def _civil_dates(utc: Time) -> npt.NDArray[np.datetime64]:
    """UTC times as ``datetime64[ms]``: the calendar date and clock time, as a browser's Date
    counts them (no leap seconds; 23:59:60.5 shows as 00:00:00.5 of the next day).

    Built from astropy's vectorised calendar fields: ``Time.datetime64`` formats every element
    as text first (80 ms for 6000 values), and ``Time.unix`` is off by up to a second on the
    day of a leap second.
    """
    fields = np.atleast_1d(utc.ymdhms)
    years = (fields["year"] - 1970).astype("datetime64[Y]")
    months = years.astype("datetime64[M]") + (fields["month"] - 1).astype("timedelta64[M]")
    days = months.astype("datetime64[D]") + (fields["day"] - 1).astype("timedelta64[D]")
    clock = (fields["hour"] * 3600 + fields["minute"] * 60) * 1000 \
        + np.round(fields["second"] * 1000)
    dates: npt.NDArray[np.datetime64] = (
        days.astype("datetime64[ms]") + clock.astype("int64").astype("timedelta64[ms]")
    )
    return dates.reshape(np.shape(utc))


def range_text(start: Time, stop: Time) -> str:
    """A time range in words: ``"2003-03-15T23:40:00 to 23:45:00, 300 s"``.

    The end shows only its time of day when it falls on the start's date; below ten seconds,
    times are given to the millisecond.
    """
    seconds = float((stop - start).sec)
    decimals = 3 if abs(seconds) < 10 else 0
    first = _rounded_isot(start.utc, decimals)
    last = _rounded_isot(stop.utc, decimals)
    if last[:10] == first[:10]:
        last = last[11:]
    return f"{first} to {last}, {duration_text(seconds)}"


def _rounded_isot(time: Time, decimals: int) -> str:
    """ISOT text rounded (not truncated) to ``decimals`` of a second."""
    rounded = Time(time, precision=decimals)
    return str(rounded.isot)


def duration_text(seconds: float) -> str:
    """A duration in words: ``"50 ms"``, ``"300 s"``, ``"7200 s (2 h)"``, ``"2 d"``."""
    seconds = float(seconds)
    if seconds < 0:
        return "-" + duration_text(-seconds)
    if round(seconds, 4) < 1:
        return f"{seconds * 1000:.3g} ms"
    if seconds < 3600:
        return f"{seconds:.4g} s"
    if seconds < 86400 * 2:
        return f"{seconds:.0f} s ({seconds / 3600:.3g} h)"
    return f"{seconds / 86400:.4g} d"
