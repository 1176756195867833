"""What a JSON schema says, in its own words: hints for a structured parameter and its errors.

A ``StructuredParameter`` carries a JSON schema (``restrictions.schema``). Its titles,
descriptions, choices and required names are what its author wrote for the user; they are shown
beside the field, and an error names the part of the value at fault with the words of that part.
Only what the schema holds is read: a ``$ref`` is named, never followed.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

__all__ = ["schema_hints", "schema_error_hint", "MAX_HINT_LINES", "MAX_CHOICES_SHOWN"]

#: At most this many lines of hints (a schema can be large).
MAX_HINT_LINES = 12
#: At most this many choices of an ``enum`` are listed in a hint.
MAX_CHOICES_SHOWN = 8

_TYPE_WORDS = {
    "object": "a JSON object",
    "array": "a JSON array",
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
}


def _text(value: Any, limit: int = 300) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _choices(values: list[Any]) -> str:
    shown = ", ".join(_text(v, 60) for v in values[:MAX_CHOICES_SHOWN])
    if len(values) > MAX_CHOICES_SHOWN:
        shown += f", … ({len(values)} in all)"
    return shown


def _kind_words(schema: Mapping[str, Any]) -> str:
    """A few words on what a (sub)schema admits: its type, choices, bounds, sizes."""
    if "$ref" in schema:
        return f"as defined by {_text(schema['$ref'], 80)}"
    parts: list[str] = []
    kind = schema.get("type")
    if isinstance(kind, str):
        parts.append(_TYPE_WORDS.get(kind, kind))
    elif isinstance(kind, list):
        parts.append(" or ".join(_TYPE_WORDS.get(k, str(k)) for k in kind))
    for combiner, joiner in (("oneOf", " or "), ("anyOf", " or ")):
        options = schema.get(combiner)
        if isinstance(options, list) and options and not parts:
            words = [_kind_words(o) for o in options if isinstance(o, Mapping)]
            parts.append(joiner.join(w for w in words if w))
    items = schema.get("items")
    if isinstance(items, Mapping):
        inner = _kind_words(items)
        if inner:
            parts.append(f"of {inner}")
    if isinstance(schema.get("enum"), list):
        parts.append("one of: " + _choices(schema["enum"]))
    if "const" in schema:
        parts.append(f"exactly {_text(schema['const'], 60)}")
    bound_words: tuple[tuple[str, str], ...] = (
        ("minimum", "at least"), ("exclusiveMinimum", "more than"),
        ("maximum", "at most"), ("exclusiveMaximum", "less than"),
    )
    for key, bound in bound_words:
        if isinstance(schema.get(key), int | float) and not isinstance(schema.get(key), bool):
            parts.append(f"{bound} {schema[key]}")
    if isinstance(schema.get("minItems"), int) and schema["minItems"] > 0:
        parts.append(f"at least {schema['minItems']} item{'s' if schema['minItems'] > 1 else ''}")
    if isinstance(schema.get("maxItems"), int):
        parts.append(f"at most {schema['maxItems']} items")
    if schema.get("uniqueItems") is True:
        parts.append("no repeats")
    if isinstance(schema.get("minLength"), int) and schema["minLength"] > 0:
        parts.append("not empty" if schema["minLength"] == 1 else f"{schema['minLength']}+ characters")
    return ", ".join(p for p in parts if p)


def _said(schema: Mapping[str, Any]) -> str:
    """The author's words on a (sub)schema: title and description."""
    words = [_text(schema[k]) for k in ("title", "description") if isinstance(schema.get(k), str)]
    return " - ".join(w for w in words if w)


def schema_hints(schema: Any) -> list[str]:
    """The schema's words for a user, one line per described part.

    The first line says what the whole value is (its title and description, or its type); then
    one line per property of an object (``filter: Filter name - one of: ...``), marked
    ``(required)`` when the schema requires it; then the schema's examples.

    Parameters
    ----------
    schema : dict or None
        A JSON schema (``restrictions.schema`` of the description).

    Returns
    -------
    list of str
        At most :data:`MAX_HINT_LINES` lines; empty when the schema says nothing.
    """
    if not isinstance(schema, Mapping):
        return []
    lines: list[str] = []
    head = _said(schema)
    what = _kind_words(schema)
    if head and what:
        lines.append(f"{head} ({what})")
    elif head or what:
        lines.append(head or what[:1].upper() + what[1:])
    properties = schema.get("properties")
    listed = schema.get("required")
    required: list[Any] = listed if isinstance(listed, list) else []
    if isinstance(properties, Mapping):
        for name, sub in properties.items():
            if not isinstance(sub, Mapping):
                continue
            said = _said(sub)
            kind = _kind_words(sub)
            text = f"{name}{' (required)' if name in required else ''}: "
            text += " - ".join(p for p in (said, kind) if p) or "any value"
            lines.append(text)
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        lines.append("e.g. " + _text(examples[0], 200))
    if len(lines) > MAX_HINT_LINES:
        lines = lines[: MAX_HINT_LINES - 1] + [f"… and {len(lines) - MAX_HINT_LINES + 1} more"]
    return lines


def _where(path: Any) -> str:
    """A JSON path as it is read: ``filter[2]``, ``a.b``; empty for the whole value."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += ("." if text else "") + str(step)
    return text


def _property_schema(schema: Any, path: Any) -> Mapping[str, Any] | None:
    """The subschema of the top-level property a path starts with (for its title)."""
    steps = list(path)
    if not steps or not isinstance(schema, Mapping):
        return None
    properties = schema.get("properties")
    found = properties.get(steps[0]) if isinstance(properties, Mapping) else None
    return found if isinstance(found, Mapping) else None


def schema_error_hint(error: Any, schema: Any) -> str:
    """What is wrong with a value, from a ``jsonschema`` error, in the schema's words.

    Names the part at fault (``at filter[2]``), says the problem (jsonschema's sentence, or for a
    choice the closest allowed values instead of the whole list) and adds what the schema says
    about that part (its title and description, or its type).
    """
    where = _where(getattr(error, "absolute_path", ()))
    validator = getattr(error, "validator", None)
    sub = getattr(error, "schema", None)
    if validator == "enum" and isinstance(sub, Mapping) and isinstance(sub.get("enum"), list):
        allowed = [str(v) for v in sub["enum"]]
        given = str(getattr(error, "instance", ""))
        close = difflib.get_close_matches(given, allowed, n=3, cutoff=0.5)
        problem = f"{_text(given, 80)!r} is not one of the {len(allowed)} allowed values"
        if close:
            problem += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        problem = _text(getattr(error, "message", str(error)), 300)
    text = (f"At {where}: " if where else "") + problem
    part = _property_schema(schema, getattr(error, "absolute_path", ()))
    about = None
    if isinstance(sub, Mapping) and _said(sub):
        about = _said(sub)
    elif part is not None:
        about = _said(part) or _kind_words(part)
    elif isinstance(schema, Mapping):
        about = _said(schema) or _kind_words(schema)
    if about:
        text += f" ({where or 'the value'}: {about})"
    return text
