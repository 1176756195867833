"""Sky images (mosaics): image extensions by kind, their WCS, significance and intensity maps."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS, FITSFixedWarning

from .kinds import NumpyProduct

__all__ = ["SkyImage", "is_sky_image", "celestial_wcs"]

_MOSAIC_EXTNAME = re.compile(r"^(ISGR|JMX\d)-MOSA-IMA$", re.IGNORECASE)
_KINDS = ("INTENSITY", "VARIANCE", "SIGNIFICANCE", "EXPOSURE")


def celestial_wcs(hdu: Any) -> WCS | None:
    """The celestial WCS of a 2-D image HDU, or ``None`` if it has none."""
    data = getattr(hdu, "data", None)
    if not isinstance(hdu, fits.PrimaryHDU | fits.ImageHDU) or data is None or data.ndim != 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FITSFixedWarning)
        try:
            wcs = WCS(hdu.header)
        except Exception:
            return None
    return wcs if wcs.has_celestial and wcs.naxis == 2 else None


def image_kind(hdu: Any) -> str:
    """What an image extension holds: IMATYPE (ISGRI/JEM-X mosaics) or else EXTNAME."""
    return str(hdu.header.get("IMATYPE") or hdu.name or "").strip().upper()


def is_sky_image(hdulist: fits.HDUList, meta_data: dict[str, Any]) -> bool:
    """Whether a FITS product is a sky image: meta_data product ``mosaic``, a mosaic EXTNAME,
    or a 2-D image with a celestial WCS."""
    if str(meta_data.get("product", "")).lower() == "mosaic":
        return True
    for hdu in hdulist:
        if hdu.data is not None and _MOSAIC_EXTNAME.search(hdu.name or ""):
            return True
    return any(celestial_wcs(hdu) is not None for hdu in hdulist)


class SkyImage(NumpyProduct):
    """A sky image: image extensions by kind (``INTENSITY``, ``VARIANCE``, ``SIGNIFICANCE``,
    ``EXPOSURE`` for ISGRI/JEM-X mosaics; otherwise by EXTNAME), with a working WCS.

    Examples
    --------
    >>> image = products.image                           # doctest: +SKIP
    >>> image.significance.shape, image.wcs.pixel_to_world(0, 0)   # doctest: +SKIP
    """

    kind = "sky image"

    @property
    def images(self) -> list[Any]:
        """Every 2-D image HDU, in file order."""
        return [
            hdu
            for hdu in self.hdulist
            if isinstance(hdu, fits.PrimaryHDU | fits.ImageHDU)
            and hdu.data is not None
            and hdu.data.ndim == 2
        ]

    @property
    def extensions(self) -> dict[str, Any]:
        """Image HDUs by kind (first energy band wins when a kind repeats)."""
        found: dict[str, Any] = {}
        for hdu in self.images:
            found.setdefault(image_kind(hdu), hdu)
        return found

    def extension(self, kind: str, band: int = 0) -> Any:
        """The ``band``-th image HDU of ``kind`` (e.g. ``"SIGNIFICANCE"``)."""
        matches = [hdu for hdu in self.images if image_kind(hdu) == kind.upper()]
        if len(matches) <= band:
            raise KeyError(
                f"{self.name} has no {kind} image #{band}; it has " + ", ".join(self.extensions)
            )
        return matches[band]

    def _data_of(self, kind: str) -> np.ndarray:
        hdu = self.extensions.get(kind)
        if hdu is None:
            if not self.images:
                raise KeyError(f"{self.name} holds no 2-D image")
            # a single-image file: the image is all there is
            hdu = self.images[0]
        data: np.ndarray = hdu.data
        return data

    @property
    def significance(self) -> np.ndarray:
        """The significance map (the only image when the product has one image)."""
        return self._data_of("SIGNIFICANCE")

    @property
    def intensity(self) -> np.ndarray:
        """The intensity map (the only image when the product has one image)."""
        return self._data_of("INTENSITY")

    @property
    def wcs(self) -> WCS | None:
        """The celestial WCS (of the significance map, else of the first image that has one)."""
        preferred = self.extensions.get("SIGNIFICANCE")
        for hdu in ([preferred] if preferred is not None else []) + self.images:
            wcs = celestial_wcs(hdu)
            if wcs is not None:
                return wcs
        return None

    def summary(self) -> str:
        kinds = ", ".join(self.extensions) or "no image"
        shape = "x".join(str(n) for n in self.images[0].data.shape) if self.images else ""
        return f"{shape} {kinds}".strip()
