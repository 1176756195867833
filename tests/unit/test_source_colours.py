"""One colour and marker per source, keyed by its name, the same in every view."""

from __future__ import annotations

import pytest

from oda_widgets.widgets.source_colours import PALETTE, SourceColours, marker_svg

pytestmark = pytest.mark.unit


def test_each_new_name_gets_the_next_colour_and_keeps_it():
    colours = SourceColours()
    names = ["4U 1700-377", "IGR J16318-4848", "IGR J16320-4751", "4U 1636-536", "4U 1538-52",
             "OAO 1657-415"]
    styles = [colours.style(name) for name in names]
    assert [s.colour for s in styles] == list(PALETTE)
    assert len({s.symbol for s in styles}) == len(names)
    # asked again, in another order or spelling, by another view: the same
    assert colours.style("4u1700-377") == styles[0]
    assert [colours.colour(n) for n in reversed(names)] == list(reversed(PALETTE))


def test_after_six_colours_a_source_differs_by_its_marker():
    colours = SourceColours()
    first = [colours.style(f"source {i}") for i in range(6)]
    seventh = colours.style("source 6")
    assert seventh.colour == first[0].colour and seventh.symbol != first[0].symbol
    assert len({(s.colour, s.symbol) for s in [*first, seventh]}) == 7


def test_the_colour_blind_safe_palette_leaves_out_the_selection_yellow_and_black():
    assert "#F0E442" not in PALETTE and "#000000" not in PALETTE


def test_a_marker_glyph_carries_only_our_own_colour():
    svg = marker_svg(SourceColours().style("<b>x</b>"))
    assert "<b>" not in svg and PALETTE[0] in svg
