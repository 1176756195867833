"""POLAR light curve: the Tiangong-2 polarimeter's count rate, with its ROOT file.

POLAR observed from 2016-09-22 to 2017-03-31. Its plugin answers ``polar_lc`` with two products:
a light curve (one ``POLAR_LC`` table with ``time``, ``rate`` and ``rate_err``; ``time`` in
seconds from T1) and the same curve as a ROOT file, sent as a bare base64 string in
``binary_data_product_list`` (the legacy BinaryData encoding, so oda_api names it ``polar_lc_1``).

The simulated rate is a background of about 1,500 counts/s modulated by the 93-minute orbit, with
Poisson noise and now and then a gamma-ray burst. The bursts belong to the sky (seeded by the
hour), so overlapping queries see the same ones; one is always placed in the minute of the user
guide's example query (2016-12-18 08:32 UTC), so the example shows a burst.
"""

from __future__ import annotations

import base64
import json
import pickle
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.time import Time

from ..encode import PICKLE_PROTOCOL, encode_data_unit
from .field import product_seed
from .pointings import ScienceWindow
from .sky import stable_seed

__all__ = [
    "BACKGROUND_RATE",
    "BURST_CHANCE_PER_HOUR",
    "EXAMPLE_BURST",
    "MAX_BINS",
    "MISSION",
    "ORBIT_S",
    "expected_rate",
    "make_polar_light_curve",
    "root_file_bytes",
]

#: The period POLAR took data (UTC).
MISSION = (Time("2016-09-22T00:00:00", scale="utc"), Time("2017-03-31T23:59:59", scale="utc"))
BACKGROUND_RATE = 1500.0
ORBIT_S = 93.0 * 60.0
BURST_CHANCE_PER_HOUR = 0.05
#: The burst of the user guide's example query: (start, peak count/s, rise s, decay s).
EXAMPLE_BURST = (Time("2016-12-18T08:32:38", scale="utc"), 6000.0, 0.3, 4.0)
#: Sub-samples per bin used to integrate the burst profile within a bin.
_SUBSAMPLES = 8
MAX_BINS = 5_000_000


def _unix(t: Time) -> float:
    return float(t.unix)


