"""The simulated hard X-ray sky of the sandbox: known sources, their spectra and light curves.

The sources come from ``data/sources.ecsv`` (public catalogue positions, typical fluxes). Every
quantity here is a pure function of the source and the time, so the same query always sees the
same sky.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
from astropy.table import Row, Table

__all__ = [
    "CRAB_INDEX",
    "CRAB_NORM",
    "REFERENCE_BAND_KEV",
    "angular_separation",
    "band_flux",
    "crab_reference_flux",
    "get_source",
    "load_sources",
    "photon_spectrum",
    "sources_near",
    "stable_seed",
    "variability",
]

#: Photon flux of the Crab in 20-40 keV, ph/cm2/s (power law of index 2.1, 9.7 ph/cm2/s/keV at 1 keV).
CRAB_INDEX = 2.1
CRAB_NORM = 9.7
REFERENCE_BAND_KEV = (20.0, 40.0)

# Quiescent level of a transient between outbursts, relative to the peak.
_QUIESCENT_FRACTION = 0.005


def stable_seed(*parts: Any) -> int:
    """Seed for numpy from a hash of ``parts`` (stable across processes, unlike ``hash``).

    Parameters
    ----------
    *parts
        Anything with a stable ``repr``: names, rounded numbers, parameter tuples.

    Returns
    -------
    int
        A 64-bit seed.
    """
    digest = hashlib.sha256(repr(parts).encode()).digest()
    return int.from_bytes(digest[:8], "little")


@lru_cache(maxsize=1)
def _source_table() -> Table:
    path = resources.files("oda_widgets.sandbox") / "data" / "sources.ecsv"
    with resources.as_file(path) as p:
        table = Table.read(p, format="ascii.ecsv")
    table.add_index("name")
    return table


def load_sources() -> Table:
    """All sources of the sandbox sky.

    Returns
    -------
    astropy.table.Table
        A copy of the bundled table: name, ra, dec (deg), kind, flux_mcrab (20-40 keV),
        photon_index, cutoff_kev, var_kind, var_amp, var_timescale_d, var_period_d, var_epoch_mjd.
    """
    return _source_table().copy()


def get_source(name: str) -> Row:
    """The row of the source called ``name`` (exact or ignoring spaces and case).

    Raises
    ------
    KeyError
        If no source of that name is in the sandbox sky.
    """
    table = _source_table()
    key = name.replace(" ", "").lower()
    for row in table:
        if row["name"].replace(" ", "").lower() == key:
            return row
    raise KeyError(f"no source named {name!r} in the sandbox sky")


def angular_separation(ra1: Any, dec1: Any, ra2: Any, dec2: Any) -> np.ndarray:
    """Great-circle distance in degrees (Vincenty formula, stable at all separations)."""
    ra1, dec1, ra2, dec2 = (np.radians(np.asarray(x, dtype=float)) for x in (ra1, dec1, ra2, dec2))
    dra = ra2 - ra1
    num = np.hypot(
        np.cos(dec2) * np.sin(dra),
        np.cos(dec1) * np.sin(dec2) - np.sin(dec1) * np.cos(dec2) * np.cos(dra),
    )
    den = np.sin(dec1) * np.sin(dec2) + np.cos(dec1) * np.cos(dec2) * np.cos(dra)
    return np.degrees(np.arctan2(num, den))


def sources_near(ra: float, dec: float, radius: float) -> Table:
    """Sources within ``radius`` degrees of (ra, dec), nearest first.

    Parameters
    ----------
    ra, dec : float
        Centre, degrees (FK5/J2000).
    radius : float
        Search radius, degrees.

    Returns
    -------
    astropy.table.Table
        The matching rows with an added ``offset`` column (deg) and ``index`` (row number in
        the full table, a stable identifier).
    """
    table = load_sources()
    table["index"] = np.arange(len(table))
    table["offset"] = angular_separation(ra, dec, table["ra"], table["dec"])
    near = table[table["offset"] <= radius]
    near.sort("offset")
    return near


# -- spectra ---------------------------------------------------------------------------------

def _shape(source: Row, energies: np.ndarray) -> np.ndarray:
    """Un-normalised photon spectrum (cut-off power law) at ``energies`` keV."""
    e = np.asarray(energies, dtype=float)
    shape = e ** (-float(source["photon_index"]))
    cutoff = float(source["cutoff_kev"])
    if cutoff > 0:
        shape = shape * np.exp(-e / cutoff)
    return shape


def _band_integral(fn, e1: float, e2: float, n: int = 256) -> float:
    edges = np.geomspace(e1, e2, n + 1)
    mid = np.sqrt(edges[1:] * edges[:-1])
    return float(np.sum(fn(mid) * np.diff(edges)))


@lru_cache(maxsize=1)
def crab_reference_flux() -> float:
    """Crab photon flux in the 20-40 keV reference band, ph/cm2/s."""
    return _band_integral(lambda e: CRAB_NORM * e ** (-CRAB_INDEX), *REFERENCE_BAND_KEV)


@lru_cache(maxsize=512)
def _normalisation(name: str) -> float:
    source = get_source(name)
    reference = _band_integral(lambda e: _shape(source, e), *REFERENCE_BAND_KEV)
    return float(source["flux_mcrab"]) / 1000.0 * crab_reference_flux() / reference


def photon_spectrum(source: Row, energies: Any) -> np.ndarray:
    """Photon spectrum at the source's typical (or peak) level, ph/cm2/s/keV.

    Parameters
    ----------
    source : astropy.table.Row
        A row of :func:`load_sources`.
    energies : array_like
        Energies in keV.
    """
    return _normalisation(str(source["name"])) * _shape(source, np.asarray(energies, float))


def band_flux(source: Row, e1: float, e2: float) -> float:
    """Photon flux in [e1, e2] keV at the typical level, ph/cm2/s."""
    return _normalisation(str(source["name"])) * _band_integral(lambda e: _shape(source, e), e1, e2)


# -- variability ------------------------------------------------------------------------------

def _flares(name: str, amp: float, tau: float, mjd: np.ndarray) -> np.ndarray:
    """Sum of exponentially decaying flares; each day's flares are drawn from a per-day seed."""
    out = np.zeros_like(mjd)
    if mjd.size == 0:
        return out
    rate_per_day = min(1.0 / max(tau, 1e-3), 24.0)
    memory_days = int(np.ceil(5 * tau)) + 1
    days = np.unique(np.floor(mjd).astype(np.int64))
    needed = np.unique((days[:, None] - np.arange(memory_days + 1)[None, :]).ravel())
    for day in needed:
        rng = np.random.default_rng(stable_seed("flares", name, int(day)))
        n = rng.poisson(rate_per_day)
        if n == 0:
            continue
        starts = day + rng.random(n)
        taus = tau * rng.uniform(0.3, 1.5, n)
        heights = amp * rng.uniform(0.5, 2.0, n)
        window = (mjd >= day) & (mjd < day + memory_days + 1)
        if not window.any():
            continue
        dt = mjd[window, None] - starts[None, :]
        contrib = np.where(dt >= 0, heights * np.exp(-np.clip(dt, 0, None) / taus), 0.0)
        out[window] += contrib.sum(axis=1)
    return out


