"""Checks across parameters that the dispatcher only fails on later, said before a query is sent.

Each parameter alone may be valid while the pair is not: a T2 before T1 passes every check of the
dispatcher's request and then fails the job with ``scwlist empty``; an upper energy below the
lower one fails in the analysis. A :class:`~oda_widgets.client.query.draft.QueryDraft` counts
these among its problems, and the form shows them on the second field of the pair, in words;
Submit waits until they are fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PairProblem", "pair_problems", "time_span_seconds"]


@dataclass(frozen=True)
class PairProblem:
    """What is wrong with a pair of fields, said on ``field`` (the second of the pair)."""

    field: str
    message: str
    hint: str


def _seconds(value: Any, time_format: str) -> float | None:
    """A time typed in ``time_format`` as seconds on one scale (None when it does not read)."""
    if value in (None, ""):
        return None
    from astropy.time import Time

    try:
        return float(Time(value, format=time_format, scale="utc").unix)
    except (ValueError, TypeError):
        return None


def time_span_seconds(start: Any, stop: Any, time_format: str = "isot") -> float | None:
    """Seconds from ``start`` to ``stop`` typed in ``time_format`` (None if either is unreadable)."""
    first, last = _seconds(start, time_format), _seconds(stop, time_format)
    return None if first is None or last is None else last - first


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def pair_problems(times: tuple[str, str] | None, time_format: str,
                  energies: tuple[str, str] | None, typed: Mapping[str, Any],
                  labels: Mapping[str, str]) -> list[PairProblem]:
    """What is wrong across a query's time range and energy band.

    Parameters
    ----------
    times : (str, str), optional
        The names of the start and end times (``("T1", "T2")``).
    time_format : str
        The format the times are typed in (``isot``, ``mjd``).
    energies : (str, str), optional
        The names of the band's lower and upper energies (``("E1_keV", "E2_keV")``).
    typed : mapping
        The values as typed, by name (unreadable ones are left to their own field's check).
    labels : mapping
        The parameters' visible labels, by name.

    Returns
    -------
    list of PairProblem
        One per broken pair, said on its second parameter.
    """
    problems: list[PairProblem] = []
    if times is not None:
        first, last = times
        span = time_span_seconds(typed.get(first), typed.get(last), time_format)
        if span is not None and span <= 0:
            problems.append(PairProblem(
                last,
                f"{labels.get(last, last)} must be after {labels.get(first, first)} "
                f"({typed.get(first)})",
                "an empty time range has no INTEGRAL pointings: the job would fail",
            ))
    if energies is not None:
        low, high = (_number(typed.get(name)) for name in energies)
        if low is not None and high is not None and high <= low:
            problems.append(PairProblem(
                energies[1],
                f"{labels.get(energies[1], energies[1])} must be above "
                f"{labels.get(energies[0], energies[0])} ({low:g})",
                "the band would be empty",
            ))
    return problems
