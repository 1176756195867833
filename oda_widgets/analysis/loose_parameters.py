"""Parameters the data do not constrain: found, profiled, and reported as a 90 % limit.

An energy (a cut-off, a break) that runs to its limit, or whose error is larger than itself, is
not given a meaningless error: its profile (the statistic with it fixed at each of a grid of
values, the others refitted) gives a 90 % limit, as XSPEC users quote it, or a 1-sigma error
when the profile bounds it after all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .sherpa_fit import quiet_sherpa
from .spectral_models import model_spec

__all__ = ["DELTA_1_SIGMA", "DELTA_90", "PROFILE_POINTS", "loose_note", "profile",
           "unconstrained", "with_error"]

#: Rise of the statistic that bounds a 1-sigma interval of one parameter, and a 90 % one.
DELTA_1_SIGMA = 1.0
DELTA_90 = 2.706
#: Points of a parameter's profile (log-spaced from its lower limit to its upper one).
PROFILE_POINTS = 16


def unconstrained(spec_model: Any, name: str, estimate: Any) -> bool:
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


def profile(fitter: Any, spec_model: Any, name: str, best: Mapping[str, float],
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
            with quiet_sherpa():
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


def with_error(estimate: Any, name: str, sigma: float) -> Any:
    """``estimate`` with ``name``'s interval set to +/- ``sigma`` (from its profile)."""
    names = [n.split(".", 1)[1] for n in estimate.parnames]
    index = names.index(name)
    lows, highs = list(estimate.parmins), list(estimate.parmaxes)
    lows[index], highs[index] = -sigma, sigma
    estimate.parmins, estimate.parmaxes = tuple(lows), tuple(highs)
    return estimate


def loose_note(name: str, side: str, value: float, frozen_at: float, model: str) -> str:
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
