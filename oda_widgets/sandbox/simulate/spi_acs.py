"""SPI-ACS light curve: the anti-coincidence shield's count rate in 50 ms samples.

About 75,000 counts/s of background drifting slowly over the orbit, Poisson noise, and now and
then a gamma-ray-burst-like spike (fast rise, exponential decay). The bursts belong to the sky
(seeded by the hour they fall in), so overlapping queries see the same ones; the noise is seeded
by the query. The product is shaped like the real plugin's: one ``RATE`` table with TIME (s from
the middle of the interval), RATE and ERROR (count/s), binned to a multiple of 50 ms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.time import Time

from ..encode import encode_product
from .field import IJD_MJD_OFFSET, product_seed
from .pointings import ScienceWindow
from .sky import stable_seed

__all__ = [
    "MAX_BINS",
    "MAX_SPAN_DAYS",
    "size_refusal",
    "BURST_CHANCE_PER_HOUR",
    "MEAN_RATE",
    "SAMPLE_S",
    "expected_rate",
    "make_spi_acs_light_curve",
]

SAMPLE_S = 0.05
MEAN_RATE = 75_000.0
#: Chance that a given hour holds a burst.
BURST_CHANCE_PER_HOUR = 0.08
#: Samples generated at once (bounds memory for long intervals).
_CHUNK_SAMPLES = 2_000_000
_ORBIT_S = 3.0 * 86400.0
#: The most bins one light curve may have: a day of 50 ms samples (about 41 MB of table, and
#: several times that once encoded in the answer). Longer intervals take a coarser time_bin.
MAX_BINS = 1_728_000
#: The longest interval simulated, whatever the binning (every 50 ms sample is drawn).
MAX_SPAN_DAYS = 30.0


def size_refusal(params: Mapping[str, Any]) -> str | None:
    """Why a request is too large for the sandbox (naming the limit), or ``None``."""
    try:
        t1 = Time(str(params["T1"]), format="isot", scale="utc")
        t2 = Time(str(params["T2"]), format="isot", scale="utc")
        bin_s = max(float(params.get("time_bin") or SAMPLE_S), SAMPLE_S)
    except (KeyError, ValueError, TypeError):
        return None  # refused later, with the dispatcher's own words
    span_s = float((t2 - t1).sec)
    if span_s > MAX_SPAN_DAYS * 86400.0:
        return (f"the sandbox simulates at most {MAX_SPAN_DAYS:g} days of SPI-ACS data per "
                f"request; T1..T2 spans {span_s / 86400.0:.1f} days: ask for a shorter interval")
    bins = span_s / bin_s
    if bins > MAX_BINS:
        needed = span_s / MAX_BINS
        return (f"the sandbox makes at most {MAX_BINS} SPI-ACS time bins per request; "
                f"{span_s / 86400.0:.2f} days in {bin_s:g} s bins would be {bins:.0f}: give "
                f"time_bin of at least {needed:.2f} s, or a shorter interval")
    return None


def _bursts(first_s: float, last_s: float) -> list[tuple[float, float, float, float]]:
    """(start s, peak count/s, rise s, decay s) of the bursts that can touch [first_s, last_s]."""
    out = []
    for hour in range(int(first_s // 3600) - 1, int(last_s // 3600) + 1):
        rng = np.random.default_rng(stable_seed("spi-acs burst", hour))
        if rng.random() >= BURST_CHANCE_PER_HOUR:
            continue
        start = hour * 3600.0 + rng.uniform(0, 3600.0)
        out.append((start, 10 ** rng.uniform(3.0, 4.7), rng.uniform(0.05, 1.0),
                    rng.uniform(0.5, 20.0)))
    return out


def expected_rate(times_s: np.ndarray) -> np.ndarray:
    """Expected count rate (count/s) at ``times_s`` (seconds since IJD 0, TT)."""
    rate = MEAN_RATE * (1.0 + 0.03 * np.sin(2 * np.pi * times_s / _ORBIT_S)
                        + 0.01 * np.sin(2 * np.pi * times_s / 5400.0))
    if times_s.size == 0:
        return rate
    for start, peak, rise, decay in _bursts(float(times_s[0]), float(times_s[-1])):
        lo = np.searchsorted(times_s, start, side="right")
        hi = np.searchsorted(times_s, start + 30.0 * decay)
        if hi <= lo:
            continue
        dt = times_s[lo:hi] - start
        # Norris pulse: peaks at sqrt(rise*decay) with height `peak`
        rate[lo:hi] += peak * np.exp(2.0 * np.sqrt(rise / decay)) * np.exp(-rise / dt - dt / decay)
    return rate


def make_spi_acs_light_curve(params: Mapping[str, Any],
                             scws: Sequence[ScienceWindow] = ()) -> dict[str, Any]:
    """The answer's product part for ``spi_acs_lc``.

    Raises
    ------
    ValueError
        If T2 is not after T1.
    """
    t1 = Time(str(params["T1"]), format="isot", scale="utc").tt
    t2 = Time(str(params["T2"]), format="isot", scale="utc").tt
    first_s = (t1.mjd - IJD_MJD_OFFSET) * 86400.0
    n_samples = int(np.floor(round((t2.mjd - t1.mjd) * 86400.0 / SAMPLE_S, 6)))
    if n_samples < 1:
        raise ValueError(f"no usable data found for this time interval: T2 ({params['T2']}) must "
                         f"be at least {SAMPLE_S} s after T1 ({params['T1']})")
    per_bin = max(int(float(params.get("time_bin") or SAMPLE_S) / SAMPLE_S + 1e-9), 1)
    bin_s = per_bin * SAMPLE_S
    rng = np.random.default_rng(product_seed("spi_acs", "spi_acs_lc", params, scws))

    n_bins = -(-n_samples // per_bin)
    counts = np.empty(n_bins)
    time_sum = np.empty(n_bins)
    samples_in_bin = np.full(n_bins, per_bin, dtype=float)
    samples_in_bin[-1] = n_samples - (n_bins - 1) * per_bin
    chunk_bins = max(_CHUNK_SAMPLES // per_bin, 1)
    for b0 in range(0, n_bins, chunk_bins):
        b1 = min(b0 + chunk_bins, n_bins)
        s0, s1 = b0 * per_bin, min(b1 * per_bin, n_samples)
        times = first_s + (np.arange(s0, s1) + 0.5) * SAMPLE_S
        expected = expected_rate(times) * SAMPLE_S
        edges = np.arange(0, s1 - s0, per_bin)
        # a sum of Poisson counts is Poisson: draw once per output bin
        counts[b0:b1] = rng.poisson(np.add.reduceat(expected, edges))
        time_sum[b0:b1] = np.add.reduceat(times, edges)

    exposure = samples_in_bin * SAMPLE_S
    mid_s = time_sum / samples_in_bin
    reference_s = 0.5 * (first_s + first_s + n_samples * SAMPLE_S)
    data = np.zeros(n_bins, dtype=[("TIME", ">f8"), ("RATE", ">f8"), ("ERROR", ">f8")])
    data["TIME"] = mid_s - reference_s
    data["RATE"] = counts / exposure
    data["ERROR"] = np.sqrt(np.maximum(counts, 1.0)) / exposure
    hdu = fits.BinTableHDU(data, name="RATE")
    for column, unit in (("TIME", "s"), ("RATE", "count/s"), ("ERROR", "count/s")):
        hdu.columns.change_unit(column, unit)
    h = hdu.header
    start_rel, stop_rel = -0.5 * n_samples * SAMPLE_S, 0.5 * n_samples * SAMPLE_S
    h["TIMESYS"] = "TT"
    h["TIMEREF"] = "LOCAL"
    h["ONTIME"] = stop_rel - start_rel
    h["TASSIGN"] = "SATELLITE"
    h["TSTART"] = reference_s + start_rel
    h["TSTOP"] = reference_s + stop_rel
    h["DATE-OBS"] = t1.utc.isot
    h["DATE-END"] = t2.utc.isot
    h["TIMEDEL"] = bin_s
    h["MJDREF"] = IJD_MJD_OFFSET
    h["TELESCOP"] = "INTEGRAL"
    h["INSTRUME"] = "SPI-ACS"
    h["TIMEZERO"] = reference_s
    h["TIMEUNIT"] = "s"
    meta_data = {"src_name": "query", "time_bin": bin_s, "time": "TIME", "rate": "RATE",
                 "rate_err": "ERROR"}
    product = encode_product([fits.PrimaryHDU(), hdu], name=None, meta_data=meta_data)
    return {"numpy_data_product_list": [product], "binary_data_product_list": []}
