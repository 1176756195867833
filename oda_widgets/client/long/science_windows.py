"""The science windows of a time range and a sky direction, from the platform's time system.

The ODA platform serves INTEGRAL's time system beside the dispatcher:
``<dispatcher>/gw/timesystem/api/v1.0/scwlist/cons/<T1>/<T2>?ra=&dec=&radius=&min_good_isgri=``
lists the science windows pointing within ``radius`` degrees of the direction, and with
``return_columns=SWID,TSTART,TSTOP`` their start and stop (IJD). It is how a long request given
by T1/T2 learns which windows to split (the dispatcher itself would take at most
``max_pointings`` of them, spread over the range). Slews (ids not ending in 0) are left out, and
the consolidated version ``.001`` is appended, as the ODA team's wrapper does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import DispatcherError, RequestRejected

if TYPE_CHECKING:
    from astropy.time import Time

    from ..transport.http import Transport

__all__ = ["SCW_LIST_PATH", "ScienceWindowSpan", "archive_science_windows"]

SCW_LIST_PATH = "/gw/timesystem/api/v1.0/scwlist"
_IJD_MJD = 51544.0


@dataclass(frozen=True)
class ScienceWindowSpan:
    """One science window: its id and when it was observed (MJD, TT)."""

    scw_id: str
    start_mjd: float
    stop_mjd: float

    @property
    def revolution(self) -> int:
        return int(self.scw_id[:4])


def _utc_text(value: Any) -> str:
    from astropy.time import Time

    time = value if isinstance(value, Time) else Time(str(value), scale="utc")
    return str(time.utc.strftime("%Y-%m-%dT%H:%M:%S"))


def archive_science_windows(
    transport: Transport,
    t1: str | Time,
    t2: str | Time,
    ra: float,
    dec: float,
    radius: float,
    *,
    min_good_isgri: float | None = None,
) -> list[ScienceWindowSpan]:
    """The science windows between ``t1`` and ``t2`` pointing within ``radius`` of ``ra``, ``dec``.

    Parameters
    ----------
    transport : Transport
        The dispatcher's HTTP access (the time system is served beside it).
    t1, t2 : str or astropy.time.Time
        The time range (UTC; ISO text or ``Time``).
    ra, dec, radius : float
        Degrees.
    min_good_isgri : float, optional
        Leave out windows with fewer seconds of good ISGRI time.

    Returns
    -------
    list of ScienceWindowSpan
        In time order; empty when no window matches.

    Raises
    ------
    RequestRejected
        When the dispatcher has no time system beside it: give ``scw_list`` instead.
    """
    params: dict[str, Any] = {"ra": f"{float(ra):.6f}", "dec": f"{float(dec):.6f}",
                              "radius": f"{float(radius):.4f}",
                              "return_columns": "SWID,TSTART,TSTOP"}
    if min_good_isgri:
        params["min_good_isgri"] = f"{float(min_good_isgri):.0f}"
    path = f"{SCW_LIST_PATH}/cons/{_utc_text(t1)}/{_utc_text(t2)}"
    try:
        answer = transport.get_json(path, params)
    except (DispatcherError, RequestRejected) as exc:
        status = getattr(exc, "status_code", None)
        raise RequestRejected(
            f"the science windows of {_utc_text(t1)} to {_utc_text(t2)} could not be listed: "
            f"the time system beside the dispatcher at {transport.url} answered "
            f"{'HTTP ' + str(status) if status else 'with an error'} ({exc}); give scw_list= "
            "instead of T1/T2",
            status or 0,
        ) from None
    if isinstance(answer, list) or not isinstance(answer, dict) or "SWID" not in answer:
        return []  # an empty list comes back without columns
    ids = [str(s) for s in answer["SWID"]]
    starts = [float(t) + _IJD_MJD for t in answer.get("TSTART") or [float("nan")] * len(ids)]
    stops = [float(t) + _IJD_MJD for t in answer.get("TSTOP") or [float("nan")] * len(ids)]
    spans = [ScienceWindowSpan(f"{s}.001" if "." not in s else s, a, b)
             for s, a, b in zip(ids, starts, stops, strict=True) if s.split(".")[0].endswith("0")]
    return sorted(spans, key=lambda w: w.scw_id)
