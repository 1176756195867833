"""What a catalog's listeners are told, and when: each change with its edit counter, in counter
order, after the catalog's lock is released.

An edit runs under the catalog's lock and queues its :class:`CatalogChange`; the listeners are
called once the lock is released, by one thread at a time, so that a listener may read the
catalog, edit it, or wait for another thread that edits it, without a deadlock (a listener that
edits is told of its own edit after every listener has been told of the one it reacts to). An
edit made while another thread is telling is told by that thread, in its turn.

Each change carries the :class:`CatalogReading` it left (rows, selection, counter), and while a
listener runs, what its thread reads of the catalog is that reading, so that it sees exactly the
edit it is told of, never half of a later one; the catalog's live counter tells it whether a
newer edit has happened since (a view can drop a redraw that would be stale). The same pinning
gives :meth:`Catalog.reading <oda_widgets.client.catalog.source_catalog.Catalog.reading>` a
consistent view across several reads.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from astropy.table import Table

from ..callbacks import Callbacks
from .wire_format import row_ids, row_names

if TYPE_CHECKING:
    from .source_catalog import Catalog

__all__ = ["CatalogChange", "CatalogReading", "ChangeKind", "ChangeTeller"]

#: What an edit did.
ChangeKind = Literal["add", "remove", "rename", "move", "select", "undo", "redo"]


@dataclass(frozen=True, eq=False)
class CatalogReading:
    """The catalog as one edit left it: its rows, its selection and its edit counter.

    The table is never changed in place by later edits (each edit works on a copy), so a reading
    stays consistent however long it is kept. Treat it as read-only.
    """

    table: Table
    selected: tuple[int, ...]
    edits: int

    @property
    def meta_ids(self) -> list[int]:
        """The ``meta_ID`` of every row, in order."""
        return row_ids(self.table)

    @property
    def names(self) -> list[str]:
        """The source names, in order."""
        return row_names(self.table)


@dataclass(frozen=True, eq=False)
class CatalogChange:
    """One edit of a catalog, as its change listeners are told of it.

    Attributes
    ----------
    catalog : Catalog
        The catalog edited.
    kind : str
        ``add``, ``remove``, ``rename``, ``move``, ``select``, ``undo`` or ``redo``.
    meta_ids : tuple of int
        The sources it concerns (the new one, those removed, renamed, moved or selected; none
        for undo and redo).
    edit : int
        The catalog's edit counter right after it (:attr:`Catalog.edits`): changes are told in
        increasing ``edit`` order, and one whose ``edit`` is below the counter of what a view
        has drawn is stale.
    reading : CatalogReading
        The catalog as it left it.
    """

    catalog: Catalog
    kind: ChangeKind
    meta_ids: tuple[int, ...]
    edit: int
    reading: CatalogReading


class _CatalogListener:
    """A listener of the catalog alone (``fn(catalog)``), as a change listener: equal to another
    of the same ``fn``, so that adding it twice or removing it finds it."""

    def __init__(self, fn: Callable[[Catalog], Any]) -> None:
        self.fn = fn

    def __call__(self, change: CatalogChange) -> None:
        self.fn(change.catalog)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _CatalogListener) and other.fn == self.fn

    def __hash__(self) -> int:
        return hash(self.fn)

    def __repr__(self) -> str:
        return repr(self.fn)


class ChangeTeller:
    """The changes of one catalog queued under its lock and told after it is released.

    Parameters
    ----------
    lock : threading.RLock
        The catalog's lock; :meth:`queue` is called holding it, :meth:`tell_pending` without.
    """

    def __init__(self, lock: threading.RLock) -> None:
        self._lock = lock
        self._pending: deque[CatalogChange] = deque()
        self._telling = False
        # a broken view must not undo or hide an edit that has happened: Callbacks logs it
        self._listeners: Callbacks[[CatalogChange]] = Callbacks()
        self._local = threading.local()

    # -- listeners -------------------------------------------------------------------------------
    def add(self, fn: Callable[[CatalogChange], Any]) -> None:
        """Tell ``fn(change)`` of every change (once, however often it is added)."""
        self._listeners.add(fn)

    def remove(self, fn: Callable[[CatalogChange], Any]) -> None:
        """Stop telling ``fn`` (nothing happens if it was not registered)."""
        self._listeners.remove(fn)

    def add_catalog_listener(self, fn: Callable[[Catalog], Any]) -> None:
        """Call ``fn(catalog)`` after every change."""
        self._listeners.add(_CatalogListener(fn))

    def remove_catalog_listener(self, fn: Callable[[Catalog], Any]) -> None:
        """Stop calling ``fn(catalog)``."""
        self._listeners.remove(_CatalogListener(fn))

    # -- telling ---------------------------------------------------------------------------------
    def queue(self, change: CatalogChange) -> None:
        """Queue ``change`` to be told (call holding the catalog's lock, right after the edit)."""
        self._pending.append(change)

    def tell_pending(self) -> None:
        """Tell the queued changes in order, unless this thread is inside an edit or another
        call is telling them already (that one tells these too, in their turn)."""
        if getattr(self._local, "depth", 0):
            return
        with self._lock:
            if self._telling:
                return
            self._telling = True
        try:
            while True:
                with self._lock:
                    if not self._pending:
                        self._telling = False
                        return
                    change = self._pending.popleft()
                with self.pinned(change.reading):
                    self._listeners(change)
        except BaseException:
            # an interrupt: the changes left are told by the next edit's call
            with self._lock:
                self._telling = False
            raise

    # -- what this thread reads ------------------------------------------------------------------
    def _pins(self) -> list[CatalogReading]:
        pins: list[CatalogReading] | None = getattr(self._local, "pins", None)
        if pins is None:
            pins = self._local.pins = []
        return pins

    def pinned_reading(self) -> CatalogReading | None:
        """The reading this thread's reads of the catalog see (None: the live catalog)."""
        pins = self._pins()
        return pins[-1] if pins else None

    @contextmanager
    def pinned(self, reading: CatalogReading) -> Iterator[CatalogReading]:
        """Make this thread's reads of the catalog see ``reading`` within the block."""
        pins = self._pins()
        pins.append(reading)
        try:
            yield reading
        finally:
            pins.pop()

    @contextmanager
    def editing(self, live: Callable[[], CatalogReading]) -> Iterator[None]:
        """Within the block (an edit, under the lock) this thread reads the live catalog, and
        no change is told; afterwards a pinned thread sees its own edit (``live()``)."""
        pins = self._pins()
        saved = list(pins)
        pins.clear()
        self._local.depth = getattr(self._local, "depth", 0) + 1
        try:
            yield
        finally:
            self._local.depth -= 1
            pins[:] = saved
            if pins:
                pins[-1] = live()
