"""Spectra with a known answer: a photon spectrum folded through the real ISGRI RMF, Poisson noise.

The folding here is written independently of ``oda_widgets.analysis`` (dense matrix expanded from
the RMF's groups with astropy and NumPy, photon flux integrated on a fine grid), so a fit that
recovers the input checks the library's reading of the files and our models at once.
"""

from __future__ import annotations

import numpy as np
from astropy.io import fits

from oda_widgets.client.products.kinds import NumpyProduct
from oda_widgets.client.products.spectrum import Spectrum
from support import shared

ISGRI_RMF = shared.INTEGRAL / "isgri_rmf_Crab.fits"


def real_isgri_rmf() -> fits.HDUList:
    """The real OSA ISGRI RMF (its matrix holds the effective area too, so the ARF is flat)."""
    hdus = fits.open(ISGRI_RMF, memmap=False, lazy_load_hdus=False)
    for hdu in hdus:
        _ = hdu.data  # read everything now: the file is closed below
    hdus.close()
    return hdus


def dense_matrix(rmf: fits.HDUList) -> np.ndarray:
    """The RMF's matrix as a dense (energy bins x channels) array, from F_CHAN/N_CHAN groups."""
    table = rmf["SPECRESP MATRIX"].data
    n_channels = len(rmf["EBOUNDS"].data)
    first_channel = int(rmf["SPECRESP MATRIX"].header.get("TLMIN4", 0))
    dense = np.zeros((len(table), n_channels))
    for i, row in enumerate(table):
        values = np.asarray(row["MATRIX"], dtype=float)
        start = 0
        for f, n in zip(np.atleast_1d(row["F_CHAN"]), np.atleast_1d(row["N_CHAN"]), strict=True):
            c = int(f) - first_channel
            dense[i, c : c + int(n)] = values[start : start + int(n)]
            start += int(n)
    return dense


def cutoffpl(energy: np.ndarray, index: float, ecut: float, norm: float) -> np.ndarray:
    return norm * energy**-index * np.exp(-energy / ecut)


def bknpower(energy: np.ndarray, index1: float, ebreak: float, index2: float,
             norm: float) -> np.ndarray:
    return np.where(energy <= ebreak, norm * energy**-index1,
                    norm * ebreak ** (index2 - index1) * energy**-index2)


def photon_flux_per_bin(fn, lo: np.ndarray, hi: np.ndarray, samples: int = 64) -> np.ndarray:
    """ph/cm2/s in each bin: the trapezoid rule on ``samples`` sub-intervals per bin."""
    t = np.linspace(0.0, 1.0, samples + 1)
    grid = lo[:, None] + (hi - lo)[:, None] * t[None, :]
    return np.trapezoid(fn(grid), grid, axis=1)


def flat_arf(rmf: fits.HDUList) -> fits.HDUList:
    matrix = rmf["SPECRESP MATRIX"].data
    hdu = fits.BinTableHDU.from_columns([
        fits.Column("ENERG_LO", "E", unit="keV", array=matrix["ENERG_LO"]),
        fits.Column("ENERG_HI", "E", unit="keV", array=matrix["ENERG_HI"]),
        fits.Column("SPECRESP", "E", unit="cm**2", array=np.ones(len(matrix))),
    ], name="SPECRESP")
    hdu.header.update(HDUCLASS="OGIP", HDUCLAS1="RESPONSE", HDUCLAS2="SPECRESP",
                      TELESCOP="INTEGRAL", INSTRUME="IBIS")
    return fits.HDUList([fits.PrimaryHDU(), hdu])


def pha_hdulist(counts: np.ndarray, exposure: float, as_rate: bool) -> fits.HDUList:
    """An OGIP type I PHA: COUNTS with Poisson errors, or RATE with STAT_ERR as ISGRI's."""
    n = counts.size
    columns = [fits.Column("CHANNEL", "I", array=np.arange(n))]
    if as_rate:
        columns += [
            fits.Column("RATE", "E", unit="count/s", array=counts / exposure),
            fits.Column("STAT_ERR", "E", unit="count/s",
                        array=np.sqrt(np.maximum(counts, 1.0)) / exposure),
        ]
    else:
        columns.append(fits.Column("COUNTS", "J", array=counts.astype(np.int32)))
    columns.append(fits.Column("QUALITY", "I", array=np.zeros(n, dtype=np.int16)))
    hdu = fits.BinTableHDU.from_columns(columns, name="SPECTRUM")
    hdu.header.update(
        HDUCLASS="OGIP", HDUCLAS1="SPECTRUM", HDUCLAS2="TOTAL" if not as_rate else "NET",
        HDUCLAS3="RATE" if as_rate else "COUNT", HDUVERS="1.2.1", TELESCOP="INTEGRAL",
        INSTRUME="IBIS", DETNAM="ISGRI", CHANTYPE="PI", DETCHANS=n, TLMIN1=0, TLMAX1=n - 1,
        EXPOSURE=exposure, POISSERR=not as_rate, AREASCAL=1.0, BACKSCAL=1.0,
        BACKFILE="NONE", CORRFILE="NONE", RESPFILE="NONE", ANCRFILE="NONE",
    )
    return fits.HDUList([fits.PrimaryHDU(), hdu])


def spectrum_product(pha: fits.HDUList, arf: fits.HDUList | None, rmf: fits.HDUList | None,
                     source: str = "simulated") -> Spectrum:
    """A client Spectrum as the decoder builds it: PHA product with its ARF and RMF products."""
    spectrum = Spectrum("isgri_spectrum_0_" + source, pha,
                        meta_data={"src_name": source, "product": "isgri_spectrum"})
    if arf is not None:
        spectrum.arf_product = NumpyProduct("isgri_arf", arf, {"src_name": source})
    if rmf is not None:
        spectrum.rmf_product = NumpyProduct("isgri_rmf", rmf, {"src_name": source})
    return spectrum


class Simulator:
    """Folds photon spectra through one RMF (read and expanded once)."""

    def __init__(self) -> None:
        self.rmf = real_isgri_rmf()
        self.arf = flat_arf(self.rmf)
        self.matrix = dense_matrix(self.rmf)
        table = self.rmf["SPECRESP MATRIX"].data
        self.lo = np.asarray(table["ENERG_LO"], dtype=float)
        self.hi = np.asarray(table["ENERG_HI"], dtype=float)

    def expected_counts(self, fn, exposure: float) -> np.ndarray:
        return photon_flux_per_bin(fn, self.lo, self.hi) @ self.matrix * exposure

    def spectrum(self, fn, exposure: float, seed: int, as_rate: bool) -> Spectrum:
        rng = np.random.default_rng(seed)
        counts = rng.poisson(self.expected_counts(fn, exposure)).astype(float)
        return spectrum_product(pha_hdulist(counts, exposure, as_rate), self.arf, self.rmf,
                                source=f"seed {seed}")
