"""Source catalogs of several jobs merged into one, each source once.

The parts' catalogs are stacked; entries closer than the instrument's PSF (ISGRI 12 arcmin,
JEM-X 3.35 arcmin full width at half maximum: the instrument cannot tell them apart) are one
source, kept once: a catalogued name before a new detection's, then the most significant. With a
combined mosaic, each source's ``significance`` is read from it at the source's position (the
number the combined image supports, not one part's). New detections are numbered again
``NEW_1``, ``NEW_2`` ... by significance, and ``meta_ID`` runs from 0.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from astropy import units as u
from astropy.table import Table, vstack

from ..catalog.checks import ignored_by_jemx
from ..catalog.source_catalog import Catalog
from ..products.sky_image import SkyImage

__all__ = ["PSF_FWHM", "merge_catalogs"]

#: Full width at half maximum of the point-spread function, by instrument.
PSF_FWHM = {"isgri": 12.0 * u.arcmin, "jemx": 3.35 * u.arcmin}
#: For an instrument not listed.
DEFAULT_PSF_FWHM = 3.0 * u.arcmin


def _clusters(catalog: Catalog, radius: u.Quantity) -> list[list[int]]:
    """Rows grouped by chains of pairs closer than ``radius`` (union-find)."""
    n = len(catalog)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n > 1:
        coords = catalog.coords
        for i in range(n):
            close = np.flatnonzero(coords[i].separation(coords) < radius)
            for j in close:
                a, b = root(i), root(int(j))
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def merge_catalogs(
    catalogs: Sequence[Catalog],
    *,
    instrument: str | None = None,
    image: SkyImage | None = None,
    name: str | None = None,
) -> Catalog:
    """One catalog of the parts' sources, each once (see the module documentation).

    Parameters
    ----------
    catalogs : sequence of Catalog
        Each part's catalog.
    instrument : str, optional
        ``"isgri"`` or ``"jemx"``: whose PSF decides what is one source.
    image : SkyImage, optional
        The combined mosaic the significances are read from.
    name : str, optional
        The item name (the first catalog's by default).
    """
    if not catalogs:
        raise ValueError("no catalogs to merge")
    first = catalogs[0]
    tables = [c.table for c in catalogs if len(c.table)]
    if not tables:
        return Catalog(first.table.copy(), name=name or first.name)
    stacked = vstack(tables, join_type="outer", metadata_conflicts="silent")
    stacked.meta = dict(first.table.meta)
    merged = Catalog(stacked, name=name or first.name)
    lon, lat = merged.lon_name, merged.lat_name
    if image is not None and image.wcs is not None and "significance" in stacked.colnames:
        significance = image.significance
        x, y = image.wcs.world_to_pixel(merged.coords)
        ix, iy = np.round(x).astype(int), np.round(y).astype(int)
        inside = (ix >= 0) & (iy >= 0) & (iy < significance.shape[0]) & (ix < significance.shape[1])
        values = np.full(len(stacked), np.nan)
        values[inside] = significance[iy[inside], ix[inside]]
        stacked["significance"] = values
    radius = PSF_FWHM.get(str(instrument or "").lower(), DEFAULT_PSF_FWHM)
    keep = []
    names = merged.names
    sig = (np.asarray(stacked["significance"], dtype=float) if "significance" in stacked.colnames
           else np.zeros(len(stacked)))
    for group in _clusters(merged, radius):
        group.sort(key=lambda i: (ignored_by_jemx(names[i]) if names else False,
                                  -np.nan_to_num(sig[i], nan=-np.inf)))
        keep.append(group[0])
    result = stacked[sorted(keep)]
    if "significance" in result.colnames:
        result = result[np.argsort(-np.nan_to_num(np.asarray(result["significance"], float),
                                                  nan=-np.inf), kind="stable")]
    if "src_names" in result.colnames:
        new = 0
        labels = [str(v) for v in result["src_names"]]
        numbers = [0] * len(labels)
        for i, label in enumerate(labels):
            if ignored_by_jemx(label):
                new += 1
                labels[i], numbers[i] = f"NEW_{new}", new
        width = max(len(v) for v in labels) if labels else 1
        result["src_names"] = np.array(labels, dtype=f"U{max(width, 1)}")
        if "NEW_SOURCE" in result.colnames:
            result["NEW_SOURCE"] = np.array(numbers, dtype=result["NEW_SOURCE"].dtype)
    if "meta_ID" in result.colnames:
        result["meta_ID"] = np.arange(len(result), dtype=result["meta_ID"].dtype)
    result.meta = dict(first.table.meta)
    for column in (lon, lat):
        if column and column in result.colnames and first.table[column].unit is not None:
            result[column].unit = first.table[column].unit
    return Catalog(Table(result, masked=False) if not result.has_masked_values else result,
                   name=name or first.name)
