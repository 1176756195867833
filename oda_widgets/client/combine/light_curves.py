"""Light curves of one source from several jobs, stitched into one in time order.

Each part's bins are kept as they are (rate, error, exposure fraction), in time order; the
header's exposure (``ONTIME``) is the parts' sum and a ``PARTS`` extension lists what each part
brought (its time span, exposure, bins and job). Bins of two parts whose time extents overlap
are checked against their exposure: if the two exposures fit in the union of the two bins they
hold different time (a bin cut by the gap between two science windows) and both stay; a bin
that is exactly repeated (the same science window in two parts) is kept once; any other overlap
means the same time was counted twice, and the stitching is refused with the times and parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from astropy.io import fits

from ..products.light_curve import LightCurve

__all__ = ["OverlapError", "stitch_light_curves"]

#: Header keywords that must agree between the parts (what TIME means).
_TIME_KEYWORDS = ("MJDREF", "MJDREFI", "MJDREFF", "TIMEZERO", "TIMEUNIT", "TIMESYS", "TIMEREF")
#: Relative slack when comparing times and exposures (float32 columns, rounding).
_SLACK = 1e-6


class OverlapError(ValueError):
    """Two parts hold the same time: stitching them would count it twice."""


@dataclass(frozen=True)
class _Extent:
    start: npt.NDArray[np.float64]
    stop: npt.NDArray[np.float64]
    exposure: npt.NDArray[np.float64] | None  # same unit as TIME; None when the curve does not say


def _column(hdu: fits.BinTableHDU, name: str) -> npt.NDArray[np.float64] | None:
    names = {n.upper(): n for n in hdu.columns.names}
    if name not in names:
        return None
    return np.asarray(hdu.data[names[name]], dtype=np.float64)


def _extents(hdu: fits.BinTableHDU) -> _Extent:
    """Each bin's start, stop and exposure, in the unit of TIME."""
    time = _column(hdu, "TIME")
    if time is None:
        raise ValueError(f"{hdu.name} has no TIME column: it cannot be put in time order")
    width = _column(hdu, "TIMEDEL")
    if width is None:
        half = _column(hdu, "XAX_E")
        width = 2 * half if half is not None else None
    if width is None:
        width = np.full(time.size, float(hdu.header.get("TIMEDEL", 0.0)))
    pixel = float(hdu.header.get("TIMEPIXR", 0.5))
    start = time - pixel * width
    stop = start + width
    fraction = _column(hdu, "FRACEXP")
    exposure = width * fraction if fraction is not None else None
    return _Extent(start, stop, exposure)


def _checked_alike(curves: Sequence[LightCurve]) -> None:
    first = curves[0]
    names = [n.upper() for n in first.hdu.columns.names]
    if "TIME" not in names:
        raise ValueError(f"{first.name} has no TIME column: it cannot be put in time order")
    for curve in curves[1:]:
        other = [n.upper() for n in curve.hdu.columns.names]
        if other != names:
            raise ValueError(
                f"{curve.name} has the columns {other}, {first.name} {names}: the parts are "
                "not light curves of one kind and cannot be stitched"
            )
        for key in _TIME_KEYWORDS:
            a, b = first.hdu.header.get(key), curve.hdu.header.get(key)
            if a != b:
                raise ValueError(
                    f"{key} is {a!r} in {first.name} but {b!r} in {curve.name}: their TIME "
                    "columns do not count from the same origin in the same unit"
                )


def _duplicate_rows(data: np.ndarray, part: np.ndarray, extent: _Extent) -> np.ndarray:
    """Rows (in time order) to drop as repeats; raises on overlaps that count time twice."""
    order_start, order_stop = extent.start, extent.stop
    drop = np.zeros(len(data), dtype=bool)
    span = np.maximum(order_stop - order_start, 0.0)
    tolerance = _SLACK * max(float(np.max(span, initial=0.0)), 1e-9)
    running_stop = -np.inf
    running_row = -1
    for i in range(len(data)):
        if order_start[i] < running_stop - tolerance and part[i] != part[running_row]:
            j = running_row
            same = (abs(order_start[i] - order_start[j]) <= tolerance
                    and abs(order_stop[i] - order_stop[j]) <= tolerance
                    and all(np.array_equal(data[i][k], data[j][k]) for k in range(len(data[i]))))
            if same:
                drop[i] = True
                continue
            union = max(order_stop[i], order_stop[j]) - min(order_start[i], order_start[j])
            if extent.exposure is None or (
                extent.exposure[i] + extent.exposure[j] > union + tolerance
            ):
                raise OverlapError(
                    f"parts {part[j] + 1} and {part[i] + 1} both hold time around "
                    f"TIME={0.5 * (order_start[i] + order_stop[j]):.6f}: the same time would be "
                    "counted twice; give science-window lists that do not overlap"
                )
        if order_stop[i] > running_stop:
            running_stop, running_row = order_stop[i], i
    return drop


