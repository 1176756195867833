"""The INTEGRAL time system's science-window list, as the platform serves it beside the dispatcher.

The real platform answers ``<dispatcher>/gw/timesystem/api/v1.0/scwlist/<cons|nrt|any>/<T1>/<T2>``
with the science windows pointing within ``radius`` degrees of ``ra``, ``dec`` between two UTC
times: a JSON list of 12-digit ids (``"066500220010"``, no version), or, with
``return_columns=SWID,RA_SCX,DEC_SCX,TSTART,TSTOP``, a JSON object of those columns (times in
IJD, days since MJD 51544 in TT). ``min_good_isgri`` drops windows with fewer seconds of good ISGRI time. The
sandbox answers from its simulated schedule (:mod:`.pointings`); every window is consolidated,
so ``cons``, ``nrt`` and ``any`` give the same list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .simulate.field import IJD_MJD_OFFSET, mjd_tt
from .simulate.pointings import NoPointings, science_windows

__all__ = ["COLUMNS", "KINDS", "scw_list_answer"]

#: The columns ``return_columns`` may name.
COLUMNS = ("SWID", "RA_SCX", "DEC_SCX", "TSTART", "TSTOP")
#: The archive kinds of the path: consolidated, near-real-time, either.
KINDS = ("cons", "nrt", "any")


def _number(args: Mapping[str, Any], name: str, default: float) -> float:
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None


def scw_list_answer(kind: str, t1: str, t2: str, args: Mapping[str, Any]) -> tuple[Any, int]:
    """The JSON answer and HTTP status of one ``scwlist`` request.

    Parameters
    ----------
    kind : str
        ``cons``, ``nrt`` or ``any``.
    t1, t2 : str
        UTC times, ISO format (``2008-04-01T00:00:00``).
    args : mapping
        The query: ``ra``, ``dec``, ``radius`` (degrees), ``min_good_isgri`` (seconds),
        ``return_columns``.
    """
    if kind not in KINDS:
        return {"error": f"unknown kind {kind!r}: use one of {', '.join(KINDS)}"}, 400
    try:
        ra = _number(args, "ra", 0.0)
        dec = _number(args, "dec", 0.0)
        radius = _number(args, "radius", 180.0)
        min_good = _number(args, "min_good_isgri", 0.0)
    except ValueError as e:
        return {"error": str(e)}, 400
    columns = [c.strip().upper() for c in str(args.get("return_columns") or "").split(",")
               if c.strip()]
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        return {"error": f"unknown columns {unknown}: choose from {', '.join(COLUMNS)}"}, 400
    try:
        windows = science_windows(t1, t2, ra, dec, radius, 0)
    except NoPointings:
        windows = []
    except ValueError as e:  # unreadable times
        return {"error": f"cannot read the time range {t1} - {t2}: {e}"}, 400
    windows = [w for w in windows if w.exposure_s >= (min_good or 0.0)]
    if not columns:
        return [w.scw_id[:12] for w in windows], 200
    starts = [float(t) for t in mjd_tt([w.start for w in windows]) - IJD_MJD_OFFSET] if windows else []
    stops = [float(t) for t in mjd_tt([w.stop for w in windows]) - IJD_MJD_OFFSET] if windows else []
    values = {
        "SWID": [w.scw_id[:12] for w in windows],
        "RA_SCX": [w.ra for w in windows],
        "DEC_SCX": [w.dec for w in windows],
        "TSTART": [float(t) for t in starts],
        "TSTOP": [float(t) for t in stops],
    }
    return {name: values[name] for name in columns}, 200
