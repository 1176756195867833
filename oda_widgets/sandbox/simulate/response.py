"""Instrument responses: energy channels (EBOUNDS), redistribution (RMF) and effective area (ARF).

ISGRI follows the layout of the real OSA 11 ISGRI response: 256 PI channels from 12.5 keV with
widths growing in 0.5 keV steps, and 2466 input energy bins from 9.27 to 1193.5 keV, each matrix
row a variable-length array over all 256 channels (N_GRP=1, F_CHAN=0, N_CHAN=256). Here the RMF
holds the redistribution probabilities and the ARF the effective area, so that folding a photon
spectrum is ``flux x ARF x RMF``. JEM-X has 256 PI channels (about 2-41 keV) and rows trimmed to
the channels they reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from astropy.io import fits

__all__ = ["Response", "isgri_response", "jemx_response", "response_for"]

# (channel width keV, number of channels) of the real ISGRI EBOUNDS, from 12.5 keV up.
_ISGRI_CHANNEL_WIDTHS = (
    (0.5, 9), (1.0, 18), (1.5, 19), (2.0, 18), (2.5, 19), (3.0, 18), (3.5, 19), (4.0, 18),
    (4.5, 19), (5.0, 18), (5.5, 19), (6.0, 18), (6.5, 19), (7.0, 18), (7.5, 7),
)
_ISGRI_FIRST_CHANNEL_KEV = 12.5
_ISGRI_ENERGY_BINS = 2466
_ISGRI_ENERGY_RANGE_KEV = (9.272016, 1193.4742)

# JEM-X PI channel c starts at alpha*c + beta*c**2 keV (puts channels 59-209 on 4.1-29.7 keV).
_JEMX_ALPHA, _JEMX_BETA = 0.04193, 4.729e-4
_JEMX_ENERGY_RANGE_KEV = (1.0, 60.0)
_JEMX_ENERGY_BINS = 590

# Matrix elements below this are left out of the trimmed (JEM-X) rows.
_SMALLEST_ELEMENT = 1e-6


@dataclass(frozen=True)
class Response:
    """A response: channel bounds, input energy bins, redistribution matrix and area.

    Attributes
    ----------
    instrument : str
    chan_lo, chan_hi : numpy.ndarray
        Channel energy bounds (EBOUNDS E_MIN, E_MAX), keV.
    energ_lo, energ_hi : numpy.ndarray
        Input energy bins of the matrix and of the ARF, keV.
    matrix : numpy.ndarray
        Probability that a photon of each input bin lands in each channel, shape (n_energy,
        n_channel); rows sum to at most 1.
    area : numpy.ndarray
        Effective area of each input bin, cm2.
    full_rows : bool
        Store every row over all channels (as the real ISGRI RMF) rather than trimmed.
    """

    instrument: str
    chan_lo: np.ndarray
    chan_hi: np.ndarray
    energ_lo: np.ndarray
    energ_hi: np.ndarray
    matrix: np.ndarray
    area: np.ndarray
    full_rows: bool

    @property
    def n_channels(self) -> int:
        return int(self.chan_lo.size)

    @property
    def energy_mid(self) -> np.ndarray:
        return 0.5 * (self.energ_lo + self.energ_hi)

    def fold(self, photon_flux_per_bin: np.ndarray) -> np.ndarray:
        """Count rate per channel (counts/s) of a photon flux per input bin (ph/cm2/s)."""
        return (photon_flux_per_bin * self.area) @ self.matrix

    def rate_in_band(self, photon_flux_per_bin: np.ndarray, e1: float, e2: float) -> float:
        """Counts/s in the channels lying in [e1, e2] keV."""
        return float(np.dot(photon_flux_per_bin, _band_efficiency(self.instrument, e1, e2)))

    # -- FITS ------------------------------------------------------------------------------
    def _common_keywords(self, header: fits.Header) -> None:
        header["TELESCOP"] = "INTEGRAL"
        if self.instrument == "isgri":
            header["INSTRUME"] = "IBIS"
            header["DETNAM"] = "ISGRI"
        else:
            header["INSTRUME"] = "JEMX"
        header["FILTER"] = "NONE"
        header["CHANTYPE"] = "PI"
        header["DETCHANS"] = self.n_channels
        header["HDUCLASS"] = "OGIP"
        header["HDUCLAS1"] = "RESPONSE"

    def ebounds_hdu(self) -> fits.BinTableHDU:
        """EBOUNDS extension: CHANNEL, E_MIN, E_MAX."""
        hdu = fits.BinTableHDU.from_columns(
            [
                fits.Column("CHANNEL", "I", array=np.arange(self.n_channels)),
                fits.Column("E_MIN", "E", unit="keV", array=self.chan_lo),
                fits.Column("E_MAX", "E", unit="keV", array=self.chan_hi),
            ],
            name="EBOUNDS",
        )
        self._common_keywords(hdu.header)
        hdu.header["HDUCLAS2"] = "EBOUNDS"
        hdu.header["HDUVERS"] = "1.2.0"
        return hdu

    def matrix_hdu(self) -> fits.BinTableHDU:
        """SPECRESP MATRIX extension with variable-length F_CHAN/N_CHAN groups and MATRIX rows."""
        n_energy = self.energ_lo.size
        if self.full_rows:
            first = np.zeros(n_energy, dtype=np.int32)
            count = np.full(n_energy, self.n_channels, dtype=np.int32)
        else:
            significant = self.matrix >= _SMALLEST_ELEMENT
            any_channel = significant.any(axis=1)
            first = np.where(any_channel, significant.argmax(axis=1), 0).astype(np.int32)
            last = np.where(
                any_channel, self.n_channels - 1 - significant[:, ::-1].argmax(axis=1), 0
            )
            count = np.where(any_channel, last - first + 1, 1).astype(np.int32)
        rows = [
            self.matrix[i, first[i] : first[i] + count[i]].astype(np.float32)
            for i in range(n_energy)
        ]
        hdu = fits.BinTableHDU.from_columns(
            [
                fits.Column("ENERG_LO", "E", unit="keV", array=self.energ_lo),
                fits.Column("ENERG_HI", "E", unit="keV", array=self.energ_hi),
                fits.Column("N_GRP", "I", array=np.ones(n_energy, dtype=np.int16)),
                fits.Column("F_CHAN", "J", array=first),
                fits.Column("N_CHAN", "J", array=count),
                fits.Column("MATRIX", "PE()", array=rows),
            ],
            name="SPECRESP MATRIX",
        )
        header = hdu.header
        self._common_keywords(header)
        header["HDUCLAS2"] = "RSP_MATRIX"
        header["HDUCLAS3"] = "REDIST"
        header["HDUVERS"] = "1.3.0"
        header["TLMIN4"] = 0
        header["TLMAX4"] = self.n_channels - 1
        header["LO_THRES"] = _SMALLEST_ELEMENT
        header["NUMGRP"] = n_energy
        header["NUMELT"] = int(count.sum())
        return hdu

    def arf_hdu(self) -> fits.BinTableHDU:
        """SPECRESP extension: ENERG_LO, ENERG_HI, SPECRESP (cm2) on the matrix's energy grid."""
        hdu = fits.BinTableHDU.from_columns(
            [
                fits.Column("ENERG_LO", "E", unit="keV", array=self.energ_lo),
                fits.Column("ENERG_HI", "E", unit="keV", array=self.energ_hi),
                fits.Column("SPECRESP", "E", unit="cm**2", array=self.area),
            ],
            name="SPECRESP",
        )
        self._common_keywords(hdu.header)
        del hdu.header["DETCHANS"]
        hdu.header["HDUCLAS2"] = "SPECRESP"
        hdu.header["HDUVERS"] = "1.1.0"
        return hdu


