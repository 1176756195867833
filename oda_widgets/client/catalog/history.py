"""A catalog's change history: undo and redo of its edits, and what changed since the job's
catalog (added, removed, renamed and moved sources, in words).

Undo and redo keep snapshots of the table and the selection before each edit.

A catalog of a few hundred rows copies in well under a millisecond, so whole snapshots are
simpler and safer than inverse operations (an undone rename of a widened column, or a removal
of rows in the middle, comes back exactly as it was).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from astropy.table import Table

from .wire_format import row_ids, row_names

__all__ = [
    "EditHistory",
    "Snapshot",
    "change_counts",
    "changes_text",
    "diff_tables",
    "moved_ids",
]


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
        """Whether there is an edit to take back."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone edit to do again."""
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


# -- what changed since the job's catalog -----------------------------------------------------


def diff_tables(before: Table, after: Table) -> dict[str, Any]:
    """What changed from ``before`` to ``after``, by ``meta_ID``.

    Returns
    -------
    dict
        ``added``: list of ``(meta_ID, name)`` only in ``after``; ``removed``: the same only in
        ``before``; ``renamed``: ``{meta_ID: (old name, new name)}``.
    """
    mine = dict(zip(row_ids(before), row_names(before) or [""] * len(before), strict=False))
    theirs = dict(zip(row_ids(after), row_names(after) or [""] * len(after), strict=False))
    return {
        "added": [(i, theirs[i]) for i in theirs if i not in mine],
        "removed": [(i, mine[i]) for i in mine if i not in theirs],
        "renamed": {
            i: (mine[i], theirs[i]) for i in mine if i in theirs and mine[i] != theirs[i]
        },
    }


def moved_ids(original: Table, table: Table) -> set[int]:
    """``meta_ID``\\ s of the rows of ``original`` whose position differs in ``table`` (the
    position columns named by ``table``'s meta)."""
    lon_name, lat_name = table.meta.get("LON_NAME"), table.meta.get("LAT_NAME")
    if not lon_name or lon_name not in original.colnames:
        return set()
    lon, lat = original[lon_name], original[lat_name]
    before = {mid: (float(lon[k]), float(lat[k])) for k, mid in enumerate(row_ids(original))}
    moved = set()
    for k, mid in enumerate(row_ids(table)):
        now = (float(table[lon_name][k]), float(table[lat_name][k]))
        if mid in before and now != before[mid] and not all(map(math.isnan, now)):
            moved.add(mid)
    return moved


def change_counts(original: Table, table: Table) -> dict[str, int]:
    """How many sources were removed, added, renamed and moved from ``original`` to ``table``."""
    diff = diff_tables(original, table)
    return {
        "removed": len(diff["removed"]),
        "added": len(diff["added"]),
        "renamed": len(diff["renamed"]),
        "moved": len(moved_ids(original, table)),
    }


def changes_text(original: Table, table: Table) -> str:
    """The difference in words: ``"7 sources: 2 removed, 1 added"``, or ``"7 sources, as the
    job returned them"``."""
    count = f"{len(table)} source{'' if len(table) == 1 else 's'}"
    parts = [f"{n} {what}" for what, n in change_counts(original, table).items() if n]
    if not parts:
        return f"{count}, as the job returned them"
    return f"{count}: " + ", ".join(parts)
