"""Jupyter widgets for the ODA platform (INTEGRAL and multi-messenger Online Data Analysis).

``import oda_widgets`` works without a notebook and loads nothing heavy: the headless client
names (:class:`Dispatcher`, :class:`Job`, ...) and the widgets (:class:`QueryForm`,
:class:`JobMonitor`) are loaded on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import client

if TYPE_CHECKING:
    from .client import (
        Catalog,
        Dispatcher,
        DispatcherError,
        DispatcherUnavailable,
        InstrumentSpec,
        Job,
        JobBatch,
        JobEvent,
        JobFailed,
        JobNotFinished,
        JobRecord,
        JobRegistry,
        JobStatus,
        OdaError,
        Poller,
        ProductSet,
        ProductSpec,
        Progress,
        QueryGroup,
        RequestRejected,
        TokenInfo,
        Unauthorized,
        UnsafePayload,
        ValidationError,
        ValidationErrors,
        api_code,
        decode_products,
    )
    from .widgets import (
        CatalogTable,
        Explorer,
        JobMonitor,
        LightCurveView,
        QueryForm,
        ResultsView,
        SkyView,
        SpectrumView,
    )

__version__ = "0.1.0"

_WIDGETS = ("QueryForm", "JobMonitor", "LightCurveView", "SpectrumView", "CatalogTable", "SkyView",
            "ResultsView", "Explorer")

__all__ = [
    "Catalog",
    "CatalogTable",
    "Dispatcher",
    "DispatcherError",
    "DispatcherUnavailable",
    "Explorer",
    "InstrumentSpec",
    "Job",
    "JobBatch",
    "JobEvent",
    "JobFailed",
    "JobMonitor",
    "JobNotFinished",
    "JobRecord",
    "JobRegistry",
    "JobStatus",
    "LightCurveView",
    "OdaError",
    "Poller",
    "ProductSet",
    "ProductSpec",
    "Progress",
    "QueryForm",
    "QueryGroup",
    "RequestRejected",
    "ResultsView",
    "SkyView",
    "SpectrumView",
    "TokenInfo",
    "Unauthorized",
    "UnsafePayload",
    "ValidationError",
    "ValidationErrors",
    "__version__",
    "api_code",
    "client",
    "decode_products",
]


# in a kernel, products left as a cell's value show as their views (nothing heavy is imported)
importlib.import_module("._display_hook", __name__).install()


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        # the widget libraries (ipywidgets, bqplot, ipyaladin) load only when a widget is asked for
        value = getattr(importlib.import_module(".widgets", __name__), name)
    elif name in client.__all__:
        value = getattr(client, name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
