"""How a catalog's sources look on the sky, and the message that draws them.

Each source is a ring in its own colour (the colour it has in every view:
:mod:`oda_widgets.widgets.source_colours`), wider than the instrument's PSF so that the source
itself stays visible inside it, and of a shape that says what it is: a circle kept as the job
returned it, a diamond added by the user, a triangle flagged as a probable duplicate; a selected
source also gets a yellow frame and a yellow label. The front end scales the rings with the zoom
(never smaller than a few pixels). Colours are Okabe and Ito's, which stay distinguishable with
the common colour-vision deficiencies, and shape carries the kind, so colour is never the only
carrier of meaning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..client.catalog.source_catalog import Catalog
from .source_colours import source_colour

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


#: A ring's radius in PSF widths (FWHM): the source's light lies well inside it.
RING_IN_PSF = 1.5


def sources_message(catalog: Catalog | None, serial: int, psf_deg: float = 0.2
                    ) -> dict[str, Any]:
    """The ``sources`` message of ``js/sky_aladin.js``: every source with a finite position,
    and the rings' radius on the sky (``ring_deg``, from the PSF's FWHM ``psf_deg``).

    Names are sent as they are; the front end escapes them for Aladin Lite and draws them as
    canvas text.
    """
    ring = RING_IN_PSF * float(psf_deg)
    if catalog is None or len(catalog) == 0 or not catalog.lon_name or not catalog.lat_name:
        return {"serial": serial, "sources": [], "ring_deg": ring}
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
            "shape": look.shape, "color": source_colour(names[index]),
            "selected": meta_id in selected,
        })
    return {"serial": serial, "sources": sources, "ring_deg": ring}
