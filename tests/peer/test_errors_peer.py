"""What the real dispatcher refuses, and how it reaches the user."""

from __future__ import annotations

import json

import pytest
from support import shared

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import (
    RequestRejected,
    Unauthorized,
    ValidationError,
    ValidationErrors,
)
from oda_widgets.client.jobs import JobStatus

pytestmark = pytest.mark.peer
WAIT = 120


@pytest.fixture()
def public(real_dispatcher, registry_root):
    disp = Dispatcher(real_dispatcher.url, token="", registry=registry_root, poll_interval=0.2)
    yield disp
    disp.close()


@pytest.fixture()
def signed(real_dispatcher, registry_root, general_token):
    disp = Dispatcher(
        real_dispatcher.url, token=general_token, registry=registry_root, poll_interval=0.2
    )
    yield disp
    disp.close()


def failed_with(job, error_type):
    assert job.wait(WAIT) is JobStatus.FAILED
    assert isinstance(job.error, error_type), repr(job.error)
    return job.error


def test_a_product_needing_a_role_is_refused_without_a_token(public):
    error = failed_with(public.submit("empty", "numerical", "Dummy", p=5), Unauthorized)
    assert "general" in error.message
    assert "priviledges are not sufficient" in error.message


def test_the_same_product_is_delivered_with_a_signed_token(signed):
    job = signed.submit("empty", "numerical", "Dummy", p=5)
    assert job.wait(WAIT) is JobStatus.DONE
    assert signed.token_info.has_role("general")


def test_an_expired_token_is_unauthorized_and_never_shown(real_dispatcher, registry_root,
                                                          token_factory):
    token = token_factory("general", lifetime_s=-60)
    disp = Dispatcher(real_dispatcher.url, token=token, registry=registry_root)
    try:
        error = failed_with(disp.submit("empty", "numerical", "Dummy", validate=False, p=5),
                            Unauthorized)
        assert "expired" in error.message
        assert token not in str(error) and token not in repr(error.payload)
        assert token not in repr(disp)
    finally:
        disp.close()


def test_a_bad_angle_is_refused_by_our_validation_before_sending(signed):
    with pytest.raises(ValidationErrors) as caught:
        signed.submit("empty-async", "dummy", RA="a")
    assert "RA" in caught.value.by_parameter()


def test_a_bad_angle_sent_anyway_is_rejected_with_the_servers_message(signed, general_token):
    error = failed_with(signed.submit("empty-async", "dummy", validate=False, RA="a"),
                        RequestRejected)
    assert "parsing angle 'a'" in error.message
    assert error.parameter == "RA"
    assert general_token not in str(error.payload)


def test_an_unknown_instrument_is_rejected(signed):
    error = failed_with(signed.submit("nosuch", "dummy", validate=False), RequestRejected)
    assert "known" in error.message and "empty-async" in error.message


@pytest.mark.shared
def test_an_unknown_product_is_refused_first_by_validation_then_by_the_server(signed):
    with pytest.raises(ValidationError, match="numerical"):
        signed.submit("empty-async", "nosuch")
    error = failed_with(signed.submit("empty-async", "nosuch", validate=False), RequestRejected)
    # the server's own words, as the same request got them when the captures were made
    captured = json.loads((shared.CAPTURES_133 / "34_err_unknown_product.json").read_text())
    assert "product type nosuch not in query_dictionary" in captured["error_message"]
    assert error.message == captured["error_message"]


def test_an_out_of_range_value_is_rejected_with_the_parameter_named(signed):
    error = failed_with(signed.submit("empty", "numerical", "Dummy", validate=False, p=1000),
                        RequestRejected)
    assert "restricted to 800" in error.message
    assert error.parameter == "p"


def test_name_resolution_needs_a_role_on_this_dispatcher(public):
    with pytest.raises(Unauthorized, match="token"):
        public.resolve_name("Crab")


def test_name_resolution_without_a_resolver_is_a_clear_rejection(real_dispatcher, registry_root,
                                                                  token_factory):
    disp = Dispatcher(real_dispatcher.url, token=token_factory("gallery contributor"),
                      registry=registry_root)
    try:
        with pytest.raises(RequestRejected, match="give RA and DEC instead"):
            disp.resolve_name("Crab")
    finally:
        disp.close()
