"""A token given to a Dispatcher after it was made: used, shown as who and until when, never echoed."""

import time

import jwt
import pytest

from oda_widgets.client import Dispatcher
from oda_widgets.client.errors import ValidationError

pytestmark = pytest.mark.unit


def _token(hours: float = 24, email: str = "ada@example.org") -> str:
    claims = {"sub": email, "name": "Ada", "roles": "general", "exp": int(time.time() + hours * 3600)}
    return jwt.encode(claims, "a-secret-of-at-least-thirty-two-bytes", algorithm="HS256")


@pytest.fixture
def dispatcher(tmp_path):
    return Dispatcher("http://127.0.0.1:9", token="", registry=tmp_path)


def test_set_token_shows_who_and_never_the_token(dispatcher):
    token = _token()
    info = dispatcher.set_token(token)
    assert info.user == "ada@example.org"
    assert dispatcher.token_info is info
    assert "ada@example.org" in repr(dispatcher) and token not in repr(dispatcher)
    assert token not in " ".join(dispatcher.token_notes)


def test_an_unreadable_token_is_refused_and_the_previous_one_kept(dispatcher):
    good = _token()
    dispatcher.set_token(good)
    with pytest.raises(ValidationError) as refused:
        dispatcher.set_token("not-a-token-at-all")
    assert "not-a-token-at-all" not in str(refused.value)
    assert dispatcher.token_info.user == "ada@example.org"


def test_removing_the_token_returns_to_public_access(dispatcher):
    dispatcher.set_token(_token())
    assert dispatcher.set_token(None) is None
    assert dispatcher.token_info is None and "no token" in repr(dispatcher)