def _erf(x: np.ndarray) -> np.ndarray:
    """Error function (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), vectorised."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027
                                                                          + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gaussian_redistribution(
    energies: np.ndarray, sigma: np.ndarray, chan_lo: np.ndarray, chan_hi: np.ndarray
) -> np.ndarray:
    scale = np.sqrt(2.0) * sigma[:, None]
    upper = _erf((chan_hi[None, :] - energies[:, None]) / scale)
    lower = _erf((chan_lo[None, :] - energies[:, None]) / scale)
    return (0.5 * (upper - lower)).astype(np.float32)


@lru_cache(maxsize=1)
def isgri_response() -> Response:
    """The ISGRI response (cached: every spectrum of every source shares it)."""
    widths = np.concatenate([np.full(n, w) for w, n in _ISGRI_CHANNEL_WIDTHS])
    edges = _ISGRI_FIRST_CHANNEL_KEV + np.concatenate([[0.0], np.cumsum(widths)])
    energy_edges = np.linspace(*_ISGRI_ENERGY_RANGE_KEV, _ISGRI_ENERGY_BINS + 1)
    e_lo, e_hi = energy_edges[:-1], energy_edges[1:]
    mid = 0.5 * (e_lo + e_hi)
    fwhm = np.sqrt(1.5**2 + (0.075 * mid) ** 2)  # about 8 % at 60 keV
    matrix = _gaussian_redistribution(mid, fwhm / 2.3548, edges[:-1], edges[1:])
    # detection efficiency: low-energy threshold near 20 keV, CdTe stopping power falling above 60
    threshold = 1.0 / (1.0 + np.exp(-(mid - 21.0) / 2.5))
    high = np.where(mid > 60.0, (60.0 / mid) ** 1.3, 1.0)
    area = (1300.0 * threshold * np.maximum(high, 0.06)).astype(np.float32)
    return Response("isgri", edges[:-1], edges[1:], e_lo, e_hi, matrix, area, full_rows=True)


@lru_cache(maxsize=1)
def jemx_response() -> Response:
    """The JEM-X response (cached)."""
    channels = np.arange(257, dtype=float)
    edges = _JEMX_ALPHA * channels + _JEMX_BETA * channels**2
    energy_edges = np.linspace(*_JEMX_ENERGY_RANGE_KEV, _JEMX_ENERGY_BINS + 1)
    e_lo, e_hi = energy_edges[:-1], energy_edges[1:]
    mid = 0.5 * (e_lo + e_hi)
    fwhm = 0.40 * mid * np.sqrt(1.0 / mid + 1.0 / 60.0)
    matrix = _gaussian_redistribution(mid, fwhm / 2.3548, edges[:-1], edges[1:])
    window = 1.0 - np.exp(-((mid / 3.0) ** 3))  # beryllium window
    gas = np.exp(-((mid / 30.0) ** 2))  # xenon stopping power
    area = (110.0 * window * gas).astype(np.float32)
    return Response("jemx", edges[:-1], edges[1:], e_lo, e_hi, matrix, area, full_rows=False)


@lru_cache(maxsize=64)
def _band_efficiency(instrument: str, e1: float, e2: float) -> np.ndarray:
    """Area x probability of landing in the channels of [e1, e2], per input bin (cm2)."""
    response = response_for(instrument)
    channels = (response.chan_hi > e1) & (response.chan_lo < e2)
    return response.area.astype(float) * response.matrix[:, channels].sum(axis=1)


def response_for(instrument: str) -> Response:
    """The response of ``isgri`` or ``jemx``."""
    if instrument == "isgri":
        return isgri_response()
    if instrument == "jemx":
        return jemx_response()
    raise ValueError(f"no response for instrument {instrument!r}: use 'isgri' or 'jemx'")
