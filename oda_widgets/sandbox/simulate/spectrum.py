"""Source spectra: per source a PHA (OGIP type I), its ARF and its RMF, as three products.

Counts are the source's photon spectrum (its mean level over the windows) folded through
ARF x RMF for its on-axis-equivalent exposure, plus the background of the whole time, with Poisson
noise; the PHA holds the background-subtracted on-axis rate, as OSA's PIF-fitted ISGRI spectra do
(so the rate in a band is the light curve's and the mosaic's rate in that band).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from astropy.io import fits

from ..encode import encode_product
from .extraction import sources_to_extract
from .field import IJD_MJD_OFFSET, SourceInField, mjd_tt, product_seed
from .instruments import TELESCOPES
from .pointings import ScienceWindow
from .response import Response, response_for
from .sky import stable_seed

__all__ = ["background_count_rate", "make_spectra", "model_count_rate"]


def model_count_rate(view: SourceInField) -> np.ndarray:
    """Expected source counts/s per channel: mean photon flux folded through ARF x RMF."""
    return view.response.fold(view.photon_flux_per_bin(view.mean_variability))


def background_count_rate(instrument: str, response: Response) -> np.ndarray:
    """Background counts/s per channel under a point source."""
    telescope = TELESCOPES[instrument]
    mid = 0.5 * (response.chan_lo + response.chan_hi)
    width = response.chan_hi - response.chan_lo
    return telescope.background_per_kev * (mid / telescope.background_pivot_kev) ** (
        -telescope.background_index
    ) * width


def _pha_hdu(view: SourceInField, instrument: str, params: Mapping[str, Any],
             rng: np.random.Generator) -> fits.BinTableHDU:
    response = view.response
    # the source is seen for its on-axis-equivalent exposure, the background for the whole time
    exposure = view.effective_exposure
    on_time = float(np.sum(view.exposure[view.coding > 0]))
    background = background_count_rate(instrument, response)
    total = rng.poisson(model_count_rate(view) * exposure + background * on_time).astype(float)
    rate = (total - background * on_time) / exposure
    stat_err = np.sqrt(np.maximum(total, 1.0)) / exposure
    n = response.n_channels
    hdu = fits.BinTableHDU.from_columns(
        [
            fits.Column("CHANNEL", "I", array=np.arange(n)),
            fits.Column("RATE", "E", unit="count/s", array=rate),
            fits.Column("SYS_ERR", "E", array=np.zeros(n)),
            fits.Column("STAT_ERR", "E", unit="count/s", array=stat_err),
            fits.Column("QUALITY", "I", array=np.zeros(n, dtype=np.int16)),
            fits.Column("GROUPING", "I", array=np.ones(n, dtype=np.int16)),
        ],
        name="SPECTRUM",
    )
    h = hdu.header
    h["TELESCOP"] = "INTEGRAL"
    if instrument == "isgri":
        h["INSTRUME"] = "IBIS"
        h["DETNAM"] = "ISGRI"
    else:
        h["INSTRUME"] = f"JMX{int(params.get('jemx_num', 2) or 2)}"
    h["FILTER"] = "NONE"
    h["HDUCLASS"] = "OGIP"
    h["HDUCLAS1"] = "SPECTRUM"
    h["HDUCLAS2"] = "NET"
    h["HDUCLAS3"] = "RATE"
    h["HDUVERS"] = "1.2.1"
    h["CHANTYPE"] = "PI"
    h["DETCHANS"] = n
    h["TLMIN1"] = 0
    h["TLMAX1"] = n - 1
    h["POISSERR"] = False
    h["EXPOSURE"] = (exposure, "[s] on-axis equivalent exposure")
    h["AREASCAL"] = 1.0
    h["BACKSCAL"] = 1.0
    h["CORRSCAL"] = 0.0
    h["BACKFILE"] = "NONE"
    h["CORRFILE"] = "NONE"
    h["RESPFILE"] = "NONE"
    h["ANCRFILE"] = "NONE"
    h["NAME"] = view.source.name
    h["RA_OBJ"] = view.source.ra
    h["DEC_OBJ"] = view.source.dec
    start_tt = mjd_tt([s.start for s in view.scws])
    stop_tt = mjd_tt([s.stop for s in view.scws])
    h["MJDREF"] = IJD_MJD_OFFSET
    h["TIMESYS"] = "TT"
    h["TIMEUNIT"] = "d"
    h["TSTART"] = float(start_tt.min() - IJD_MJD_OFFSET)
    h["TSTOP"] = float(stop_tt.max() - IJD_MJD_OFFSET)
    return hdu


def make_spectra(instrument: str, params: Mapping[str, Any],
                 scws: Sequence[ScienceWindow]) -> dict[str, Any]:
    """The answer's product part for ``isgri_spectrum`` / ``jemx_spectrum``.

    Per extracted source three products in the real plugin's order, spectrum, ARF, RMF, with
    meta_data ``{"src_name", "product": "<instrument>_spectrum|_arf|_rmf"}``.
    """
    response = response_for(instrument)
    seed = product_seed(instrument, "spectrum", params, scws)
    # the responses are the same for every source: build (and encode) them once
    arf = encode_product([fits.PrimaryHDU(), response.arf_hdu()], name=None, meta_data={})
    rmf = encode_product([fits.PrimaryHDU(), response.ebounds_hdu(), response.matrix_hdu()],
                         name=None, meta_data={})
    products = []
    for view in sources_to_extract(params, TELESCOPES[instrument], response, scws):
        rng = np.random.default_rng(stable_seed(seed, view.source.name))
        pha = _pha_hdu(view, instrument, params, rng)
        name = view.source.name
        products.append(encode_product([fits.PrimaryHDU(), pha], name=None, meta_data={
            "src_name": name, "product": f"{instrument}_spectrum"}))
        for part, encoded in (("arf", arf), ("rmf", rmf)):
            meta_data = {"src_name": name, "product": f"{instrument}_{part}"}
            products.append({**encoded, "meta_data": json.dumps(meta_data)})
    return {"numpy_data_product_list": products}
