"""One status idiom: every public widget says what its status line says in a ``status`` trait.

A notebook (or the Explorer) can follow any view the same way, ``view.observe(fn, "status")``,
and the front end gets the same text (the trait is synced), never markup. Things that happen
rather than change (a token taken) are ``on_...`` events with ``remove=True``. The per-view
sentences are tested beside each view (test_sky_view.py, test_light_curve_view.py, ...); here
every public widget is held to the idiom, and the token box and the time-resolved spectra are
tested, which have no unit test module of their own.
"""

from __future__ import annotations

import html
import json
import time

import ipywidgets as widgets
import jwt
import pytest
import traitlets
from support.saved_descriptions import SavedDispatcher, sandbox_documents

import oda_widgets
from oda_widgets._public import WIDGETS
from oda_widgets.widgets.time_resolved_spectra import TimeResolvedSpectra
from oda_widgets.widgets.token_box import TokenBox

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", sorted(WIDGETS))
def test_every_public_widget_has_a_synced_plain_text_status(name):
    cls = getattr(oda_widgets, name)
    trait = cls.class_traits().get("status")
    assert isinstance(trait, traitlets.Unicode), f"{name} has no status Unicode trait"
    assert trait.default_value == "", f"{name}'s status says something before anything happened"
    if issubclass(cls, widgets.Widget):
        assert trait.metadata.get("sync") is True, f"{name}.status is not synced"
    else:
        # the Explorer is not a widget (its ``open`` opens jobs): it shows status in a Label
        assert name == "Explorer"


def test_the_token_box_follows_the_idiom_too():
    trait = TokenBox.class_traits()["status"]
    assert isinstance(trait, traitlets.Unicode) and trait.metadata.get("sync") is True


def _token(name: str) -> str:
    claims = {"sub": "ann@example.org", "name": name, "exp": int(time.time()) + 3600}
    return jwt.encode(claims, "a-secret-that-is-not-the-servers-at-all", algorithm="HS256")


def test_the_token_box_says_who_is_logged_in_and_tells_its_listeners():
    box = TokenBox(SavedDispatcher(sandbox_documents()))
    assert box.status.startswith("no token: ")
    used: list[str] = []
    box.on_token_used(lambda: used.append(box.status))
    token = _token("Ann Other")
    box.password.value = token   # what the browser syncs on Enter
    assert used == [box.status]
    assert box.status.startswith("Ann Other <ann@example.org>, expires ")
    # the line shows the trait, as text: the e-mail's brackets are no markup
    assert html.unescape(box.status_line.value).endswith(box.status + "</span>")
    assert "<ann@" not in box.status_line.value
    assert token not in json.dumps(box.get_state(), default=str)
    # a token refused is said, and is no event
    box.password.value = "not-a-token-at-all"
    assert box.status.startswith("⚠ the token was not used") and len(used) == 1
    assert "oda-error-text" in box.status_line.value
    box.on_token_used(used.append, remove=True)   # unknown callbacks: nothing happens
    box.password.value = _token("Ann Other")
    assert len(used) == 2


def test_the_constructor_callback_is_a_listener_and_a_failing_one_is_said():
    called: list[bool] = []

    def failing() -> None:
        raise RuntimeError("the form went away")

    box = TokenBox(SavedDispatcher(sandbox_documents()), on_change=lambda: called.append(True))
    box.on_token_used(failing)
    box.password.value = _token("Jane Doe")
    assert called == [True]   # the shortcut still works, and is called before the failing one
    assert box.status.startswith("⚠ Token in use (Jane Doe <ann@example.org>, expires ")
    assert box.status.endswith("but a listener failed: the form went away")
    assert box.dispatcher.token_info.name == "Jane Doe"   # the token stays in use
    box.on_token_used(failing, remove=True)
    box.password.value = _token("Jane Doe")
    assert called == [True, True] and not box.status.startswith("⚠")


def test_the_time_resolved_spectra_say_what_their_last_action_did():
    view = TimeResolvedSpectra(("2003-03-15T23:27:40", "2003-03-16T02:00:00"),
                               query={"instrument": "isgri", "RA": 255.98, "DEC": -37.84,
                                      "src_name": "OAO 1657-415"},
                               dispatcher=SavedDispatcher(sandbox_documents()))
    assert view.status == ""
    view.count_box.value = 3
    view.buttons["equal"].click()
    assert view.status == "3 intervals; Get spectra submits one job each."
    view.buttons["add"].click()   # no light curve to brush on: the button says why not
    assert view.status.startswith("⚠ No range brushed")
    assert "oda-error-text" in view.message.value
