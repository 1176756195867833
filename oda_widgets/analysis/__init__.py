"""Headless science on decoded products: no widget library, no HTTP.

Modules import :mod:`oda_widgets.client` product types at most; :mod:`oda_widgets.widgets` builds
on them, never the reverse.

Spectral fitting (``fit_extra``, ``channels``, ``spectral_models``, ``sherpa_models``,
``spectral_fit``): ``Spectrum.fit(...)`` folds an XSPEC-named model through the product's ARF and
RMF with Sherpa (the ``fit`` extra) and returns a :class:`~.spectral_fit.SpectralFit`.
"""
