"""Dispatcher URLs: the default, oda_api's aliases, the sandbox, and clear errors."""

from __future__ import annotations

import sys

import pytest
import requests

from oda_widgets.client.errors import OdaError, ValidationError
from oda_widgets.client.transport import sites
from oda_widgets.client.transport.sites import DEFAULT_URL, resolve_url

pytestmark = pytest.mark.unit


def test_default_is_production():
    assert resolve_url(None) == DEFAULT_URL == "https://www.astro.unige.ch/mmoda/dispatch-data"


@pytest.mark.parametrize(
    ("alias", "url"),
    [
        ("unige-production", DEFAULT_URL),
        ("production", DEFAULT_URL),
        ("prod", DEFAULT_URL),
        (" Prod ", DEFAULT_URL),
        ("unige-staging", "https://dispatcher-staging.obsuks1.unige.ch"),
        ("staging", "https://dispatcher-staging.obsuks1.unige.ch"),
    ],
)
def test_oda_api_aliases(alias, url):
    assert resolve_url(alias) == url


@pytest.mark.parametrize(
    ("url", "resolved"),
    [
        ("https://www.astro.unige.ch/mmoda/dispatch-data/", DEFAULT_URL),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        (" http://localhost:5000/dispatch-data ", "http://localhost:5000/dispatch-data"),
    ],
)
def test_urls_are_kept_without_trailing_slash(url, resolved):
    assert resolve_url(url) == resolved


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("ftp://example.org/dispatch", "must start with http:// or https://"),
        ("https://", "has no host name"),
        ("http://localhost:99999", "invalid port"),
        ("https://example.org/run_analysis?instrument=isgri", "without '?' or '#' parts"),
        ("https://exa mple.org", "contains spaces"),
        ("https://user:pw@example.org", "must not contain a user name"),
        ("prodd", "Unknown dispatcher 'prodd': give a URL starting with https:// or one of the names"),
        ("www.astro.unige.ch/mmoda/dispatch-data", "Unknown dispatcher"),
    ],
)
def test_bad_urls_say_what_to_change(url, text):
    with pytest.raises(ValidationError) as info:
        resolve_url(url)
    assert info.value.parameter == "url"
    assert text in info.value.message


def test_unknown_name_lists_the_names():
    with pytest.raises(ValidationError) as info:
        resolve_url("mars")
    for name in ("production", "staging", "sandbox"):
        assert name in info.value.message


def test_sandbox_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("ODA_WIDGETS_SANDBOX_URL", "http://127.0.0.1:8765/")
    assert resolve_url("sandbox") == "http://127.0.0.1:8765"


@pytest.mark.sandbox
def test_sandbox_is_started_once_per_process(monkeypatch):
    monkeypatch.delenv("ODA_WIDGETS_SANDBOX_URL", raising=False)
    monkeypatch.setattr(sites, "_sandbox", None)
    try:
        url = resolve_url("sandbox")
        assert url.startswith("http://127.0.0.1:")
        assert resolve_url("SANDBOX") == url
        started = sites._sandbox
        assert resolve_url("sandbox") == url and sites._sandbox is started
        answer = requests.get(f"{url}/api/meta-data", params={"instrument": "nosuch"}, timeout=30)
        assert answer.status_code == 400, "a dispatcher answers, refusing the unknown instrument"
    finally:
        if sites._sandbox is not None:
            sites._sandbox.stop()


def test_missing_sandbox_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("ODA_WIDGETS_SANDBOX_URL", raising=False)
    monkeypatch.setitem(sys.modules, "oda_widgets.sandbox", None)  # import fails
    monkeypatch.setattr(sites, "_sandbox", None)
    with pytest.raises(OdaError) as info:
        resolve_url("sandbox")
    assert "sandbox dispatcher is not available" in str(info.value)
    assert 'pip install "oda_widgets[sandbox]"' in str(info.value)
    assert "ODA_WIDGETS_SANDBOX_URL" in str(info.value)
