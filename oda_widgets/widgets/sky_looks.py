"""How a catalog's sources look on the sky, and the message that draws them.

Each source gets a shape and a colour from what it is: kept as the job returned it, added by the
user, or flagged as a probable duplicate; a selected source also gets a yellow frame and a yellow
label. Colours are from Okabe and Ito's palette, which stays distinguishable with the common
colour-vision deficiencies, and every look also has its own shape, so colour is never the only
carrier of meaning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..client.catalog.source_catalog import Catalog

__all__ = ["SourceLook", "LOOKS", "SELECTED_COLOR", "look_of", "sources_message"]


@dataclass(frozen=True)
class SourceLook:
    """A marker: its shape (``circle``, ``diamond``, ``triangle``), colour and meaning."""

    shape: str
    color: str
    meaning: str


LOOKS: dict[str, SourceLook] = {
    "kept": SourceLook("circle", "#56B4E9", "source from the job"),
    "added": SourceLook("diamond", "#009E73", "added by you"),
    "duplicate": SourceLook("triangle", "#D55E00", "probable duplicate (closer than its error radius)"),
}
#: The frame and label colour of selected sources (drawn by ``js/sky_aladin.js``).
SELECTED_COLOR = "#F0E442"


def look_of(meta_id: int, added: set[int], duplicates: set[int]) -> str:
    """The look of one source: a duplicate warning wins over "added", which wins over "kept"."""
    if meta_id in duplicates:
        return "duplicate"
    if meta_id in added:
        return "added"
    return "kept"


def _ids(catalog: Catalog, name: str) -> set[int]:
    value = getattr(catalog, name, None)
    if value is None:
        return set()
    return set(value() if callable(value) else value)


def sources_message(catalog: Catalog | None, serial: int) -> dict[str, Any]:
    """The ``sources`` message of ``js/sky_aladin.js``: every source with a finite position.

    Names are sent as they are; the front end escapes them for Aladin Lite and draws them as
    canvas text.
    """
    if catalog is None or len(catalog) == 0 or not catalog.lon_name or not catalog.lat_name:
        return {"serial": serial, "sources": []}
    added = _ids(catalog, "added_ids")
    duplicates = _ids(catalog, "duplicate_ids")
    selected = set(catalog.selected)
    coords = catalog.coords.icrs
    ras, decs = coords.ra.deg.tolist(), coords.dec.deg.tolist()   # once: not per source
    names = catalog.names or [str(i) for i in catalog.meta_ids]
    sources = []
    for index, meta_id in enumerate(catalog.meta_ids):
        ra, dec = ras[index], decs[index]
        if not (math.isfinite(ra) and math.isfinite(dec)):
            continue
        look = LOOKS[look_of(meta_id, added, duplicates)]
        sources.append({
            "id": int(meta_id), "name": names[index], "ra": ra, "dec": dec,
            "shape": look.shape, "color": look.color, "selected": meta_id in selected,
        })
    return {"serial": serial, "sources": sources}
