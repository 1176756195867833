"""Every instrument today's platform serves is described, and every product's form builds."""

from __future__ import annotations

import pytest

from oda_widgets.widgets.form import QueryForm

pytestmark = pytest.mark.mmoda

# what the local peer serves (its README): nb2workflow notebooks, the plugin's recorded backend,
# and the dispatcher's built-in test instruments
PEER_INSTRUMENTS = {
    "nbexamples", "nb2wtests", "mmoda_derived", "example0", "empty", "empty-async",
    "empty-semi-async", "empty-async-return-progress", "empty-with-conf", "empty-with-posix-path",
}


def test_every_instrument_is_listed(mmoda):
    assert PEER_INSTRUMENTS <= set(mmoda.instruments())


@pytest.mark.parametrize("instrument", sorted(PEER_INSTRUMENTS))
def test_every_product_form_builds(mmoda, instrument):
    spec = mmoda.describe(instrument)
    assert spec.products, f"{instrument} describes no product"
    for product in spec.products:
        form = QueryForm(dispatcher=mmoda, instrument=instrument, product=product)
        assert form.product == product
        shown = {name for name in form.values}
        assert {p.name for p in spec.parameters(product) if p.name} <= shown | {None}
