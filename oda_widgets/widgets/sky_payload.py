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
    "framing", "image_hdu", "fits_bytes", "image_kinds", "psf_fwhm_deg", "round_cut",
    "target_framing", "unit_of",
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


#: Smallest field shown around a query's target, degrees (a few ISGRI PSFs more than a source).
MIN_FIELD_DEG = 6.0
#: PSF (FWHM, degrees) by instrument, as the mosaic's header names it; others: 3 pixels.
_PSF_DEG = {"IBIS": 12.0 / 60, "ISGRI": 12.0 / 60, "JMX1": 3.0 / 60, "JMX2": 3.0 / 60,
            "JEM-X": 3.0 / 60}


def round_cut(value: float, digits: int = 2) -> float:
    """A cut rounded to ``digits`` significant digits (what a reader types, not 0.123456789)."""
    if value == 0 or not np.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


def default_cuts(kind: str, data: np.ndarray) -> tuple[float, float]:
    """Cuts for a kind of image: -3 to +20 sigma for significance; else IRAF's zscale of the
    covered pixels (where the map is not exactly 0), as ds9 offers it, for intensity and
    variance, and the 1-99.5 percentiles for exposure; rounded to two significant digits."""
    if _looks_like_significance(kind, data):
        return SIGNIFICANCE_CUTS
    finite = np.asarray(data, dtype=float)
    finite = finite[np.isfinite(finite)]
    covered = finite[finite != 0]   # outside the mosaic's footprint a map holds zeros
    values = covered if covered.size > 100 else finite
    if values.size == 0:
        return (0.0, 1.0)
    if kind.upper() == "EXPOSURE":
        low, high = np.percentile(values, [1.0, 99.5])
    else:
        from astropy.visualization import ZScaleInterval

        low, high = ZScaleInterval().get_limits(values)
    low, high = round_cut(float(low)), round_cut(float(high))
    if not high > low:   # one value everywhere (a flat exposure): from zero to it
        low, high = (0.0, high) if high > 0 else (low, low + max(abs(low), 1.0))
    return (low, high)


def unit_of(kind: str, hdu: Any) -> str:
    """The unit of an image's values in words: sigma for significance, else its BUNIT."""
    if kind.upper() == "SIGNIFICANCE":
        return "σ"
    return str(hdu.header.get("BUNIT", "") or "").strip()


def psf_fwhm_deg(hdu: Any) -> float:
    """The PSF of the instrument that made ``hdu`` (FWHM, degrees): ISGRI 12', JEM-X 3'; for an
    unknown instrument three pixels of the image."""
    header = hdu.header
    for key in ("DETNAM", "INSTRUME"):
        name = str(header.get(key, "") or "").strip().upper()
        if name in _PSF_DEG:
            return _PSF_DEG[name]
    wcs = celestial_wcs(hdu)
    if wcs is not None:
        scales = wcs.proj_plane_pixel_scales()
        return 3.0 * float(abs(scales[0].to_value("deg")))
    return 0.2


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


def target_framing(ra: float, dec: float, catalog: Any) -> Framing:
    """A field centred on the query's target that shows the sources around it: twice the
    distance to the farthest catalog source (plus a margin), at least :data:`MIN_FIELD_DEG`
    (the front end narrows it where the PSF would be too small to see, ``js/sky_aladin.js``)."""
    target = SkyCoord(ra, dec, unit="deg", frame="icrs")
    reach = 0.0
    if catalog is not None and len(catalog) and catalog.lon_name:
        coords = catalog.coords.icrs
        finite = np.isfinite(coords.ra.deg) & np.isfinite(coords.dec.deg)
        if finite.any():
            reach = float(np.max(target.separation(coords[finite]).deg))
    extent = max(MIN_FIELD_DEG, 2.0 * reach * 1.15)
    return Framing(float(ra), float(dec), extent, extent)


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


