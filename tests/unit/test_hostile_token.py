"""A hostile dispatcher never gets the user's token: a share link to an unknown host builds its
form without it (and says so), the sandbox never gets a real one, plain http to another machine
never carries one; known ODA sites still get it as oda_api sends it."""

from __future__ import annotations

import time

import jwt
import pytest
from support.hostile_dispatcher import HostileDispatcher, description

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import ValidationError
from oda_widgets.client.transport.token_scope import token_scope

pytestmark = pytest.mark.unit

# made here: a production-like token (no sandbox issuer), signed with a throwaway secret
REAL = jwt.encode({"sub": "ada@example.org", "name": "Ada", "roles": "general",
                   "exp": int(time.time()) + 86400}, "a-throwaway-secret-of-32-bytes-or-more",
                  algorithm="HS256")
SANDBOX_OWN = jwt.encode({"sub": "student@sandbox.local", "roles": "general",
                          "iss": "oda-widgets-sandbox", "exp": int(time.time()) + 86400},
                         "a-throwaway-secret-of-32-bytes-or-more", algorithm="HS256")


@pytest.fixture
def user_token(monkeypatch, tmp_path):
    """The user's real token where oda_api looks for it, and nowhere else on this machine."""
    monkeypatch.setenv("ODA_TOKEN", REAL)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("ODA_WIDGETS_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    return REAL


@pytest.fixture
def evil():
    with HostileDispatcher() as server:
        server.answer("/api/instr-list", ["evil"])
        server.answer("/instr-list", ["evil"])
        server.answer("/api/meta-data", description("evil", []))
        yield server


def test_a_share_link_to_an_unknown_host_builds_its_form_without_the_token(evil, user_token):
    from oda_widgets.widgets.form import QueryForm

    link = f"{evil.url}/mmoda?instrument=evil&product_type=evil_image&RA=10&DEC=20"
    form = QueryForm.from_url(link)
    assert form.instrument == "evil" and form.values["RA"] == 10.0  # the form is built ...
    assert evil.requests_to("/api/meta-data")  # ... from the host's description ...
    assert not evil.saw(user_token) and evil.tokens_received() == []  # ... without the token
    assert "not an ODA site this client knows" in form.link_notice
    assert "token box" in form.link_notice and "not an ODA site" in form.status_text
    assert form.dispatcher.token_info is None
    # the user may trust the host: a token given for it is sent, explicitly
    form.dispatcher.set_token(user_token)
    form.dispatcher.instruments()
    assert evil.tokens_received() == [user_token]


def test_a_dispatcher_made_for_an_unknown_host_discovers_no_token(evil, user_token):
    disp = Dispatcher(evil.url, registry=False)
    disp.instruments()
    disp.describe("evil")
    assert disp.token_info is None and not evil.saw(user_token)
    assert any("not an ODA site this client knows" in note for note in disp.token_notes)
    assert user_token not in " ".join(disp.token_notes) + repr(disp)


def test_the_sandbox_never_gets_a_real_token(evil, user_token, monkeypatch):
    # "sandbox" resolves to whatever ODA_WIDGETS_SANDBOX_URL names: here the hostile server
    monkeypatch.setenv("ODA_WIDGETS_SANDBOX_URL", evil.url)
    disp = Dispatcher("sandbox", registry=False)
    disp.instruments()
    assert disp.token_info is None and not evil.saw(user_token)
    assert any("not issued by oda-widgets-sandbox" in note for note in disp.token_notes)
    # the sandbox's own token is discovered and sent
    monkeypatch.setenv("ODA_TOKEN", SANDBOX_OWN)
    own = Dispatcher("sandbox", registry=False)
    own.instruments()
    assert evil.tokens_received() == [SANDBOX_OWN]


def test_plain_http_to_another_machine_never_carries_a_token(user_token):
    with pytest.raises(ValidationError, match="plain http") as refused:
        Dispatcher("http://dispatcher.example.org/dispatch-data", token=user_token,
                   registry=False)
    assert user_token not in str(refused.value)
    disp = Dispatcher("http://dispatcher.example.org/dispatch-data", registry=False)
    assert disp.token_info is None
    with pytest.raises(ValidationError, match="plain http"):
        disp.set_token(user_token)
    # the transport drops a token for such a host whoever hands it one
    assert not disp._transport.carries_tokens
    assert token_scope("http://localhost:5000").carries_tokens
    assert token_scope("https://anywhere.example.org").carries_tokens


def test_known_oda_sites_still_get_the_discovered_token(user_token):
    for alias in ("production", "staging"):
        disp = Dispatcher(alias, registry=False)
        assert disp.token_info is not None and disp.token_info.user == "ada@example.org"
        assert disp.token_scope.kind == "oda-site"
    # the same host on another port, or a look-alike host, is another site
    for url in ("https://www.astro.unige.ch:8443/mmoda/dispatch-data",
                "https://www.astro.unige.ch.example.org/mmoda/dispatch-data"):
        assert Dispatcher(url, registry=False).token_info is None
