"""Simulated INTEGRAL observing schedule: revolutions, programmes and science windows.

INTEGRAL circles the Earth in revolutions of about three days (2.67 days after the 2015 orbit
change) counted from the launch on 2002-10-17. Each revolution here carries one or two
"observation programmes" (a dither pattern around a field of the bundled catalogue), chosen
deterministically from the revolution number, with the Sun kept 50-130 degrees away from the
pointing as the real spacecraft must. A few revolutions are fixed so that well-known queries work:

- 2003-03-05 to 2003-03-21: a Galactic-plane scan around the Galactic centre (the user guide's
  4U 1700-377 field of 2003-03-15/16 is in it);
- revolution 665, 2008-04-01T17:44 to 2008-04-04T17:39 UTC: the Crab, a 5x5 dither with 2.17 deg
  steps (science window ``066500220010.001`` is one of its pointings). ISGRI (radius 15 deg)
  sees the Crab in every pointing; JEM-X (radius 4 deg) only in the inner 3x3 of the pattern,
  so ask it for a day of the campaign (e.g. 2008-04-02) rather than a few hours;
- revolution 1787, 2017-03-05T07:43 to 2017-03-07T23:03 UTC: the Galactic centre, a 5x5 dither,
  so that the query every instrument form starts with (1E 1740.7-2942 on 2017-03-06) finds data.

Science window ids are the real 12-digit ``RRRRPPPPSSSF`` form: revolution, pointing number,
sub-pointing ``001``, type ``0`` (pointing), with the ``.001`` version appended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from astropy.time import Time

from .sky import angular_separation, stable_seed

__all__ = [
    "BELT_MARGIN_D",
    "FIELDS",
    "Field",
    "GOOD_TIME_FRACTION",
    "NoPointings",
    "ORBIT_CHANGE_REVOLUTION",
    "PERIOD_EARLY_D",
    "PERIOD_LATE_D",
    "REVOLUTION_EPOCH_MJD",
    "SLEW_S",
    "ScienceWindow",
    "isot_to_mjd",
    "parse_scw_id",
    "revolution_at",
    "revolution_programmes",
    "revolution_schedule",
    "revolution_start_mjd",
    "science_windows",
]

#: Start of revolution 0 (MJD, UTC), the day after launch.
REVOLUTION_EPOCH_MJD = 52565.0
#: Revolution period before the 2015 orbit change, days.
PERIOD_EARLY_D = 2.9966
#: First revolution of the shorter orbit.
ORBIT_CHANGE_REVOLUTION = 1500
#: Revolution period after the orbit change, days (puts revolution 2562 on 2022-10-09).
PERIOD_LATE_D = 2.6391
#: Time spent near perigee (radiation belts) without science at each end of a revolution, days.
BELT_MARGIN_D = 0.12
#: Slew between two pointings, seconds.
SLEW_S = 300.0
#: Fraction of a pointing's duration counted as good exposure (dead time, telemetry gaps).
GOOD_TIME_FRACTION = 0.95

_SCW_ID = re.compile(r"^(\d{4})(\d{4})(\d{3})(\d)\.(\d{3})$")


class NoPointings(Exception):
    """No science window matches the query; ``message`` says why and what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ScienceWindow:
    """One pointing of INTEGRAL.

    Attributes
    ----------
    scw_id : str
        ``RRRRPPPPSSSF.VVV``, e.g. ``066500220010.001``.
    start, stop : str
        UTC, ISO format (``isot``).
    ra, dec : float
        Pointing direction, degrees.
    exposure_s : float
        Good exposure, seconds.
    """

    scw_id: str
    start: str
    stop: str
    ra: float
    dec: float
    exposure_s: float

    @property
    def revolution(self) -> int:
        """Revolution number (the first four digits of the id)."""
        return int(self.scw_id[:4])

    @property
    def start_mjd(self) -> float:
        """Start, MJD (UTC)."""
        return isot_to_mjd(self.start)

    @property
    def stop_mjd(self) -> float:
        """Stop, MJD (UTC)."""
        return isot_to_mjd(self.stop)


@lru_cache(maxsize=65536)
def isot_to_mjd(isot: str) -> float:
    """MJD (UTC) of an ISO time (cached: the same windows come back in every product)."""
    return float(Time(isot, format="isot", scale="utc").mjd)


# -- revolutions ------------------------------------------------------------------------------

