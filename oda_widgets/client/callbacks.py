"""The one way headless objects tell others of a change: a small, thread-safe list of callbacks.

Jobs (:meth:`Job.add_listener <oda_widgets.client.jobs.Job.add_listener>`) and catalogs
(:meth:`Catalog.add_listener <oda_widgets.client.catalog.source_catalog.Catalog.add_listener>`)
keep their listeners in a :class:`Callbacks`. Widgets do not use it for their own state: that is
in traitlets, observed the ipywidgets way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, ParamSpec

__all__ = ["Callbacks"]

P = ParamSpec("P")

log = logging.getLogger(__name__)


def _log_failure(fn: Callable[..., Any], exc: BaseException) -> None:
    log.error("listener %r failed; it stays registered", fn, exc_info=exc)


class Callbacks(Generic[P]):
    """Callables called in the order they were added, each at most once per call.

    A callable that raises is reported to ``on_error`` (logged by default) and stays
    registered: one broken listener must neither stop the others nor undo the change it was
    told of. Adding, removing and calling may happen from any thread; a call sees the list as
    it was when the call began.

    Parameters
    ----------
    on_error : callable, optional
        ``on_error(fn, exc)`` for a callable ``fn`` that raised ``exc``.
    """

    def __init__(
        self, on_error: Callable[[Callable[..., Any], BaseException], None] = _log_failure
    ) -> None:
        self._fns: list[Callable[P, Any]] = []
        self._lock = threading.Lock()
        self._on_error = on_error

    def add(self, fn: Callable[P, Any]) -> bool:
        """Register ``fn``; returns False (and changes nothing) if it already was."""
        with self._lock:
            if fn in self._fns:
                return False
            self._fns.append(fn)
            return True

    def remove(self, fn: Callable[P, Any]) -> None:
        """Unregister ``fn``; nothing happens if it was not registered."""
        with self._lock:
            if fn in self._fns:
                self._fns.remove(fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        with self._lock:
            fns = list(self._fns)
        for fn in fns:
            try:
                fn(*args, **kwargs)
            except Exception as exc:
                self._on_error(fn, exc)
