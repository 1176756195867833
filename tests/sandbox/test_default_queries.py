"""The form as it opens works: every product's default query finds data and ends ``done``.

The dispatcher's descriptions start every INTEGRAL form on 1E 1740.7-2942 on 2017-03-06; a user
who presses submit without changing anything must get products, not ``scwlist empty``. A
``Dummy`` query gets the canned products whatever position and time it asks for.
"""

from __future__ import annotations

import pytest
from support.dispatcher_answers import run_to_done

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("instrument, product", [
    ("isgri", "isgri_image"), ("isgri", "isgri_spectrum"), ("isgri", "isgri_lc"),
    ("jemx", "jemx_image"), ("jemx", "jemx_spectrum"), ("jemx", "jemx_lc"),
    ("spi_acs", "spi_acs_lc"),
])
def test_the_default_query_of_each_product_ends_done(sandbox, instrument, product):
    answer = run_to_done(sandbox.url, {"instrument": instrument, "product_type": product,
                                       "query_type": "Real"})
    assert answer["query_status"] == "done", answer["exit_status"]
    assert answer["products"]["numpy_data_product_list"]


def test_a_dummy_query_gets_canned_products_wherever_it_points(sandbox):
    nowhere = {"instrument": "isgri", "product_type": "isgri_image", "RA": "10", "DEC": "80",
               "T1": "2001-01-01T00:00:00", "T2": "2001-01-01T01:00:00"}
    real = run_to_done(sandbox.url, {**nowhere, "query_type": "Real"})
    assert real["query_status"] == "failed"
    assert real["exit_status"]["error_message"] == "DDAException('scwlist empty')"
    dummy = run_to_done(sandbox.url, {**nowhere, "query_type": "Dummy"})
    assert dummy["query_status"] == "done", dummy["exit_status"]
    assert dummy["products"]["numpy_data_product_list"]
    assert dummy["products"]["analysis_parameters"]["RA"] == 10.0  # the request, echoed
