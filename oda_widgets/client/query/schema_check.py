"""A description's JSON schema, used to check a value with no network and within a time bound.

A ``StructuredParameter`` comes with a JSON schema the server wrote. Left to itself, jsonschema
fetches any ``$ref`` URL the schema names (no timeout: a form could wait minutes on a host the
server chose) and matches ``pattern`` with Python's backtracking ``re``, where ``^(a+)+$``
against a few dozen characters runs for ages, holding the interpreter lock beyond Interrupt.

Here:

* references resolve against a ``referencing`` registry whose retrieval refuses every URL (the
  JSON Schema meta-schemas, which jsonschema ships, still resolve);
* ``pattern``, ``patternProperties`` and ``additionalProperties`` match with the ``regex``
  package, which has the same syntax as the ``re`` the dispatcher's jsonschema uses (so the
  client accepts what the server accepts, unlike a linear-time engine such as RE2, which refuses
  back-references) and takes a timeout inside its matching loop;
* every keyword checks one deadline, :data:`TIME_LIMIT` for the whole check, so a schema that
  is merely large cannot stall the form either;
* a schema is checked for size and for patterns that compile before any value meets it
  (:func:`schema_problem`).

Every refusal is a :class:`~oda_widgets.client.errors.ValidationError` naming the parameter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import regex

from ..errors import ValidationError
from .schema_words import schema_error_hint

__all__ = [
    "TIME_LIMIT",
    "MAX_SCHEMA_NODES",
    "MAX_SCHEMA_DEPTH",
    "MAX_PATTERN_LENGTH",
    "schema_problem",
    "check_value",
]

#: Seconds one value may take to check against its schema, patterns included.
TIME_LIMIT = 0.25
#: The most objects, arrays and values a schema may hold (real ones hold a few dozen).
MAX_SCHEMA_NODES = 10_000
#: The deepest a schema may nest.
MAX_SCHEMA_DEPTH = 64
#: The longest regular expression a schema may hold.
MAX_PATTERN_LENGTH = 1_000

_REGEX_KEYWORDS = ("pattern", "patternProperties", "additionalProperties")


class _TooSlow(Exception):
    """The deadline of a check passed (``pattern``: the pattern being matched then)."""

    def __init__(self, pattern: str | None = None) -> None:
        super().__init__(pattern)
        self.pattern = pattern


class _RefusedRetrieval(Exception):
    """A reference to a URL, which this client does not fetch."""


_deadline = threading.local()


def _check_time(pattern: str | None = None) -> float:
    """Seconds left before the deadline of the running check (raises when none are)."""
    left = getattr(_deadline, "at", float("inf")) - time.monotonic()
    if left <= 0:
        raise _TooSlow(pattern)
    return left


def _search(pattern: str, text: str) -> bool:
    left = _check_time(pattern)
    try:
        return regex.search(pattern, text, timeout=left) is not None
    except TimeoutError:
        raise _TooSlow(pattern) from None


# --- the keywords that match regular expressions, on the regex engine ----------------------------
def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError as SchemaValidationError

    if validator.is_type(instance, "string") and not _search(pattern, instance):
        yield SchemaValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Mapping[str, Any], instance: Any,
                        schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any,
                           schema: Mapping[str, Any]) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError as SchemaValidationError

    if not validator.is_type(instance, "object"):
        return
    declared = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    extras = [key for key in instance
              if key not in declared and not any(_search(p, key) for p in patterns)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif extra is False and extras:
        names = ", ".join(repr(key) for key in sorted(extras, key=str))
        verb = "was" if len(extras) == 1 else "were"
        yield SchemaValidationError(f"Additional properties are not allowed ({names} {verb} "
                                    "unexpected)")


_BOUNDED = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
}


def _timed(keyword: Callable[..., Any]) -> Callable[..., Any]:
    def checked(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        _check_time()
        return keyword(validator, value, instance, schema)

    return checked


_bounded_classes: dict[type, type] = {}
_classes_lock = threading.Lock()


def _bounded_class(base: type) -> type:
    """``base`` (a jsonschema validator class) with every keyword under the deadline and the
    regular expressions matched by the regex engine."""
    with _classes_lock:
        cls = _bounded_classes.get(base)
        if cls is None:
            from jsonschema import validators

            # every jsonschema validator class has VALIDATORS, which its stubs leave out
            known: dict[str, Any] = base.VALIDATORS  # type: ignore[attr-defined]
            keywords = {name: _timed(_BOUNDED.get(name, fn)) for name, fn in known.items()}
            extend: Callable[..., type] = validators.extend
            cls = _bounded_classes[base] = extend(base, keywords)
        return cls


def _refuse(uri: str) -> Any:
    raise _RefusedRetrieval(uri)


def _offline_registry() -> Any:
    from referencing import Registry

    # jsonschema adds the meta-schemas it ships; nothing else is ever retrieved
    # `retrieve` is an attrs field of Registry; the attrs plugin is not run on installed code
    return Registry(retrieve=_refuse)  # type: ignore[call-arg]


# --- the schema itself ---------------------------------------------------------------------------
def schema_problem(schema: Any) -> str | None:
    """What makes ``schema`` unusable here (too large, too deep, a pattern too long or that does
    not compile, a combination not checkable in bounded time), or ``None``."""
    if not isinstance(schema, dict | bool):
        return f"it is a {type(schema).__name__}, not a JSON schema (an object)"
    nodes = 0
    has_unevaluated = has_pattern_properties = False
    stack: list[tuple[Any, int]] = [(schema, 0)]
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_SCHEMA_NODES:
            return f"it holds more than {MAX_SCHEMA_NODES} values"
        if depth > MAX_SCHEMA_DEPTH:
            return f"it nests deeper than {MAX_SCHEMA_DEPTH} levels"
        if isinstance(node, dict):
            patterns = []
            if isinstance(node.get("pattern"), str):
                patterns.append(node["pattern"])
            if isinstance(node.get("patternProperties"), dict):
                has_pattern_properties = True
                patterns.extend(str(key) for key in node["patternProperties"])
            has_unevaluated = has_unevaluated or "unevaluatedProperties" in node
            for pattern in patterns:
                if len(pattern) > MAX_PATTERN_LENGTH:
                    return (f"its pattern {pattern[:40]!r}... is {len(pattern)} characters long, "
                            f"more than {MAX_PATTERN_LENGTH}")
                try:
                    regex.compile(pattern)
                except (regex.error, RecursionError, OverflowError) as exc:
                    return f"its pattern {pattern[:60]!r} is not a regular expression ({exc})"
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
    if has_unevaluated and has_pattern_properties:
        return ("it combines unevaluatedProperties with patternProperties, which this client "
                "cannot check within a time bound")
    return None


def check_value(schema: Any, value: Any, name: str | None) -> None:
    """Check ``value`` against the description's ``schema`` of parameter ``name``.

    Raises
    ------
    ValidationError
        With the dispatcher's words (``Wrong value of structured parameter X``, ``Wrong schema
        for parameter X``) and, in the hint, what is wrong: the first error of the value, a
        reference to a URL (never fetched), a pattern that took longer than :data:`TIME_LIMIT`.
    """
    import jsonschema
    from referencing.exceptions import Unresolvable

    problem = schema_problem(schema)
    if problem is None:
        base = jsonschema.validators.validator_for(schema)
        try:
            # the classes accept format_checker; jsonschema's Validator protocol omits it
            base.check_schema(schema, format_checker=None)  # type: ignore[call-arg]
        except jsonschema.SchemaError as exc:
            problem = f"it is not a valid JSON schema ({exc.message})"
        except RecursionError:
            problem = "it nests too deeply to read"
    if problem is not None:
        raise ValidationError(
            name, f"Wrong schema for parameter {name}: {problem}",
            hint="The instrument's description is at fault; tell its maintainers.",
        )
    validator = _bounded_class(base)(schema, registry=_offline_registry())
    _deadline.at = time.monotonic() + TIME_LIMIT
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    except _TooSlow as slow:
        what = f"the pattern {slow.pattern[:60]!r}" if slow.pattern else "its schema"
        raise ValidationError(
            name, f"Wrong value of structured parameter {name}",
            hint=f"Checking it against {what} took longer than {TIME_LIMIT:g} s, so it was "
                 "stopped; the description's schema is at fault (tell its maintainers), or "
                 "give a shorter value.",
        ) from None
    except (Unresolvable, _RefusedRetrieval) as exc:
        target = getattr(exc, "ref", None) or (exc.args[0] if exc.args else "")
        raise ValidationError(
            name, f"Wrong schema for parameter {name}: it refers to {str(target)[:200]!r}, "
                  "which this client does not fetch (it never reads schemas from the network)",
            hint="The instrument's description is at fault; tell its maintainers.",
        ) from None
    except RecursionError:
        raise ValidationError(
            name, f"Wrong value of structured parameter {name}",
            hint="The value, or the schema's references, nest too deeply to check.",
        ) from None
    finally:
        _deadline.at = float("inf")
    if error is not None:
        raise ValidationError(name, f"Wrong value of structured parameter {name}",
                              hint=schema_error_hint(error, schema))
