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

import contextlib
import html
import io
import logging
import math
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from astropy.io import fits

from ..client.products.kinds import NumpyProduct
from ..client.products.spectrum import Spectrum, spectrum_hdu_index
from .channels import ChannelSpectrum, channel_spectrum
from .fit_extra import require_fitting
from .spectral_models import MODELS, bin_integral, energy_flux, model_spec, photon_density

__all__ = ["SpectralFit", "fit_spectrum", "format_value"]

STATISTICS = ("chi2", "cstat")
ERROR_METHODS = ("covariance", "confidence", None)
#: Above this reduced chi-square no errors are estimated (Sherpa's confidence method's limit).
MAX_REDUCED_CHI2 = 3.0
#: Rise of the statistic that bounds a 1-sigma interval of one parameter, and a 90 % one.
DELTA_1_SIGMA = 1.0
DELTA_90 = 2.706
#: Rise of the statistic at 90 % for 1 and 2 parameters more (chi-square quantiles): a simpler
#: model whose statistic is within this of the fuller one's fits as well.
DELTA_90_FOR = {1: 2.706, 2: 4.605, 3: 6.251}
#: The simpler model inside each model, and its name in words.
SIMPLER = {"cutoffpl": ("powerlaw", "a power law", "the cut-off"),
           "bknpower": ("powerlaw", "a power law", "the break")}
#: Points of a parameter's profile (log-spaced from its lower limit to its upper one).
PROFILE_POINTS = 16

# Sherpa's responses, read once per ARF/RMF product (a fit that follows edits re-reads only the
# PHA): keyed weakly by the product objects, so they go when the products go
_RESPONSES: weakref.WeakKeyDictionary[NumpyProduct, Any] = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def _quiet_sherpa() -> Iterator[None]:
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
        with _quiet_sherpa():
            cached = reader(_reopened(product.hdulist))
        _RESPONSES[product] = cached
    return cached


def _sherpa_data(spectrum: Spectrum) -> Any:
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
    with _quiet_sherpa():
        data = sherpa_io.read_pha(pha_hdus, use_errors=True)
    data.name = spectrum.name
    data.set_response(arf, rmf)
    return data


