"""A per-key throttle: at most one delivery per interval for each key, the last value always delivered.

The job monitor receives an event every time the poller looks at a job, possibly many per second
for many jobs. Sending each to the browser would flood the kernel's IOPub channel (Jupyter drops
output above 1000 messages per second) and keep the front end busy redrawing. The throttle keeps
only the newest value per key and hands the due ones over in batches:

* a key is delivered at most once per ``interval`` seconds (about one widget update per job per
  second);
* its newest value is always delivered, at the latest ``interval`` seconds after the previous
  delivery, even when no further value arrives;
* due times are rounded up to a grid of ``window`` seconds, so the values of many keys leave
  together in one batch: the number of batches per second is bounded by ``1 / window`` whatever the
  number of keys;
* ``urgent`` values (a job that finished) skip the interval and leave in the next batch.

The clock is injectable: tests drive :meth:`Throttle.flush` with a fake clock and no thread.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

__all__ = ["Throttle"]


class Throttle:
    """Coalesce values per key and deliver them in rate-limited batches.

    Parameters
    ----------
    deliver : callable
        Called with a dict ``{key: newest value}`` of the keys that are due. It runs in the
        throttle's thread (or the caller of :meth:`flush`) and should be quick.
    interval : float
        Minimum time in seconds between two deliveries of the same key.
    window : float
        Grid in seconds on which due times are rounded up, to batch keys together.
    clock : callable
        Monotonic clock in seconds; inject a fake one in tests.
    autostart : bool
        Start a daemon thread that calls :meth:`flush` when something is due. Without it, the
        owner calls :meth:`flush` itself (tests with a fake clock).
    """

    def __init__(
        self,
        deliver: Callable[[dict[Hashable, Any]], None],
        *,
        interval: float = 1.0,
        window: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        autostart: bool = True,
    ) -> None:
        if interval < 0 or window <= 0:
            raise ValueError("interval must be >= 0 and window > 0 (seconds)")
        self._deliver = deliver
        self.interval = interval
        self.window = window
        self._clock = clock
        self._lock = threading.Condition()
        self._pending: dict[Hashable, Any] = {}
        self._due: dict[Hashable, float] = {}
        self._last_sent: dict[Hashable, float] = {}
        self._closed = False
        self._thread: threading.Thread | None = None
        if autostart:
            self._thread = threading.Thread(
                target=self._run, name="oda-widgets-throttle", daemon=True
            )
            self._thread.start()

    def submit(self, key: Hashable, value: Any, *, urgent: bool = False) -> None:
        """Record the newest ``value`` of ``key``; it is delivered when due.

        Parameters
        ----------
        key : hashable
            What the value is about (one job).
        value : object
            Replaces any value of the same key not yet delivered.
        urgent : bool
            Deliver in the next batch, regardless of the interval (final states).
        """
        with self._lock:
            now = self._clock()
            self._pending[key] = value
            earliest = now if urgent else self._last_sent.get(key, -math.inf) + self.interval
            due = self._on_grid(max(now, earliest))
            if key not in self._due or due < self._due[key]:
                self._due[key] = due
            self._lock.notify()

    def discard(self, key: Hashable) -> None:
        """Forget ``key``: its pending value is dropped and its rate history cleared."""
        with self._lock:
            self._pending.pop(key, None)
            self._due.pop(key, None)
            self._last_sent.pop(key, None)

    def flush(self, *, force: bool = False) -> float | None:
        """Deliver the keys that are due now (all pending keys with ``force``).

        Returns
        -------
        float or None
            The clock time at which the next key becomes due, or None when nothing is pending.
        """
        with self._lock:
            now = self._clock()
            ready = [k for k, due in self._due.items() if force or due <= now]
            batch = {k: self._pending.pop(k) for k in ready}
            for k in ready:
                del self._due[k]
                self._last_sent[k] = now
            next_due = min(self._due.values(), default=None)
        if batch:
            self._deliver(batch)
        return next_due

    @property
    def pending(self) -> int:
        """Number of keys holding a value not yet delivered."""
        with self._lock:
            return len(self._pending)

    def close(self, *, flush: bool = True) -> None:
        """Stop the thread; with ``flush``, deliver what is pending first."""
        if flush:
            self.flush(force=True)
        with self._lock:
            self._closed = True
            self._lock.notify()

    def _on_grid(self, t: float) -> float:
        # Rounding up (never down) keeps the per-key interval while making many keys due together.
        return math.ceil(t / self.window - 1e-9) * self.window

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._closed:
                    return
                next_due = min(self._due.values(), default=None)
                if next_due is None:
                    self._lock.wait()
                    continue
                delay = next_due - self._clock()
                if delay > 0:
                    self._lock.wait(delay)
                    continue
            try:
                self.flush()
            except Exception:
                # A failing delivery must not stop the updates of every other job.
                logging.getLogger(__name__).exception("throttled delivery failed")