def revolution_start_mjd(revolution: int) -> float:
    """Start of ``revolution`` (MJD, UTC)."""
    if revolution < ORBIT_CHANGE_REVOLUTION:
        return REVOLUTION_EPOCH_MJD + revolution * PERIOD_EARLY_D
    change = REVOLUTION_EPOCH_MJD + ORBIT_CHANGE_REVOLUTION * PERIOD_EARLY_D
    return change + (revolution - ORBIT_CHANGE_REVOLUTION) * PERIOD_LATE_D


def revolution_at(mjd: float) -> int:
    """The revolution going on at ``mjd`` (negative before launch)."""
    change = revolution_start_mjd(ORBIT_CHANGE_REVOLUTION)
    if mjd < change:
        return int(np.floor((mjd - REVOLUTION_EPOCH_MJD) / PERIOD_EARLY_D))
    return ORBIT_CHANGE_REVOLUTION + int(np.floor((mjd - change) / PERIOD_LATE_D))


# -- programmes -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    """A region observed by a programme: centre and dither pattern."""

    name: str
    ra: float
    dec: float
    pattern: str  # '5x5', 'hex', 'staring' or 'plane-scan'
    weight: float


FIELDS: tuple[Field, ...] = (
    Field("Galactic centre", 266.40, -28.94, "5x5", 4.0),
    Field("Galactic plane scan", 266.40, -28.94, "plane-scan", 2.0),
    Field("Crab", 83.63, 22.01, "5x5", 2.0),
    Field("Cygnus region", 302.0, 37.0, "5x5", 2.0),
    Field("Norma arm", 250.0, -46.0, "5x5", 1.5),
    Field("Vela region", 140.0, -45.0, "hex", 1.0),
    Field("Centaurus A", 201.37, -43.02, "hex", 1.0),
    Field("Her X-1", 254.46, 35.34, "hex", 0.7),
    Field("GRS 1915+105", 288.80, 10.95, "5x5", 1.0),
    Field("Virgo / 3C 273", 187.28, 2.05, "hex", 0.7),
    Field("NGC 4151", 182.64, 39.41, "hex", 0.5),
    Field("Cassiopeia", 15.0, 62.0, "5x5", 0.7),
    Field("Sco X-1", 244.98, -15.64, "hex", 0.5),
    Field("Carina / Cen X-3", 175.0, -61.0, "5x5", 0.8),
)
_FIELD_BY_NAME = {f.name: f for f in FIELDS}
_FIELD_RA = np.array([f.ra for f in FIELDS])
_FIELD_DEC = np.array([f.dec for f in FIELDS])

#: Revolutions with a fixed programme (historical-like campaigns).
_FIXED_PROGRAMMES: dict[int, tuple[str, str]] = {
    665: ("Crab", "Crab"),
    # the dispatcher's default query (1E 1740.7-2942, 2017-03-06) must find data
    1787: ("Galactic centre", "Galactic centre"),
}
#: Time ranges (MJD) with a fixed programme: the Galactic-centre deep exposure of March 2003.
_FIXED_PERIODS: tuple[tuple[float, float, str], ...] = (
    (Time("2003-03-05T00:00:00").mjd, Time("2003-03-21T00:00:00").mjd, "Galactic plane scan"),
)

_DITHER_STEP_DEG = 2.17


@cache
def _pattern_offsets(field_name: str) -> np.ndarray:
    """(ra, dec) of the pointings of a field's pattern, in observing order."""
    field = _FIELD_BY_NAME[field_name]
    if field.pattern == "plane-scan":
        from astropy.coordinates import SkyCoord

        longitudes = np.arange(-30.0, 30.1, 4.0)
        latitudes = np.where(np.arange(longitudes.size) % 2 == 0, 2.5, -2.5)
        coords = SkyCoord(l=longitudes, b=latitudes, frame="galactic", unit="deg").fk5
        return np.column_stack([coords.ra.deg, coords.dec.deg])
    if field.pattern == "5x5":
        steps = [(i, j if i % 2 == 0 else 4 - j) for i in range(5) for j in range(5)]
        offsets = np.array([(i - 2, j - 2) for i, j in steps], dtype=float) * _DITHER_STEP_DEG
    elif field.pattern == "hex":
        angles = np.radians(np.arange(0, 360, 60))
        ring = np.column_stack([np.cos(angles), np.sin(angles)]) * _DITHER_STEP_DEG
        offsets = np.vstack([[0.0, 0.0], ring])
    else:
        offsets = np.zeros((1, 2))
    dec = np.clip(field.dec + offsets[:, 1], -89.9, 89.9)
    ra = (field.ra + offsets[:, 0] / np.cos(np.radians(dec))) % 360.0
    return np.column_stack([ra, dec])


