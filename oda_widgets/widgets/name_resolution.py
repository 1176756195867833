"""Name resolution in the form: a Resolve button beside the source name that fills RA and Dec.

The dispatcher's resolver is asked for the name; its coordinates go into the parameters that play
the roles of RA and Dec (:mod:`oda_widgets.client.query.roles`). A name it cannot resolve is said
beside the name as a warning that does not block Submit: RA and Dec keep what they hold.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..client.errors import OdaError
from .fields import AngleField, Field

if TYPE_CHECKING:
    from .form import QueryForm

__all__ = ["add_resolve_button", "resolve_name"]

_KEPT = "RA and Dec are kept as they are (type them, or try another name)"


def _warn(field: Field, text: str) -> None:
    """A warning beside ``field`` that does not block Submit (the value itself is fine)."""
    field.message.value = (
        f'<span class="oda-warning-text" role="status">⚠ {html.escape(text)}</span>'
    )


def add_resolve_button(form: QueryForm) -> widgets.Button | None:
    """Put a Resolve button beside the source name of ``form`` when it has a name, RA and Dec
    as angles, and its dispatcher a resolver; returns the button (None when there is none)."""
    source, ra, dec = (form._role_field(role) for role in ("target", "ra", "dec"))
    if source is None or not isinstance(ra, AngleField) or not isinstance(dec, AngleField):
        return None
    if not callable(getattr(form.dispatcher, "resolve_name", None)):
        return None
    button = widgets.Button(
        description="Resolve", layout=widgets.Layout(width="7em"),
        tooltip="look the name up and fill RA and Dec (degrees)",
    )
    button.add_class("oda-resolve")
    button.on_click(lambda _b: form.resolve())
    source.add_extra(button)
    return button


def resolve_name(form: QueryForm, name: str | None = None) -> dict[str, Any] | None:
    """Look up ``name`` (by default the one typed in ``form``) and fill its RA and Dec.

    Returns the resolver's answer, or ``None`` when the name could not be resolved (said beside
    the name).
    """
    source, ra, dec = (form._role_field(role) for role in ("target", "ra", "dec"))
    if source is None or ra is None or dec is None:
        return None
    name = (name if name is not None else str(source.query_value() or "")).strip()
    if not name:
        _warn(source, "Type a source name to resolve.")
        return None
    source.set_value(name)
    try:
        answer = form.dispatcher.resolve_name(name)
    except OdaError as exc:
        _warn(source, f"{getattr(exc, 'message', None) or exc}; {_KEPT}")
        return None
    ra_value, dec_value = answer.get("RA"), answer.get("DEC")
    if ra_value is None or dec_value is None:
        message = answer.get("message") or "the resolver gave no coordinates"
        _warn(source, f"{name} could not be resolved: {message}; {_KEPT}")
        return None
    form._set_values({ra.name: float(ra_value), dec.name: float(dec_value)})
    source.note = f"resolved: RA {float(ra_value):.5f}°, Dec {float(dec_value):.5f}°"
    form._check_all()
    return dict(answer)
