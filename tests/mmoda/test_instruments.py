"""Every instrument today's platform serves is described, and every product's form builds with
the field of each parameter's server class and nothing refused in its defaults."""

from __future__ import annotations

from typing import Any

import pytest
import requests

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


ONTOLOGY = "http://odahub.io/ontology#"

#: The field of a server class, by the most derived ontology URI its description names (read
#: here from the raw ``/api/meta-data`` answer, not from the client's reading of it).
FIELD_OF_CLASS = [
    ("LongString", "LongTextField"), ("POSIXPath", "FileField"), ("FileURL", "FileField"),
    ("FileReference", "FileField"), ("PhosphorosFiltersTable", "FiltersTableField"),
    ("StructuredParameter", "StructuredField"), ("TimeInstant", "TimeField"),
    ("Energy", "QuantityField"), ("TimeInterval", "QuantityField"), ("Angle", "AngleField"),
    ("Integer", "IntegerField"), ("Boolean", "BooleanField"), ("Float", "NumberField"),
    ("InputProdList", "ProductListField"), ("AstrophysicalObject", "TextField"),
    ("String", "TextField"),
]
#: The field of a parameter the server does not type, by its default's Python type.
FIELD_OF_UNTYPED = {list: "StructuredField", dict: "StructuredField", int: "IntegerField",
                    float: "NumberField", bool: "BooleanField", str: "TextField"}

#: Defaults that no value of the form can leave as they are, and why.
REFUSED_DEFAULTS = {
    # a recorded notebook whose file parameter defaults to "", which the service refuses
    ("example0", "file_download"): {"dummy_file"},
}


def raw_entries(mmoda_url: str, instrument: str, product: str) -> dict[str, dict[str, Any]]:
    """The description entries a product's form shows, by name (the first of a name wins)."""
    answer = requests.get(f"{mmoda_url}/api/meta-data", params={"instrument": instrument}, timeout=60)
    items = answer.json()
    items = items[0] if len(items) == 1 and isinstance(items[0], list) else items
    entries: dict[str, dict[str, Any]] = {}
    for query in items[2:]:
        names = {e.get("product_name") for e in query if "product_name" in e}
        if names and product not in names:
            continue
        for entry in query:
            if isinstance(entry.get("name"), str):
                entries.setdefault(entry["name"], entry)
    return entries


def expected_field(entry: dict[str, Any], companion: bool) -> str:
    restrictions = entry.get("restrictions") or {}
    if companion:
        return "TimeFormatSwitch"
    if entry["name"] == "selected_catalog":
        return "CatalogField"
    uris = [u.removeprefix(ONTOLOGY) for u in entry.get("owl_uri") or []]
    if not uris:
        return FIELD_OF_UNTYPED[type(entry["value"])]
    if "Boolean" not in uris and restrictions.get("allowed_values"):
        return "ChoiceField"
    return next(field for name, field in FIELD_OF_CLASS if name in uris)


@pytest.mark.parametrize("instrument", sorted(PEER_INSTRUMENTS))
def test_every_product_form_builds_with_the_field_of_each_class(mmoda, mmoda_url, instrument):
    spec = mmoda.describe(instrument)
    assert spec.products, f"{instrument} describes no product"
    for product in spec.products:
        form = QueryForm(dispatcher=mmoda, instrument=instrument, product=product)
        assert form.product == product
        shown = {name for name in form.values}
        assert {p.name for p in spec.parameters(product) if p.name} <= shown | {None, "token", "user_catalog"}
        entries = raw_entries(mmoda_url, instrument, product)
        formats = {p.format_parameter for p in spec.parameters(product) if p.format_parameter}
        for name, field in form.fields.items():
            assert field.spec.kind != "unknown", (instrument, product, name)
            wanted = expected_field(entries[name], name in formats)
            assert type(field).__name__ == wanted, (instrument, product, name, entries[name])
        refused = {field.name for field in form.invalid}
        assert refused == REFUSED_DEFAULTS.get((instrument, product), set()), (
            instrument, product, [(f.name, f.error) for f in form.invalid])
