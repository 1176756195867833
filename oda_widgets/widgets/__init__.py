"""The notebook widgets of oda_widgets (ipywidgets, anywidget, ipyaladin, bqplot).

Widgets build on :mod:`oda_widgets.client` and :mod:`oda_widgets.analysis`; neither imports them.
Each widget lives in its own module and is loaded on first use (the table is
:data:`oda_widgets._public.WIDGETS`).
"""

from __future__ import annotations

from .._public import WIDGETS, lazy_exports

__all__ = sorted(WIDGETS)

__getattr__, __dir__ = lazy_exports(globals(), WIDGETS)
