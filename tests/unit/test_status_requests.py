"""The poller's status requests: the same fields as requests would send, over kept-alive connections."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.scripted_dispatcher import envelope

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.transport.status_requests import _quoted_field, form_encoded

pytestmark = pytest.mark.unit

field_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(st.tuples(field_text, field_text), max_size=12))
def test_fields_are_encoded_as_urlencode_encodes_them(fields):
    assert form_encoded(fields) == urlencode(fields)
    assert parse_qsl(form_encoded(fields), keep_blank_values=True) == fields


def test_the_token_is_quoted_afresh_and_never_kept():
    _quoted_field.cache_clear()
    encoded = form_encoded([("instrument", "isgri"), ("token", "eyJ.secret+part/2")])
    assert encoded == "instrument=isgri&token=eyJ.secret%2Bpart%2F2"
    assert _quoted_field.cache_info().currsize == 1  # the instrument only


def test_a_followed_job_is_polled_over_one_kept_alive_connection(server):
    server.script("isgri", [envelope("submitted")] * 5 + [envelope("done")])
    with Dispatcher(server.url, token="", registry=False, poll_interval=0.05) as disp:
        job = disp.submit("isgri", "isgri_image", validate=False, RA=1.0)
        job.wait(30)
    sent = server.sent("isgri")
    assert len(sent) == 6
    # the submission and every poll: all on the connection the first request opened
    assert len({request["_client_port"] for request in sent}) == 1
    assert {request["_method"] for request in sent} == {"GET"}
    assert all(request["RA"] == "1.0" for request in sent)
