"""Loading the result views' code ahead of the first opened job, in a background thread.

A job's views import heavy libraries on first use: bqplot (and pandas under it) for light curves
and spectra, SciPy's KD-tree for the catalog's duplicate check, ipyaladin for the sky. Paid when a
done job is opened, that second or so comes before anything is on screen. An Explorer (made long
before its first job is done) starts this warm-up, so the first picture does not wait for it.
"""

from __future__ import annotations

import importlib
import logging
import threading

__all__ = ["warm_up_views"]

logger = logging.getLogger(__name__)

_VIEW_MODULES = ("sky", "catalog_table", "light_curve", "spectrum", "picture_view", "table_view",
                 "value_list")
_started = threading.Event()


def _load() -> None:
    try:
        for name in _VIEW_MODULES:
            importlib.import_module(f"{__package__}.{name}")
        # the catalog's duplicate check loads its KD-tree on its first pair of sources
        from astropy.coordinates import SkyCoord

        from ..client.catalog.checks import duplicate_pairs

        duplicate_pairs(SkyCoord([0.0, 0.01], [0.0, 0.0], unit="deg"))
    except Exception:  # noqa: BLE001 - a warm-up only: the view that needs it reports for real
        logger.debug("warming up the result views failed", exc_info=True)


def warm_up_views() -> None:
    """Import the result views' modules in a daemon thread (once per process; returns at once)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_load, name="oda-widgets-view-warm-up", daemon=True).start()
