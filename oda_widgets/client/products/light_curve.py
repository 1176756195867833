"""Light curves: the table with units, its source, what its values are, its times as ``Time``.

A light curve's values are a rate (``RATE``, INTEGRAL's and most X-ray curves), a flux
(``FLUX``), a magnitude (``MAG``) or counts per bin (``COUNTS``): the four columns oda_api's
``LightCurveDataProduct.from_arrays`` writes, each with its 1-sigma ``ERROR``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.table import Table
from astropy.time import Time, TimeDelta
from astropy.units import UnitsWarning

from .kinds import NumpyProduct

__all__ = [
    "QUANTITIES",
    "LightCurve",
    "TimeOrigin",
    "error_column",
    "light_curve_hdu",
    "time_origin",
    "value_column",
]

_SECONDS_PER_UNIT = {"d": 86400.0, "day": 86400.0, "days": 86400.0, "s": 1.0, "sec": 1.0}

#: What a light curve's values can be, by column name (the first found wins, in this order).
QUANTITIES = ("RATE", "FLUX", "MAG", "COUNTS")

#: EXTNAMEs of oda_api's ``LightCurveDataProduct.from_arrays`` (``LC``; ``LIGHTCURVE`` before).
_FROM_ARRAYS_EXTNAMES = ("LC", "LIGHTCURVE")
#: A TIME in days within these MJDs (1900 to 2132) with no reference counts from MJD 0.
_MJD_RANGE = (15020.0, 100000.0)


def value_column(names: list[str]) -> tuple[str, str] | None:
    """``(column, quantity)`` of a light curve's values among the table's column ``names``.

    ``RATE``, ``FLUX``, ``MAG`` or ``COUNTS`` by name, else a column starting with one of them
    (``FLUX_100_300``, as the plugin's own drawing accepts) that is not an error column.
    """
    upper = {n.upper(): n for n in names}
    for quantity in QUANTITIES:
        if quantity in upper:
            return upper[quantity], quantity
    for quantity in QUANTITIES:
        for key, name in upper.items():
            if key.startswith(quantity) and "ERR" not in key:
                return name, quantity
    return None


def error_column(names: list[str], value: str, hint: str | None = None) -> str | None:
    """The 1-sigma error column of ``value``: ``hint`` (meta_data ``rate_err``) when present,
    else ``ERROR``, ``<value>_ERR``, ``RATE_ERR``, ``STAT_ERR`` or ``ERR``."""
    upper = {n.upper(): n for n in names}
    for candidate in (hint, "ERROR", f"{value}_ERR", f"{value}_ERROR", "RATE_ERR", "STAT_ERR",
                      "ERR"):
        if candidate and candidate.upper() in upper:
            return upper[candidate.upper()]
    return None


def _tables(hdulist: fits.HDUList) -> list[Any]:
    return [h for h in hdulist if isinstance(h, fits.BinTableHDU | fits.TableHDU)]


def _has_time(hdu: Any) -> bool:
    return "TIME" in [n.upper() for n in hdu.columns.names]


def light_curve_hdu(hdulist: fits.HDUList, meta_data: dict[str, Any], product: str | None,
                    announced: bool = False) -> Any:
    """The table HDU of a light curve in ``hdulist``, or ``None`` if it is not one.

    ``announced``: the server said it is a light curve (``prod_uris``); then its first table
    with a TIME column (else its first table) is the curve. Otherwise, by name: an EXTNAME
    ending in ``-LCR`` (ISGRI/JEM-X), meta_data ``product`` naming a light curve, a requested
    ``*_lc`` product whose table has a TIME column, or oda_api's own light-curve layout (a table
    ``LC`` with TIME and a RATE, FLUX, MAG or COUNTS column).
    """
    tables = _tables(hdulist)
    if announced:
        return next((h for h in tables if _has_time(h)), tables[0] if tables else None)
    for hdu in tables:
        if (hdu.name or "").upper().endswith("-LCR"):
            return hdu
    hint = str(meta_data.get("product") or product or "").lower()
    if hint.endswith("_lc") or hint in ("lc", "light_curve", "lightcurve"):
        for hdu in tables:
            if _has_time(hdu):
                return hdu
    for hdu in tables:
        if ((hdu.name or "").upper() in _FROM_ARRAYS_EXTNAMES and _has_time(hdu)
                and value_column(list(hdu.columns.names)) is not None):
            return hdu
    return None


class TimeOrigin:
    """What a light curve's TIME counts from: ``reference + (TIME - zero) * seconds_per_unit``.

    Attributes
    ----------
    reference : astropy.time.Time
        The instant of TIME = ``zero`` (MJDREF plus TIMEZERO, at zero 0), in the file's scale.
    seconds_per_unit : float
        Seconds per unit of TIME.
    zero : float
        The TIME value at ``reference`` (MJD curves: their first time).
    mjd_utc : bool
        TIME is an MJD in UTC: days of 86400 s but for leap seconds, so ``seconds`` is off by
        one second after each leap second inside the curve (``LightCurve.time`` is exact).
    """

    def __init__(self, reference: Time, seconds_per_unit: float, zero: float = 0.0,
                 mjd_utc: bool = False) -> None:
        self.reference = reference
        self.seconds_per_unit = seconds_per_unit
        self.zero = zero
        self.mjd_utc = mjd_utc

    def seconds(self, values: Any) -> np.ndarray:
        """TIME ``values`` as seconds since ``reference``."""
        return (np.asarray(values, dtype=float) - self.zero) * self.seconds_per_unit


def time_origin(hdu: Any) -> TimeOrigin | None:
    """What the TIME column of ``hdu`` counts from, or ``None`` when nothing says.

    MJDREF (or MJDREFI + MJDREFF), TIMEZERO, TIMEUNIT and TIMESYS as OGIP files say it (TT when
    TIMESYS is absent). Without a reference, a TIME in days (``TUNIT`` ``d`` or none) that is
    a plausible MJD throughout counts from MJD 0 in UTC, when the table is oda_api's light-curve
    layout (unit ``d``, or EXTNAME ``LC``): ``LightCurveDataProduct.from_arrays`` writes the
    times' MJD and no header at all.
    """
    header = hdu.header
    names = {n.upper(): n for n in hdu.columns.names}
    if "TIME" not in names:
        return None
    if "MJDREF" in header or "MJDREFI" in header:
        mjdref = (float(header["MJDREF"]) if "MJDREF" in header
                  else float(header["MJDREFI"]) + float(header.get("MJDREFF", 0.0)))
        unit = str(header.get("TIMEUNIT", "d")).strip().lower()
        if unit not in _SECONDS_PER_UNIT:
            return None
        scale = str(header.get("TIMESYS", "TT")).strip().lower()
        if scale not in Time.SCALES:
            scale = "tt"
        zero = float(header.get("TIMEZERO", 0.0)) * _SECONDS_PER_UNIT[unit]
        return TimeOrigin(Time(mjdref, format="mjd", scale=scale) + TimeDelta(zero, format="sec"),
                          _SECONDS_PER_UNIT[unit])
    column_unit = str(hdu.columns[names["TIME"]].unit or "").strip().lower()
    if column_unit not in ("", "d", "day", "days"):
        return None
    if column_unit == "" and (hdu.name or "").upper() not in _FROM_ARRAYS_EXTNAMES:
        return None
    if hdu.data is None:
        return None
    values = np.asarray(hdu.data[names["TIME"]], dtype=np.float64)
    finite = values[np.isfinite(values)]
    if not len(finite) or finite.min() < _MJD_RANGE[0] or finite.max() > _MJD_RANGE[1]:
        return None
    first = float(finite.min())
    return TimeOrigin(Time(first, format="mjd", scale="utc"), 86400.0, zero=first, mjd_utc=True)


class LightCurve(NumpyProduct):
    """A light curve: ``table`` (astropy Table with units), ``source``, ``time`` and what its
    values are (``quantity``, ``value_column``, ``error_column``, ``value_unit``).

    Attributes
    ----------
    source : str or None
        The source name (meta_data ``src_name``, else the NAME or OBJECT header keyword).
    quantity : str or None
        ``"RATE"``, ``"FLUX"``, ``"MAG"`` or ``"COUNTS"``; ``None`` when the table has none of
        them (the curve cannot be drawn; ``value_column`` says why).
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
        names = list(self.hdu.columns.names)
        hinted = self.meta_data.get("rate")
        found = ((hinted, "RATE") if isinstance(hinted, str) and hinted.upper() in
                 [n.upper() for n in names] else value_column(names))
        self.value_column: str | None = None
        self.quantity: str | None = None
        if found is not None:
            upper = {n.upper(): n for n in names}
            self.value_column, self.quantity = upper[found[0].upper()], found[1]
        self.error_column: str | None = (
            error_column(names, self.quantity or "RATE", self.meta_data.get("rate_err"))
            if self.value_column else None
        )

    @property
    def value_unit(self) -> str:
        """The unit of the values as the file gives it (``""`` when it gives none)."""
        if self.value_column is None:
            return ""
        return str(self.hdu.columns[self.value_column].unit or "").strip()

    @property
    def table(self) -> Table:
        """The light-curve table, columns with their FITS units."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnitsWarning)
            return Table.read(self.hdu)

    @property
    def time(self) -> Time | None:
        """TIME as astropy ``Time`` (see :func:`time_origin`).

        INTEGRAL light curves count TIME in IJD (days since MJD 51544.0, ``MJDREF = 51544``);
        oda_api's ``from_arrays`` curves in MJD. ``None`` when nothing says what TIME counts
        from.
        """
        origin = time_origin(self.hdu)
        if origin is None:
            return None
        names = {n.upper(): n for n in self.hdu.columns.names}
        values = self.hdu.data[names["TIME"]]
        if origin.mjd_utc:
            return Time(np.asarray(values, dtype=float), format="mjd", scale="utc")
        return origin.reference + TimeDelta(origin.seconds(values), format="sec")

    def summary(self) -> str:
        rows = 0 if self.hdu.data is None else len(self.hdu.data)
        what = f" of {self.quantity}" if self.quantity else ""
        source = f"{self.source}, " if self.source else ""
        return f"{source}{rows} bins{what} ({self.hdu.name})"
