"""A spectrum's channels on an energy axis: rate per keV with errors, from the PHA and EBOUNDS.

What the spectrum view draws before any fit, so it needs no fitting library: astropy reads the
OGIP columns (``RATE`` or ``COUNTS``, ``STAT_ERR``, ``SYS_ERR``, ``QUALITY``) and the RMF's
``EBOUNDS`` gives each channel's energies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from astropy.io import fits

from ..client.products.spectrum import Spectrum, spectrum_hdu_index

__all__ = ["ChannelSpectrum", "channel_spectrum", "ebounds_hdu"]


@dataclass(frozen=True)
class ChannelSpectrum:
    """One spectrum's channels.

    Attributes
    ----------
    e_lo, e_hi : numpy.ndarray
        Channel energy bounds, keV (EBOUNDS E_MIN, E_MAX).
    rate, error : numpy.ndarray
        Count rate and its statistical error per channel, counts/s.
    quality : numpy.ndarray
        OGIP QUALITY (0 good).
    systematic : numpy.ndarray
        Fractional systematic error per channel as the file gives it (SYS_ERR), else zeros.
    exposure : float
        EXPOSURE, s.
    poisson : bool
        True for counts with Poisson errors (no STAT_ERR), which C-stat fits.
    """

    e_lo: npt.NDArray[np.float64]
    e_hi: npt.NDArray[np.float64]
    rate: npt.NDArray[np.float64]
    error: npt.NDArray[np.float64]
    quality: npt.NDArray[np.int_]
    systematic: npt.NDArray[np.float64]
    exposure: float
    poisson: bool

    @property
    def energy(self) -> npt.NDArray[np.float64]:
        """Channel centres, keV (geometric, as they sit on a log axis)."""
        return np.sqrt(self.e_lo * self.e_hi)

    @property
    def width(self) -> npt.NDArray[np.float64]:
        return self.e_hi - self.e_lo

    @property
    def rate_per_kev(self) -> npt.NDArray[np.float64]:
        """counts s^-1 keV^-1."""
        return self.rate / self.width

    @property
    def error_per_kev(self) -> npt.NDArray[np.float64]:
        return self.error / self.width


def ebounds_hdu(rmf: fits.HDUList) -> fits.BinTableHDU:
    """The EBOUNDS table of an RMF (by EXTNAME, else HDUCLAS2)."""
    for hdu in rmf[1:]:
        name = (hdu.name or "").upper()
        if name == "EBOUNDS" or str(hdu.header.get("HDUCLAS2", "")).strip().upper() == "EBOUNDS":
            return hdu
    raise ValueError("the RMF has no EBOUNDS table: channel energies are unknown")


def _column(hdu: fits.BinTableHDU, name: str) -> npt.NDArray[np.float64] | None:
    names = [n.upper() for n in hdu.columns.names]
    if name in names:
        return np.asarray(hdu.data[hdu.columns.names[names.index(name)]], dtype=np.float64)
    return None


def channel_spectrum(spectrum: Spectrum) -> ChannelSpectrum:
    """The channels of a :class:`~oda_widgets.client.products.spectrum.Spectrum` on its energy axis.

    Raises
    ------
    ValueError
        If the spectrum has no RMF (so no EBOUNDS), no RATE or COUNTS column, or a channel count
        that differs from EBOUNDS.
    """
    if spectrum.rmf is None:
        raise ValueError(
            f"spectrum {spectrum.name!r} came without its RMF: channel energies are unknown "
            "(ask the dispatcher for the spectrum product, which sends PHA, ARF and RMF together)"
        )
    ebounds = ebounds_hdu(spectrum.rmf)
    e_lo = np.asarray(ebounds.data["E_MIN"], dtype=float)
    e_hi = np.asarray(ebounds.data["E_MAX"], dtype=float)
    pha = spectrum.pha[spectrum_hdu_index(spectrum.pha)]
    header = pha.header
    exposure = float(header.get("EXPOSURE", 0.0) or 0.0)
    if exposure <= 0:
        raise ValueError(f"spectrum {spectrum.name!r} has no positive EXPOSURE keyword")
    rate = _column(pha, "RATE")
    stat_err = _column(pha, "STAT_ERR")
    poisson = False
    if rate is None:
        counts = _column(pha, "COUNTS")
        if counts is None:
            raise ValueError(f"spectrum {spectrum.name!r} has neither a RATE nor a COUNTS column")
        rate = counts / exposure
        if stat_err is None:
            poisson = True
            stat_err = np.sqrt(np.maximum(counts, 1.0))
        stat_err = stat_err / exposure
    elif stat_err is None:
        stat_err = np.sqrt(np.maximum(rate * exposure, 1.0)) / exposure
    if rate.size != e_lo.size:
        raise ValueError(
            f"spectrum {spectrum.name!r} has {rate.size} channels but its RMF's EBOUNDS has "
            f"{e_lo.size}: they do not belong together"
        )
    quality = _column(pha, "QUALITY")
    systematic = _column(pha, "SYS_ERR")
    if systematic is None:
        systematic = np.full(rate.size, float(header.get("SYS_ERR", 0.0) or 0.0))
    return ChannelSpectrum(
        e_lo=e_lo,
        e_hi=e_hi,
        rate=rate,
        error=stat_err,
        quality=np.zeros(rate.size, int) if quality is None else quality.astype(int),
        systematic=systematic,
        exposure=exposure,
        poisson=poisson,
    )
