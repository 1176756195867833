"""What in a source catalog deserves a warning before it is sent back to the dispatcher.

Two checks the INTEGRAL users' known issues call for:

* two entries closer to each other than their error radius are most likely one source found
  twice (or a source and its ghost); extracting both splits the counts between them;
* JEM-X ignores sources named ``NEW SOURCE``, and new detections come back named ``NEW_1``,
  ``NEW_2`` ...: such a source is silently missing from a JEM-X spectrum unless it is renamed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from astropy import units as u
from astropy.coordinates import SkyCoord
from astropy.table import Table

from .wire_format import row_ids, row_names, table_coords

__all__ = [
    "DEFAULT_DUPLICATE_RADIUS",
    "MAX_DUPLICATE_RADIUS",
    "MAX_CANDIDATE_PAIRS",
    "DuplicatePair",
    "format_angle",
    "duplicate_pairs",
    "ignored_by_jemx",
    "jname",
    "rename_hint",
    "table_duplicate_pairs",
    "table_err_rad",
    "table_warnings",
]

#: Separation under which two entries with no error radius are taken for one source.
DEFAULT_DUPLICATE_RADIUS = 3 * u.arcmin

#: The widest error radius the check uses: a server's ERR_RAD of 180 degrees would make every
#: pair a candidate (INTEGRAL's error radii are arcminutes; ISGRI's PSF is 12 arcmin wide).
MAX_DUPLICATE_RADIUS = 1 * u.deg

#: Candidate pairs listed at most; in a field crowded beyond this, each entry is checked against
#: its nearest neighbour only (memory and time stay proportional to the catalog).
MAX_CANDIDATE_PAIRS = 100_000

_NEW_NAME = re.compile(r"^\s*NEW(\s*[_ ]\s*(SOURCE|\d+))?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class DuplicatePair:
    """Two rows (indices into the catalog) closer than the larger of their error radii."""

    first: int
    second: int
    separation: u.Quantity
    radius: u.Quantity


def _radii(err_rad: Sequence[float] | None, n: int) -> u.Quantity:
    default = DEFAULT_DUPLICATE_RADIUS.to_value(u.deg)
    if err_rad is None:
        return np.full(n, default) * u.deg
    values = np.asarray(err_rad, dtype=float)
    usable = np.isfinite(values) & (values > 0)
    widest = MAX_DUPLICATE_RADIUS.to_value(u.deg)
    return np.minimum(np.where(usable, values, default), widest) * u.deg


def duplicate_pairs(
    coords: SkyCoord, err_rad: Sequence[float] | None = None
) -> list[DuplicatePair]:
    """Every pair of entries closer than the larger of their two error radii.

    Parameters
    ----------
    coords : SkyCoord
        Positions of the entries.
    err_rad : sequence of float, optional
        Error radius of each entry in degrees (the ``ERR_RAD`` column); missing, zero or NaN
        values count as :data:`DEFAULT_DUPLICATE_RADIUS`.

    Returns
    -------
    list of DuplicatePair
        Each pair once, ``first < second``, in row order.
    """
    n = len(coords) if not coords.isscalar else 1
    if n < 2:
        return []
    radii = _radii(err_rad, n)
    lon = coords.spherical.lon.deg
    lat = coords.spherical.lat.deg
    finite = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(finite) < 2:
        return []
    # Candidates first, from a KD-tree of unit vectors: only pairs closer than the widest radius
    # (with a margin for rounding), a handful in a real field, are then separated exactly by
    # astropy. Time and memory grow with the catalog and its close pairs, never with its square.
    from scipy.spatial import cKDTree

    usable = coords[finite]
    xyz = usable.cartesian.xyz.value.T
    xyz = xyz / np.linalg.norm(xyz, axis=1, keepdims=True)
    widest = float(np.max(radii[finite]).to_value(u.rad)) * 1.01 + 1e-9
    chord = 2.0 * np.sin(min(widest, np.pi) / 2.0)
    tree = cKDTree(xyz)
    within = (int(tree.count_neighbors(tree, chord)) - len(xyz)) // 2
    if within <= MAX_CANDIDATE_PAIRS:
        found = tree.query_pairs(chord, output_type="ndarray")
        i, j = (found[:, 0], found[:, 1]) if len(found) else (np.empty(0, int), np.empty(0, int))
    else:
        # crowded: each entry against its nearest neighbour
        distance, nearest = tree.query(xyz, k=2)
        close = distance[:, 1] <= chord
        i = np.flatnonzero(close)
        j = nearest[close, 1]
        i, j = np.minimum(i, j), np.maximum(i, j)
        unique = np.unique(np.stack([i, j], axis=1), axis=0) if len(i) else np.empty((0, 2), int)
        i, j = unique[:, 0], unique[:, 1]
    if len(i) == 0:
        return []
    first, second = finite[i], finite[j]
    separation = coords[first].separation(coords[second])
    radius = np.maximum(radii[first], radii[second])
    close = np.flatnonzero(separation < radius)
    pairs = [
        DuplicatePair(
            int(first[k]), int(second[k]), separation[k].to(u.arcmin), radius[k].to(u.arcmin)
        )
        for k in close
    ]
    pairs.sort(key=lambda p: (p.first, p.second))
    return pairs


def ignored_by_jemx(name: str) -> bool:
    """Whether ``name`` is one JEM-X does not extract (``NEW SOURCE``, ``NEW_1`` ...)."""
    return bool(_NEW_NAME.match(name))


def jname(ra_deg: float, dec_deg: float) -> str:
    """An IAU-style name from a position, e.g. ``J174540-290028`` (truncated, not rounded)."""
    coord = SkyCoord(ra_deg * u.deg, dec_deg * u.deg, frame="fk5")
    ra = coord.ra.hms
    dec = coord.dec.signed_dms
    sign = "-" if dec.sign < 0 else "+"
    return (
        f"J{int(ra.h):02d}{int(ra.m):02d}{int(ra.s):02d}"
        f"{sign}{int(dec.d):02d}{int(dec.m):02d}{int(dec.s):02d}"
    )


def rename_hint(name: str, ra_deg: float, dec_deg: float) -> str:
    """The warning for a name JEM-X ignores (or a new detection's provisional name), with a name
    to rename it to."""
    suggestion = jname(ra_deg, dec_deg) if np.isfinite(ra_deg) and np.isfinite(dec_deg) else None
    to = f" (e.g. to {suggestion!r})" if suggestion else ""
    if " ".join(name.split()).upper() == "NEW SOURCE":
        return f"JEM-X ignores sources named 'NEW SOURCE': rename it{to} so that JEM-X extracts it"
    return (
        f"{name.strip()!r} is a new detection's provisional name, and JEM-X ignores sources "
        f"named 'NEW SOURCE': give it a name of its own{to} before a JEM-X job"
    )


def format_angle(angle: u.Quantity) -> str:
    """A small angle in the unit that reads best: arcsec under 1 arcmin, else arcmin."""
    arcmin = float(angle.to_value(u.arcmin))
    if arcmin < 1:
        return f"{arcmin * 60:.1f} arcsec"
    return f"{arcmin:.2f} arcmin"


# -- the checks on a catalog table ------------------------------------------------------------


def table_err_rad(table: Table) -> list[float] | None:
    """The ``ERR_RAD`` column in degrees (missing values NaN), or None without one."""
    if "ERR_RAD" not in table.colnames:
        return None
    return [float(v) for v in np.ma.filled(table["ERR_RAD"], np.nan)]


def table_duplicate_pairs(table: Table) -> list[DuplicatePair]:
    """:func:`duplicate_pairs` of a catalog table (none without position columns)."""
    if not table.meta.get("LON_NAME") or len(table) < 2:
        return []
    return duplicate_pairs(table_coords(table), table_err_rad(table))


def table_warnings(table: Table, pairs: Sequence[DuplicatePair]) -> dict[int, list[str]]:
    """Plain-word warnings per ``meta_ID`` of a catalog table whose duplicate ``pairs`` are
    known (sources without warnings are left out)."""
    out: dict[int, list[str]] = {}
    ids, names = row_ids(table), row_names(table)
    lon_name, lat_name = table.meta.get("LON_NAME"), table.meta.get("LAT_NAME")
    if lon_name and len(table) >= 2:
        for pair in pairs:
            for me, other in ((pair.first, pair.second), (pair.second, pair.first)):
                out.setdefault(ids[me], []).append(
                    f"{format_angle(pair.separation)} from {names[other]!r}, closer than the "
                    f"error radius ({format_angle(pair.radius)}): probably the same source; "
                    f"remove one of them"
                )
    for k, name in enumerate(names):
        if ignored_by_jemx(name):
            ra = float(table[lon_name][k]) if lon_name else math.nan
            dec = float(table[lat_name][k]) if lat_name else math.nan
            out.setdefault(ids[k], []).append(rename_hint(name, ra, dec))
    return {i: out[i] for i in ids if i in out}
