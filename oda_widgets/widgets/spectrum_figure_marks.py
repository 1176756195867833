"""The bqplot marks of one spectrum in the spectrum view's three figures (count rate with its
error bars and upper limits, residuals, unfolded spectrum), in its source's colour and marker,
and what a display grouping, a fit or a highlight changes in them.

The arrays the marks are given are made in ``spectrum_marks.py``; the view that lays the figures
out and holds the controls is ``spectrum.py``.
"""

from __future__ import annotations

from typing import Any

import bqplot as bq
import numpy as np

from ..analysis.channels import ChannelSpectrum
from ..analysis.display_groups import DisplayGroups, group_channels
from ..analysis.spectral_fit import SpectralFit
from ..analysis.spectral_models import bin_integral
from .source_colours import source_style
from .spectrum_marks import darker, error_bars, positive, step_curve, upper_limits

__all__ = ["FADED", "MAX_GROUP", "SpectrumMarks"]

#: Display grouping: the most channels in one bin.
MAX_GROUP = 24
#: Opacity of the spectra that are not highlighted while one is.
FADED = 0.2

class SpectrumMarks:
    """The marks of one spectrum in the three figures."""

    def __init__(self, label: str, channels: ChannelSpectrum, scales: dict[str, Any],
                 min_significance: float) -> None:
        self.label = label
        self.channels = channels
        style = source_style(label)
        colour, symbol = style.colour, style.symbol
        self.style = style
        data = {"x": scales["x"], "y": scales["rate"]}
        self.points = bq.Scatter(x=[1.0], y=[1.0], scales=data, colors=[colour], stroke="#333333",
                                 marker=symbol, default_size=28, tooltip=None)
        self.bars = bq.Lines(x=[[1.0, 1.0]], y=[[1.0, 1.0]], scales=data, colors=[colour],
                             stroke_width=1.2)
        self.limits = bq.Lines(x=[[1.0, 1.0]], y=[[1.0, 1.0]], scales=data, colors=[colour],
                               stroke_width=1.2)
        self.limit_heads = bq.Scatter(x=[1.0], y=[1.0], scales=data, colors=[colour],
                                      marker="triangle-down", default_size=22, tooltip=None)
        self.folded = bq.Lines(x=[1.0, 2.0], y=[1.0, 1.0], scales=data, colors=[darker(colour)],
                               stroke_width=2.0, visible=False)
        residual = {"x": scales["x"], "y": scales["residual"]}
        self.residual_points = bq.Scatter(x=[1.0], y=[0.0], scales=residual, colors=[colour],
                                          stroke="#333333", marker=symbol, default_size=22,
                                          visible=False)
        self.residual_bars = bq.Lines(x=[[1.0, 1.0]], y=[[0.0, 0.0]], scales=residual,
                                      colors=[colour], stroke_width=1, visible=False)
        unfolded = {"x": scales["x_unfolded"], "y": scales["unfolded"]}
        self.unfolded_points = bq.Scatter(x=[1.0], y=[1.0], scales=unfolded, colors=[colour],
                                          stroke="#333333", marker=symbol, default_size=22,
                                          visible=False)
        self.unfolded_bars = bq.Lines(x=[[1.0, 1.0]], y=[[1.0, 1.0]], scales=unfolded,
                                      colors=[colour], stroke_width=1, visible=False)
        self.model_curve = bq.Lines(x=[1.0, 2.0], y=[1.0, 1.0], scales=unfolded,
                                    colors=[darker(colour)], stroke_width=2.0, visible=False)
        self.visible = True
        self.groups = self.group(min_significance)

    # -- the data, grouped for display -------------------------------------------------------
    def group(self, min_significance: float) -> DisplayGroups:
        """Group the channels for display and draw them (points, and upper limits)."""
        ch = self.channels
        usable = ch.e_lo > 0  # a channel from 0 keV has no place on a log axis
        where = np.flatnonzero(usable)
        groups = group_channels(ch.e_lo[usable], ch.e_hi[usable], ch.rate[usable],
                                ch.error[usable], min_significance, MAX_GROUP)
        self.groups = groups
        self.offset = int(where[0]) if where.size else 0
        sig = groups.significant
        x, y = groups.energy[sig], groups.rate_per_kev[sig]
        with self.points.hold_sync():
            self.points.x, self.points.y = x, y
        bx, by = error_bars(x, y, groups.error_per_kev[sig], groups.e_lo[sig], groups.e_hi[sig])
        with self.bars.hold_sync():
            self.bars.x, self.bars.y = bx, by
        lx, ly, hx, hy = upper_limits(groups.energy[~sig], groups.e_lo[~sig], groups.e_hi[~sig],
                                      groups.upper_limit_per_kev[~sig])
        with self.limits.hold_sync():
            self.limits.x, self.limits.y = lx, ly
        with self.limit_heads.hold_sync():
            self.limit_heads.x, self.limit_heads.y = hx, hy
        return groups

    def rate_span(self) -> tuple[float, float]:
        """Smallest and largest value drawn (points with their bars, limits with their arrows)."""
        g = self.groups
        sig = g.significant
        values = [g.rate_per_kev[sig] + g.error_per_kev[sig], g.rate_per_kev[sig],
                  g.upper_limit_per_kev[~sig], g.upper_limit_per_kev[~sig] / 2.5]
        every = np.concatenate(values)
        every = every[positive(every)]
        return (float(every.min()), float(every.max())) if every.size else (1e-3, 1.0)

    def data_marks(self) -> list[Any]:
        return [self.bars, self.limits, self.limit_heads, self.points, self.folded]

    def residual_marks(self) -> list[Any]:
        return [self.residual_bars, self.residual_points]

    def unfolded_marks(self) -> list[Any]:
        return [self.unfolded_bars, self.unfolded_points, self.model_curve]

    def show(self, visible: bool, fitted: bool) -> None:
        self.visible = visible
        for mark in (self.points, self.bars, self.limits, self.limit_heads):
            mark.visible = visible
        for mark in (self.folded, *self.residual_marks(), *self.unfolded_marks()):
            mark.visible = visible and fitted

    def fade(self, faded: bool) -> None:
        opacity = FADED if faded else 1.0
        for mark in (self.points, self.limit_heads, self.residual_points, self.unfolded_points):
            mark.default_opacities = [opacity]
        for mark in (self.bars, self.limits, self.folded, self.residual_bars,
                     self.unfolded_bars, self.model_curve):
            mark.opacities = [opacity]

    def show_fit(self, fit: SpectralFit, min_significance: float) -> None:
        ch, folded, total_error = fit.fitted_channels()
        on_axis = ch.e_lo > 0  # a channel from 0 keV has no place on a log axis
        lo, hi = ch.e_lo[on_axis], ch.e_hi[on_axis]
        with self.folded.hold_sync():
            self.folded.x, self.folded.y = step_curve(lo, hi, (folded / ch.width)[on_axis])
        # residuals and the unfolded spectrum on display groups of the fitted channels
        groups = group_channels(lo, hi, ch.rate[on_axis], total_error[on_axis],
                                min_significance, MAX_GROUP)
        data = groups.rate
        model = groups.sum(folded[on_axis])
        error = groups.quadrature(total_error[on_axis])
        residuals = (data - model) / error
        with self.residual_points.hold_sync():
            self.residual_points.x, self.residual_points.y = groups.energy, residuals
        rx, ry = error_bars(groups.energy, residuals, np.ones_like(residuals), groups.e_lo,
                            groups.e_hi, log_y=False)
        with self.residual_bars.hold_sync():
            self.residual_bars.x, self.residual_bars.y = rx, ry
        # as XSPEC's eufspec: data over folded model, times the model's E^2 N(E) in the group
        energy = groups.energy
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(model != 0, data / model, np.nan)
            ratio_error = np.where(model != 0, error / np.abs(model), np.nan)
        mean_density = bin_integral(fit.model, fit.best, groups.e_lo, groups.e_hi) / groups.width
        e2n = energy**2 * ratio * mean_density
        e2n_error = energy**2 * ratio_error * mean_density
        shown = positive(e2n) & groups.significant
        with self.unfolded_points.hold_sync():
            self.unfolded_points.x, self.unfolded_points.y = energy[shown], e2n[shown]
        ux, uy = error_bars(energy[shown], e2n[shown], e2n_error[shown], groups.e_lo[shown],
                            groups.e_hi[shown])
        with self.unfolded_bars.hold_sync():
            self.unfolded_bars.x, self.unfolded_bars.y = ux, uy
        grid = np.geomspace(*fit.energy_range, 200)
        with self.model_curve.hold_sync():
            self.model_curve.x, self.model_curve.y = grid, grid**2 * fit.photon_density(grid)
        self.show(self.visible, fitted=True)
