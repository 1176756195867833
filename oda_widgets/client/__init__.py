"""The headless ODA client: descriptions, validation, jobs followed in the background, products.

It imports no widget library, so scripts and other tools can use it as they are::

    from oda_widgets.client import Dispatcher

    disp = Dispatcher("sandbox")
    job = disp.submit("isgri", "isgri_image", RA=83.63, DEC=22.01)
    products = job.result()

Names are loaded on first use, so importing the package stays fast (the product decoders
pull in astropy).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    DispatcherError,
    DispatcherUnavailable,
    JobFailed,
    JobNotFinished,
    OdaError,
    RequestRejected,
    Unauthorized,
    UnsafePayload,
    ValidationError,
    ValidationErrors,
)

if TYPE_CHECKING:
    from .apicode import api_code
    from .catalog import Catalog
    from .dispatcher import Dispatcher
    from .jobs import Job, JobBatch, JobEvent, JobStatus, Progress
    from .poller import Poller
    from .products import ProductSet, decode_products
    from .registry import JobRecord, JobRegistry
    from .spec import InstrumentSpec, ProductSpec, QueryGroup
    from .token import TokenInfo

_LAZY = {
    "Dispatcher": ".dispatcher",
    "Job": ".jobs",
    "JobBatch": ".jobs",
    "JobEvent": ".jobs",
    "JobStatus": ".jobs",
    "Progress": ".jobs",
    "Poller": ".poller",
    "JobRegistry": ".registry",
    "JobRecord": ".registry",
    "api_code": ".apicode",
    "ProductSet": ".products",
    "decode_products": ".products",
    "Catalog": ".catalog",
    "InstrumentSpec": ".spec",
    "ProductSpec": ".spec",
    "QueryGroup": ".spec",
    "TokenInfo": ".token",
}

__all__ = [
    "Catalog",
    "Dispatcher",
    "DispatcherError",
    "DispatcherUnavailable",
    "InstrumentSpec",
    "Job",
    "JobBatch",
    "JobEvent",
    "JobFailed",
    "JobNotFinished",
    "JobRecord",
    "JobRegistry",
    "JobStatus",
    "OdaError",
    "Poller",
    "ProductSet",
    "ProductSpec",
    "Progress",
    "QueryGroup",
    "RequestRejected",
    "TokenInfo",
    "Unauthorized",
    "UnsafePayload",
    "ValidationError",
    "ValidationErrors",
    "api_code",
    "decode_products",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
