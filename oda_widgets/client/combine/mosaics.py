"""Mosaics of several jobs summed onto one sky grid, with ``reproject``.

Each part's intensity, variance and exposure maps are reprojected (bilinear interpolation:
ISGRI and JEM-X intensities are point-source rates per position, not surface brightness) onto a
grid that covers every part, at the first part's pixel size, and combined as OSA combines
science windows into a mosaic: the intensity is the variance-weighted mean of the parts, the
variance the inverse of the summed inverse variances, the significance their ratio
``I / sqrt(V)``, the exposure the sum. Pixels no part covers are 0, as in the parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from astropy.io import fits
from astropy.wcs import WCS

from ..products.sky_image import SkyImage, celestial_wcs, image_kind

__all__ = ["sum_mosaics"]

_PLANES = ("INTENSITY", "VARIANCE", "SIGNIFICANCE", "EXPOSURE")


def _planes(image: SkyImage) -> dict[str, fits.ImageHDU]:
    found = image.extensions
    missing = [k for k in ("INTENSITY", "VARIANCE") if k not in found]
    if missing:
        raise ValueError(
            f"{image.name} has no {' or '.join(missing)} map: a mosaic is summed by its "
            "intensity and variance"
        )
    return found


def sum_mosaics(images: Sequence[SkyImage], *, name: str | None = None) -> SkyImage:
    """One mosaic from the parts' mosaics (see the module documentation).

    Parameters
    ----------
    images : sequence of SkyImage
        Each part's mosaic, with INTENSITY and VARIANCE maps (and EXPOSURE when it has one).
    name : str, optional
        The item name of the result (the first image's by default).

    Returns
    -------
    SkyImage
        The first part's file layout with the combined maps on the common grid.
    """
    if not images:
        raise ValueError("no mosaics to sum")
    images = list(images)
    first = images[0]
    if len(images) == 1:
        return SkyImage(name or first.name, fits.HDUList([h.copy() for h in first.hdulist]),
                        dict(first.meta_data), first.server_name)
    from reproject import reproject_interp
    from reproject.mosaicking import find_optimal_celestial_wcs

    planes = [_planes(image) for image in images]
    inputs: list[tuple[Any, WCS]] = []
    for plane in planes:
        wcs = celestial_wcs(plane["INTENSITY"])
        if wcs is None:
            raise ValueError("a part's mosaic has no celestial WCS: it cannot be put on the sky")
        inputs.append((plane["INTENSITY"].data, wcs))
    scale = np.abs(inputs[0][1].proj_plane_pixel_scales()[0])
    wcs_out, shape_out = find_optimal_celestial_wcs(inputs, resolution=scale)

    weight_sum = np.zeros(shape_out)
    weighted = np.zeros(shape_out)
    exposure = np.zeros(shape_out)
    def onto(hdu: fits.ImageHDU, wcs: WCS) -> npt.NDArray[np.float64]:
        data = np.asarray(hdu.data, dtype=np.float64)
        out, footprint = reproject_interp((data, wcs), wcs_out, shape_out=shape_out,
                                          order="bilinear")
        on_grid: npt.NDArray[np.float64] = np.where(footprint > 0, np.nan_to_num(out), 0.0)
        return on_grid

    for plane, (_, wcs) in zip(planes, inputs, strict=True):
        intensity, variance = onto(plane["INTENSITY"], wcs), onto(plane["VARIANCE"], wcs)
        covered = variance > 0
        weight = np.where(covered, 1.0 / np.where(covered, variance, 1.0), 0.0)
        weight_sum += weight
        weighted += weight * intensity
        if "EXPOSURE" in plane:
            exposure += onto(plane["EXPOSURE"], wcs)
    covered = weight_sum > 0
    intensity = np.where(covered, weighted / np.where(covered, weight_sum, 1.0), 0.0)
    variance = np.where(covered, 1.0 / np.where(covered, weight_sum, 1.0), 0.0)
    significance = np.where(covered, intensity / np.sqrt(np.where(covered, variance, 1.0)), 0.0)
    maps = {"INTENSITY": intensity, "VARIANCE": variance, "SIGNIFICANCE": significance,
            "EXPOSURE": exposure}

    header_wcs = wcs_out.to_header()
    hdulist = fits.HDUList()
    numscw = sum(int(p["INTENSITY"].header.get("NUMSCW", 0)) for p in planes)
    starts = [p["INTENSITY"].header.get("TSTART") for p in planes]
    stops = [p["INTENSITY"].header.get("TSTOP") for p in planes]
    for hdu in first.hdulist:
        kind = image_kind(hdu)
        is_map = (isinstance(hdu, fits.ImageHDU) and hdu.data is not None and hdu.data.ndim == 2
                  and kind in maps)
        if not is_map:
            hdulist.append(hdu.copy())
            continue
        header = hdu.header.copy()
        for key in list(header):
            if key in header_wcs or key.startswith(("CTYPE", "CRVAL", "CRPIX", "CDELT", "CD1_",
                                                    "CD2_", "PC1_", "PC2_", "CUNIT", "NAXIS")):
                header.remove(key, ignore_missing=True, remove_all=True)
        header.update(header_wcs)
        if numscw:
            header["NUMSCW"] = (numscw, "science windows in the mosaic")
        if all(v is not None for v in starts + stops):
            header["TSTART"] = min(float(v) for v in starts)
            header["TSTOP"] = max(float(v) for v in stops)
        header["NPARTS"] = (len(images), "mosaics summed")
        header.add_history(f"{len(images)} mosaics reprojected onto one grid and summed "
                           "(variance-weighted) by oda_widgets")
        hdulist.append(fits.ImageHDU(maps[kind].astype(np.float32), header=header,
                                     name=hdu.name, ver=hdu.ver))
    return SkyImage(name or first.name, hdulist, dict(first.meta_data), first.server_name)
