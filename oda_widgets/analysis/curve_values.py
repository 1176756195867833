"""What a light curve's values are, and how they combine and read: rates, fluxes, magnitudes, counts.

Rebinning takes the exposure-weighted mean of a per-second quantity, which is right for a rate or
a flux. Counts per bin are turned into a rate first and back into the counts of the wider bin
(so they add up); magnitudes into a flux (their mean is taken in flux, where light adds) and
back, errors carried through each change to first order.
"""

from __future__ import annotations

import warnings

import numpy as np
from astropy import units

from .light_curve_samples import CurveSamples

__all__ = ["as_rates", "axis_label", "from_rates", "inverted", "pretty_unit", "takes_log"]

#: What each quantity is called on an axis.
_NAMES = {"RATE": "Rate", "FLUX": "Flux", "MAG": "Magnitude", "COUNTS": "Counts"}
#: d(mag) = _MAG_PER_LN_FLUX * d(flux) / flux
_MAG_PER_LN_FLUX = 2.5 / np.log(10.0)


def pretty_unit(text: str) -> str:
    """A unit as written for people: as the file gives it when it reads well (``count/s``,
    ``deg``), else astropy's reading of it with exponents (``photon / (s cm**2)`` becomes
    ``ph s⁻¹ cm⁻²``); unchanged when astropy cannot read it."""
    text = text.strip()
    if "**" not in text and "^" not in text and text.count("/") <= 1:
        return text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", units.UnitsWarning)
        try:
            unit = units.Unit(text, parse_strict="silent")
        except (ValueError, TypeError):
            return text
    return text if isinstance(unit, units.UnrecognizedUnit) else unit.to_string("unicode")


def axis_label(quantity: str, unit_texts: list[str]) -> str:
    """``"Flux (ph / (s cm²))"``, ``"Magnitude"``, ``"Counts (ct)"``: the value axis' label."""
    name = _NAMES.get(quantity, quantity.title())
    shown = list(dict.fromkeys(pretty_unit(u) for u in unit_texts if u))
    return name + (f" ({', '.join(shown)})" if shown else "")


def inverted(quantity: str) -> bool:
    """Whether the axis runs downwards: brighter is a smaller magnitude."""
    return quantity == "MAG"


def takes_log(quantity: str) -> bool:
    """Whether a logarithmic axis means anything (a magnitude is already one)."""
    return quantity != "MAG"


def as_rates(samples: CurveSamples) -> CurveSamples:
    """The curve as a per-second quantity whose exposure-weighted mean combines bins."""
    if samples.quantity == "COUNTS":
        with np.errstate(invalid="ignore", divide="ignore"):
            per_second = np.where(samples.exposure > 0, 1.0 / samples.exposure, np.nan)
        return samples.with_values(rate=samples.rate * per_second,
                                   error=samples.error * per_second)
    if samples.quantity == "MAG":
        flux = 10.0 ** (-0.4 * samples.rate)
        return samples.with_values(rate=flux, error=flux * samples.error / _MAG_PER_LN_FLUX)
    return samples


def from_rates(samples: CurveSamples) -> CurveSamples:
    """The inverse of :func:`as_rates`, for bins combined from it."""
    if samples.quantity == "COUNTS":
        return samples.with_values(rate=samples.rate * samples.exposure,
                                   error=samples.error * samples.exposure)
    if samples.quantity == "MAG":
        with np.errstate(invalid="ignore", divide="ignore"):
            flux = np.where(samples.rate > 0, samples.rate, np.nan)
            return samples.with_values(rate=-2.5 * np.log10(flux),
                                       error=_MAG_PER_LN_FLUX * samples.error / flux)
    return samples
