"""A model compared with the simpler one it contains (a cut-off or broken power law contains the
power law): the result says when the simpler model fits as well.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from .sherpa_fit import fit_model
from .spectral_models import model_spec

__all__ = ["DELTA_90_FOR", "SIMPLER", "compare_simpler"]

#: Rise of the statistic at 90 % for 1 and 2 parameters more (chi-square quantiles): a simpler
#: model whose statistic is within this of the fuller one's fits as well.
DELTA_90_FOR = {1: 2.706, 2: 4.605, 3: 6.251}
#: The simpler model inside each model, and its name in words.
SIMPLER = {"cutoffpl": ("powerlaw", "a power law", "the cut-off"),
           "bknpower": ("powerlaw", "a power law", "the break")}


def compare_simpler(model: str, data: Any, stat: Any, start: Mapping[str, float] | None,
                    frozen: tuple[str, ...], best_stat: float, free_count: int
                    ) -> tuple[tuple[str, float, int] | None, tuple[str, ...]]:
    """The simpler model this one contains, fitted to the same channels, and a hint when it
    fits as well (its statistic within the 90 % rise for the parameters it lacks)."""
    simpler, words, extra = SIMPLER[model]
    names = model_spec(simpler).parameter_names
    kept = tuple(name for name in frozen if name in names)
    starts = {k: v for k, v in (start or {}).items() if k in names}
    try:
        _, _, result = fit_model(simpler, data, stat, starts, kept)
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
