"""A light curve as plain arrays: bin centres in seconds from a reference ``Time``, widths, rates.

The viewer, the decimation and the rebinning work on these arrays; astropy ``Time`` is used only at
the edges (the reference here, the axis labels in :mod:`.time_axis`), because building a ``Time``
of 1.7 million samples for every redraw would cost more than the drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from astropy.time import Time, TimeDelta

from ..client.products.light_curve import QUANTITIES, LightCurve, time_origin

__all__ = ["CurveSamples"]

_SECONDS_PER_UNIT = {"d": 86400.0, "day": 86400.0, "days": 86400.0, "s": 1.0, "sec": 1.0}


@dataclass(frozen=True)
class CurveSamples:
    """One light curve's bins, sorted by time.

    Attributes
    ----------
    source : str
        What the curve is of (the source name, or the instrument for SPI-ACS).
    reference : astropy.time.Time
        The instant ``time`` counts from (a scalar, in the file's time scale).
    time : numpy.ndarray
        Bin centres, seconds since ``reference``.
    width : numpy.ndarray
        Bin widths in seconds.
    rate, error : numpy.ndarray
        The values (a rate, flux, magnitude or counts per bin: ``quantity``) and their 1-sigma
        error, in ``rate_unit``.
    exposure : numpy.ndarray
        Seconds of exposure per bin (width times the fractional exposure when the file gives it):
        the weight of each bin when bins are combined.
    rate_unit : str
        The values' unit as the FITS file gives it ("" when it gives none).
    quantity : str
        What the values are: ``"RATE"``, ``"FLUX"``, ``"MAG"`` or ``"COUNTS"``.
    """

    source: str
    reference: Time
    time: npt.NDArray[np.float64]
    width: npt.NDArray[np.float64]
    rate: npt.NDArray[np.float64]
    error: npt.NDArray[np.float64]
    exposure: npt.NDArray[np.float64]
    rate_unit: str = ""
    quantity: str = "RATE"

    def __len__(self) -> int:
        return len(self.time)

    @property
    def native_bin(self) -> float:
        """The typical bin width in seconds (the median)."""
        if not len(self.width):
            return 0.0
        if self.width[0] == self.width.min() == self.width.max():
            return float(self.width[0])        # evenly binned: no median (20 ms at 1.7 M)
        return float(np.median(self.width))

    @property
    def start(self) -> float:
        """Start of the first bin, seconds since ``reference``."""
        return float(self.time[0] - self.width[0] / 2) if len(self.time) else 0.0

    @property
    def stop(self) -> float:
        """End of the last bin, seconds since ``reference``."""
        return float(self.time[-1] + self.width[-1] / 2) if len(self.time) else 0.0

    def times(self) -> Time:
        """The bin centres as astropy ``Time`` (every bin: costly for millions of bins)."""
        return self.reference + TimeDelta(self.time, format="sec")

    def rebased(self, reference: Time) -> CurveSamples:
        """The same bins counted from another ``reference``."""
        shift = float((self.reference - reference).sec)
        return replace(self, reference=reference, time=self.time + shift)

    def with_values(self, **changes: Any) -> CurveSamples:
        """A copy with some arrays replaced."""
        return replace(self, **changes)

    @classmethod
    def from_light_curve(cls, light_curve: LightCurve, source: str | None = None) -> CurveSamples:
        """Read a :class:`~oda_widgets.client.products.light_curve.LightCurve` (its table HDU and header).

        TIME is read as :attr:`LightCurve.time` reads it (:func:`time_origin`: MJDREF or
        MJDREFI/MJDREFF, TIMEZERO, TIMEUNIT, TIMESYS; oda_api's MJD curves); the bin width from a
        TIMEDEL column (in its unit), else the TIMEDEL keyword (in TIMEUNIT), else the spacing of
        the times. The values are the curve's RATE, FLUX, MAG or COUNTS column
        (:attr:`LightCurve.value_column`) with its error column; a negative error (simulated
        curves have them) counts as its size.

        Raises
        ------
        ValueError
            If the table has no TIME column or no column of values, or nothing says what TIME
            counts from: the message names what is missing.
        """
        hdu = light_curve.hdu
        header = hdu.header
        data = hdu.data
        label = source or getattr(light_curve, "source", None) or light_curve.name
        names = {n.upper(): n for n in hdu.columns.names}
        meta = getattr(light_curve, "meta_data", {}) or {}
        hinted = meta.get("time")
        time_col = names.get(str(hinted).upper()) if hinted else None
        time_col = time_col or names.get("TIME")
        value_col = getattr(light_curve, "value_column", None)
        if time_col is None or value_col is None:
            raise ValueError(
                f"{label}: the light-curve table {hdu.name} has columns {hdu.columns.names}; "
                f"it needs TIME and one of {', '.join(QUANTITIES)}"
            )
        origin = time_origin(hdu)
        if origin is None:
            raise ValueError(f"{label}: the header of {hdu.name} has no MJDREF (or MJDREFI) and "
                             "TIME is not in MJD: cannot tell what TIME counts from")

        seconds = origin.seconds(data[time_col])
        order = (np.argsort(seconds, kind="stable") if np.any(np.diff(seconds) < 0)
                 else slice(None))
        seconds = seconds[order]
        first = seconds[0] if len(seconds) else 0.0
        # seconds from the first bin keep full precision (IJD days times 86400 would not)
        reference = origin.reference + TimeDelta(first, format="sec")
        time = seconds - first

        width = _bin_widths(hdu, names, header, origin.seconds_per_unit, time)[order]
        rate = np.asarray(data[value_col], dtype=float)[order]
        error_col = getattr(light_curve, "error_column", None)
        error = (np.abs(np.asarray(data[error_col], dtype=float))[order] if error_col
                 else np.full(len(rate), np.nan))
        frac_col = names.get("FRACEXP")
        fraction = (np.asarray(data[frac_col], dtype=float)[order] if frac_col
                    else np.ones(len(rate)))
        exposure = width * np.where(np.isfinite(fraction) & (fraction > 0), fraction, 0.0)
        unit = hdu.columns[value_col].unit or ""
        return cls(str(label), reference, time, width, rate, error, exposure, str(unit).strip(),
                   getattr(light_curve, "quantity", None) or "RATE")


def _bin_widths(hdu: Any, names: dict[str, str], header: Any, per_unit: float,
                time: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    if "TIMEDEL" in names:
        col = hdu.columns[names["TIMEDEL"]]
        unit = str(col.unit or header.get("TIMEUNIT", "d")).strip().lower()
        factor = _SECONDS_PER_UNIT.get(unit, per_unit)
        return np.asarray(hdu.data[names["TIMEDEL"]], dtype=float) * factor
    if "TIMEDEL" in header:
        return np.full(len(time), float(header["TIMEDEL"]) * per_unit)
    if len(time) > 1:
        return np.full(len(time), float(np.median(np.diff(time))))
    return np.ones(len(time))
