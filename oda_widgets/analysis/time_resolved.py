"""Time-resolved spectroscopy, headless: intervals of a time range, and one fit per interval in a table.

Intervals are chosen on a light curve (any list of ranges), as ``N`` equal slices, per calendar
year, or per INTEGRAL revolution (from the science windows the platform lists: each revolution
in which the source was observed, from its first window's start to its last one's stop). The fits
of the intervals' spectra make one astropy :class:`~astropy.table.Table`: interval, start, stop,
every parameter with its 1-sigma error, the band flux with its error, the statistic and the
degrees of freedom, which writes to ECSV or FITS as any table does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from astropy.table import Table
from astropy.time import Time

from .spectral_models import model_spec

__all__ = [
    "INTERVAL_KINDS",
    "Interval",
    "equal_intervals",
    "interval_queries",
    "intervals_from_ranges",
    "revolution_intervals",
    "results_table",
    "yearly_intervals",
]

#: Words ``intervals=`` takes besides a number or a list of ranges.
INTERVAL_KINDS = ("year", "revolution")


@dataclass(frozen=True)
class Interval:
    """A time interval (UTC) and how it is called in tables and plots."""

    start: Time
    stop: Time
    label: str

    @property
    def middle(self) -> Time:
        return self.start + 0.5 * (self.stop - self.start)

    def t1_t2(self) -> tuple[str, str]:
        """The interval as the query's T1 and T2 (ISO, UTC, to the millisecond)."""
        return self.start.utc.isot, self.stop.utc.isot


def _time(value: Any) -> Time:
    if isinstance(value, Time):
        return value.utc
    if isinstance(value, int | float | np.floating):
        return Time(float(value), format="mjd", scale="utc")
    return Time(str(value), scale="utc")


def _checked_range(start: Any, stop: Any) -> tuple[Time, Time]:
    a, b = _time(start), _time(stop)
    if not b > a:
        raise ValueError(f"the time range must end after it starts ({a.isot} to {b.isot})")
    return a, b


def intervals_from_ranges(ranges: Iterable[Sequence[Any]]) -> list[Interval]:
    """Intervals from ``(start, stop)`` pairs (``Time``, ISO text or MJD), in time order.

    Raises
    ------
    ValueError
        For a range that does not end after it starts, or two that overlap (one spectrum per
        interval: a time in two intervals would be in two spectra).
    """
    pairs = sorted((_checked_range(*pair) for pair in ranges), key=lambda p: p[0].mjd)
    for (a1, b1), (a2, b2) in zip(pairs, pairs[1:], strict=False):
        if a2 < b1:
            raise ValueError(f"the intervals {a1.isot} - {b1.isot} and {a2.isot} - {b2.isot} "
                             "overlap: choose ranges that do not")
    return [Interval(a, b, f"{i + 1}") for i, (a, b) in enumerate(pairs)]


def equal_intervals(start: Any, stop: Any, count: int) -> list[Interval]:
    """``count`` intervals of equal length from ``start`` to ``stop``."""
    if not isinstance(count, int | np.integer) or count < 1:
        raise ValueError(f"the number of intervals must be a whole number, 1 or more, not "
                         f"{count!r}")
    a, b = _checked_range(start, stop)
    edges = a + (b - a) * np.linspace(0.0, 1.0, int(count) + 1)
    return [Interval(edges[i], edges[i + 1], f"{i + 1}") for i in range(int(count))]


def yearly_intervals(start: Any, stop: Any) -> list[Interval]:
    """One interval per calendar year (UTC) that the range touches, cut to the range."""
    a, b = _checked_range(start, stop)
    intervals = []
    for year in range(int(a.utc.isot[:4]), int(b.utc.isot[:4]) + 1):
        lo = max(a, Time(f"{year}-01-01T00:00:00", scale="utc"))
        hi = min(b, Time(f"{year + 1}-01-01T00:00:00", scale="utc"))
        if hi > lo:
            intervals.append(Interval(lo, hi, str(year)))
    return intervals


