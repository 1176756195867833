"""A spectral fit's result: its numbers, the channels a plot draws, and its summaries.

What :func:`~oda_widgets.analysis.spectral_fit.fit_spectrum` returns; it holds no Sherpa
object, so it is kept, compared and printed without the ``fit`` extra.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .channels import ChannelSpectrum
from .spectral_models import MODELS, bin_integral, energy_flux, photon_density

__all__ = ["SpectralFit", "format_value"]


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
