"""Channels grouped for display, to a minimum significance per group, as XSPEC's
``setplot rebin`` does; the fit still uses every channel.

Neighbouring channels are summed, in energy order, until their summed rate is ``min_significance``
times its error, or until ``max_channels`` are in the group. A group that reaches its size without
that significance (the rate compatible with zero, or below it) is not drawn as a point but as an
upper limit: the summed rate, when positive, plus two errors. So a spectrum shows every energy it
covers, and nothing below zero is dropped from a log axis without a word.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DisplayGroups", "group_channels", "UPPER_LIMIT_SIGMA"]

#: Errors above the summed rate at which an insignificant group's upper limit is drawn (2: 95 %).
UPPER_LIMIT_SIGMA = 2.0


@dataclass(frozen=True)
class DisplayGroups:
    """Groups of neighbouring channels.

    Attributes
    ----------
    start, stop : numpy.ndarray
        Each group's first channel and one past its last (positions in the arrays given).
    e_lo, e_hi : numpy.ndarray
        Each group's energy bounds, keV.
    rate, error : numpy.ndarray
        Summed rate of the group and its error (errors added in quadrature), counts/s.
    significant : numpy.ndarray of bool
        Groups drawn as points; the others are upper limits.
    """

    start: npt.NDArray[np.intp]
    stop: npt.NDArray[np.intp]
    e_lo: npt.NDArray[np.float64]
    e_hi: npt.NDArray[np.float64]
    rate: npt.NDArray[np.float64]
    error: npt.NDArray[np.float64]
    significant: npt.NDArray[np.bool_]

    def __len__(self) -> int:
        return int(self.start.size)

    @property
    def energy(self) -> npt.NDArray[np.float64]:
        """Group centres, keV (geometric: where they sit on a log axis)."""
        return np.sqrt(self.e_lo * self.e_hi)

    @property
    def width(self) -> npt.NDArray[np.float64]:
        return self.e_hi - self.e_lo

    @property
    def rate_per_kev(self) -> npt.NDArray[np.float64]:
        return self.rate / self.width

    @property
    def error_per_kev(self) -> npt.NDArray[np.float64]:
        return self.error / self.width

    @property
    def upper_limit_per_kev(self) -> npt.NDArray[np.float64]:
        """The upper limit of each group, counts/s/keV: its rate when positive plus
        :data:`UPPER_LIMIT_SIGMA` errors (meaningful where ``significant`` is False)."""
        return (np.maximum(self.rate, 0.0) + UPPER_LIMIT_SIGMA * self.error) / self.width

    def sum(self, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per group, the sum of ``values`` given per channel (e.g. a folded model)."""
        totals = np.concatenate((np.zeros(1), np.cumsum(values, dtype=np.float64)))
        return totals[self.stop] - totals[self.start]

    def quadrature(self, errors: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per group, errors given per channel added in quadrature."""
        return np.sqrt(self.sum(np.asarray(errors, dtype=float) ** 2))


def group_channels(e_lo: npt.NDArray[np.float64], e_hi: npt.NDArray[np.float64], rate: npt.NDArray[np.float64], error: npt.NDArray[np.float64],
                   min_significance: float = 3.0, max_channels: int = 24) -> DisplayGroups:
    """Group neighbouring channels until each group is ``min_significance`` sigma above zero.

    Parameters
    ----------
    e_lo, e_hi : numpy.ndarray
        Channel energy bounds, keV, increasing.
    rate, error : numpy.ndarray
        Rate and its error per channel (background subtracted: may be zero or negative).
    min_significance : float
        Summed rate over its error a group must reach to be a point (XSPEC's ``minSig``).
    max_channels : int
        Largest group (XSPEC's ``maxBins``); a group this size that stays below
        ``min_significance`` is an upper limit.

    Returns
    -------
    DisplayGroups
    """
    if min_significance < 0:
        raise ValueError(f"min_significance must be 0 or more, not {min_significance}")
    if max_channels < 1:
        raise ValueError(f"max_channels must be at least 1, not {max_channels}")
    e_lo, e_hi, rate, error = (np.asarray(v, dtype=float) for v in (e_lo, e_hi, rate, error))
    starts, stops = [], []
    first, total, variance = 0, 0.0, 0.0
    for i in range(rate.size):
        total += rate[i]
        variance += error[i] ** 2
        size = i + 1 - first
        enough = variance > 0 and total >= min_significance * np.sqrt(variance)
        if enough or size >= max_channels or i == rate.size - 1:
            starts.append(first)
            stops.append(i + 1)
            first, total, variance = i + 1, 0.0, 0.0
    start, stop = np.asarray(starts, dtype=np.intp), np.asarray(stops, dtype=np.intp)
    sums = np.concatenate([[0.0], np.cumsum(rate)])
    variances = np.concatenate([[0.0], np.cumsum(error**2)])
    group_rate = sums[stop] - sums[start]
    group_error = np.sqrt(variances[stop] - variances[start])
    significant = (group_error > 0) & (group_rate > 0) & (group_rate >= min_significance * group_error)
    return DisplayGroups(start=start, stop=stop, e_lo=e_lo[start], e_hi=e_hi[stop - 1],
                         rate=group_rate, error=group_error, significant=significant)
