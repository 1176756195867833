"""Simulated products (INTEGRAL, and the GeV sky's notebook workflows), shaped as the real
dispatcher plugins return them in API mode.

``make_products(instrument, product, params, scws)`` is the one entry point the sandbox server
calls; it returns the product part of a ``done`` answer (``numpy_data_product_list``, and
``catalog`` for images).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .gev_sky import COMMENT_KEY, make_gev_image, make_gev_light_curve
from .image import make_mosaic
from .lightcurve import make_light_curves
from .pointings import ScienceWindow
from .polar import make_polar_light_curve
from .spectrum import make_spectra
from .spi_acs import make_spi_acs_light_curve

__all__ = ["COMMENT_KEY", "PRODUCTS", "UNPOINTED", "make_products"]

_Maker = Callable[[Mapping[str, Any], Sequence[ScienceWindow]], dict[str, Any]]

#: (instrument, product) -> function of (params, scws).
PRODUCTS: dict[tuple[str, str], _Maker] = {
    ("isgri", "isgri_image"): lambda p, s: make_mosaic("isgri", p, s),
    ("isgri", "isgri_spectrum"): lambda p, s: make_spectra("isgri", p, s),
    ("isgri", "isgri_lc"): lambda p, s: make_light_curves("isgri", p, s),
    ("jemx", "jemx_image"): lambda p, s: make_mosaic("jemx", p, s),
    ("jemx", "jemx_spectrum"): lambda p, s: make_spectra("jemx", p, s),
    ("jemx", "jemx_lc"): lambda p, s: make_light_curves("jemx", p, s),
    ("spi_acs", "spi_acs_lc"): make_spi_acs_light_curve,
    ("polar", "polar_lc"): make_polar_light_curve,
    ("gev_sky", "image"): make_gev_image,
    ("gev_sky", "light_curve"): make_gev_light_curve,
}

#: Instruments that are not pointed: no science windows select their data.
UNPOINTED = ("spi_acs", "polar", "gev_sky")


def make_products(
    instrument: str, product: str, params: Mapping[str, Any], scws: list[ScienceWindow]
) -> dict[str, Any]:
    """Simulate one product of the sandbox sky.

    Parameters
    ----------
    instrument : str
        ``isgri``, ``jemx``, ``spi_acs`` or ``polar``.
    product : str
        ``isgri_image``, ``isgri_spectrum``, ``isgri_lc``, ``jemx_image``, ``jemx_spectrum``,
        ``jemx_lc``, ``spi_acs_lc`` or ``polar_lc``.
    params : mapping
        Validated, normalised parameters (RA, DEC, T1, T2, E1_keV, E2_keV, detection_threshold,
        time_bin, jemx_num, selected_catalog as a dict or None, catalog_selected_objects...).
    scws : list of ScienceWindow
        The windows found by :func:`oda_widgets.sandbox.simulate.pointings.science_windows` (ignored by
        SPI-ACS and POLAR, which are not pointed).

    Returns
    -------
    dict
        The product keys of the answer, e.g. ``{"numpy_data_product_list": [...],
        "catalog": {...}}`` for images. Same parameters and windows give identical bytes.

    Raises
    ------
    ValueError
        Unknown instrument/product pair, no science window for a pointed instrument, or a
        parameter the simulation cannot honour (the message says what to change).
    """
    maker = PRODUCTS.get((instrument, product))
    if maker is None:
        known = ", ".join(f"{i}/{p}" for i, p in PRODUCTS)
        raise ValueError(f"the sandbox has no product {instrument}/{product}; it has {known}")
    if instrument not in UNPOINTED and not scws:
        raise ValueError(f"{product} needs at least one science window; none was given")
    return maker(params, list(scws))