def revolution_intervals(windows: Iterable[Any]) -> list[Interval]:
    """One interval per revolution of ``windows`` (each with ``scw_id``, ``start_mjd`` and
    ``stop_mjd`` in TT, as :func:`~oda_widgets.client.long.science_windows.archive_science_windows`
    gives them): from its first window's start to its last one's stop."""
    spans: dict[int, list[float]] = {}
    for window in windows:
        revolution = int(window.scw_id[:4])
        lo, hi = spans.setdefault(revolution, [math.inf, -math.inf])
        spans[revolution] = [min(lo, window.start_mjd), max(hi, window.stop_mjd)]
    if not spans:
        raise ValueError("no science window in the range: no revolution to make an interval of")
    return [Interval(Time(lo, format="mjd", scale="tt").utc, Time(hi, format="mjd",
                                                                  scale="tt").utc,
                     f"rev {revolution:04d}")
            for revolution, (lo, hi) in sorted(spans.items())]


def interval_queries(parameters: Mapping[str, Any], intervals: Sequence[Interval]
                     ) -> list[dict[str, Any]]:
    """The query of each interval: ``parameters`` with its T1 and T2 (ISO) and no science-window
    list (the interval's windows are found by the time range)."""
    queries = []
    for interval in intervals:
        query = {k: v for k, v in parameters.items() if k not in ("scw_list", "T1", "T2")}
        query["T1"], query["T2"] = interval.t1_t2()
        query["T_format"] = "isot"
        queries.append(query)
    return queries


def results_table(
    intervals: Sequence[Interval],
    fits: Sequence[Any | None],
    model: str,
    *,
    source: str | None = None,
    errors: Sequence[str | None] | None = None,
) -> Table:
    """One row per interval: its times, the fitted parameters with errors, flux and statistic.

    Parameters
    ----------
    intervals : sequence of Interval
    fits : sequence of SpectralFit or None
        The fit of each interval (``None`` while it has none: its values are NaN).
    model : str
        The model fitted (its parameters are the columns).
    source : str, optional
        Written in the table's meta.
    errors : sequence of str or None, optional
        Why an interval has no fit (a failed job, a refused fit), per interval.

    Returns
    -------
    astropy.table.Table
        Columns ``interval``, ``start``, ``stop`` (``Time``), ``mid_mjd``, then per parameter
        ``<name>`` and ``<name>_err``, ``flux`` and ``flux_err`` (erg cm^-2 s^-1 in the band in
        the meta), ``statistic``, ``dof``, ``reduced_statistic`` and ``note``.
    """
    names = model_spec(model).parameter_names
    n = len(intervals)
    errors = list(errors) if errors is not None else [None] * n
    band = next((f.flux_band() for f in fits if f is not None), (20.0, 80.0))
    columns: dict[str, Any] = {
        "interval": [i.label for i in intervals],
        "start": Time([i.start.utc.isot for i in intervals], scale="utc") if n else [],
        "stop": Time([i.stop.utc.isot for i in intervals], scale="utc") if n else [],
        "mid_mjd": [float(i.middle.utc.mjd) for i in intervals],
    }
    for name in names:
        columns[name] = [f.values[name][0] if f is not None else np.nan for f in fits]
        columns[f"{name}_err"] = [
            (f.values[name][1] if f.values[name][1] is not None else np.nan)
            if f is not None else np.nan for f in fits]
    columns["flux"] = [f.flux(*band) if f is not None else np.nan for f in fits]
    columns["flux_err"] = [f.flux_error(*band) if f is not None else np.nan for f in fits]
    columns["statistic"] = [f.statistic if f is not None else np.nan for f in fits]
    columns["dof"] = [f.dof if f is not None else -1 for f in fits]
    columns["reduced_statistic"] = [f.reduced_statistic if f is not None else np.nan
                                    for f in fits]
    columns["note"] = [
        (error or "") if f is None else "; ".join(f.notes) for f, error in zip(fits, errors,
                                                                                strict=True)]
    table = Table(columns) if n else Table(names=list(columns))
    table["mid_mjd"].unit = "d"
    table["flux"].unit = table["flux_err"].unit = "erg cm-2 s-1"
    statistic = next((f.statistic_name for f in fits if f is not None), "chi2")
    table.meta.update({"MODEL": model, "SOURCE": source or "", "FLUX_E1": band[0],
                       "FLUX_E2": band[1], "STAT": statistic})
    return table