@dataclass
class SpectralFit:
    """The result of a spectral fit.

    Attributes
    ----------
    model : str
        The XSPEC name of the model.
    values : dict
        ``{parameter: (best fit, 1-sigma error)}``; the error is None for a frozen parameter.
    statistic : float
        The fit statistic at the best fit (chi-square or C-stat).
    statistic_name : str
        ``"chi2"`` or ``"cstat"``.
    dof : int
        Degrees of freedom: channels fitted minus free parameters.
    energy_range : tuple of float
        The energies fitted, keV.
    systematic : float
        Fractional systematic error added in quadrature to every channel.
    source : str or None
        The spectrum's source.
    intervals : dict
        ``{parameter: (lower, upper)}`` offsets of the 1-sigma interval (asymmetric with the
        confidence method).
    covariance : numpy.ndarray or None
        Covariance matrix of the free parameters, in the order of ``free``.
    free : tuple of str
        The parameters that were fitted.
    channels : ChannelSpectrum
        The fitted channels (energies, rate, statistical errors).
    total_error : numpy.ndarray
        Error per fitted channel including the systematic one, counts/s.
    folded : numpy.ndarray
        The best-fit model folded through ARF and RMF, counts/s per fitted channel.
    notes : tuple of str
        What a reader of the numbers should know: a parameter the data do not constrain,
        errors that were not estimated and why.
    limits : dict
        ``{parameter: ("lower" | "upper", value)}`` for a parameter the data do not constrain:
        its 90 % limit (``("none", nan)`` when every value within its bounds fits). Its error in
        ``values`` is NaN, and the other errors were estimated with it frozen at its best value.
    simpler : tuple or None
        ``(model, statistic, parameters fewer)`` of the simpler model this one contains, when
        that was fitted to the same channels.
    hints : tuple of str
        Advice on the model, e.g. that a power law fits as well.
    """

    model: str
    values: dict[str, tuple[float, float | None]]
    statistic: float
    statistic_name: str
    dof: int
    energy_range: tuple[float, float]
    systematic: float
    source: str | None
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    covariance: npt.NDArray[np.float64] | None = None
    free: tuple[str, ...] = ()
    channels: ChannelSpectrum | None = None
    total_error: npt.NDArray[np.float64] | None = None
    folded: npt.NDArray[np.float64] | None = None
    notes: tuple[str, ...] = ()
    limits: dict[str, tuple[str, float]] = field(default_factory=dict)
    simpler: tuple[str, float, int] | None = None
    hints: tuple[str, ...] = ()

    # -- numbers -------------------------------------------------------------------------
    @property
    def best(self) -> dict[str, float]:
        """Best-fit values alone, by parameter name."""
        return {name: value for name, (value, _) in self.values.items()}

    @property
    def reduced_statistic(self) -> float:
        return self.statistic / self.dof if self.dof > 0 else math.nan

    def flux(self, e1: float, e2: float) -> float:
        """Energy flux of the best-fit model in ``e1``-``e2`` keV, erg cm^-2 s^-1."""
        return energy_flux(self.model, self.best, float(e1), float(e2))

    def flux_error(self, e1: float, e2: float) -> float:
        """1-sigma error of :meth:`flux`, propagated from the covariance matrix."""
        if self.covariance is None or not self.free:
            return math.nan
        best = self.best
        gradient = []
        for name in self.free:
            step = 1e-4 * max(abs(best[name]), 1e-3)
            up, down = dict(best), dict(best)
            up[name] += step
            down[name] -= step
            gradient.append((energy_flux(self.model, up, e1, e2)
                             - energy_flux(self.model, down, e1, e2)) / (2 * step))
        g = np.asarray(gradient)
        return float(np.sqrt(max(g @ self.covariance @ g, 0.0)))

    def photon_density(self, energy: Any) -> npt.NDArray[np.float64]:
        """The best-fit N(E), ph cm^-2 s^-1 keV^-1, at ``energy`` keV."""
        return photon_density(self.model, self.best, np.asarray(energy, dtype=float))

    # -- what a plot needs -----------------------------------------------------------------
    def fitted_channels(
        self,
    ) -> tuple[ChannelSpectrum, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The fitted channels, the folded model and the total errors: what a plot of the fit
        draws, which :func:`fit_spectrum` always fills in.

        Raises
        ------
        ValueError
            For a fit built otherwise, without them (it has nothing to plot).
        """
        if self.channels is None or self.folded is None or self.total_error is None:
            raise ValueError(
                "this fit holds no fitted channels (channels, folded, total_error): only a "
                "fit made by fit_spectrum has residuals and an unfolded spectrum"
            )
        return self.channels, self.folded, self.total_error

    @property
    def residuals(self) -> npt.NDArray[np.float64]:
        """(data - model) / error per fitted channel."""
        channels, folded, total_error = self.fitted_channels()
        return (channels.rate - folded) / total_error

    def unfolded(
        self,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """The unfolded spectrum E^2 N(E) at the fitted channels, keV^2 ph cm^-2 s^-1 keV^-1.

        As XSPEC's ``eufspec``: each channel's data over the folded model, times the model's
        mean photon flux density in that channel.

        Returns
        -------
        energy, e2n, error : numpy.ndarray
        """
        ch, folded, total_error = self.fitted_channels()
        mean_density = bin_integral(self.model, self.best, ch.e_lo, ch.e_hi) / ch.width
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(folded != 0, ch.rate / folded, np.nan)
            ratio_error = np.where(folded != 0, total_error / np.abs(folded), np.nan)
        e2 = ch.energy**2
        return ch.energy, e2 * ratio * mean_density, e2 * ratio_error * mean_density

    # -- summaries -------------------------------------------------------------------------
    def parameter_rows(self) -> list[tuple[str, str, str]]:
        """(name, value with error, unit) per parameter, as the summaries show them."""
        units = {p.name: p.units for p in MODELS[self.model].parameters}
        rows = []
        for name, (value, error) in self.values.items():
            unit = units.get(name, "")
            if name in self.limits:
                side, limit = self.limits[name]
                text = _limit_text(side, limit)
                unit = f"{unit} (90 %)" if side != "none" else ""
            else:
                text = format_value(value, error)
            rows.append((name, text, "" if "at 1 keV" in unit else unit))
        return rows

    def flux_band(self) -> tuple[float, float]:
        """The band of the summary's flux: 20-80 keV (the user guide's ``cflux`` band) when
        fitted, else the fitted range."""
        lo, hi = self.energy_range
        return (20.0, 80.0) if lo <= 20.0 and hi >= 80.0 else (lo, hi)

    def summary(self) -> str:
        """A few lines of plain text: model, parameters with errors, statistic, a flux."""
        lo, hi = self.energy_range
        head = f"{self.model} fit of {self.source or 'the spectrum'}, {lo:g}-{hi:g} keV"
        if self.systematic:
            head += f", systematic {self.systematic:.3g}"
        lines = [head]
        width = max(len(name) for name, _, _ in self.parameter_rows())
        for name, value, unit in self.parameter_rows():
            lines.append(f"  {name:<{width}}  {value}{' ' + unit if unit else ''}")
        lines.append(self.statistic_text())
        lines.extend(f"note: {note}" for note in self.notes)
        lines.extend(f"hint: {hint}" for hint in self.hints)
        lines.append(self.flux_text())
        return "\n".join(lines)

    def flux_text(self) -> str:
        """E.g. ``flux 20-80 keV: 1.49e-08 +/- 2.7e-11 erg cm^-2 s^-1``."""
        e1, e2 = self.flux_band()
        return (f"flux {e1:g}-{e2:g} keV: {self.flux(e1, e2):.4g} "
                f"+/- {self.flux_error(e1, e2):.2g} erg cm^-2 s^-1")

    def statistic_text(self) -> str:
        """E.g. ``chi2 108.1 for 110 dof (reduced 0.98)``."""
        return (f"{self.statistic_name} {self.statistic:.1f} for {self.dof} dof "
                f"(reduced {self.reduced_statistic:.2f})")

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        best = ", ".join(f"{k}={v:.4g}" for k, v in self.best.items())
        return f"<SpectralFit {self.model} {best}; {self.statistic_text()}>"

    def _repr_html_(self) -> str:
        lo, hi = self.energy_range
        e = html.escape
        rows = "".join(
            f"<tr><td>{e(name)}</td><td>{e(value)}</td><td>{e(unit)}</td></tr>"
            for name, value, unit in self.parameter_rows()
        )
        e1, e2 = self.flux_band()
        return (
            f"<div><b>{e(self.model)}</b> fit of {e(self.source or 'the spectrum')}, "
            f"{lo:g}-{hi:g} keV<table>{rows}</table>{e(self.statistic_text())}<br>"
            + "".join(f"note: {e(note)}<br>" for note in self.notes)
            + "".join(f"hint: {e(hint)}<br>" for hint in self.hints) +
            f"flux {e1:g}-{e2:g} keV: {self.flux(e1, e2):.4g} erg cm<sup>-2</sup> "
            f"s<sup>-1</sup></div>"
        )


def format_value(value: float, error: float | None) -> str:
    """``1.502 +/- 0.012`` with digits set by the error; ``(frozen)`` without one."""
    if error is None:
        return f"{value:.4g} (frozen)"
    if not math.isfinite(error) or error <= 0:
        return f"{value:.4g} (no error)"
    digits = max(0, 1 - int(math.floor(math.log10(error))))
    if abs(value) >= 1e4 or (value != 0 and abs(value) < 1e-3):
        return f"{value:.3e} +/- {error:.2e}"
    return f"{value:.{digits}f} +/- {error:.{digits}f}"


def _limit_text(side: str, value: float) -> str:
    """A 90 % limit as the summaries show it: ``> 180`` (or ``unconstrained``)."""
    if side == "lower":
        return f"> {value:.3g}"
    if side == "upper":
        return f"< {value:.3g}"
    return "unconstrained"


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

    data = _sherpa_data(spectrum)
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
    spec_model, fitter, result = _fit_model(model, data, stat, start, frozen)
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
        estimate, failure = _estimate(fitter, errors)
        if failure:
            notes.append(f"no errors: {failure}")
        best = spec_model.values()
        loose = [name for name in free if _unconstrained(spec_model, name, estimate)]
        for name in loose:
            side, value, sigma = _profile(fitter, spec_model, name, best, best_stat,
                                          bounds or _span(channels.e_lo, channels.e_hi))
            if sigma is not None:   # the profile bounds it after all: its error is from there
                if estimate is not None:
                    estimate = _with_error(estimate, name, sigma)
                continue
            limits[name] = (side, value)
        if limits:
            # the others' errors with the loose parameters frozen at their best values
            for name, value in best.items():
                getattr(spec_model, name).val = value
            for name in limits:
                getattr(spec_model, name).freeze()
            with _quiet_sherpa():
                fitter.fit()
            estimate, failure = _estimate(fitter, errors)
            if failure:
                notes.append(f"no errors: {failure}")
            for name, (side, value) in limits.items():
                notes.append(_loose_note(name, side, value, getattr(spec_model, name).val,
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
        simpler, hints = _compare_simpler(model, data, stat, start, frozen, best_stat,
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


def _fit_model(model: str, data: Any, stat: Any, start: Mapping[str, float] | None,
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
    with _quiet_sherpa():
        result = fitter.fit()
    return spec_model, fitter, result


def _estimate(fitter: Any, errors: str) -> tuple[Any, str]:
    """1-sigma errors of the free parameters, or None and why not."""
    from sherpa.estmethods import Confidence, Covariance
    from sherpa.utils.err import EstErr

    fitter.estmethod = Confidence() if errors == "confidence" else Covariance()
    fitter.estmethod.config["sigma"] = 1
    try:
        with _quiet_sherpa():
            return fitter.est_errors(), ""
    except EstErr as exc:
        return None, str(exc)


def _unconstrained(spec_model: Any, name: str, estimate: Any) -> bool:
    """Whether an energy parameter (a cut-off, a break) is left loose by the data: at a hard
    limit, without a finite error, or with an error larger than itself."""
    parameter = getattr(spec_model, name)
    if parameter.units != "keV":
        return False
    if parameter.val in (parameter.hard_min, parameter.hard_max):
        return True
    if estimate is None:
        return True
    for full_name, low, high in zip(estimate.parnames, estimate.parmins, estimate.parmaxes,
                                    strict=True):
        if full_name.split(".", 1)[1] == name:
            sizes = [abs(v) for v in (low, high) if v is not None and math.isfinite(v)]
            return len(sizes) < 2 or max(sizes) > abs(parameter.val)
    return True


def _profile(fitter: Any, spec_model: Any, name: str, best: Mapping[str, float],
             best_stat: float, energies: tuple[float, float]
             ) -> tuple[str, float, float | None]:
    """The statistic with ``name`` fixed at a grid of values and the rest refitted.

    Returns the side and value of its 90 % limit (``("none", nan)`` when it rises nowhere by
    2.7), and its 1-sigma error when the profile bounds it on both sides after all.
    """
    parameter = getattr(spec_model, name)
    low = max(parameter.hard_min, 0.5 * energies[0])
    grid = np.unique(np.append(np.geomspace(low, parameter.hard_max, PROFILE_POINTS),
                               best[name]))
    stats = []
    parameter.freeze()
    try:
        for value in grid:
            for other, start in best.items():
                getattr(spec_model, other).val = start
            parameter.val = float(value)
            with _quiet_sherpa():
                stats.append(float(fitter.fit().statval))
    finally:
        parameter.thaw()
        for other, start in best.items():
            getattr(spec_model, other).val = start
    rise = np.asarray(stats) - min(best_stat, min(stats))
    at = int(np.argmin(rise))
    log_grid = np.log(grid)

    def crossing(level: float, side: int) -> float | None:
        # the first grid step away from the minimum where the rise passes ``level``
        steps = range(at, -1, -1) if side < 0 else range(at, len(grid))
        previous = at
        for i in steps:
            if rise[i] >= level:
                a, b = rise[previous], rise[i]
                t = (level - a) / (b - a) if b > a else 0.0
                return float(np.exp(log_grid[previous] + t * (log_grid[i] - log_grid[previous])))
            previous = i
        return None

    below, above = crossing(DELTA_1_SIGMA, -1), crossing(DELTA_1_SIGMA, +1)
    if below is not None and above is not None and parameter.val not in (
            parameter.hard_min, parameter.hard_max):
        return "", math.nan, 0.5 * (above - below)
    lower, upper = crossing(DELTA_90, -1), crossing(DELTA_90, +1)
    if lower is not None and upper is None:
        return "lower", lower, None
    if upper is not None and lower is None:
        return "upper", upper, None
    return "none", math.nan, None


def _with_error(estimate: Any, name: str, sigma: float) -> Any:
    """``estimate`` with ``name``'s interval set to +/- ``sigma`` (from its profile)."""
    names = [n.split(".", 1)[1] for n in estimate.parnames]
    index = names.index(name)
    lows, highs = list(estimate.parmins), list(estimate.parmaxes)
    lows[index], highs[index] = -sigma, sigma
    estimate.parmins, estimate.parmaxes = tuple(lows), tuple(highs)
    return estimate


