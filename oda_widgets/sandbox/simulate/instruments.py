"""What the simulation needs to know about ISGRI and JEM-X: field of view, PSF, pixels, background."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["ISGRI", "JEMX", "TELESCOPES", "Telescope", "tangent_offsets"]


@dataclass(frozen=True)
class Telescope:
    """Constants of one coded-mask instrument.

    Attributes
    ----------
    name : str
        ``isgri`` or ``jemx``.
    pixel_deg : float
        Mosaic pixel size (ISGRI mosaics: 4.94 arcmin, as the real ``CDELT``).
    psf_fwhm_deg : float
        Point-spread function, FWHM.
    fully_coded_deg, zero_response_deg : float
        Half-width (ISGRI square field) or radius (JEM-X circular field) of the fully coded
        field and of the edge of the partially coded field.
    square_field : bool
        ISGRI's field is a square aligned with the pointing; JEM-X's is a circle.
    background_per_kev : float
        Background under a point source, counts/s/keV at 30 keV (ISGRI) or 10 keV (JEM-X).
    background_index : float
        Slope of the background count spectrum.
    max_pixels : int
        Largest mosaic side, pixels (keeps an all-revolution mosaic fast).
    """

    name: str
    pixel_deg: float
    psf_fwhm_deg: float
    fully_coded_deg: float
    zero_response_deg: float
    square_field: bool
    background_per_kev: float
    background_pivot_kev: float
    background_index: float
    max_pixels: int

    def coding_fraction(self, dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """Relative response (0..1) at offsets ``dx, dy`` (deg) from the pointing axis."""
        if self.square_field:
            offset = np.maximum(np.abs(dx), np.abs(dy))
        else:
            offset = np.hypot(dx, dy)
        span = self.zero_response_deg - self.fully_coded_deg
        return np.clip((self.zero_response_deg - offset) / span, 0.0, 1.0)

    def background_rate(self, e1: float, e2: float) -> float:
        """Background counts/s under a point source in [e1, e2] keV."""
        edges = np.geomspace(e1, e2, 65)
        mid = np.sqrt(edges[1:] * edges[:-1])
        spectrum = self.background_per_kev * (mid / self.background_pivot_kev) ** (
            -self.background_index
        )
        return float(np.sum(spectrum * np.diff(edges)))


ISGRI = Telescope(name="isgri", pixel_deg=0.082286253915591, psf_fwhm_deg=12.0 / 60.0,
                  fully_coded_deg=4.5, zero_response_deg=14.5, square_field=True,
                  background_per_kev=32.5, background_pivot_kev=30.0, background_index=1.0,
                  max_pixels=500)

JEMX = Telescope(name="jemx", pixel_deg=2.0 / 60.0, psf_fwhm_deg=3.0 / 60.0,
                 fully_coded_deg=2.4, zero_response_deg=6.6, square_field=False,
                 background_per_kev=1.2, background_pivot_kev=10.0, background_index=0.5,
                 max_pixels=500)

TELESCOPES = {"isgri": ISGRI, "jemx": JEMX}


def tangent_offsets(
    ra0: npt.ArrayLike, dec0: npt.ArrayLike, ra: npt.ArrayLike, dec: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Gnomonic offsets (deg) of (ra, dec) in the tangent plane at (ra0, dec0), x towards east.

    Any of them may be arrays (broadcast): one source seen from many pointings, or many
    directions from one.
    """
    a0, d0 = np.radians(ra0), np.radians(dec0)
    a, d = np.radians(np.asarray(ra, float)), np.radians(np.asarray(dec, float))
    cos_c = np.sin(d0) * np.sin(d) + np.cos(d0) * np.cos(d) * np.cos(a - a0)
    cos_c = np.where(cos_c > 1e-6, cos_c, 1e-6)  # behind the tangent point: far outside any field
    x = np.cos(d) * np.sin(a - a0) / cos_c
    y = (np.cos(d0) * np.sin(d) - np.sin(d0) * np.cos(d) * np.cos(a - a0)) / cos_c
    return np.degrees(x), np.degrees(y)
