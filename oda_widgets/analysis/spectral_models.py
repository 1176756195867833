"""The photon spectra a fit can use, named and parametrised as XSPEC names them.

Pure NumPy (no fitting library): the formulas, their integrals over energy bins, and the energy
flux in a band. ``sherpa_models`` wraps them for the fitter; the spectrum view plots them.

=========  ===============================================  ==========================
name       photon flux density N(E), ph cm^-2 s^-1 keV^-1   parameters
=========  ===============================================  ==========================
powerlaw   K E^-index                                       index, norm
cutoffpl   K E^-index exp(-E / ecut)                        index, ecut (keV), norm
bknpower   K E^-index1 (E <= ebreak),                       index1, index2,
           K ebreak^(index2 - index1) E^-index2 above       ebreak (keV), norm
=========  ===============================================  ==========================

``norm`` is K, the flux density at 1 keV, as in XSPEC.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "KEV_TO_ERG",
    "MODELS",
    "ModelSpec",
    "ParameterSpec",
    "bin_integral",
    "energy_flux",
    "model_spec",
    "photon_density",
]

#: 1 keV in erg.
KEV_TO_ERG = 1.602176634e-9

# Gauss-Legendre nodes and weights on [-1, 1]; 4 points integrate exp(-E/ecut) E^-index over a
# response bin (0.5 keV wide, ecut tens of keV) far below the statistical precision of any data
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(4)


@dataclass(frozen=True)
class ParameterSpec:
    """One model parameter: its name, a starting value, hard limits and its unit."""

    name: str
    start: float
    minimum: float
    maximum: float
    units: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """A spectral model: its XSPEC name, its parameters in order, and a one-line formula."""

    name: str
    parameters: tuple[ParameterSpec, ...]
    formula: str

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)


_NORM = ParameterSpec("norm", 1.0, 0.0, 1e10, "ph cm^-2 s^-1 keV^-1 at 1 keV")

MODELS: dict[str, ModelSpec] = {
    "powerlaw": ModelSpec(
        "powerlaw", (ParameterSpec("index", 2.0, -3.0, 10.0), _NORM), "K E^-index"
    ),
    "cutoffpl": ModelSpec(
        "cutoffpl",
        (ParameterSpec("index", 1.5, -3.0, 10.0), ParameterSpec("ecut", 100.0, 1.0, 1e4, "keV"),
         _NORM),
        "K E^-index exp(-E/ecut)",
    ),
    "bknpower": ModelSpec(
        "bknpower",
        (ParameterSpec("index1", 2.0, -3.0, 10.0), ParameterSpec("ebreak", 100.0, 1.0, 1e4, "keV"),
         ParameterSpec("index2", 2.2, -3.0, 10.0), _NORM),
        "K E^-index1 below ebreak, K ebreak^(index2-index1) E^-index2 above",
    ),
}


def model_spec(name: str) -> ModelSpec:
    """The model called ``name`` (an XSPEC name), or a ValueError listing the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(
            f"unknown spectral model {name!r}: use one of {', '.join(MODELS)}"
        ) from None


def photon_density(model: str, params: dict[str, float], energy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """N(E) in ph cm^-2 s^-1 keV^-1 at ``energy`` keV.

    Parameters
    ----------
    model : str
        ``"powerlaw"``, ``"cutoffpl"`` or ``"bknpower"``.
    params : dict
        Parameter values by name (see :data:`MODELS`).
    energy : numpy.ndarray
        Energies, keV (positive).
    """
    e = np.asarray(energy, dtype=float)
    norm = params["norm"]
    if model == "powerlaw":
        return norm * e ** -params["index"]
    if model == "cutoffpl":
        return norm * e ** -params["index"] * np.exp(-e / params["ecut"])
    if model == "bknpower":
        g1, g2, eb = params["index1"], params["index2"], params["ebreak"]
        return np.where(e <= eb, norm * e**-g1, norm * eb ** (g2 - g1) * e**-g2)
    model_spec(model)  # raises with the list of models
    raise AssertionError("unreachable")


def _power_integral(index: float, lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Integral of E^-index from lo to hi (the index 1 case as a logarithm)."""
    if abs(index - 1.0) < 1e-9:
        return np.log(hi / lo)
    p = 1.0 - index
    return (hi**p - lo**p) / p


def bin_integral(
    model: str, params: dict[str, float], lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Photon flux in each energy bin [lo, hi], ph cm^-2 s^-1.

    Exact for the power laws (a bin that straddles the break is split there); 4-point
    Gauss-Legendre per bin for the cut-off power law.
    """
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    norm = params["norm"]
    if model == "powerlaw":
        return norm * _power_integral(params["index"], lo, hi)
    if model == "bknpower":
        g1, g2, eb = params["index1"], params["index2"], params["ebreak"]
        below = np.where(lo < eb, _power_integral(g1, lo, np.minimum(hi, eb)), 0.0)
        above = np.where(hi > eb, _power_integral(g2, np.maximum(lo, eb), hi), 0.0)
        flux: npt.NDArray[np.float64] = norm * (below + eb ** (g2 - g1) * above)
        return flux
    model_spec(model)
    half = 0.5 * (hi - lo)
    mid = 0.5 * (hi + lo)
    nodes = mid[:, None] + half[:, None] * _GL_NODES[None, :]
    weighted: npt.NDArray[np.float64] = photon_density(model, params, nodes) @ _GL_WEIGHTS
    return half * weighted


def energy_flux(model: str, params: dict[str, float], e1: float, e2: float) -> float:
    """Energy flux of the model between ``e1`` and ``e2`` keV, erg cm^-2 s^-1."""
    if not 0 < e1 < e2:
        raise ValueError(f"a flux band needs 0 < e1 < e2 keV, got ({e1}, {e2})")
    edges = np.geomspace(e1, e2, 513)
    if model == "bknpower" and e1 < params["ebreak"] < e2:
        edges = np.union1d(edges, [params["ebreak"]])
    lo, hi = edges[:-1], edges[1:]
    half = 0.5 * (hi - lo)
    nodes = 0.5 * (hi + lo)[:, None] + half[:, None] * _GL_NODES[None, :]
    integrand = nodes * photon_density(model, params, nodes)
    kev = float(np.sum(half * (integrand @ _GL_WEIGHTS)))
    return kev * KEV_TO_ERG
