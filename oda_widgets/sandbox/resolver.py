"""``/resolve_name``: source names to coordinates, from the sandbox sky's source table.

Answers have the dispatcher's shape: ``name``, ``RA``, ``DEC``, ``object_ids``, ``object_type``,
``entity_portal_link`` and ``message`` for a known name (case and spaces ignored); ``name`` and a
"could not be resolved" ``message`` otherwise (HTTP 200 both).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

__all__ = ["resolve"]


def resolve(name: str | None, url: str) -> dict[str, Any]:
    """Resolve ``name`` against the sandbox sky; ``url`` is the sandbox's base URL."""
    from .simulate.sky import get_source

    if name is None:
        return {}
    display = name.replace("_", " ")
    try:
        source = get_source(name.strip())
    except KeyError:
        return {"name": display, "message": f"{name} could not be resolved"}
    return {
        "name": display,
        "RA": float(source["ra"]),
        "DEC": float(source["dec"]),
        "object_ids": [str(source["name"])],
        "object_type": str(source["kind"]),
        "entity_portal_link": f"{url}/resolve_name?name={quote(name.strip())}",
        "message": f"{name} successfully resolved",
    }