def stitch_light_curves(
    curves: Sequence[LightCurve], *, name: str | None = None, labels: Sequence[str] | None = None
) -> LightCurve:
    """One light curve from the parts' light curves of a source, in time order.

    Parameters
    ----------
    curves : sequence of LightCurve
        The source's curve from each part (same columns and time system).
    name : str, optional
        The item name of the result (the first curve's by default).
    labels : sequence of str, optional
        What to call each part in the ``PARTS`` extension (e.g. its job id).

    Returns
    -------
    LightCurve
        Every bin of every part in time order (repeats kept once), ``ONTIME`` the sum of the
        parts', ``TSTART``/``TSTOP`` the extremes, and a ``PARTS`` table.

    Raises
    ------
    ValueError
        Parts of different kinds or time systems; :class:`OverlapError` when two parts count
        the same time.
    """
    if not curves:
        raise ValueError("no light curves to stitch")
    curves = list(curves)
    _checked_alike(curves)
    template = curves[0].hdu
    data = np.concatenate([np.asarray(c.hdu.data) for c in curves])
    part = np.concatenate([np.full(len(c.hdu.data), i) for i, c in enumerate(curves)])
    extents = [_extents(c.hdu) for c in curves]
    start = np.concatenate([e.start for e in extents])
    stop = np.concatenate([e.stop for e in extents])
    exposures = [e.exposure for e in extents if e.exposure is not None]
    exposure = np.concatenate(exposures) if len(exposures) == len(extents) else None
    order = np.argsort(start, kind="stable")
    data, part = data[order], part[order]
    extent = _Extent(start[order], stop[order], exposure[order] if exposure is not None else None)
    keep = ~_duplicate_rows(data, part, extent)
    data = data[keep]

    hdu = fits.BinTableHDU(data=data, header=template.header.copy(), name=template.name)
    header = hdu.header
    starts = [c.hdu.header.get("TSTART") for c in curves]
    stops = [c.hdu.header.get("TSTOP") for c in curves]
    if all(v is not None for v in starts + stops):
        header["TSTART"] = min(float(v) for v in starts)
        header["TSTOP"] = max(float(v) for v in stops)
        if "TELAPSE" in header:
            header["TELAPSE"] = header["TSTOP"] - header["TSTART"]
    ontimes = [c.hdu.header.get("ONTIME") for c in curves]
    if all(v is not None for v in ontimes):
        header["ONTIME"] = (float(sum(ontimes)), "sum of the parts' exposure")
    for key in ("SWID", "REVOL"):  # one window or revolution no longer describes the curve
        header.remove(key, ignore_missing=True)
    header["NPARTS"] = (len(curves), "jobs whose light curves were stitched")
    header.add_history(f"stitched from {len(curves)} parts in time order by oda_widgets")
    if int((~keep).sum()):
        header.add_history(f"{int((~keep).sum())} bins repeated in two parts kept once")

    labels = list(labels) if labels is not None else [c.name for c in curves]
    parts = fits.BinTableHDU.from_columns(
        [
            fits.Column("PART", "J", array=np.arange(1, len(curves) + 1)),
            fits.Column("LABEL", f"{max([len(x) for x in labels] + [1])}A", array=labels),
            fits.Column("TSTART", "D", array=[float(v) if v is not None else np.nan
                                              for v in starts]),
            fits.Column("TSTOP", "D", array=[float(v) if v is not None else np.nan
                                             for v in stops]),
            fits.Column("ONTIME", "D", unit="s", array=[float(v) if v is not None else np.nan
                                                        for v in ontimes]),
            fits.Column("NBINS", "J", array=[len(c.hdu.data) for c in curves]),
        ],
        name="PARTS",
    )
    hdulist = fits.HDUList([curves[0].hdulist[0].copy(), hdu, parts])
    first = curves[0]
    return LightCurve(name or first.name, hdulist, dict(first.meta_data), first.server_name,
                      hdu=hdulist[1])
