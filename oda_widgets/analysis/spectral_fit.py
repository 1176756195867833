"""Fit a spectrum: an XSPEC-named model folded through the product's ARF and RMF, with Sherpa.

Sherpa reads the OGIP PHA, ARF and RMF (``sherpa.astro.io``, astropy backend), folds the model
through them and fits with Levenberg-Marquardt; errors are 1-sigma from the covariance matrix
(or Sherpa's confidence method on request). Two things Sherpa does differently from XSPEC are
handled here: it reads ``SYS_ERR`` as an absolute error, while OGIP (and the ODA user guide)
mean a fraction of the rate, so the systematic error is set from the fraction; and its RATE +
STAT_ERR spectra need its errors switched on (``use_errors``).

A parameter the data do not constrain (an energy that runs to its limit, or whose error is larger
than itself) is not given a meaningless error: its profile (the statistic with it fixed at each of a
grid of values, the others refitted) gives a 90 % limit, as XSPEC users quote it, and the other
parameters' errors are estimated with it frozen. A model that contains a simpler one (a cut-off or
broken power law contains the power law) is compared with it, and the result says when the simpler
model fits as well.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from ..client.products.spectrum import Spectrum
from .channels import ChannelSpectrum, channel_spectrum
from .fit_extra import require_fitting
from .loose_parameters import loose_note, profile, unconstrained, with_error
from .nested_models import SIMPLER, compare_simpler
from .sherpa_fit import estimate_errors, fit_model, quiet_sherpa, sherpa_data
from .spectral_fit_result import SpectralFit, format_value
from .spectral_models import model_spec

# SpectralFit and format_value live in spectral_fit_result.py; they are named here too, where
# users and the widgets have always imported them
__all__ = ["SpectralFit", "fit_spectrum", "format_value"]

STATISTICS = ("chi2", "cstat")
ERROR_METHODS = ("covariance", "confidence", None)
#: Above this reduced chi-square no errors are estimated (Sherpa's confidence method's limit).
MAX_REDUCED_CHI2 = 3.0


def _check_options(
    model: str,
    energy_range: Iterable[float] | None,
    systematic: float | None,
    statistic: str | None,
    start: Mapping[str, float] | None,
    freeze: Iterable[str],
    errors: str | None,
) -> tuple[tuple[float, float] | None, tuple[str, ...]]:
    spec = model_spec(model)
    bounds = None
    if energy_range is not None:
        try:
            lo, hi = (float(v) for v in energy_range)
        except (TypeError, ValueError):
            raise ValueError(
                f"energy_range must be two numbers in keV, e.g. (20, 300), not {energy_range!r}"
            ) from None
        if not 0 < lo < hi:
            raise ValueError(f"energy_range needs 0 < low < high keV, got ({lo:g}, {hi:g})")
        bounds = (lo, hi)
    if systematic is not None and not 0 <= systematic < 1:
        raise ValueError(
            f"systematic is a fraction of the rate between 0 and 1 (0.01 for 1 %), "
            f"not {systematic!r}"
        )
    if statistic not in (None, *STATISTICS):
        raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, not {statistic!r}")
    if errors not in ERROR_METHODS:
        raise ValueError(f"errors must be 'covariance', 'confidence' or None, not {errors!r}")
    names = spec.parameter_names
    unknown = [k for k in (*(start or {}), *freeze) if k not in names]
    if unknown:
        raise ValueError(
            f"{model} has no parameter {unknown[0]!r}: its parameters are {', '.join(names)}"
        )
    frozen = tuple(freeze)
    if set(frozen) >= set(names):
        raise ValueError("every parameter is frozen: leave at least one free to fit")
    return bounds, frozen


def fit_spectrum(
    spectrum: Spectrum,
    model: str = "powerlaw",
    energy_range: Iterable[float] | None = None,
    systematic: float | None = None,
    *,
    statistic: str | None = None,
    start: Mapping[str, float] | None = None,
    freeze: Iterable[str] = (),
    errors: str | None = "covariance",
) -> SpectralFit:
    """Fit ``model`` to ``spectrum`` folded through its ARF and RMF.

    Parameters
    ----------
    spectrum : oda_widgets.client.products.spectrum.Spectrum
        A spectrum with its RMF (and ARF, when the dispatcher sent one).
    model : str
        XSPEC name: ``"powerlaw"``, ``"cutoffpl"`` or ``"bknpower"``.
    energy_range : (float, float), optional
        keV; channels overlapping it are fitted. All channels of good quality by default.
    systematic : float, optional
        Fraction of the rate added in quadrature to each channel's error, as ``SYS_ERR``;
        by default the PHA's own ``SYS_ERR``.
    statistic : {"chi2", "cstat"}, optional
        Chi-square by default for spectra with errors (ISGRI's RATE + STAT_ERR), C-stat for
        counts with Poisson errors.
    start : dict, optional
        Starting values by parameter name (the defaults are the model's, with the
        normalisation scaled to the data).
    freeze : iterable of str
        Parameters kept at their starting value (e.g. ``("ebreak",)``).
    errors : {"covariance", "confidence", None}
        How the 1-sigma errors are found; None skips them.

    Returns
    -------
    SpectralFit

    Raises
    ------
    FitUnavailable
        Sherpa (the ``fit`` extra) is not installed; the message says how to install it.
    ValueError
        An unknown model or parameter, a range with no channels, too few channels for the
        free parameters, C-stat on a spectrum without counts, or a spectrum without RMF.
    """
    bounds, frozen = _check_options(model, energy_range, systematic, statistic, start, freeze,
                                    errors)
    require_fitting()
    from sherpa.stats import Chi2, CStat

    channels = channel_spectrum(spectrum)
    if statistic is None:
        statistic = "cstat" if channels.poisson else "chi2"
    fraction = float(systematic) if systematic is not None else float(np.max(channels.systematic))
    if statistic == "cstat" and not channels.poisson:
        raise ValueError(
            "C-stat needs counts with Poisson errors, but this spectrum holds rates with their "
            "own errors (background-subtracted): fit it with statistic='chi2'"
        )
    if statistic == "cstat" and fraction > 0:
        raise ValueError("a systematic error needs statistic='chi2'; C-stat has no error term")

    data = sherpa_data(spectrum)
    counts = np.asarray(data.counts, dtype=float)
    if data.staterror is None:
        data.staterror = np.sqrt(np.maximum(counts, 1.0))
    data.syserror = fraction * np.abs(counts) if fraction > 0 else None

    data.set_analysis("energy")
    if bounds is not None:
        data.notice(*bounds)
    mask = np.asarray(data.get_mask(), dtype=bool) & (channels.quality == 0)
    data.mask = mask
    spec = model_spec(model)
    free = tuple(n for n in spec.parameter_names if n not in frozen)
    if mask.sum() <= len(free):
        where = f"in {bounds[0]:g}-{bounds[1]:g} keV" if bounds else "of good quality"
        raise ValueError(
            f"{int(mask.sum())} channels {where} (the spectrum covers "
            f"{channels.e_lo.min():g}-{channels.e_hi.max():g} keV): too few to fit "
            f"{len(free)} parameters; widen energy_range"
        )

    stat = Chi2() if statistic == "chi2" else CStat()
    spec_model, fitter, result = fit_model(model, data, stat, start, frozen)
    best_stat = float(result.statval)
    notes: list[str] = []
    limits: dict[str, tuple[str, float]] = {}
    reduced = result.statval / result.dof if result.dof > 0 else math.inf
    rejected = statistic == "chi2" and reduced > MAX_REDUCED_CHI2
    estimate = None
    if errors is not None and rejected:
        # as Sherpa's confidence method (and XSPEC) do: errors of a model the data reject
        # would describe nothing
        notes.append(f"no errors: the reduced chi2 {reduced:.3g} is above {MAX_REDUCED_CHI2:g} "
                     "(the model does not describe these data)")
    elif errors is not None:
        estimate, failure = estimate_errors(fitter, errors)
        if failure:
            notes.append(f"no errors: {failure}")
        best = spec_model.values()
        loose = [name for name in free if unconstrained(spec_model, name, estimate)]
        for name in loose:
            side, value, sigma = profile(fitter, spec_model, name, best, best_stat,
                                         bounds or _span(channels.e_lo, channels.e_hi))
            if sigma is not None:   # the profile bounds it after all: its error is from there
                if estimate is not None:
                    estimate = with_error(estimate, name, sigma)
                continue
            limits[name] = (side, value)
        if limits:
            # the others' errors with the loose parameters frozen at their best values
            for name, value in best.items():
                getattr(spec_model, name).val = value
            for name in limits:
                getattr(spec_model, name).freeze()
            with quiet_sherpa():
                fitter.fit()
            estimate, failure = estimate_errors(fitter, errors)
            if failure:
                notes.append(f"no errors: {failure}")
            for name, (side, value) in limits.items():
                notes.append(loose_note(name, side, value, getattr(spec_model, name).val,
                                        model))
    intervals: dict[str, tuple[float, float]] = {}
    covariance = None
    error_free: tuple[str, ...] = tuple(n for n in free if n not in limits)
    if estimate is not None:
        for name, low, high in zip(estimate.parnames, estimate.parmins, estimate.parmaxes,
                                   strict=True):
            short = name.split(".", 1)[1]
            intervals[short] = (
                float(low) if low is not None else math.nan,
                float(high) if high is not None else math.nan,
            )
        if errors == "covariance" and estimate.extra_output is not None:
            covariance = np.asarray(estimate.extra_output, dtype=float)
            error_free = tuple(n.split(".", 1)[1] for n in estimate.parnames)

    best = spec_model.values()
    for name in free:
        parameter = getattr(spec_model, name)
        if name not in limits and parameter.val in (parameter.hard_min, parameter.hard_max):
            notes.append(f"{name} stopped at its limit {parameter.val:g}: the data do not "
                         "constrain it in this range")
    values: dict[str, tuple[float, float | None]] = {}
    for name in spec.parameter_names:
        if name in frozen:
            values[name] = (best[name], None)
        elif name in intervals and name not in limits:
            low, high = intervals[name]
            values[name] = (best[name], _half_width(low, high))
        else:
            values[name] = (best[name], math.nan)

    simpler: tuple[str, float, int] | None = None
    hints: tuple[str, ...] = ()
    if model in SIMPLER and not rejected:
        simpler, hints = compare_simpler(model, data, stat, start, frozen, best_stat,
                                         len(free))

    exposure = channels.exposure
    fitted = ChannelSpectrum(
        e_lo=channels.e_lo[mask], e_hi=channels.e_hi[mask], rate=channels.rate[mask],
        error=channels.error[mask], quality=channels.quality[mask],
        systematic=np.full(int(mask.sum()), fraction), exposure=exposure,
        poisson=channels.poisson,
    )
    noticed = channels.e_lo[mask], channels.e_hi[mask]
    full = fitter.model
    return SpectralFit(
        model=model,
        values=values,
        statistic=best_stat,
        statistic_name=statistic,
        dof=int(result.dof),
        energy_range=bounds or _span(*noticed),
        systematic=fraction,
        source=getattr(spectrum, "source", None),
        intervals=intervals,
        covariance=covariance,
        free=error_free if covariance is not None else free,
        channels=fitted,
        total_error=np.asarray(data.get_error(filter=True), dtype=float) / exposure,
        folded=np.asarray(data.eval_model_to_fit(full), dtype=float) / exposure,
        notes=tuple(notes),
        limits=limits,
        simpler=simpler,
        hints=hints,
    )


def _span(lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]) -> tuple[float, float]:
    """The energies the fitted channels cover; a channel from 0 keV (JEM-X's first) counts
    from its upper edge, so the span stays usable on log axes and for band fluxes."""
    positive = lo[lo > 0]
    return (float(positive.min()) if positive.size else float(hi.min()), float(hi.max()))


def _half_width(low: float, high: float) -> float:
    """One error from a (lower, upper) interval: their mean size, or the one that exists."""
    sizes = [abs(v) for v in (low, high) if math.isfinite(v)]
    return float(np.mean(sizes)) if sizes else math.nan
