"""A source as seen through a set of science windows: coding, exposure, mean flux, count rate."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from astropy.time import Time

from .instruments import Telescope, tangent_offsets
from .pointings import ScienceWindow
from .response import Response
from .sky import photon_spectrum, stable_seed, variability

__all__ = [
    "IJD_MJD_OFFSET",
    "SEED_PARAMETERS",
    "SkySource",
    "SourceInField",
    "mjd_tt",
    "product_seed",
]

#: Parameters that change what is simulated (the token and bookkeeping never seed anything).
SEED_PARAMETERS = (
    "RA", "DEC", "T1", "T2", "E1_keV", "E2_keV", "detection_threshold", "time_bin", "jemx_num",
    "selected_catalog", "catalog_selected_objects", "src_name", "osa_version", "radius",
    "max_pointings",
)

IJD_MJD_OFFSET = 51544.0
#: Times per science window at which a source's level is averaged (flares last minutes to days).
_LEVEL_SAMPLES = 48


def product_seed(instrument: str, product: str, params: Mapping[str, Any],
                 scws: Sequence[ScienceWindow]) -> int:
    """Seed of a product: a hash of the instrument, product, physical parameters and windows."""
    relevant = {
        k: json.dumps(params.get(k), sort_keys=True, default=str) for k in SEED_PARAMETERS
    }
    return stable_seed(instrument, product, sorted(relevant.items()), [s.scw_id for s in scws])


@dataclass(frozen=True)
class SkySource:
    """A source to simulate: its name and position, and its sky-table row when it is known."""

    name: str
    ra: float
    dec: float
    row: Any = None  # astropy Row of the sky table, or None for a source the sky does not have


class SourceInField:
    """One source observed by one telescope in a set of science windows.

    Parameters
    ----------
    source : SkySource
    telescope : Telescope
    response : Response
    scws : sequence of ScienceWindow
    """

    def __init__(self, source: SkySource, telescope: Telescope, response: Response,
                 scws: Sequence[ScienceWindow]) -> None:
        self.source = source
        self.telescope = telescope
        self.response = response
        self.scws = list(scws)

    @cached_property
    def coding(self) -> np.ndarray:
        """Relative response of each science window at the source's position."""
        ra = np.array([s.ra for s in self.scws])
        dec = np.array([s.dec for s in self.scws])
        dx, dy = tangent_offsets(ra, dec, self.source.ra, self.source.dec)
        return np.atleast_1d(self.telescope.coding_fraction(dx, dy))

    @cached_property
    def exposure(self) -> np.ndarray:
        """Good exposure of each window, seconds."""
        return np.array([s.exposure_s for s in self.scws])

    @property
    def effective_exposure(self) -> float:
        """On-axis equivalent exposure, seconds."""
        return float(np.sum(self.exposure * self.coding))

    @cached_property
    def mean_variability(self) -> float:
        """Flux relative to the typical level, averaged over the time each window exposes the
        source (weights: effective exposure), as the light curve of the same windows averages it."""
        if self.source.row is None:
            return 0.0
        weights = self.exposure * self.coding
        if weights.sum() <= 0:
            return 0.0
        start = mjd_tt([s.start for s in self.scws])
        stop = mjd_tt([s.stop for s in self.scws])
        fractions = (np.arange(_LEVEL_SAMPLES) + 0.5) / _LEVEL_SAMPLES
        times = start[:, None] + (stop - start)[:, None] * fractions[None, :]
        level = variability(self.source.row, times.ravel()).reshape(times.shape).mean(axis=1)
        return float(np.average(level, weights=weights))

    def photon_flux_per_bin(self, level: float = 1.0) -> np.ndarray:
        """Photon flux in each input energy bin of the response, ph/cm2/s, at ``level``."""
        if self.source.row is None:
            return np.zeros(self.response.energ_lo.size)
        mid = self.response.energy_mid
        widths = self.response.energ_hi - self.response.energ_lo
        return photon_spectrum(self.source.row, mid) * widths * level

    def on_axis_rate(self, e1: float, e2: float, level: float = 1.0) -> float:
        """Counts/s on axis in [e1, e2] keV at ``level`` times the typical flux."""
        return self.response.rate_in_band(self.photon_flux_per_bin(level), e1, e2)

    def expected_significance(self, e1: float, e2: float) -> float:
        """Significance the source would reach in a mosaic of these windows."""
        exposure = self.effective_exposure
        if exposure <= 0:
            return 0.0
        rate = self.on_axis_rate(e1, e2, self.mean_variability)
        background = self.telescope.background_rate(e1, e2)
        return rate * np.sqrt(exposure) / np.sqrt(background + rate)


def mjd_tt(isot_values: Sequence[str]) -> np.ndarray:
    """MJD in TT of UTC ISO times (INTEGRAL times are TT)."""
    return np.atleast_1d(Time(list(isot_values), format="isot", scale="utc").tt.mjd)
