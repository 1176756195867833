"""The HTTP library's own log records never carry the token, even when it logs request URLs.

urllib3 logs the full URL of a retried request (``Retrying (...) ... /api/meta-data?...&token=``)
and, at DEBUG, every request line. The description calls put the token in that URL, as the
dispatcher expects, so the client's filter must clean those records before any handler sees them.
"""

from __future__ import annotations

import logging

import pytest

from oda_widgets.client.errors import DispatcherUnavailable
from oda_widgets.client.transport.http import Transport
from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.unit


@pytest.fixture()
def dropping_sandbox():
    server = start_sandbox()
    server.set_faults("all:drop")  # every request loses its connection: urllib3 retries
    try:
        yield server
    finally:
        server.stop()


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(repr(record.msg))
        parts.append(repr(record.args))
    return "\n".join(parts)


def test_retry_warnings_of_a_description_call_do_not_show_the_token(dropping_sandbox, caplog):
    token = dropping_sandbox.make_token()
    transport = Transport(dropping_sandbox.url, timeout=10, retries=2, backoff_factor=0.01)
    caplog.set_level(logging.DEBUG, logger="urllib3")
    try:
        with pytest.raises(DispatcherUnavailable):
            transport.meta_data("isgri", token=token)
    finally:
        transport.close()

    logged = _everything_logged(caplog)
    # the records that used to carry the URL are there (so this test can fail) ...
    assert "Retrying" in logged
    assert "Incremented Retry" in logged
    assert "/api/meta-data?instrument=isgri&token=<token removed>" in logged
    # ... and the token is in none of them, whole or in part
    assert token not in logged
    assert token.split(".")[1] not in logged
    assert "eyJ" not in logged


def test_the_filter_is_installed_once_whatever_the_number_of_transports():
    for _ in range(3):
        Transport("http://127.0.0.1:9").close()
    for name in ("urllib3", "urllib3.connectionpool", "urllib3.util.retry"):
        filters = logging.getLogger(name).filters
        assert len([f for f in filters if type(f).__name__ == "TokenRedactingFilter"]) == 1
