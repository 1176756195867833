"""The image a sky view sends: one extension of a mosaic as a FITS buffer, its cuts and framing.

Only the extension shown crosses to the browser, as the FITS bytes of that one image (a binary
widget buffer: no base64, no JSON arrays); a switch of colour map or cuts sends a few numbers.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from astropy.coordinates import SkyCoord, UnitSphericalRepresentation
from astropy.io import fits
from astropy.wcs import FITSFixedWarning

from ..client.products.sky_image import SkyImage, celestial_wcs, image_kind

__all__ = [
    "SIGNIFICANCE_CUTS", "COLORMAPS", "STRETCHES", "Framing", "catalog_framing", "default_cuts",
    "framing",
    "image_hdu", "fits_bytes", "image_kinds",
]

#: Cuts of a significance map, in sigma: negative noise stays dark, sources up to 20 sigma show.
SIGNIFICANCE_CUTS = (-3.0, 20.0)
#: Colour maps offered (Aladin Lite's names); grayscale first, so that coloured markers stand out.
COLORMAPS = ("grayscale", "viridis", "inferno", "magma", "cubehelix", "rdbu")
STRETCHES = ("linear", "sqrt", "log", "asinh", "pow2")
_ORDER = ("SIGNIFICANCE", "INTENSITY", "VARIANCE", "EXPOSURE")


def image_kinds(image: SkyImage) -> list[str]:
    """The kinds a user can choose, significance first, then the others in a fixed order."""
    kinds = list(image.extensions)
    known = [k for k in _ORDER if k in kinds]
    return known + [k for k in kinds if k not in known]


def image_hdu(image: SkyImage, kind: str) -> Any:
    """The image HDU of ``kind`` (a one-image file has one kind: its EXTNAME, e.g. PRIMARY)."""
    found = image.extensions.get(kind.upper())
    if found is None:
        raise KeyError(
            f"{image.name} has no {kind} image; choose one of " + ", ".join(image_kinds(image))
        )
    return found


def default_cuts(kind: str, data: np.ndarray) -> tuple[float, float]:
    """Cuts for a kind of image: -3 to +20 sigma for significance, else the 0.5-99.5 percentiles."""
    if _looks_like_significance(kind, data):
        return SIGNIFICANCE_CUTS
    finite = np.asarray(data, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return (0.0, 1.0)
    low, high = np.percentile(finite, [0.5, 99.5])
    if not high > low:
        high = low + 1.0
    return (float(low), float(high))


def _looks_like_significance(kind: str, data: np.ndarray) -> bool:
    if kind.upper() == "SIGNIFICANCE":
        return True
    if kind.upper() in _ORDER:
        return False
    # an image of unnamed kind: a significance map is centred on 0 with a spread of about 1
    finite = np.asarray(data, dtype=float)
    finite = finite[np.isfinite(finite)]
    return finite.size > 0 and abs(float(np.median(finite))) < 0.5 and float(np.std(finite)) < 5


@dataclass(frozen=True)
class Framing:
    """Where to look: the footprint's centre (ICRS degrees), its extent along RA and Dec
    (degrees on the sky), and a field of view that holds it all in a square view."""

    ra: float
    dec: float
    width: float
    height: float

    @property
    def fov(self) -> float:
        """A field of view (degrees) showing the whole footprint in a square view."""
        return min(180.0, 1.08 * max(self.width, self.height))


def framing(hdu: Any) -> Framing:
    """Centre and field of view (degrees) that show the whole footprint of an image HDU."""
    wcs = celestial_wcs(hdu)
    if wcs is None:
        raise ValueError(f"the {image_kind(hdu) or 'image'} extension has no celestial WCS")
    ny, nx = hdu.data.shape
    cx, cy = (nx - 1) / 2, (ny - 1) / 2
    # the middles of the four edges: the footprint's extent across and along
    edges = wcs.pixel_to_world(np.array([-0.5, nx - 0.5, cx, cx]),
                               np.array([cy, cy, -0.5, ny - 0.5]))
    centre = wcs.pixel_to_world(cx, cy).icrs
    edges = edges.icrs
    width = float(edges[0].separation(edges[1]).deg)
    height = float(edges[2].separation(edges[3]).deg)
    return Framing(float(centre.ra.deg), float(centre.dec.deg), width, height)


def catalog_framing(catalog: Any) -> Framing | None:
    """Centre and extent of a catalog's sources (a view with no mosaic), or None if empty."""
    if catalog is None or len(catalog) == 0 or not catalog.lon_name:
        return None
    coords = catalog.coords.icrs
    finite = np.isfinite(coords.ra.deg) & np.isfinite(coords.dec.deg)
    if not finite.any():
        return None
    coords = coords[finite]
    # the mean direction (unit vectors averaged): right across RA 0 and near the poles
    mean = coords.cartesian.mean().represent_as(UnitSphericalRepresentation)
    middle = SkyCoord(mean.lon, mean.lat, frame="icrs")
    radius = float(np.max(middle.separation(coords).deg))
    extent = max(1.0, 2.2 * radius)
    return Framing(float(middle.ra.deg), float(middle.dec.deg), extent, extent)


def fits_bytes(hdu: Any) -> bytes:
    """One image HDU as a single-HDU FITS file (its header and data, big-endian as FITS is)."""
    header = hdu.header.copy()
    for key in ("XTENSION", "PCOUNT", "GCOUNT", "EXTNAME", "EXTVER"):
        header.remove(key, ignore_missing=True, remove_all=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        warnings.simplefilter("ignore", fits.verify.VerifyWarning)
        primary = fits.PrimaryHDU(data=hdu.data, header=header)
        buffer = io.BytesIO()
        fits.HDUList([primary]).writeto(buffer, output_verify="silentfix")
    return buffer.getvalue()


