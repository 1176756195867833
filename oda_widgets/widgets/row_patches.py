"""Numbered row patches: what changed between two versions of a table's rows, by a stable key.

A table that shows a few hundred rows and changes one of them per edit need not resend them all.
The kernel sends the whole list once (the widget's state) and, for each edit, a patch from
version ``n`` to ``n + 1``: the keys of the rows removed, the rows changed (whole, replacing the
old ones) and the rows added with their place in the new order. The front end applies patches in
order; a patch whose ``base`` is not the version it holds tells it that it missed one, and it asks
for the whole list again. :func:`apply_patch` is the same rule in Python (what the front end does,
written where a test can run it).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

__all__ = ["PATCH_EVENT", "apply_patch", "diff_rows"]

#: The ``event`` of the custom message that carries a patch.
PATCH_EVENT = "rows_patch"

Row = Mapping[str, Any]


def diff_rows(old: Sequence[Row], new: Sequence[Row], base: int,
              key: str = "id") -> dict[str, Any] | None:
    """The patch that turns ``old`` into ``new``, numbered ``base`` -> ``base + 1``.

    Parameters
    ----------
    old, new : sequence of mapping
        The rows before and after, each with a unique ``key``.
    base : int
        The version ``old`` is.
    key : str
        The field that names a row across versions (a catalog's ``meta_ID``).

    Returns
    -------
    dict or None
        ``{"event", "base", "version", "removed": [keys], "changed": [rows], "added":
        [[index, row]], "order": [keys] (only when the kept rows were reordered)}``; ``None``
        when the rows are the same.
    """
    before: dict[Hashable, Row] = {row[key]: row for row in old}
    after_keys = [row[key] for row in new]
    after = set(after_keys)
    removed = [k for k in before if k not in after]
    changed = [dict(row) for row in new if row[key] in before and before[row[key]] != row]
    added = [[index, dict(row)] for index, row in enumerate(new) if row[key] not in before]
    patch: dict[str, Any] = {"event": PATCH_EVENT, "base": base, "version": base + 1,
                             "removed": removed, "changed": changed, "added": added}
    kept_before = [k for k in before if k in after]
    kept_after = [k for k in after_keys if k in before]
    if kept_before != kept_after:
        # edits keep the order of the rows they do not add; anything else says the order whole
        patch["order"] = after_keys
    elif not (removed or changed or added):
        return None
    return patch


def apply_patch(rows: Sequence[Row], patch: Mapping[str, Any], key: str = "id") -> list[Row]:
    """``rows`` with ``patch`` applied (a new list; ``rows`` is left as it was).

    The caller checks ``patch["base"]`` against the version it holds first: applied to other
    rows than its base, a patch gives rows that were never the kernel's.
    """
    gone = set(patch.get("removed", ()))
    replaced = {row[key]: row for row in patch.get("changed", ())}
    out: list[Row] = [replaced.get(row[key], row) for row in rows if row[key] not in gone]
    if "order" in patch:
        by_key = {row[key]: row for row in out}
        by_key.update({row[key]: row for _index, row in patch.get("added", ())})
        return [by_key[k] for k in patch["order"]]
    for index, row in sorted(patch.get("added", ()), key=lambda pair: pair[0]):
        out.insert(index, row)
    return out
