"""Headless science on decoded products: no widget library, no HTTP.

Modules import :mod:`oda_widgets.client` product types at most; :mod:`oda_widgets.widgets` builds
on them, never the reverse.

Light curves: :mod:`.light_curve_samples` (a product as arrays in seconds), :mod:`.decimate` (min
and max per pixel column for display), :mod:`.rebin` (coarser bins, counts conserved) and
:mod:`.time_axis` (UTC, MJD and seconds since T1).

Spectral fitting (``fit_extra``, ``channels``, ``spectral_models``, ``sherpa_models``,
``spectral_fit``): ``Spectrum.fit(...)`` folds an XSPEC-named model through the product's ARF and
RMF with Sherpa (the ``fit`` extra) and returns a :class:`~.spectral_fit.SpectralFit`.
"""

from .decimate import Decimated, minmax_columns
from .light_curve_samples import CurveSamples
from .rebin import Rebinned, rebin
from .time_axis import TimeAxis

__all__ = ["CurveSamples", "Decimated", "Rebinned", "TimeAxis", "minmax_columns", "rebin"]
