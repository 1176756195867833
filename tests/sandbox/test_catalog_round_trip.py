"""An image's catalog sent back as ``selected_catalog`` chooses the sources of the next job.

Over real HTTP, in the dispatcher's own wire format (``selected_catalog`` as JSON text,
``catalog_selected_objects`` as comma-separated ``meta_ID`` values), as oda_api and the
client send them.
"""

from __future__ import annotations

import json

import pytest
import requests
from support.dispatcher_answers import run_to_done
from support.sandbox_products import meta

pytestmark = pytest.mark.sandbox

# the user guide's field: 4U 1700-377 on 2003-03-15/16
FIELD = {"instrument": "isgri", "query_type": "Real", "RA": "255.986542", "DEC": "-37.844167",
         "T1": "2003-03-15T23:27:40.0", "T2": "2003-03-16T00:03:15.0", "src_name": "4U 1700-377",
         "session_id": "CATALOGROUNDTRIP", "api": "True", "oda_api_version": "1.3.5"}


def spectrum_sources(answer: dict) -> list[str]:
    products = answer["products"]["numpy_data_product_list"]
    return [meta(p)["src_name"] for p in products if "spectrum" in meta(p).get("product", "")]


def test_the_catalog_and_its_selection_choose_the_spectra(sandbox):
    image = run_to_done(sandbox.url, {**FIELD, "product_type": "isgri_image"})
    assert image["query_status"] == "done", image["exit_status"]
    catalog = image["products"]["catalog"]
    names = catalog["cat_column_list"][catalog["cat_column_names"].index("src_names")]
    ids = catalog["cat_column_list"][catalog["cat_column_names"].index("meta_ID")]
    assert len(names) >= 3, "the field should show several sources"

    everything = run_to_done(sandbox.url, {**FIELD, "product_type": "isgri_spectrum",
                                           "selected_catalog": json.dumps(catalog)})
    assert everything["query_status"] == "done", everything["exit_status"]
    assert sorted(set(spectrum_sources(everything))) == sorted(names)

    chosen = [ids[0], ids[2]]
    two = run_to_done(sandbox.url, {**FIELD, "product_type": "isgri_spectrum",
                                    "selected_catalog": json.dumps(catalog),
                                    "catalog_selected_objects": ",".join(map(str, chosen))})
    assert two["query_status"] == "done", two["exit_status"]
    assert sorted(set(spectrum_sources(two))) == sorted([names[0], names[2]])


def test_a_catalog_without_its_required_columns_is_refused_with_the_column_named(sandbox):
    image = run_to_done(sandbox.url, {**FIELD, "product_type": "isgri_image"})
    catalog = image["products"]["catalog"]
    at = catalog["cat_column_names"].index("significance")
    del catalog["cat_column_names"][at], catalog["cat_column_list"][at]
    answer = requests.get(f"{sandbox.url}/run_analysis", params={
        **FIELD, "product_type": "isgri_spectrum", "query_status": "new",
        "selected_catalog": json.dumps(catalog)})
    # the dispatcher refuses a malformed catalog before any job starts (400 RequestNotUnderstood)
    assert answer.status_code == 400
    assert "significance" in answer.json()["error_message"]
