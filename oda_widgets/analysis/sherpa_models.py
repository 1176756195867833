"""The XSPEC-named models of :mod:`spectral_models` as Sherpa models.

Sherpa's own XSPEC models need an XSPEC installation (HEASoft, not a pip package), and its
built-in ``powlaw1d * exp`` does not make a cut-off power law on a binned grid (both factors
would be integrated over each bin). One model class per XSPEC name evaluates the formula (or
its bin integral on Sherpa's integrated grids) from :mod:`spectral_models`.

Imported only when a fit runs: it needs the ``fit`` extra.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from sherpa.models.model import RegriddableModel1D
from sherpa.models.parameter import Parameter

from .spectral_models import ModelSpec, bin_integral, model_spec, photon_density

__all__ = ["XspecNamedModel", "sherpa_model"]


class XspecNamedModel(RegriddableModel1D):
    """A Sherpa model computing one of :data:`~spectral_models.MODELS`.

    Parameters
    ----------
    spec : ModelSpec
        Which model, with its parameters' starting values and limits.
    name : str, optional
        Sherpa's name for this model instance (defaults to the XSPEC name).
    """

    def __init__(self, spec: ModelSpec, name: str | None = None) -> None:
        self.spec = spec
        label = name or spec.name
        parameters = []
        for p in spec.parameters:
            parameter = Parameter(label, p.name, p.start, min=p.minimum, max=p.maximum,
                                  hard_min=p.minimum, hard_max=p.maximum, units=p.units)
            setattr(self, p.name, parameter)
            parameters.append(parameter)
        super().__init__(label, tuple(parameters))

    def values(self) -> dict[str, float]:
        """The current parameter values by name."""
        return {p.name: float(p.val) for p in self.pars}

    def calc(self, p: Any, *args: Any, **kwargs: Any) -> npt.NDArray[np.float64]:
        params = dict(zip(self.spec.parameter_names, (float(v) for v in p), strict=True))
        if len(args) >= 2 and self.integrate:
            return bin_integral(self.spec.name, params, np.asarray(args[0]), np.asarray(args[1]))
        return photon_density(self.spec.name, params, np.asarray(args[0]))


def sherpa_model(name: str) -> XspecNamedModel:
    """A fresh Sherpa model for the XSPEC name ``name`` (raises ValueError if unknown)."""
    return XspecNamedModel(model_spec(name))
