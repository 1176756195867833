"""A widget's event callbacks: ipywidgets' ``CallbackDispatcher`` that also tells of failures.

State lives in traitlets (``widget.observe``); an event that is not a change of state (a Submit,
a click on a source, the results of a job opened) keeps its callbacks in a
:class:`ipywidgets.CallbackDispatcher`, what ``Button.on_click`` uses. That dispatcher catches a
failing callback's exception so that the others still run, and logs it (or shows its traceback in
a kernel), but its owner cannot tell. :class:`Events` logs it too and also tells the widget, so
that the widget can say so where the user looks, e.g. "Submitted, but a listener failed: ..." in
a form's status line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ipywidgets import CallbackDispatcher

__all__ = ["Events"]

FailureHandler = Callable[[Callable[..., Any], Exception, tuple[Any, ...]], None]


class Events(CallbackDispatcher):
    """A :class:`~ipywidgets.CallbackDispatcher` that also hands each failure to ``on_error``.

    Parameters
    ----------
    on_error : callable, optional
        ``on_error(callback, exc, args)`` after ``callback(*args)`` raised ``exc``; the
        callbacks after it still run and ``callback`` stays registered.
    """

    def __init__(self, on_error: FailureHandler | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_error = on_error

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call every registered callback in order; returns the last result that is not None."""
        value = None
        for callback in list(self.callbacks):
            try:
                result = callback(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - one callback's fault must not stop the rest
                self.log.warning("Exception in callback %s: %s", callback, exc, exc_info=True)
                if self._on_error is not None:
                    self._on_error(callback, exc, args)
            else:
                value = result if result is not None else value
        return value
