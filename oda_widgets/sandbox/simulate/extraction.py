"""Which sources a light-curve or spectrum query extracts.

With a ``selected_catalog`` (restricted by ``catalog_selected_objects``) exactly its sources are
extracted; without one, the sources of the sky that the windows would detect (above 7 sigma, as
the imaging step before extraction would), with ``src_name`` first when the sky has it.
JEM-X, as the real one does, skips catalog entries named ``NEW SOURCE``; sources that no window
sees (outside the field of view) give no product.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .catalog import selected_sources, sky_catalog
from .field import SourceInField
from .instruments import Telescope
from .pointings import ScienceWindow
from .response import Response

__all__ = ["EXTRACTION_THRESHOLD", "MAX_EXTRACTED", "ignored_by", "sources_to_extract"]

#: Significance a source needs to be extracted when no catalog is given.
EXTRACTION_THRESHOLD = 7.0
#: At most this many sources are extracted from the sky's own catalog.
MAX_EXTRACTED = 12


def ignored_by(telescope: Telescope, name: str) -> bool:
    """Whether the instrument's extraction skips a catalog entry of this name."""
    return telescope.name == "jemx" and " ".join(name.split()).upper() == "NEW SOURCE"


def sources_to_extract(
    params: Mapping[str, Any],
    telescope: Telescope,
    response: Response,
    scws: Sequence[ScienceWindow],
) -> list[SourceInField]:
    """The sources to extract, each with its view through the windows."""
    e1, e2 = float(params.get("E1_keV", 20.0)), float(params.get("E2_keV", 40.0))
    given = selected_sources(params.get("selected_catalog"), params.get("catalog_selected_objects"))
    if given is not None:
        views = [
            SourceInField(c.source, telescope, response, scws)
            for c in given
            if not ignored_by(telescope, c.source.name)
        ]
        return [v for v in views if v.effective_exposure > 0]
    views = [SourceInField(c.source, telescope, response, scws) for c in sky_catalog()]
    views = [v for v in views if v.effective_exposure > 0]
    wanted = str(params.get("src_name") or "").replace(" ", "").lower()
    scored = sorted(
        ((v.expected_significance(e1, e2), v) for v in views), key=lambda item: -item[0]
    )
    chosen = [v for score, v in scored if score >= EXTRACTION_THRESHOLD][:MAX_EXTRACTED]
    named = [v for v in views if v.source.name.replace(" ", "").lower() == wanted]
    if named:
        chosen = named + [v for v in chosen if v is not named[0]]
    return chosen
