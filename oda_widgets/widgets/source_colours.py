"""One colour (and one marker shape) per source, keyed by its name, shared by every view.

The sky's rings, the catalog table's swatches, the spectra and the light curves ask the same
palette, so a source has one colour in every view and every tab of a kernel. A name gets the next
free colour the first time any view asks for it, and keeps it. Colours are Okabe and Ito's, which
stay apart with the common colour-vision deficiencies; their yellow is left out (it marks the
selection on the sky) and so is black (it vanishes on a dark sky). After six sources the colours
come round again with the next marker shape, so two sources never share both.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

__all__ = [
    "PALETTE", "SYMBOLS", "SourceColours", "SourceStyle", "marker_svg", "source_colour",
    "source_style",
]

#: Okabe-Ito orange, sky blue, bluish green, vermilion, reddish purple, blue.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#0072B2")
#: bqplot marker names, in the order sources get them.
SYMBOLS = ("circle", "square", "triangle-up", "diamond", "triangle-down", "cross")


@dataclass(frozen=True)
class SourceStyle:
    """How one source is drawn everywhere: its colour (``#rrggbb``) and marker shape."""

    colour: str
    symbol: str


def _key(name: str) -> str:
    """Names that differ only in case or spaces are one source ("4U1700-377", "4u 1700-377")."""
    return "".join(str(name).split()).casefold()


class SourceColours:
    """The colours handed out so far, by source name (thread-safe: widget messages may be
    handled in a thread of their own)."""

    def __init__(self) -> None:
        self._given: dict[str, int] = {}
        self._lock = threading.Lock()

    def style(self, name: str) -> SourceStyle:
        """The style of ``name``: its own from now on, the next free one the first time."""
        key = _key(name)
        with self._lock:
            index = self._given.setdefault(key, len(self._given))
        turn, place = divmod(index, len(PALETTE))
        return SourceStyle(PALETTE[place], SYMBOLS[(place + turn) % len(SYMBOLS)])

    def colour(self, name: str) -> str:
        """The colour of ``name`` (``#rrggbb``)."""
        return self.style(name).colour


_SHARED = SourceColours()


def source_style(name: str) -> SourceStyle:
    """The style of source ``name`` in every view of this kernel."""
    return _SHARED.style(name)


def source_colour(name: str) -> str:
    """The colour of source ``name`` in every view of this kernel."""
    return _SHARED.colour(name)


_GLYPHS = {
    "circle": '<circle cx="6" cy="6" r="4.2"/>',
    "square": '<rect x="2.2" y="2.2" width="7.6" height="7.6"/>',
    "triangle-up": '<path d="M6 1.5 L10.5 10 L1.5 10 Z"/>',
    "triangle-down": '<path d="M6 10.5 L10.5 2 L1.5 2 Z"/>',
    "diamond": '<path d="M6 1 L11 6 L6 11 L1 6 Z"/>',
    "cross": '<path d="M4.5 1h3v3.5h3.5v3h-3.5v3.5h-3v-3.5h-3.5v-3h3.5z"/>',
}


def marker_svg(style: SourceStyle, size: int = 12) -> str:
    """A small inline SVG of the style's marker in its colour, for legends and tables (made
    from our own constants only: no source name goes into it)."""
    shape = _GLYPHS.get(style.symbol, _GLYPHS["circle"])
    return (f'<svg class="oda-source-glyph" width="{size}" height="{size}" viewBox="0 0 12 12" '
            f'aria-hidden="true" style="vertical-align:middle"><g fill="{style.colour}" '
            f'stroke="#333" stroke-width="0.6">{shape}</g></svg>')
