"""Form fields registered against the parameter kinds of the client, as bqplot registers marks.

The client registers each kind once (``client/query/kinds.py``: its name, ontology URIs and
class) and never imports a widget; each field registers itself here against the kind names it
shows::

    @register_field("long_string")
    class LongTextField(TextField):
        ...

A factory may be registered instead of a class (any callable taking the parameter and returning
a field). :func:`kinds_without_field` lists client kinds that no field shows.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "FIELD_MODULES",
    "register_field",
    "field_factory",
    "registered_fields",
    "kinds_without_field",
]

#: The modules that define fields; importing them registers their fields.
FIELD_MODULES = (
    ".fields",
    ".catalog_field",
    ".long_text_field",
    ".quantity_field",
    ".format_field",
    ".file_field",
    ".filters_table_field",
)

FieldFactory = Callable[[Any], Any]
Registered = TypeVar("Registered", bound=Callable[..., Any])

_FIELDS: dict[str, FieldFactory] = {}
_loaded = False


def register_field(*kinds: str) -> Callable[[Registered], Registered]:
    """Register the decorated field class (or factory) as the field of each of ``kinds``.

    Raises
    ------
    ValueError
        When one of ``kinds`` already has another field.
    """

    def register(factory: Registered) -> Registered:
        for kind in kinds:
            known = _FIELDS.get(kind)
            if known is not None and known is not factory:
                raise ValueError(
                    f"the kind {kind!r} already has the field {getattr(known, '__name__', known)}"
                )
            _FIELDS[kind] = factory
        return factory

    return register


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in FIELD_MODULES:
            importlib.import_module(module, __package__)


def field_factory(kind: str, default: FieldFactory | None = None) -> FieldFactory:
    """The field registered for ``kind`` (``default`` when none; KeyError without a default)."""
    _load()
    if kind in _FIELDS:
        return _FIELDS[kind]
    if default is not None:
        return default
    raise KeyError(f"no form field for the parameter kind {kind!r}")


def registered_fields() -> dict[str, FieldFactory]:
    """Every kind that has a field, with its field class or factory."""
    _load()
    return dict(_FIELDS)


def kinds_without_field() -> list[str]:
    """The client's parameter kinds no field is registered for (empty when each has one)."""
    from ..client.query.kinds import kinds

    _load()
    return sorted(set(kinds()) - set(_FIELDS))
