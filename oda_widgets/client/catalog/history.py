"""Undo and redo of catalog edits: snapshots of the table and the selection before each edit.

A catalog of a few hundred rows copies in well under a millisecond, so whole snapshots are
simpler and safer than inverse operations (an undone rename of a widened column, or a removal
of rows in the middle, comes back exactly as it was).
"""

from __future__ import annotations

from dataclasses import dataclass

from astropy.table import Table

__all__ = ["EditHistory", "Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """The state an edit can change: the rows and which of them are selected."""

    table: Table
    selected: tuple[int, ...]


class EditHistory:
    """Two stacks of snapshots: what undo goes back to, and what redo goes forward to.

    Parameters
    ----------
    limit : int
        How many edits can be undone; older snapshots are dropped.
    """

    def __init__(self, limit: int = 200) -> None:
        self.limit = limit
        self._undo: list[Snapshot] = []
        self._redo: list[Snapshot] = []

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def record(self, before: Snapshot) -> None:
        """Remember the state before a new edit; a new edit makes the undone ones unreachable."""
        self._undo.append(before)
        del self._undo[: max(0, len(self._undo) - self.limit)]
        self._redo.clear()

    def undo(self, current: Snapshot) -> Snapshot | None:
        """The state to go back to (``current`` is kept for redo), or None if there is none."""
        return _step(self._undo, self._redo, current)

    def redo(self, current: Snapshot) -> Snapshot | None:
        """The state to go forward to (``current`` is kept for undo), or None if there is none."""
        return _step(self._redo, self._undo, current)


def _step(source: list[Snapshot], other: list[Snapshot], current: Snapshot) -> Snapshot | None:
    """Take the last snapshot of ``source``, keeping ``current`` on ``other`` to come back to."""
    if not source:
        return None
    other.append(current)
    return source.pop()
