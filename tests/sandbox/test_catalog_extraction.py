"""An edited catalog chooses the sources of every ISGRI and JEM-X spectrum and light curve.

The image's catalog goes through the client's :class:`Catalog` (sources removed, renamed, added,
some selected), then over real HTTP as ``selected_catalog`` and ``catalog_selected_objects``, as
the form sends them; each product of the next job belongs to exactly the sources sent.
"""

from __future__ import annotations

import pytest
from astropy.coordinates import SkyCoord
from support.dispatcher_answers import run_to_done
from support.sandbox_products import meta

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

# the Galactic Centre over three days of 2003: ISGRI and JEM-X both have science windows there
CENTRE = SkyCoord(266.4, -29.0, unit="deg")
FIELD = {"query_type": "Real", "RA": "266.4", "DEC": "-29.0", "T1": "2003-03-15T00:00:00.0",
         "T2": "2003-03-18T00:00:00.0", "src_name": "1E 1740.7-2942",
         "session_id": "CATALOGEXTRACTION", "api": "True", "oda_api_version": "1.3.5"}
#: JEM-X windows point within 4 deg of the field and respond out to 6.6 deg off axis: a source
#: within 2 deg of the centre is seen by every window, one farther out may be seen by none.
JEMX_REACH_DEG = 2.0

PRODUCTS = [("isgri", "isgri_spectrum"), ("isgri", "isgri_lc"),
            ("jemx", "jemx_spectrum"), ("jemx", "jemx_lc")]


@pytest.fixture(scope="module")
def sandbox():
    server = start_sandbox(port=0, duration=0)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def image_catalog(sandbox) -> dict:
    image = run_to_done(sandbox.url, {**FIELD, "instrument": "isgri", "product_type": "isgri_image"})
    assert image["query_status"] == "done", image["exit_status"]
    return image["products"]["catalog"]


def extracted(sandbox, instrument: str, product: str, catalog: Catalog,
              selected_only: bool = False) -> list[str]:
    """Names of the sources the job's products belong to, one per source, in product order."""
    params = {**FIELD, "instrument": instrument, "product_type": product,
              "selected_catalog": catalog.to_selected_catalog()}
    if selected_only:
        params["catalog_selected_objects"] = catalog.catalog_selected_objects()
    answer = run_to_done(sandbox.url, params)
    assert answer["query_status"] == "done", answer["exit_status"]
    names = []
    for item in answer["products"]["numpy_data_product_list"]:
        kind = meta(item).get("product", item.get("name") or "")
        if kind.endswith(("_arf", "_rmf")):
            continue  # the responses that come with each spectrum
        names.append(meta(item)["src_name"])
    return names


def near_centre(catalog: Catalog) -> list[int]:
    separation = catalog.coords.separation(CENTRE).deg
    return [mid for mid, sep in zip(catalog.meta_ids, separation, strict=True)
            if sep < JEMX_REACH_DEG]


def edited(image_catalog: dict, instrument: str) -> Catalog:
    """The image's catalog (for JEM-X only what JEM-X can see), two sources removed, one renamed,
    one added on an empty patch of sky."""
    catalog = Catalog.from_dispatcher(image_catalog)
    if instrument == "jemx":
        catalog.remove([i for i in catalog.meta_ids if i not in near_centre(catalog)])
    assert len(catalog) >= 5, "the field should show several sources"
    first, second, third = catalog.meta_ids[:3]
    catalog.remove([first, third])
    catalog.rename(second, "Renamed source")
    catalog.add_source("Quiet spot", 266.0, -28.6)
    return catalog


@pytest.mark.parametrize(("instrument", "product"), PRODUCTS)
def test_exactly_the_edited_catalog_is_extracted(sandbox, image_catalog, instrument, product):
    catalog = edited(image_catalog, instrument)
    names = extracted(sandbox, instrument, product, catalog)
    assert sorted(names) == sorted(catalog.names)
    assert "Renamed source" in names and "Quiet spot" in names


@pytest.mark.parametrize(("instrument", "product"), PRODUCTS)
def test_only_the_selected_rows_are_extracted_when_asked(sandbox, image_catalog, instrument,
                                                         product):
    catalog = edited(image_catalog, instrument)
    chosen = [catalog.meta_ids[0], catalog.meta_ids[-1], catalog.meta_ids[2]]
    catalog.select(chosen)
    names = extracted(sandbox, instrument, product, catalog, selected_only=True)
    assert sorted(names) == sorted(catalog.row(i)["src_names"] for i in chosen)
    # the same catalog without catalog_selected_objects: every row
    assert len(extracted(sandbox, instrument, product, catalog)) == len(catalog)


@pytest.mark.parametrize("product", ["jemx_spectrum", "jemx_lc"])
def test_jemx_skips_sources_named_new_source_as_the_real_one_does(sandbox, image_catalog,
                                                                  product):
    catalog = edited(image_catalog, "jemx")
    kept = catalog.meta_ids[0]
    named = catalog.add_source("NEW SOURCE", 266.2, -29.2)
    assert any("JEM-X ignores" in w for w in catalog.warnings()[named])
    names = extracted(sandbox, "jemx", product, catalog)
    assert "NEW SOURCE" not in names and catalog.row(kept)["src_names"] in names
    # renamed as the warning says, it is extracted
    catalog.rename(named, "J174448-291200")
    assert "J174448-291200" in extracted(sandbox, "jemx", product, catalog)
    # ISGRI extracts it whatever its name
    catalog.rename(named, "NEW SOURCE")
    isgri = "isgri_spectrum" if product.endswith("spectrum") else "isgri_lc"
    assert "NEW SOURCE" in extracted(sandbox, "isgri", isgri, catalog)
