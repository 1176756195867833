"""Token entry and display: who is logged in and until when, never the token itself.

A Password widget's value is synchronised widget state, and widget state can be saved into the
notebook file. So the box reads the value only when the user commits it (Enter, leaving the field,
or "Use token"; ``continuous_update=False`` keeps keystrokes in the browser until then), hands it to
the :class:`~oda_widgets.client.dispatcher.Dispatcher` and clears the widget at once.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.errors import OdaError
from .events import Events

__all__ = ["TokenBox", "describe_token"]


def describe_token(info: Any) -> str:
    """One line about a token: the user and the expiry (``"anonymous"`` without a token).

    Parameters
    ----------
    info : TokenInfo or None
        The decoded claims of the dispatcher's token.
    """
    if info is None:
        return "no token: anonymous, public data only"
    describe = getattr(info, "describe", None)
    if callable(describe):
        return str(describe())
    user = next(
        (str(v) for v in (getattr(info, a, None) for a in ("name", "user", "email", "sub")) if v),
        "unknown user",
    )
    expires = _expiry(info)
    if expires is None:
        return f"{user}, no expiry date"
    when = expires.strftime("%Y-%m-%d %H:%M UTC")
    if expires <= _dt.datetime.now(_dt.UTC):
        return f"{user}, expired {when}"
    return f"{user}, expires {when}"


def _expiry(info: Any) -> _dt.datetime | None:
    for attribute in ("expires_at", "expires", "expiry", "exp"):
        value = getattr(info, attribute, None)
        if value is None or callable(value):
            continue
        if isinstance(value, _dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=_dt.UTC)
        if isinstance(value, int | float):
            return _dt.datetime.fromtimestamp(value, _dt.UTC)
    return None


class TokenBox(widgets.HBox):
    """A password field whose value goes to the dispatcher and is cleared at once.

    Parameters
    ----------
    dispatcher : Dispatcher
        Receives the token; its ``token_info`` is what the box shows.
    on_change : callable, optional
        A shortcut for ``box.on_token_used(on_change)``.

    Attributes
    ----------
    status : str
        The line beside the field, as plain text: who is logged in and until when, or, after
        ``"⚠ "``, why a token was not used (observable; synced; never the token).
    """

    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, dispatcher: Any, on_change: Callable[[], None] | None = None) -> None:
        self.dispatcher = dispatcher
        self._token_used = Events(on_error=self._listener_failed)
        self.password = widgets.Password(
            description="Token",
            placeholder="paste an ODA token, then press Enter",
            continuous_update=False,
            tooltip="your ODA token (from the MMODA web site); it is kept in the kernel only, "
            "never in the notebook",
            style={"description_width": "11em"},
            layout=widgets.Layout(width="32em"),
        )
        self.password.add_class("oda-token-input")
        self.use_button = widgets.Button(
            description="Use token", tooltip="send the pasted token to the dispatcher client"
        )
        self.status_line = widgets.HTML("")
        self.status_line.add_class("oda-token-status")
        super().__init__([self.password, self.use_button, self.status_line])
        self.add_class("oda-token")
        self.password.observe(self._take, names="value")
        self.use_button.on_click(lambda _button: self._take())
        if on_change is not None:
            self.on_token_used(on_change)
        self.refresh()

    @property
    def widget(self) -> TokenBox:
        """The box itself (what a layout places)."""
        return self

    def on_token_used(self, callback: Callable[[], None], remove: bool = False) -> None:
        """Call ``callback()`` after the dispatcher took a token typed in the box.

        A callback that raises is logged and named in :attr:`status`; the token stays in use
        and the other callbacks are still called. ``remove=True`` unregisters ``callback``.
        """
        self._token_used.register_callback(callback, remove=remove)

    def _listener_failed(self, _callback: Any, exc: Exception, _args: tuple[Any, ...]) -> None:
        self.status = f"⚠ Token in use ({self.text}), but a listener failed: {exc}"

    def _take(self, _change: Any = None) -> None:
        token = (self.password.value or "").strip()
        if not token:
            return
        # clear first: whatever happens next, the token must not stay in widget state
        self.password.value = ""
        try:
            self.dispatcher.set_token(token)
        except (OdaError, ValueError) as exc:
            message = str(getattr(exc, "message", exc)).replace(token, "<token>")
            self.status = f"⚠ the token was not used: {message}"
            return
        finally:
            del token
        self.refresh()
        self._token_used()

    def refresh(self) -> None:
        """Show the dispatcher's current user and expiry; for a dispatcher that is not an ODA
        site the client knows, that the user's token was not sent there."""
        info = getattr(self.dispatcher, "token_info", None)
        scope = getattr(self.dispatcher, "token_scope", None)
        if info is None and scope is not None and scope.kind == "other" and scope.carries_tokens:
            self.status = (f"no token: {scope.host} is not an ODA site this client knows, so "
                           "your token was not sent there; paste one here if you trust it")
            return
        self.status = describe_token(info)

    @traitlets.observe("status")
    def _show_status(self, change: dict[str, Any]) -> None:
        # the line shows the trait: text, never markup (a server's message may be in it)
        text = change["new"]
        css = "oda-error-text" if text.startswith("⚠") else "oda-note-text"
        self.status_line.value = f'<span class="{css}">{html.escape(text)}</span>'

    @property
    def text(self) -> str:
        """Who is logged in and until when, as plain text."""
        return describe_token(getattr(self.dispatcher, "token_info", None))

    def __repr__(self) -> str:
        return f"TokenBox({self.text})"
