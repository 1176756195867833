"""Token claims and discovery, with tokens signed the way the dispatcher signs them (HS256)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from oda_widgets.client.errors import ValidationError
from oda_widgets.client.transport.token import TokenInfo, decode_token, discover_token

# The dispatcher under test signs with this short secret; PyJWT warns about its length.
pytestmark = [pytest.mark.unit, pytest.mark.filterwarnings("ignore:The HMAC key is")]

SECRET = "secretkey_test"
NOW = datetime(2026, 11, 21, 15, 0, tzinfo=UTC)


def make_token(expires_in: timedelta | None = timedelta(hours=23), **claims) -> str:
    payload = {"sub": "jane@x.org", "name": "Jane Doe", "roles": "general, unige-hpc-full", **claims}
    if expires_in is not None:
        payload["exp"] = int((datetime.now(UTC) + expires_in).timestamp())
    return jwt.encode(payload, SECRET, algorithm="HS256")


def test_claims_are_read_without_the_secret():
    info = decode_token(make_token(iat=1_700_000_000))
    assert info.user == "jane@x.org"
    assert info.name == "Jane Doe"
    assert info.roles == ("general", "unige-hpc-full")
    assert info.expires is not None and info.expires.tzinfo is not None
    assert info.issued_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert not info.expired
    assert info.has_role("general")


def test_roles_may_be_a_list_and_email_stands_in_for_sub():
    token = jwt.encode({"email": "bob@y.org", "roles": [" general ", "magic"]}, SECRET, algorithm="HS256")
    info = decode_token(token)
    assert info.user == "bob@y.org"
    assert info.roles == ("general", "magic")
    assert info.expires is None and not info.expired


def test_expired_token_is_still_readable():
    info = decode_token(make_token(expires_in=-timedelta(hours=3)))
    assert info.expired


@pytest.mark.parametrize(
    ("expires", "text"),
    [
        (NOW + timedelta(hours=23), "Jane Doe <jane@x.org>, expires 2026-11-22 14:00 UTC (in 23 h)"),
        (NOW + timedelta(minutes=12), "Jane Doe <jane@x.org>, expires 2026-11-21 15:12 UTC (in 12 min)"),
        (NOW + timedelta(days=7), "Jane Doe <jane@x.org>, expires 2026-11-28 15:00 UTC (in 7 d)"),
        (NOW - timedelta(hours=3), "Jane Doe <jane@x.org>, expired 2026-11-21 12:00 UTC (3 h ago)"),
        (None, "Jane Doe <jane@x.org>, no expiry date"),
    ],
)
def test_describe(expires, text):
    info = TokenInfo(user="jane@x.org", name="Jane Doe", roles=(), expires=expires)
    assert info.describe(now=NOW) == text


def test_describe_without_a_name():
    info = TokenInfo(user="jane@x.org", name=None, roles=(), expires=None)
    assert info.describe() == "jane@x.org, no expiry date"


def test_repr_never_shows_the_token():
    token = make_token()
    info = decode_token(token)
    for text in (repr(info), str(info), info.describe()):
        assert token not in text
        assert token.split(".")[2] not in text


@pytest.mark.parametrize("garbage", ["garbage", "a.b.c", "", "   ", "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln"])
def test_garbage_is_a_clear_validation_error(garbage):
    with pytest.raises(ValidationError) as info:
        decode_token(garbage)
    assert info.value.parameter == "token"
    assert "token" in info.value.message.lower()
    if garbage.strip():
        assert garbage not in info.value.message


# -- discovery -------------------------------------------------------------------------------
@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty working folder and an empty home folder, and no ODA_TOKEN."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir()
    home.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("ODA_TOKEN", raising=False)
    return work, home


def test_nothing_found(places):
    assert discover_token() == (None, None, [])


def test_order_is_env_then_cwd_then_home_then_context(places, monkeypatch):
    work, home = places
    tokens = {name: make_token(name=name) for name in ("env", "cwd", "home", "context")}
    (work / ".oda_api_context").write_text(json.dumps({"token": tokens["context"]}))
    assert discover_token()[:2] == (tokens["context"], f"file {work / '.oda_api_context'}")
    (home / ".oda-token").write_text(tokens["home"] + "\n")
    assert discover_token()[:2] == (tokens["home"], f"file {home / '.oda-token'}")
    (work / ".oda-token").write_text("  " + tokens["cwd"] + "\n")
    assert discover_token()[:2] == (tokens["cwd"], f"file {work / '.oda-token'}")
    monkeypatch.setenv("ODA_TOKEN", tokens["env"])
    assert discover_token() == (tokens["env"], "environment variable ODA_TOKEN", [])


def test_expired_tokens_are_skipped_with_a_plain_note(places, monkeypatch):
    work, home = places
    expired = make_token(expires_in=-timedelta(hours=3))
    valid = make_token()
    monkeypatch.setenv("ODA_TOKEN", expired)
    (work / ".oda-token").write_text(expired)
    (home / ".oda-token").write_text(valid)
    token, source, notes = discover_token()
    assert token == valid
    assert source == f"file {home / '.oda-token'}"
    assert len(notes) == 2
    assert notes[0].startswith("The token in the environment variable ODA_TOKEN expired ")
    assert "(3 h ago); skipped it." in notes[0]
    assert str(work / ".oda-token") in notes[1]
    assert all(expired not in note for note in notes)


def test_unreadable_tokens_are_skipped(places, monkeypatch):
    work, _ = places
    monkeypatch.setenv("ODA_TOKEN", "not-a-token")
    (work / ".oda_api_context").write_text("{broken json")
    token, source, notes = discover_token()
    assert (token, source) == (None, None)
    assert notes[0] == "The environment variable ODA_TOKEN does not hold a readable token; skipped it."
    assert "JSONDecodeError" in notes[1]
    assert all("not-a-token" not in note for note in notes)


def test_only_expired_tokens_give_none(places, monkeypatch):
    monkeypatch.setenv("ODA_TOKEN", make_token(expires_in=-timedelta(days=2)))
    token, source, notes = discover_token()
    assert (token, source) == (None, None)
    assert "(2 d ago)" in notes[0]
