"""Whether spectral fitting can run here, and what to do when it cannot.

Fitting uses Sherpa, which is an optional extra (``pip install 'oda_widgets[fit]'``): it has no
binary wheels and builds from source, so the core install never needs a compiler.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["FIT_EXTRA_HINT", "FitUnavailable", "fitting_available", "require_fitting"]

#: What a user types to get spectral fitting.
FIT_EXTRA_HINT = (
    "install the fit extra: pip install 'oda_widgets[fit]' (Sherpa builds from source: on "
    "Debian or Ubuntu first run apt-get install bison flex libfftw3-dev; the project's "
    "scripts/setup does both)"
)


class FitUnavailable(ImportError):
    """Spectral fitting was asked for but Sherpa (the ``fit`` extra) is not installed."""


def require_fitting() -> ModuleType:
    """Sherpa's package, or :class:`FitUnavailable` saying how to install it.

    Raises
    ------
    FitUnavailable
        If Sherpa cannot be imported; the message names the command that installs it.
    """
    try:
        return importlib.import_module("sherpa")
    except ImportError as exc:
        raise FitUnavailable(f"spectral fitting needs Sherpa, which is missing: {FIT_EXTRA_HINT}") from exc


def fitting_available() -> bool:
    """True when :func:`require_fitting` would succeed."""
    try:
        require_fitting()
    except FitUnavailable:
        return False
    return True
