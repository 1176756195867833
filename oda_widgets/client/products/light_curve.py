"""Light curves: the rate table with units, its source, and its times as astropy ``Time``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.time import Time, TimeDelta
from astropy.units import UnitsWarning

from .kinds import NumpyProduct

__all__ = ["LightCurve", "light_curve_hdu"]

_TIME_UNITS = {"d": 1.0, "day": 1.0, "days": 1.0, "s": 1.0 / 86400.0, "sec": 1.0 / 86400.0}


def light_curve_hdu(hdulist: fits.HDUList, meta_data: dict[str, Any], product: str | None) -> Any:
    """The table HDU of a light curve in ``hdulist``, or ``None`` if it is not one.

    Recognised by an EXTNAME ending in ``-LCR`` (ISGRI/JEM-X), by meta_data ``product`` naming a
    light curve, or by a requested ``*_lc`` product whose table has a TIME column.
    """
    tables = [h for h in hdulist if isinstance(h, fits.BinTableHDU | fits.TableHDU)]
    for hdu in tables:
        if (hdu.name or "").upper().endswith("-LCR"):
            return hdu
    hint = str(meta_data.get("product") or product or "").lower()
    if hint.endswith("_lc") or hint in ("lc", "light_curve", "lightcurve"):
        for hdu in tables:
            if "TIME" in [n.upper() for n in hdu.columns.names]:
                return hdu
    return None


class LightCurve(NumpyProduct):
    """A light curve: ``table`` (astropy Table with units), ``source`` and ``time``.

    Attributes
    ----------
    source : str or None
        The source name (meta_data ``src_name``, else the NAME or OBJECT header keyword).
    """

    kind = "light curve"

    def __init__(self, *args: Any, hdu: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hdu = (
            hdu
            if hdu is not None
            else next(h for h in self.hdulist if isinstance(h, fits.BinTableHDU | fits.TableHDU))
        )
        header = self.hdu.header
        name = self.meta_data.get("src_name") or header.get("NAME") or header.get("OBJECT")
        self.source: str | None = str(name).strip() if name else None

    @property
    def table(self) -> Table:
        """The light-curve table, columns with their FITS units."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnitsWarning)
            return Table.read(self.hdu)

    @property
    def time(self) -> Time | None:
        """TIME as astropy ``Time``, from the header's MJDREF/TIMEZERO/TIMEUNIT/TIMESYS.

        INTEGRAL light curves count TIME in IJD (days since MJD 51544.0, ``MJDREF = 51544``).
        ``None`` when the header does not say what TIME is relative to.
        """
        header = self.hdu.header
        names = {n.upper(): n for n in self.hdu.columns.names}
        if "TIME" not in names:
            return None
        if "MJDREF" in header:
            mjdref = float(header["MJDREF"])
        elif "MJDREFI" in header:
            mjdref = float(header["MJDREFI"]) + float(header.get("MJDREFF", 0.0))
        else:
            return None
        unit = str(header.get("TIMEUNIT", "d")).strip().lower()
        if unit not in _TIME_UNITS:
            return None
        scale = str(header.get("TIMESYS", "TT")).strip().lower()
        if scale not in Time.SCALES:
            scale = "tt"
        values = np.asarray(self.hdu.data[names["TIME"]], dtype=float)
        offset = (values + float(header.get("TIMEZERO", 0.0))) * _TIME_UNITS[unit]
        return Time(mjdref, format="mjd", scale=scale) + TimeDelta(offset, format="jd")

    def summary(self) -> str:
        rows = 0 if self.hdu.data is None else len(self.hdu.data)
        return f"{self.source or 'unknown source'}, {rows} bins ({self.hdu.name})"
