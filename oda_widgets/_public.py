"""The public API, listed once: each public name and the module that defines it.

``oda_widgets``, ``oda_widgets.client`` and ``oda_widgets.widgets`` all export from these two
tables, and load a name's module only when the name is first used, so ``import oda_widgets`` and
``import oda_widgets.client`` stay fast (the product decoders pull in astropy, the widgets
ipywidgets, bqplot and ipyaladin).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["CLIENT", "WIDGETS", "lazy_exports"]

#: The headless client's names (``oda_widgets.client``), by module inside ``oda_widgets``.
CLIENT = {
    "Catalog": ".client.catalog.source_catalog",
    "Dispatcher": ".client.dispatcher",
    "DispatcherError": ".client.errors",
    "DispatcherUnavailable": ".client.errors",
    "InstrumentSpec": ".client.query.spec",
    "Job": ".client.jobs",
    "JobBatch": ".client.job_batch",
    "JobEvent": ".client.jobs",
    "JobFailed": ".client.errors",
    "JobNotFinished": ".client.errors",
    "JobRecord": ".client.registry",
    "JobRegistry": ".client.registry",
    "JobStatus": ".client.job_state",
    "LocalFile": ".client.query.file_parameters",
    "OdaError": ".client.errors",
    "Poller": ".client.poller",
    "ProductSet": ".client.products.product_set",
    "ProductSpec": ".client.query.spec",
    "QueryDraft": ".client.query.draft",
    "Progress": ".client.job_state",
    "QueryGroup": ".client.query.spec",
    "RequestRejected": ".client.errors",
    "TokenInfo": ".client.transport.token",
    "Unauthorized": ".client.errors",
    "UnsafePayload": ".client.errors",
    "ValidationError": ".client.errors",
    "ValidationErrors": ".client.errors",
    "api_code": ".client.query.apicode",
    "decode_products": ".client.products.product_set",
}

#: The notebook widgets (``oda_widgets.widgets``), by module inside ``oda_widgets``.
WIDGETS = {
    "CatalogTable": ".widgets.catalog_table",
    "Explorer": ".widgets.explorer",
    "JobMonitor": ".widgets.job_monitor",
    "LightCurveView": ".widgets.light_curve",
    "PictureView": ".widgets.picture_view",
    "QueryForm": ".widgets.form",
    "ResultsView": ".widgets.results",
    "SkyView": ".widgets.sky",
    "SpectrumView": ".widgets.spectrum",
    "TableView": ".widgets.table_view",
    "TimeResolvedSpectra": ".widgets.time_resolved_spectra",
}


def lazy_exports(
    namespace: dict[str, Any], table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` that load the names of ``table`` on first use.

    Parameters
    ----------
    namespace : dict
        The package's ``globals()``: a loaded name is stored there, so later look-ups are plain
        attribute reads.
    table : Mapping[str, str]
        Public name -> its module, relative to ``oda_widgets``.

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)`` for the package to assign at module level.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module, "oda_widgets"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(namespace.get("__all__", ())))

    return __getattr__, __dir__
