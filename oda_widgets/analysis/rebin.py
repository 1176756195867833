"""Rebinning a light curve to coarser bins: counts conserved, errors propagated.

Counts per bin and magnitudes are combined as rates and fluxes (:mod:`.curve_values`).

Each input bin holds ``rate * exposure`` counts. A new bin's rate is the sum of its counts over the
sum of its exposures, and its error the quadratic sum of the counts' errors (``error * exposure``)
over the same exposure: for Poisson data that is ``sqrt(counts) / exposure``, as if the coarser
bins had been made from the events. New bins start at the first bin and are ``bin_width`` long;
a new bin that its input bins do not fill (a gap, the end of the data) is kept, flagged
``partial``, with its rate over the exposure it has and its time and width spanning only the bins
it holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .curve_values import as_rates, from_rates
from .light_curve_samples import CurveSamples
from .time_axis import duration_text

__all__ = ["Rebinned", "rebin"]


@dataclass(frozen=True)
class Rebinned:
    """A rebinned curve and what was done.

    Attributes
    ----------
    samples : CurveSamples
        The new bins.
    bin_width : float
        The asked bin in seconds (the native bin when nothing was done).
    native_bin : float
        The input's typical bin in seconds.
    coverage : numpy.ndarray
        Per new bin, the fraction of ``bin_width`` its input bins cover.
    partial : numpy.ndarray
        Per new bin, whether that fraction is below one.
    """

    samples: CurveSamples
    bin_width: float
    native_bin: float
    coverage: npt.NDArray[np.float64]
    partial: npt.NDArray[np.bool_]

    @property
    def factor(self) -> float:
        """``bin_width`` over the native bin."""
        return self.bin_width / self.native_bin if self.native_bin else 1.0

    def describe(self, partial: bool = True) -> str:
        """The bin in words, e.g. ``"2400 s bins (x4 of the native 600 s); 2 of 37 partly
        covered ..."`` (``partial=False``: without what is said of partial bins)."""
        if self.factor <= 1.0 + 1e-9:
            return f"{duration_text(self.native_bin)} bins (native)"
        factor = self.factor
        times = f"x{factor:.0f}" if abs(factor - round(factor)) < 1e-6 else f"x{factor:.3g}"
        text = (f"{duration_text(self.bin_width)} bins ({times} of the native "
                f"{duration_text(self.native_bin)})")
        count = int(np.count_nonzero(self.partial))
        if partial and count:
            held = {"COUNTS": "the counts they hold",
                    "MAG": "their magnitude over the exposure they hold"}
            text += (f"; {count} of {len(self.partial)} partly covered (gaps or ends), "
                     + held.get(self.samples.quantity, "their rate over the exposure they hold"))
        return text


def rebin(samples: CurveSamples, *, factor: float | None = None,
          bin_width: float | None = None) -> Rebinned:
    """Combine ``samples`` into bins ``factor`` times the native bin, or ``bin_width`` seconds.

    Parameters
    ----------
    samples : CurveSamples
        The curve.
    factor : float, optional
        A multiple of the native (median) bin, e.g. 2, 4, 8.
    bin_width : float, optional
        The new bin in seconds. Give one of ``factor`` and ``bin_width``.

    Returns
    -------
    Rebinned
        A bin no wider than the native one returns the curve unchanged.

    Raises
    ------
    ValueError
        If neither or both are given, or the bin is not a positive number.
    """
    if (factor is None) == (bin_width is None):
        raise ValueError("give either factor (a multiple of the native bin) or bin_width "
                         "(seconds)")
    native = samples.native_bin
    width = float(factor) * native if factor is not None else float(bin_width)  # type: ignore[arg-type]
    if not np.isfinite(width) or width <= 0:
        raise ValueError(f"the bin must be a positive number of seconds, not {width!r}")
    n = len(samples)
    if n == 0 or width <= native * (1 + 1e-9):
        return Rebinned(samples, native, native, np.ones(n), np.zeros(n, dtype=bool))

    samples = as_rates(samples)  # counts and magnitudes are combined as rates and fluxes
    usable = np.isfinite(samples.rate) & (samples.exposure > 0)
    exposure = np.where(usable, samples.exposure, 0.0)
    counts = np.where(usable, samples.rate, 0.0) * exposure
    error = np.where(usable & np.isfinite(samples.error), samples.error, 0.0)
    variance = (error * exposure) ** 2

    key = np.floor((samples.time - samples.start) / width + 1e-9).astype(np.int64)
    firsts = np.flatnonzero(np.diff(key, prepend=key[0] - 1))
    lasts = np.append(firsts[1:], n) - 1
    total_exposure = np.add.reduceat(exposure, firsts)
    total_counts = np.add.reduceat(counts, firsts)
    total_variance = np.add.reduceat(variance, firsts)
    covered = np.add.reduceat(samples.width, firsts)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(total_exposure > 0, total_counts / total_exposure, np.nan)
        rate_error = np.where(total_exposure > 0, np.sqrt(total_variance) / total_exposure, np.nan)

    begin = samples.time[firsts] - samples.width[firsts] / 2
    end = samples.time[lasts] + samples.width[lasts] / 2
    coverage = np.minimum(covered / width, 1.0)
    new = samples.with_values(
        time=0.5 * (begin + end), width=end - begin, rate=rate, error=rate_error,
        exposure=total_exposure,
    )
    return Rebinned(from_rates(new), width, native, coverage, coverage < 1.0 - 1e-6)
