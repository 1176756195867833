"""Spectra of one source from several jobs, summed into one with its responses.

For parts of exposure ``E_i``:

* rates (``RATE``): the exposure-weighted mean ``sum(E_i R_i) / sum(E_i)``, i.e. all the net
  counts over all the exposure; counts (``COUNTS``): their sum;
* statistical errors: combined in quadrature with the same weights,
  ``sqrt(sum(E_i^2 s_i^2)) / sum(E_i)`` for rates, ``sqrt(sum(s_i^2))`` for counts;
* systematic errors stay a fraction of the rate (``SYS_ERR``, as OGIP defines it): the
  exposure-weighted mean of the parts' fractions, which is each part's own fraction when they
  agree. (OGIP is silent on summing systematics; a calibration error is shared by the parts, so
  it does not average down as statistics do.)
* ``QUALITY``: a channel bad in any part is bad in the sum; ``GROUPING`` must agree;
* ``EXPOSURE`` is the sum, ``TSTART``/``TSTOP`` the extremes, ``AREASCAL``/``BACKSCAL``
  exposure-weighted means;
* ARF and RMF: see :mod:`.responses` (exact for parts of different areas).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from astropy.io import fits

from ..products.kinds import NumpyProduct
from ..products.spectrum import Spectrum, spectrum_hdu_index
from .responses import average_arf, average_rmf

__all__ = ["sum_spectra"]


def _column(hdu: fits.BinTableHDU, name: str) -> npt.NDArray[Any] | None:
    names = {n.upper(): n for n in hdu.columns.names}
    return np.asarray(hdu.data[names[name]]) if name in names else None


def _floats(hdus: Sequence[fits.BinTableHDU], name: str) -> npt.NDArray[np.float64]:
    """Column ``name`` of every part, one row per part (every part has it: checked alike)."""
    rows = []
    for hdu in hdus:
        column = _column(hdu, name)
        if column is None:
            raise ValueError(f"{hdu.name} has no {name} column")
        rows.append(column.astype(np.float64))
    return np.array(rows)


def _set(hdu: fits.BinTableHDU, name: str, values: npt.NDArray[Any]) -> None:
    names = {n.upper(): n for n in hdu.columns.names}
    hdu.data[names[name]][:] = values


def _exposure(spectrum: Spectrum) -> float:
    hdu = spectrum.pha[spectrum_hdu_index(spectrum.pha)]
    value = hdu.header.get("EXPOSURE")
    if value is None or not float(value) > 0:
        raise ValueError(f"{spectrum.name} has no positive EXPOSURE: it cannot be weighted")
    return float(value)


def _keyword_mean(hdus: Sequence[fits.BinTableHDU], key: str,
                  weights: npt.NDArray[np.float64]) -> float | None:
    values = [h.header.get(key) for h in hdus]
    if any(v is None or isinstance(v, str) for v in values):
        return None
    return float(np.dot(weights, np.asarray(values, dtype=float)) / weights.sum())


def sum_spectra(
    spectra: Sequence[Spectrum], *, name: str | None = None
) -> Spectrum:
    """One spectrum of a source from the parts' spectra of it, with its ARF and RMF.

    Parameters
    ----------
    spectra : sequence of Spectrum
        The source's spectrum from each part, each with its responses.
    name : str, optional
        The item name of the result (the first spectrum's by default).

    Returns
    -------
    Spectrum
        The summed PHA, with the averaged ARF and RMF attached (see the module documentation).

    Raises
    ------
    ValueError
        Spectra with other channels, groupings, columns or energy grids, or without exposure.
    """
    if not spectra:
        raise ValueError("no spectra to sum")
    spectra = list(spectra)
    first = spectra[0]
    hdus = [s.pha[spectrum_hdu_index(s.pha)] for s in spectra]
    exposures = np.array([_exposure(s) for s in spectra], dtype=np.float64)
    names = [n.upper() for n in hdus[0].columns.names]
    for spectrum, hdu in zip(spectra[1:], hdus[1:], strict=True):
        if [n.upper() for n in hdu.columns.names] != names or len(hdu.data) != len(hdus[0].data):
            raise ValueError(f"{spectrum.name} and {first.name} have different channels or "
                             "columns: they are not spectra of one instrument setting")
        for column in ("CHANNEL", "GROUPING"):
            a, b = _column(hdus[0], column), _column(hdu, column)
            if a is not None and (b is None or not np.array_equal(a, b)):
                raise ValueError(f"{spectrum.name} and {first.name} differ in {column}: group "
                                 "or channel them alike before summing")

    pha = fits.HDUList([h.copy() for h in first.pha])
    target = pha[spectrum_hdu_index(pha)]
    total = exposures.sum()
    if "RATE" in names:
        rates = _floats(hdus, "RATE")
        _set(target, "RATE", exposures @ rates / total)
        if "STAT_ERR" in names:
            errors = _floats(hdus, "STAT_ERR")
            _set(target, "STAT_ERR", np.sqrt((exposures**2) @ (errors**2)) / total)
    elif "COUNTS" in names:
        counts = _floats(hdus, "COUNTS")
        _set(target, "COUNTS", counts.sum(axis=0))
        if "STAT_ERR" in names:
            errors = _floats(hdus, "STAT_ERR")
            _set(target, "STAT_ERR", np.sqrt((errors**2).sum(axis=0)))
    else:
        raise ValueError(f"{first.name} has neither RATE nor COUNTS")
    if "SYS_ERR" in names:
        fractions = _floats(hdus, "SYS_ERR")
        _set(target, "SYS_ERR", exposures @ fractions / total)
    elif "SYS_ERR" in target.header:
        mean = _keyword_mean(hdus, "SYS_ERR", exposures)
        if mean is not None:
            target.header["SYS_ERR"] = mean
    if "QUALITY" in names:
        qualities = _floats(hdus, "QUALITY").astype(int)
        _set(target, "QUALITY", qualities.max(axis=0))
    header = target.header
    header["EXPOSURE"] = (float(total), "[s] sum of the parts' exposures")
    for key in ("AREASCAL", "BACKSCAL"):
        mean = _keyword_mean(hdus, key, exposures)
        if mean is not None:
            header[key] = mean
    starts = [h.header.get("TSTART") for h in hdus]
    stops = [h.header.get("TSTOP") for h in hdus]
    if all(v is not None for v in starts + stops):
        header["TSTART"] = min(float(v) for v in starts)
        header["TSTOP"] = max(float(v) for v in stops)
    header["NPARTS"] = (len(spectra), "jobs whose spectra were summed")
    header.add_history(f"sum of {len(spectra)} spectra weighted by exposure (oda_widgets)")

    result = Spectrum(name or first.name, pha, dict(first.meta_data), first.server_name)
    arfs = [s.arf for s in spectra if s.arf is not None]
    every_arf = len(arfs) == len(spectra)
    if every_arf and first.arf_product is not None:
        arf = average_arf(arfs, exposures)
        result.arf_product = _response_product(first.arf_product, arf)
    rmfs = [s.rmf for s in spectra if s.rmf is not None]
    if len(rmfs) == len(spectra) and first.rmf_product is not None:
        rmf = average_rmf(rmfs, exposures, arfs if every_arf else None)
        result.rmf_product = _response_product(first.rmf_product, rmf)
    return result


def _response_product(template: NumpyProduct, hdulist: fits.HDUList) -> NumpyProduct:
    product = NumpyProduct(template.name, hdulist, dict(template.meta_data), template.server_name)
    product.kind = template.kind
    return product