def _sun_direction(mjd: float) -> tuple[float, float]:
    """Approximate (ra, dec) of the Sun, degrees (good to a degree, enough for scheduling)."""
    n = mjd - 51544.5
    mean_longitude = np.radians((280.460 + 0.9856474 * n) % 360)
    anomaly = np.radians((357.528 + 0.9856003 * n) % 360)
    ecliptic = mean_longitude + np.radians(1.915 * np.sin(anomaly) + 0.020 * np.sin(2 * anomaly))
    obliquity = np.radians(23.439)
    ra = np.degrees(np.arctan2(np.cos(obliquity) * np.sin(ecliptic), np.cos(ecliptic))) % 360
    dec = np.degrees(np.arcsin(np.sin(obliquity) * np.sin(ecliptic)))
    return float(ra), float(dec)


def _choose_field(revolution: int, half: int, mjd: float) -> str:
    for start, stop, name in _FIXED_PERIODS:
        if start <= mjd < stop:
            return name
    sun_ra, sun_dec = _sun_direction(mjd)
    solar_aspect = angular_separation(sun_ra, sun_dec, _FIELD_RA, _FIELD_DEC)
    visible = [f for f, angle in zip(FIELDS, solar_aspect, strict=True) if 50.0 <= angle <= 130.0]
    if not visible:
        visible = list(FIELDS)
    rng = np.random.default_rng(stable_seed("programme", revolution, half))
    weights = np.array([f.weight for f in visible])
    return visible[int(rng.choice(len(visible), p=weights / weights.sum()))].name


@lru_cache(maxsize=8192)
def revolution_programmes(revolution: int) -> tuple[str, str]:
    """Names of the fields observed in the first and second half of ``revolution``."""
    if revolution in _FIXED_PROGRAMMES:
        return _FIXED_PROGRAMMES[revolution]
    start = revolution_start_mjd(revolution)
    length = revolution_start_mjd(revolution + 1) - start
    return (
        _choose_field(revolution, 0, start + 0.25 * length),
        _choose_field(revolution, 1, start + 0.75 * length),
    )


_SCHEDULE_DTYPE = np.dtype(
    [("pointing", "i4"), ("start", "f8"), ("stop", "f8"), ("ra", "f8"), ("dec", "f8")]
)


@lru_cache(maxsize=4096)
def revolution_schedule(revolution: int) -> np.ndarray:
    """All pointings of ``revolution``: structured array (pointing, start, stop MJD, ra, dec).

    Pointings last 30-60 minutes (drawn from the revolution's seed), separated by 5-minute slews,
    between the exits and entries of the radiation belts.
    """
    if revolution < 0:
        return np.zeros(0, dtype=_SCHEDULE_DTYPE)
    rev_start = revolution_start_mjd(revolution)
    rev_stop = revolution_start_mjd(revolution + 1)
    first, last = rev_start + BELT_MARGIN_D, rev_stop - BELT_MARGIN_D
    middle = 0.5 * (first + last)
    rng = np.random.default_rng(stable_seed("schedule", revolution))
    durations_s = np.round(rng.uniform(1800.0, 3600.0, 200), -1)
    ends = first + np.cumsum(durations_s + SLEW_S) / 86400.0
    starts = ends - durations_s / 86400.0
    keep = ends <= last
    starts, ends = starts[keep], ends[keep]
    programmes = revolution_programmes(revolution)
    halves = (starts >= middle).astype(int)
    directions = np.zeros((starts.size, 2))
    for half in (0, 1):
        in_half = np.flatnonzero(halves == half)
        pattern = _pattern_offsets(programmes[half])
        directions[in_half] = pattern[np.arange(in_half.size) % len(pattern)]
    schedule = np.zeros(starts.size, dtype=_SCHEDULE_DTYPE)
    schedule["pointing"] = np.arange(1, starts.size + 1)
    schedule["start"] = starts
    schedule["stop"] = ends
    schedule["ra"] = directions[:, 0]
    schedule["dec"] = directions[:, 1]
    return schedule


# -- queries ----------------------------------------------------------------------------------

def _isot(mjd: float) -> str:
    return Time(mjd, format="mjd", scale="utc").isot


def _window(revolution: int, entry: np.void) -> ScienceWindow:
    duration_s = (float(entry["stop"]) - float(entry["start"])) * 86400.0
    return ScienceWindow(
        scw_id=f"{revolution:04d}{int(entry['pointing']):04d}0010.001",
        start=_isot(float(entry["start"])),
        stop=_isot(float(entry["stop"])),
        ra=round(float(entry["ra"]), 4),
        dec=round(float(entry["dec"]), 4),
        exposure_s=round(duration_s * GOOD_TIME_FRACTION, 1),
    )


