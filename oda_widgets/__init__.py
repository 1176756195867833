"""Jupyter widgets for the ODA platform (INTEGRAL and multi-messenger Online Data Analysis).

``import oda_widgets`` works without a notebook and loads nothing heavy: the headless client
names (:class:`Dispatcher`, :class:`Job`, ...) and the widgets (:class:`QueryForm`,
:class:`JobMonitor`) are loaded on first use.
"""

from __future__ import annotations

from . import _display_hook
from . import client as client
from ._public import CLIENT, WIDGETS, lazy_exports

__version__ = "0.1.0"

__all__ = sorted([*CLIENT, *WIDGETS, "__version__", "client"])

__getattr__, __dir__ = lazy_exports(globals(), {**CLIENT, **WIDGETS})

# in a kernel, products left as a cell's value show as their views (nothing heavy is imported)
_display_hook.install()