def _bursts(first_s: float, last_s: float) -> list[tuple[float, float, float, float]]:
    """(start unix s, peak count/s, rise s, decay s) of the bursts that can touch the interval."""
    found = []
    for hour in range(int(first_s // 3600) - 1, int(last_s // 3600) + 1):
        rng = np.random.default_rng(stable_seed("polar burst", hour))
        if rng.random() < BURST_CHANCE_PER_HOUR:
            start = hour * 3600.0 + rng.uniform(0, 3600.0)
            found.append((start, 10 ** rng.uniform(2.7, 3.9), rng.uniform(0.05, 1.0),
                          rng.uniform(0.5, 15.0)))
    start, peak, rise, decay = EXAMPLE_BURST
    found.append((_unix(start), peak, rise, decay))
    return found


def expected_rate(unix_s: np.ndarray) -> np.ndarray:
    """Expected count rate (count/s) at ``unix_s`` (seconds since 1970-01-01 UTC)."""
    rate = BACKGROUND_RATE * (1.0 + 0.15 * np.sin(2 * np.pi * unix_s / ORBIT_S))
    if unix_s.size == 0:
        return rate
    for start, peak, rise, decay in _bursts(float(unix_s.min()), float(unix_s.max())):
        after = unix_s > start
        dt = np.where(after, unix_s - start, 1.0)
        # Norris pulse, peaking at sqrt(rise * decay) with height `peak`
        pulse = peak * np.exp(2.0 * np.sqrt(rise / decay)) * np.exp(-rise / dt - dt / decay)
        rate = rate + np.where(after, pulse, 0.0)
    return rate


def root_file_bytes(time: np.ndarray, rate: np.ndarray, rate_err: np.ndarray) -> bytes:
    """The light curve as a ROOT file: one TTree ``lc`` with ``time``, ``rate``, ``rate_err``.

    Like any ROOT file it records when it was written, so two calls differ in those bytes.

    Raises
    ------
    ValueError
        If ``uproot`` (the sandbox's ROOT writer) is not installed.
    """
    try:
        import uproot
    except ImportError:
        raise ValueError("the sandbox writes POLAR's ROOT file with uproot, which is not installed:"
                         " pip install 'oda_widgets[sandbox]'") from None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "polar_lc.root"
        with uproot.recreate(path) as root:
            root["lc"] = {"time": time, "rate": rate, "rate_err": rate_err}
        return path.read_bytes()


def _light_curve_unit(table: np.ndarray) -> dict[str, Any]:
    """The ``POLAR_LC`` data unit as the plugin builds it: a plain structured array, no units."""
    unit = encode_data_unit(fits.BinTableHDU(table, name="POLAR_LC"))
    # the plugin pickles the NumPy array it made, not a FITS_rec
    unit["binarys"] = base64.b64encode(pickle.dumps(np.array(table),
                                                    protocol=PICKLE_PROTOCOL)).decode()
    unit["dt"] = str(table.dtype.descr)
    unit["units_dict"] = None
    return unit


def make_polar_light_curve(params: Mapping[str, Any],
                           scws: Sequence[ScienceWindow] = ()) -> dict[str, Any]:
    """The answer's product part for ``polar_lc``.

    Raises
    ------
    ValueError
        If T1/T2 fall outside the mission, T2 is not after T1, or the bins would be too many;
        the message says what to change.
    """
    t1 = Time(str(params["T1"]), format="isot", scale="utc")
    t2 = Time(str(params["T2"]), format="isot", scale="utc")
    if t1 < MISSION[0] or t2 > MISSION[1]:
        raise ValueError(f"POLAR took data from {MISSION[0].isot[:10]} to {MISSION[1].isot[:10]}:"
                         f" choose T1 and T2 in that period (asked {t1.isot} to {t2.isot})")
    # to the microsecond: Time differences carry float noise of a few 1e-12 s
    span_s = round(float((t2 - t1).sec), 6)
    bin_s = float(params.get("time_bin") or 1.0)
    if span_s <= 0 or bin_s <= 0:
        raise ValueError(f"T2 ({t2.isot}) must be after T1 ({t1.isot}) and time_bin positive")
    n_bins = int(np.ceil(round(span_s / bin_s, 6)))
    if n_bins > MAX_BINS:
        raise ValueError(f"{n_bins} bins of {bin_s:g} s are more than the {MAX_BINS} POLAR's "
                         "server returns: choose a larger time_bin or a shorter interval")
    edges = np.minimum(np.arange(n_bins + 1) * bin_s, span_s)
    widths = np.diff(edges)
    # the mean expected rate over each bin, from sub-samples (a burst shorter than a bin stays)
    fractions = (np.arange(_SUBSAMPLES) + 0.5) / _SUBSAMPLES
    samples = edges[:-1, None] + widths[:, None] * fractions[None, :]
    expected = expected_rate(_unix(t1) + samples).mean(axis=1) * widths
    rng = np.random.default_rng(product_seed("polar", "polar_lc", params, scws))
    counts = rng.poisson(expected)
    table = np.zeros(n_bins, dtype=[("rate", "<f8"), ("rate_err", "<f8"), ("time", "<f8")])
    table["time"] = edges[:-1] + 0.5 * widths
    table["rate"] = counts / widths
    table["rate_err"] = np.sqrt(np.maximum(counts, 1.0)) / widths
    meta_data = {"src_name": "lc", "time_bin": bin_s, "time": "time", "rate": "rate",
                 "rate_err": "rate_err"}
    light_curve = {"data_unit_list": [_light_curve_unit(table)], "name": None,
                   "meta_data": json.dumps(meta_data)}
    root = root_file_bytes(table["time"], table["rate"], table["rate_err"])
    return {"numpy_data_product_list": [light_curve],
            "binary_data_product_list": [base64.urlsafe_b64encode(root).decode()]}
