"""Sherpa's side of a spectral fit: a Spectrum read as a DataPHA with its ARF and RMF, one
model fitted with Levenberg-Marquardt from a normalisation matched to the counts, and its 1-sigma
errors, with Sherpa's log kept quiet.
"""

from __future__ import annotations

import contextlib
import io
import logging
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import numpy as np
from astropy.io import fits

from ..client.products.kinds import NumpyProduct
from ..client.products.spectrum import Spectrum, spectrum_hdu_index

__all__ = ["estimate_errors", "fit_model", "quiet_sherpa", "sherpa_data"]

# Sherpa's responses, read once per ARF/RMF product (a fit that follows edits re-reads only the
# PHA): keyed weakly by the product objects, so they go when the products go
_RESPONSES: weakref.WeakKeyDictionary[NumpyProduct, Any] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def quiet_sherpa() -> Iterator[None]:
    """Sherpa logs what it reads, and parameters at their limits while it estimates errors;
    a fit keeps the notebook quiet and reports an unconstrained parameter in its result."""
    logger = logging.getLogger("sherpa")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _reopened(hdulist: fits.HDUList) -> fits.HDUList:
    """The HDUList written to memory and read back.

    Variable-length arrays built in memory (as decoded products hold them) lack what astropy
    gives arrays read from a file, and Sherpa's RMF reader needs that; a round trip through
    bytes costs about 20 ms for an ISGRI RMF, once per product.
    """
    buffer = io.BytesIO()
    hdulist.writeto(buffer, output_verify="silentfix")
    buffer.seek(0)
    return fits.open(buffer, memmap=False)


def _response(product: NumpyProduct, reader: Callable[[fits.HDUList], Any]) -> Any:
    # Sherpa's response objects: Sherpa ships no types
    cached = _RESPONSES.get(product)
    if cached is None:
        with quiet_sherpa():
            cached = reader(_reopened(product.hdulist))
        _RESPONSES[product] = cached
    return cached


def sherpa_data(spectrum: Spectrum) -> Any:
    """A Sherpa DataPHA of the spectrum with its ARF and RMF attached."""
    from sherpa.astro import io as sherpa_io

    if spectrum.rmf_product is None:
        raise ValueError(
            f"spectrum {spectrum.name!r} came without its RMF, so no model can be folded: ask "
            "the dispatcher for the spectrum product, which sends PHA, ARF and RMF together"
        )
    rmf = _response(spectrum.rmf_product, sherpa_io.read_rmf)
    arf = (_response(spectrum.arf_product, sherpa_io.read_arf)
           if spectrum.arf_product is not None else None)
    pha_hdus = fits.HDUList([fits.PrimaryHDU(), spectrum.pha[spectrum_hdu_index(spectrum.pha)]])
    with quiet_sherpa():
        data = sherpa_io.read_pha(pha_hdus, use_errors=True)
    data.name = spectrum.name
    data.set_response(arf, rmf)
    return data


def fit_model(model: str, data: Any, stat: Any, start: Mapping[str, float] | None,
              frozen: Iterable[str]) -> tuple[Any, Any, Any]:
    """``model`` fitted to ``data``: the Sherpa model, its ``Fit`` and the fit's result."""
    from sherpa.fit import Fit
    from sherpa.optmethods import LevMar

    from .sherpa_models import sherpa_model

    spec_model = sherpa_model(model)
    for name, value in (start or {}).items():
        getattr(spec_model, name).val = float(value)
    full = data.get_full_response()(spec_model)
    if "norm" not in (start or {}):
        # the model is linear in its normalisation: scale the start to the data's counts
        predicted = np.sum(data.eval_model_to_fit(full))
        observed = np.sum(data.get_dep(filter=True))
        if predicted > 0 and observed > 0:
            spec_model.norm.val = float(np.clip(spec_model.norm.val * observed / predicted,
                                                spec_model.norm.min, spec_model.norm.max))
    for name in frozen:
        getattr(spec_model, name).freeze()
    fitter = Fit(data, full, stat, LevMar())
    with quiet_sherpa():
        result = fitter.fit()
    return spec_model, fitter, result


def estimate_errors(fitter: Any, errors: str) -> tuple[Any, str]:
    """1-sigma errors of the free parameters, or None and why not."""
    from sherpa.estmethods import Confidence, Covariance
    from sherpa.utils.err import EstErr

    fitter.estmethod = Confidence() if errors == "confidence" else Covariance()
    fitter.estmethod.config["sigma"] = 1
    try:
        with quiet_sherpa():
            return fitter.est_errors(), ""
    except EstErr as exc:
        return None, str(exc)