def variability(source: Row, mjd: Any) -> np.ndarray:
    """Flux relative to ``flux_mcrab`` at the times ``mjd`` (deterministic light-curve model).

    steady: constant; periodic: sinusoid of relative amplitude ``var_amp`` and period
    ``var_period_d``; flaring: a mean level with random (seeded per day) decaying flares of
    time scale ``var_timescale_d``; outbursting: fast-rise exponential-decay outbursts of width
    ``var_timescale_d`` peaking at ``var_epoch_mjd`` and recurring every ``var_period_d`` (0:
    once), a faint quiescent level in between.
    """
    t = np.atleast_1d(np.asarray(mjd, dtype=float))
    kind = str(source["var_kind"])
    amp = float(source["var_amp"])
    tau = float(source["var_timescale_d"])
    period = float(source["var_period_d"])
    epoch = float(source["var_epoch_mjd"])
    if kind == "periodic" and period > 0:
        return 1.0 + amp * np.sin(2 * np.pi * (t - epoch) / period)
    if kind == "flaring":
        level = (1.0 - 0.5 * amp) + _flares(str(source["name"]), amp, tau, t)
        if period > 0:  # orbital modulation under the flares
            level = level * (1.0 + 0.3 * np.sin(2 * np.pi * (t - epoch) / period))
        return np.clip(level, 0.05, None)
    if kind == "outbursting":
        dt = t - epoch
        if period > 0:
            dt = (dt + 0.25 * period) % period - 0.25 * period
        width = max(tau, 1e-3)
        rise = np.exp(-0.5 * (dt / (0.3 * width)) ** 2)
        decay = np.exp(-np.clip(dt, 0, None) / width)
        profile = np.where(dt < 0, rise, decay)
        quiescent = max(1.0 - amp, _QUIESCENT_FRACTION)
        return quiescent + (1.0 - quiescent) * profile
    return np.ones_like(t)
