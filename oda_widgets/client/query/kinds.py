"""The parameter kinds, each registered once: its name, its ontology URIs and its client class.

A kind is added by decorating its :class:`~.parameter_spec.ParameterSpec` subclass, as bqplot
registers its marks::

    @register_kind("long_string", owl_uris=(ONTOLOGY + "LongString",))
    class LongStringParameter(StringParameter):
        ...

The form side registers a field against the same name (``widgets/field_registry.py``); the client
never imports a widget. A description's ``owl_uri`` list names the server's class and all its
ancestors (``xsd:str, oda:String, oda:FileReference, oda:POSIXPath``): of the kinds it matches, the
one whose class derives from the others wins, as the server's class is the most derived one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from .parameter_spec import ParameterSpec

__all__ = ["Kind", "register_kind", "kinds", "kind_named", "kind_from_owl_uri", "KIND_MODULES"]

#: The modules that define kinds; importing them registers their classes.
KIND_MODULES = (
    ".number_parameters",
    ".time_parameters",
    ".text_parameters",
    ".product_list_parameter",
    ".catalog_parameter",
    ".structured_parameter",
    ".file_parameters",
    ".filters_table",
    ".untyped",
)


@dataclass(frozen=True)
class Kind:
    """One kind of parameter: its name, the ontology URIs that name it, its client class."""

    name: str
    spec_class: type[ParameterSpec]
    owl_uris: tuple[str, ...]


_KINDS: dict[str, Kind] = {}
_BY_URI: dict[str, list[str]] = {}
_loaded = False

SpecClass = TypeVar("SpecClass", bound=type)


def register_kind(name: str, *, owl_uris: Iterable[str] = ()) -> Callable[[SpecClass], SpecClass]:
    """Register the decorated :class:`ParameterSpec` subclass as the kind ``name``.

    Parameters
    ----------
    name : str
        The kind (``ParameterSpec.kind``, the key fields are registered against).
    owl_uris : iterable of str
        The ontology URIs of the server class(es) this kind reads.

    Raises
    ------
    ValueError
        When ``name`` is already registered to another class.
    """

    def register(cls: SpecClass) -> SpecClass:
        known = _KINDS.get(name)
        if known is not None and known.spec_class is not cls:
            raise ValueError(f"the kind {name!r} is already registered to {known.spec_class.__name__}")
        cls.kind = name  # type: ignore[attr-defined]
        _KINDS[name] = Kind(name, cls, tuple(owl_uris))
        for uri in owl_uris:
            _BY_URI.setdefault(uri, [])
            if name not in _BY_URI[uri]:
                _BY_URI[uri].append(name)
        return cls

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in KIND_MODULES:
            importlib.import_module(module, __package__)
        _loaded = True


def kinds() -> dict[str, Kind]:
    """Every registered kind by name."""
    _load()
    return dict(_KINDS)


def kind_named(name: str) -> Kind:
    """The registered kind ``name`` (KeyError naming the known ones otherwise)."""
    _load()
    try:
        return _KINDS[name]
    except KeyError:
        raise KeyError(f"no parameter kind {name!r}; known: {', '.join(sorted(_KINDS))}") from None


def kind_from_owl_uri(owl_uri: Sequence[str] | str) -> str | None:
    """The kind a description's ``owl_uri`` names (None when no URI is known).

    Of the kinds matched, the one whose class derives from every other matched class wins
    (``POSIXPath`` over ``FileReference`` over ``String``); between unrelated ones, the first
    URI listed.
    """
    _load()
    uris = [owl_uri] if isinstance(owl_uri, str) else list(owl_uri)
    matched: list[str] = []
    for uri in uris:
        for name in _BY_URI.get(uri, ()):
            if name not in matched:
                matched.append(name)
    if not matched:
        return None
    best = matched[0]
    for name in matched[1:]:
        if issubclass(_KINDS[name].spec_class, _KINDS[best].spec_class):
            best = name
    return best