def _loose_note(name: str, side: str, value: float, frozen_at: float, model: str) -> str:
    spec = model_spec(model)
    others = ", ".join(p for p in spec.parameter_names if p != name)
    unit = next((f" {p.units}" for p in spec.parameters if p.name == name and p.units), "")
    if side == "none":
        bound = "any value within its bounds fits"
    else:
        bound = f"{'>' if side == 'lower' else '<'} {value:.3g}{unit} at 90 %"
    at = f"{frozen_at:.0f}" if abs(frozen_at) >= 10 else f"{frozen_at:.3g}"
    return (f"{name} is not constrained by these data ({bound}); the errors of {others} are "
            f"with {name} frozen at its best fit, {at}{unit}")


def _compare_simpler(model: str, data: Any, stat: Any, start: Mapping[str, float] | None,
                     frozen: tuple[str, ...], best_stat: float, free_count: int
                     ) -> tuple[tuple[str, float, int] | None, tuple[str, ...]]:
    """The simpler model this one contains, fitted to the same channels, and a hint when it
    fits as well (its statistic within the 90 % rise for the parameters it lacks)."""
    simpler, words, extra = SIMPLER[model]
    names = model_spec(simpler).parameter_names
    kept = tuple(name for name in frozen if name in names)
    starts = {k: v for k, v in (start or {}).items() if k in names}
    try:
        _, _, result = _fit_model(simpler, data, stat, starts, kept)
    except Exception:  # noqa: BLE001 - a failed comparison only means no hint
        logging.getLogger(__name__).info("no %s fit to compare", simpler, exc_info=True)
        return None, ()
    fewer = free_count - (len(model_spec(simpler).parameter_names) - len(kept))
    rise = float(result.statval) - best_stat
    compared = (simpler, float(result.statval), fewer)
    if fewer <= 0 or fewer not in DELTA_90_FOR or rise >= DELTA_90_FOR[fewer]:
        return compared, ()
    name = "chi2" if type(stat).__name__ == "Chi2" else "C-stat"
    fewer_words = "one parameter" if fewer == 1 else f"{fewer} parameters"
    return compared, (f"{words} ({simpler}) fits as well ({name} only {max(rise, 0):.1f} higher "
                      f"with {fewer_words} fewer): these data do not need {extra}",)


def _span(lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]) -> tuple[float, float]:
    """The energies the fitted channels cover; a channel from 0 keV (JEM-X's first) counts
    from its upper edge, so the span stays usable on log axes and for band fluxes."""
    positive = lo[lo > 0]
    return (float(positive.min()) if positive.size else float(hi.min()), float(hi.max()))


def _half_width(low: float, high: float) -> float:
    """One error from a (lower, upper) interval: their mean size, or the one that exists."""
    sizes = [abs(v) for v in (low, high) if math.isfinite(v)]
    return float(np.mean(sizes)) if sizes else math.nan
