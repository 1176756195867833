"""Source light curves (ISGRI ``ISGR-SRC.-LCR``, JEM-X ``JMXn-SRC.-LCR``), one product per source.

Bins of ``time_bin`` seconds on a grid starting at the first window, kept where a window exposes
the source; times are IJD (MJD - 51544, TT) at the bin centre. RATE is background-subtracted and
corrected for the coding fraction (an on-axis-equivalent rate, as OSA's PIF-weighted extraction
gives), so a source has the same rate in its light curve, its spectrum and the mosaic of the
same science windows and band; off-axis bins only have larger errors. The ISGRI columns are those of
``ii_lc_extract`` (TIME, TIMEDEL, TOT_COUNTS, BACKV, BACKE, RATE, ERROR, XAX_E, FRACEXP); the
JEM-X ones those of ``lc_pick`` (TIME, RATE, ERROR, BRATE, BERROR, BARYTIME, FRACEXP, TIMEDEL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from astropy.io import fits

from ..encode import encode_product
from .extraction import sources_to_extract
from .field import IJD_MJD_OFFSET, SourceInField, mjd_tt, product_seed
from .instruments import TELESCOPES
from .pointings import GOOD_TIME_FRACTION, ScienceWindow
from .response import response_for
from .sky import stable_seed, variability

__all__ = ["MAX_TIME_BIN_S", "make_light_curves"]

#: The real plugin refuses bins longer than this (OSATimebin.t_bin_max_seconds).
MAX_TIME_BIN_S = 4000.0
#: Relative error of the background level (estimated from the whole detector).
_BACKGROUND_RELATIVE_ERROR = 0.01


def _binning(scws: Sequence[ScienceWindow], time_bin_s: float, start_tt: np.ndarray,
             stop_tt: np.ndarray):
    """Pieces (window, bin) of overlap: bin index, window index, overlap seconds, mid MJD."""
    step_d = time_bin_s / 86400.0
    origin = float(start_tt.min())
    bins, windows, overlaps, mids = [], [], [], []
    for i, (start, stop) in enumerate(zip(start_tt, stop_tt, strict=True)):
        first = int(np.floor((start - origin) / step_d))
        last = int(np.ceil((stop - origin) / step_d))
        k = np.arange(first, max(last, first + 1))
        lo = np.maximum(origin + k * step_d, start)
        hi = np.minimum(origin + (k + 1) * step_d, stop)
        keep = hi > lo
        bins.append(k[keep])
        windows.append(np.full(int(keep.sum()), i))
        overlaps.append((hi - lo)[keep] * 86400.0)
        mids.append(0.5 * (lo + hi)[keep])
    return (np.concatenate(bins), np.concatenate(windows), np.concatenate(overlaps),
            np.concatenate(mids), origin, step_d)


def _light_curve(view: SourceInField, params: Mapping[str, Any], instrument: str,
                 time_bin_s: float, rng: np.random.Generator) -> fits.HDUList | None:
    e1, e2 = float(params.get("E1_keV", 20.0)), float(params.get("E2_keV", 40.0))
    scws = view.scws
    start_tt = mjd_tt([s.start for s in scws])
    stop_tt = mjd_tt([s.stop for s in scws])
    bin_index, window, overlap_s, mid_tt, origin, step_d = _binning(scws, time_bin_s, start_tt,
                                                                     stop_tt)
    coding = view.coding[window]
    exposed = coding > 0
    bin_index, window, overlap_s, mid_tt, coding = (
        a[exposed] for a in (bin_index, window, overlap_s, mid_tt, coding)
    )
    if bin_index.size == 0:
        return None
    level = variability(view.source.row, mid_tt) if view.source.row is not None else 0.0
    rate_on_axis = view.on_axis_rate(e1, e2)
    good_s = overlap_s * GOOD_TIME_FRACTION
    source_counts = rate_on_axis * level * coding * good_s
    unique_bins, slot = np.unique(bin_index, return_inverse=True)
    exposure = np.bincount(slot, weights=good_s)
    # the on-axis-equivalent exposure of each bin: what the source's counts are divided by
    effective = np.bincount(slot, weights=good_s * coding)
    expected_source = np.bincount(slot, weights=source_counts)
    background = TELESCOPES[instrument].background_rate(e1, e2)
    total = rng.poisson(expected_source + background * exposure).astype(float)
    rate = (total - background * exposure) / effective
    error = np.sqrt(np.maximum(total, 1.0)) / effective
    back_error = background * _BACKGROUND_RELATIVE_ERROR * np.ones_like(rate)
    time_ijd = origin + (unique_bins + 0.5) * step_d - IJD_MJD_OFFSET
    timedel_d = np.full(unique_bins.size, step_d)
    fracexp = exposure / time_bin_s
    if instrument == "isgri":
        hdu = fits.BinTableHDU.from_columns(
            [
                fits.Column("TIME", "D", unit="d", array=time_ijd),
                fits.Column("TIMEDEL", "D", unit="d", array=timedel_d),
                fits.Column("TOT_COUNTS", "D", unit="count", array=total),
                fits.Column("BACKV", "E", unit="count/s", array=np.full(rate.size, background)),
                fits.Column("BACKE", "E", unit="count/s", array=back_error),
                fits.Column("RATE", "E", unit="count/s", array=rate),
                fits.Column("ERROR", "E", unit="count/s", array=error),
                fits.Column("XAX_E", "E", unit="d", array=timedel_d / 2),
                fits.Column("FRACEXP", "E", array=fracexp),
            ],
            name="ISGR-SRC.-LCR",
        )
        hdu.header["INSTRUME"] = "IBIS"
        hdu.header["DETNAM"] = "ISGRI"
    else:
        unit = int(params.get("jemx_num", 2) or 2)
        hdu = fits.BinTableHDU.from_columns(
            [
                fits.Column("TIME", "D", array=time_ijd),
                fits.Column("RATE", "E", array=rate),
                fits.Column("ERROR", "E", array=error),
                fits.Column("BRATE", "E", array=np.full(rate.size, background)),
                fits.Column("BERROR", "E", array=back_error),
                fits.Column("BARYTIME", "D", array=np.zeros(rate.size)),
                fits.Column("FRACEXP", "E", array=fracexp),
                fits.Column("TIMEDEL", "D", array=timedel_d),
            ],
            name=f"JMX{unit}-SRC.-LCR",
        )
        hdu.header["INSTRUME"] = f"JMX{unit}"
    h = hdu.header
    h["TELESCOP"] = "INTEGRAL"
    h["NAME"] = view.source.name
    h["RA_OBJ"] = view.source.ra
    h["DEC_OBJ"] = view.source.dec
    h["E_MIN"] = e1
    h["E_MAX"] = e2
    h["EUNIT"] = "keV"
    h["MJDREF"] = IJD_MJD_OFFSET
    h["TIMESYS"] = "TT"
    h["TIMEREF"] = "LOCAL"
    h["TIMEUNIT"] = "d"
    h["TIMEPIXR"] = 0.5
    h["TIMEDEL"] = step_d
    h["TSTART"] = float(start_tt.min() - IJD_MJD_OFFSET)
    h["TSTOP"] = float(stop_tt.max() - IJD_MJD_OFFSET)
    h["TELAPSE"] = float(stop_tt.max() - start_tt.min())
    h["ONTIME"] = float(exposure.sum())
    h["REVOL"] = scws[0].revolution
    h["SWID"] = scws[0].scw_id[:12]
    return fits.HDUList([fits.PrimaryHDU(), hdu])


def make_light_curves(instrument: str, params: Mapping[str, Any],
                      scws: Sequence[ScienceWindow]) -> dict[str, Any]:
    """The answer's product part for ``isgri_lc`` / ``jemx_lc``: one product per source."""
    time_bin_s = float(params.get("time_bin") or 1000.0)
    if not 0 < time_bin_s <= MAX_TIME_BIN_S:
        raise ValueError(
            f"Time bin max value exceeded ={MAX_TIME_BIN_S:f}: choose time_bin between 0 and "
            f"{MAX_TIME_BIN_S:g} s"
        )
    response = response_for(instrument)
    seed = product_seed(instrument, "lc", params, scws)
    products = []
    for view in sources_to_extract(params, TELESCOPES[instrument], response, scws):
        rng = np.random.default_rng(stable_seed(seed, view.source.name))
        hdus = _light_curve(view, params, instrument, time_bin_s, rng)
        if hdus is None:
            continue
        meta_data = {
            "src_name": view.source.name,
            "time_bin": float(hdus[1].header["TIMEDEL"]),
            "time": "TIME",
            "rate": "RATE",
            "rate_err": "ERROR",
        }
        products.append(encode_product(hdus, name=f"{instrument}_lc", meta_data=meta_data))
    return {"numpy_data_product_list": products}
