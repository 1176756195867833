"""Instrument lists and descriptions read from the real dispatcher 1.3.3."""

from __future__ import annotations

import pytest

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import RequestRejected, ValidationError

pytestmark = pytest.mark.peer


@pytest.fixture()
def dispatcher(real_dispatcher, registry_root):
    disp = Dispatcher(real_dispatcher.url, token="", registry=registry_root)
    yield disp
    disp.close()


def test_the_instrument_list_holds_the_test_instruments(dispatcher):
    assert set(dispatcher.instruments()) >= {"empty", "empty-async", "empty-semi-async"}


@pytest.mark.parametrize(
    ("instrument", "products"),
    [
        ("empty", {"dummy", "numerical", "failing", "parametrical", "echo"}),
        ("empty-async", {"dummy", "numerical"}),
        ("empty-semi-async", {"numerical"}),
    ],
)
def test_describe_lists_the_products_and_their_parameters(dispatcher, instrument, products):
    spec = dispatcher.describe(instrument)
    assert spec.name == instrument
    assert set(spec.products) >= products
    names = [p.name for p in spec.parameters("numerical")]
    assert {"RA", "DEC", "T1", "T2", "p"} <= set(names)
    assert spec.defaults("numerical")["RA"] == pytest.approx(265.97845833)


def test_describe_is_kept_after_the_first_call(dispatcher):
    assert dispatcher.describe("empty-async") is dispatcher.describe("empty-async")


def test_describe_one_product_only(dispatcher):
    spec = dispatcher.describe("empty-async", "numerical")
    assert "p" in [p.name for p in spec.parameters("numerical")]


def test_par_names_are_the_servers(dispatcher):
    assert "p" in dispatcher.par_names("empty-async", "numerical")


def test_an_unknown_instrument_is_rejected_with_the_known_ones(dispatcher):
    with pytest.raises(RequestRejected, match="known") as caught:
        dispatcher.describe("nosuch")
    assert "empty-async" in caught.value.message


def test_an_unknown_product_names_the_products_there_are(dispatcher):
    with pytest.raises(ValidationError, match="dummy"):
        dispatcher.describe("empty-async", "nosuch")


def test_dry_run_returns_how_the_server_reads_the_parameters(dispatcher):
    answer = dispatcher.dry_run("empty", "dummy", RA=12.5)
    assert answer["analysis_parameters"]["RA"] == pytest.approx(12.5)
    assert "prod_dict" in answer["instrument_parameters"][1]
    assert len(answer["job_id"]) == 16
