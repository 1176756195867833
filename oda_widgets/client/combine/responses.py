"""The responses of a summed spectrum: ARFs and RMFs of the parts averaged so the sum folds right.

A spectrum summed over parts of exposure ``E_i`` sees the response ``sum(E_i A_i R_i) /
sum(E_i)``. The ARF is the exposure-weighted mean of the parts' ARFs, and each energy row of the
RMF is the mean of the parts' rows weighted by ``E_i A_i(E)``: the product of the two is then
exactly that response, whatever the parts' areas. (The OGIP rules say nothing of summing
responses; averaging ARF and RMF separately, each by exposure, is exact only when the areas
agree.) Responses that are the same in every part are kept as they are.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from astropy.io import fits

__all__ = [
    "average_arf",
    "average_rmf",
    "copied",
    "dense_matrix",
    "matrix_hdu_index",
    "same_hdulists",
]


def copied(hdulist: fits.HDUList) -> fits.HDUList:
    """A copy of ``hdulist`` read back from its bytes.

    astropy cannot ``copy()`` variable-length columns (an RMF's MATRIX): written and read back,
    the copy has its own heap.
    """
    buffer = io.BytesIO()
    hdulist.writeto(buffer, output_verify="silentfix")
    buffer.seek(0)
    reopened = fits.open(buffer, memmap=False, lazy_load_hdus=False)
    for hdu in reopened:
        _ = hdu.data  # read now: the copy owns its arrays (the buffer is only in memory)
    return reopened


def matrix_hdu_index(rmf: fits.HDUList) -> int:
    """Index of the redistribution matrix extension (``MATRIX`` or ``SPECRESP MATRIX``)."""
    for i, hdu in enumerate(rmf):
        name = (hdu.name or "").upper()
        if name in ("MATRIX", "SPECRESP MATRIX") or (
            str(hdu.header.get("HDUCLAS2", "")).strip().upper() == "RSP_MATRIX"
        ):
            return i
    raise ValueError("the RMF has no MATRIX extension")


def _arf_index(arf: fits.HDUList) -> int:
    for i, hdu in enumerate(arf):
        if isinstance(hdu, fits.BinTableHDU) and "SPECRESP" in [
            n.upper() for n in hdu.columns.names
        ]:
            return i
    raise ValueError("the ARF has no SPECRESP column")


def same_hdulists(hdulists: Sequence[fits.HDUList]) -> bool:
    """Whether every HDUList holds the same tables (column by column)."""
    first = hdulists[0]
    for other in hdulists[1:]:
        if len(other) != len(first):
            return False
        for a, b in zip(first, other, strict=True):
            if (a.data is None) != (b.data is None):
                return False
            if a.data is None:
                continue
            if isinstance(a, fits.BinTableHDU):
                if a.columns.names != b.columns.names or len(a.data) != len(b.data):
                    return False
                for name in a.columns.names:
                    x, y = a.data[name], b.data[name]
                    if x.dtype == object or y.dtype == object:  # variable-length rows
                        if any(not np.array_equal(u, v) for u, v in zip(x, y, strict=True)):
                            return False
                    elif not np.array_equal(x, y):
                        return False
            elif not np.array_equal(a.data, b.data):
                return False
    return True


def _energies(hdu: fits.BinTableHDU) -> tuple[np.ndarray, np.ndarray]:
    return (np.asarray(hdu.data["ENERG_LO"], dtype=float),
            np.asarray(hdu.data["ENERG_HI"], dtype=float))


def _check_grid(hdus: Sequence[fits.BinTableHDU], what: str) -> None:
    lo, hi = _energies(hdus[0])
    for hdu in hdus[1:]:
        other_lo, other_hi = _energies(hdu)
        if other_lo.shape != lo.shape or not (np.allclose(other_lo, lo) and
                                               np.allclose(other_hi, hi)):
            raise ValueError(
                f"the parts' {what}s are on different energy grids: their spectra cannot be "
                "summed (ask every part with the same instrument settings)"
            )


def average_arf(arfs: Sequence[fits.HDUList], exposures: Sequence[float] | npt.NDArray[np.float64]) -> fits.HDUList:
    """The exposure-weighted mean ARF of the parts."""
    if same_hdulists(arfs):
        return copied(arfs[0])
    index = _arf_index(arfs[0])
    tables = [arf[_arf_index(arf)] for arf in arfs]
    _check_grid(tables, "ARF")
    weights = np.asarray(exposures, dtype=float)
    area = sum(w * np.asarray(t.data["SPECRESP"], dtype=float)
               for w, t in zip(weights, tables, strict=True)) / weights.sum()
    result = copied(arfs[0])
    result[index].data["SPECRESP"][:] = area
    result[index].header.add_history(f"exposure-weighted mean of {len(arfs)} ARFs")
    return result


def dense_matrix(hdu: fits.BinTableHDU, n_channels: int, first_channel: int) -> np.ndarray:
    """The matrix of an OGIP RMF extension as a dense (energies x channels) array."""
    n_energy = len(hdu.data)
    dense = np.zeros((n_energy, n_channels))
    groups = hdu.data["N_GRP"]
    f_chan, n_chan, matrix = hdu.data["F_CHAN"], hdu.data["N_CHAN"], hdu.data["MATRIX"]
    for row in range(n_energy):
        starts = np.atleast_1d(f_chan[row]).astype(int) - first_channel
        counts = np.atleast_1d(n_chan[row]).astype(int)
        values = np.atleast_1d(np.asarray(matrix[row], dtype=float))
        used = 0
        for g in range(int(groups[row])):
            start, count = starts[g], counts[g]
            dense[row, start : start + count] = values[used : used + count]
            used += count
    return dense


def _first_channel(hdu: fits.BinTableHDU) -> int:
    names = [n.upper() for n in hdu.columns.names]
    column = names.index("F_CHAN") + 1
    return int(hdu.header.get(f"TLMIN{column}", 1))


def average_rmf(
    rmfs: Sequence[fits.HDUList],
    exposures: Sequence[float] | npt.NDArray[np.float64],
    arfs: Sequence[fits.HDUList | None] | None = None,
) -> fits.HDUList:
    """The RMF of the summed spectrum: rows weighted by exposure times each part's area.

    Parameters
    ----------
    rmfs : sequence of HDUList
        Each part's RMF (same energy grid and channels).
    exposures : sequence of float
        Each part's exposure, s.
    arfs : sequence of HDUList or None, optional
        Each part's ARF (``None``: a response whose RMF carries the area, weighted by
        exposure alone).
    """
    arfs = list(arfs) if arfs is not None else [None] * len(rmfs)
    if same_hdulists(rmfs) and (all(a is None for a in arfs) or
                                (all(a is not None for a in arfs) and same_hdulists(arfs))):
        return copied(rmfs[0])
    index = matrix_hdu_index(rmfs[0])
    tables = [rmf[matrix_hdu_index(rmf)] for rmf in rmfs]
    _check_grid(tables, "RMF")
    first_channel = _first_channel(tables[0])
    n_channels = int(tables[0].header.get("DETCHANS") or 0)
    if not n_channels:
        n_channels = int(max(np.max(np.atleast_1d(f) + np.atleast_1d(n)) for f, n in
                             zip(tables[0].data["F_CHAN"], tables[0].data["N_CHAN"],
                                 strict=True))) - first_channel
    n_energy = len(tables[0].data)
    numerator = np.zeros((n_energy, n_channels))
    weight_sum = np.zeros(n_energy)
    for table, exposure, arf in zip(tables, exposures, arfs, strict=True):
        area = (np.asarray(arf[_arf_index(arf)].data["SPECRESP"], dtype=float)
                if arf is not None else np.ones(n_energy))
        weight = float(exposure) * area
        numerator += weight[:, None] * dense_matrix(table, n_channels, first_channel)
        weight_sum += weight
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(weight_sum[:, None] > 0, numerator / weight_sum[:, None], 0.0)
    lo, hi = _energies(tables[0])
    template = tables[0]
    hdu = fits.BinTableHDU.from_columns(
        [
            fits.Column("ENERG_LO", "E", unit="keV", array=lo),
            fits.Column("ENERG_HI", "E", unit="keV", array=hi),
            fits.Column("N_GRP", "I", array=np.ones(n_energy, dtype=np.int16)),
            fits.Column("F_CHAN", "J", array=np.full(n_energy, first_channel, dtype=np.int32)),
            fits.Column("N_CHAN", "J", array=np.full(n_energy, n_channels, dtype=np.int32)),
            fits.Column("MATRIX", f"{n_channels}E", array=matrix.astype(np.float32)),
        ],
        name=template.name,
    )
    for key, value in template.header.items():
        if key.startswith(("TTYPE", "TFORM", "TUNIT", "TDIM", "NAXIS", "TFIELDS", "PCOUNT",
                           "GCOUNT", "XTENSION", "BITPIX", "TLMIN", "TLMAX", "NUMELT")):
            continue
        if key not in ("HISTORY", "COMMENT"):
            hdu.header[key] = value
    hdu.header["TLMIN4"] = first_channel
    hdu.header["TLMAX4"] = first_channel + n_channels - 1
    hdu.header["NUMELT"] = n_energy * n_channels
    hdu.header.add_history(
        f"mean of {len(rmfs)} RMFs, each energy row weighted by exposure x ARF area"
    )
    result = copied(rmfs[0])
    result[index] = hdu
    return result
