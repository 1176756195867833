"""The shape of a JSON answer (key sets and value types), to compare a server's with a capture's."""

from __future__ import annotations

from typing import Any


def shape(value: Any) -> Any:
    """Key sets and value types of a JSON value, lists described by their first item.

    Numbers are one kind (``"number"``): the dispatcher writes a float where it happens to hold
    one and an int elsewhere, and clients read both alike.
    """
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool) or value is None:
        return type(value).__name__
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__


def shape_differences(ours: Any, reference: Any, path: str = "") -> list[str]:
    """Where ``shape(ours)`` and ``shape(reference)`` differ, one readable line per place."""
    a, b = shape(ours), shape(reference)
    if isinstance(a, dict) and isinstance(b, dict):
        lines = [f"{path}/{k}: missing" for k in sorted(b.keys() - a.keys())]
        lines += [f"{path}/{k}: not in the reference" for k in sorted(a.keys() - b.keys())]
        for k in sorted(a.keys() & b.keys()):
            lines += shape_differences(ours[k], reference[k], f"{path}/{k}")
        return lines
    if isinstance(a, list) and isinstance(b, list) and a and b:
        return shape_differences(ours[0], reference[0], f"{path}[0]")
    return [] if a == b else [f"{path}: {a!r} where the reference has {b!r}"]