def parse_scw_id(scw_id: str) -> tuple[int, int]:
    """(revolution, pointing) of a science window id such as ``066500220010.001``.

    Raises
    ------
    NoPointings
        If the id is not of the ``RRRRPPPPSSSF.VVV`` form.
    """
    match = _SCW_ID.match(scw_id.strip())
    if not match:
        raise NoPointings(
            f"the following scws have a wrong format ['{scw_id}']: "
            "expected 12 digits and a version, like 066500220010.001"
        )
    return int(match.group(1)), int(match.group(2))


def _from_list(scw_list: list[str]) -> list[ScienceWindow]:
    wrong = [s for s in scw_list if not _SCW_ID.match(s.strip())]
    if wrong:
        raise NoPointings(
            f"the following scws have a wrong format {wrong}: "
            "expected 12 digits and a version, like 066500220010.001"
        )
    windows = []
    for scw_id in scw_list:
        revolution, pointing = parse_scw_id(scw_id)
        schedule = revolution_schedule(revolution)
        found = schedule[schedule["pointing"] == pointing]
        if found.size == 0:
            raise NoPointings(
                f"science window {scw_id.strip()} is not in the archive: revolution "
                f"{revolution:04d} has pointings 0001 to {schedule.size:04d}"
            )
        window = _window(revolution, found[0])
        # keep the version the user asked for
        windows.append(ScienceWindow(**{**window.__dict__, "scw_id": scw_id.strip()}))
    return windows


def _spread(items: list, limit: int) -> list:
    if limit <= 0 or len(items) <= limit:
        return items
    picks = np.unique(np.round(np.linspace(0, len(items) - 1, limit)).astype(int))
    return [items[i] for i in picks]


def science_windows(
    t1: str,
    t2: str,
    ra: float,
    dec: float,
    radius: float,
    max_pointings: int,
    scw_list: list[str] | None = None,
) -> list[ScienceWindow]:
    """Science windows of a query, as the INTEGRAL archive would select them.

    Parameters
    ----------
    t1, t2 : str
        Time range, ISO (``isot``) UTC. A pointing overlapping the range is taken.
    ra, dec : float
        Direction of interest, degrees.
    radius : float
        Largest distance between the pointing direction and (ra, dec), degrees.
    max_pointings : int
        At most this many windows, spread evenly over those found (in time order).
    scw_list : list of str, optional
        Explicit science window ids; when given (non-empty) they win over the time range,
        direction and ``max_pointings``.

    Returns
    -------
    list of ScienceWindow
        In time order (or in the order of ``scw_list``).

    Raises
    ------
    NoPointings
        No pointing in range, a malformed id or an id that is not in the schedule.
    """
    if scw_list:
        return _from_list(list(scw_list))
    start = float(Time(t1, format="isot", scale="utc").mjd)
    stop = float(Time(t2, format="isot", scale="utc").mjd)
    if stop <= start:
        raise NoPointings(f"scwlist empty: T2 ({t2}) must be later than T1 ({t1})")
    found: list[tuple[int, np.void]] = []
    for revolution in range(max(revolution_at(start), 0), revolution_at(stop) + 1):
        if not _programme_may_reach(revolution, ra, dec, radius):
            continue
        schedule = revolution_schedule(revolution)
        overlap = (schedule["start"] < stop) & (schedule["stop"] > start)
        near = angular_separation(ra, dec, schedule["ra"], schedule["dec"]) <= radius
        found.extend((revolution, entry) for entry in schedule[overlap & near])
    if not found:
        raise NoPointings(
            f"scwlist empty: no INTEGRAL science window points within {radius:g} deg of "
            f"RA={ra:g}, Dec={dec:g} between {t1} and {t2}; widen the radius or the time range, "
            "or give scw_list"
        )
    return [_window(revolution, entry) for revolution, entry in _spread(found, max_pointings)]


def _programme_may_reach(revolution: int, ra: float, dec: float, radius: float) -> bool:
    """Cheap pre-filter: can any pointing of this revolution be within ``radius``?"""
    for name in set(revolution_programmes(revolution)):
        pattern = _pattern_offsets(name)
        if np.any(angular_separation(ra, dec, pattern[:, 0], pattern[:, 1]) <= radius):
            return True
    return False
