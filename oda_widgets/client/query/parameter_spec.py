"""One query parameter of the dispatcher: what it accepts, and the value it puts on the wire.

:class:`ParameterSpec` is the base of every kind; each kind is a subclass in the module of its
idea (:mod:`.number_parameters`, :mod:`.time_parameters`, :mod:`.text_parameters`,
:mod:`.product_list_parameter`, :mod:`.catalog_parameter`, :mod:`.structured_parameter`,
:mod:`.file_parameters`, :mod:`.filters_table`, :mod:`.untyped`), registered in :mod:`.kinds`.

Each class mirrors one parameter class of the dispatcher (``cdci_data_analysis.analysis.parameters``)
and refuses exactly what the dispatcher would refuse, quoting the words of the server generation
the client talks to (:mod:`oda_widgets.client.query.generations`) in ``ValidationError.message``:

- 1.3.3 reads every argument as text with a library and passes that library's words on:
  ``"Invalid character at col 0 parsing angle 'a'"`` (astropy), ``"the Float parameter p cannot be
  assigned the value a of type str"``; it wraps them as ``"[ InstrumentQueryBackEnd : <instrument> ]
  constructor failed: <words>"``, and the client quotes the words.
- 1.3.6 writes its own sentences: ``"Parameter RA wrong value a. could not convert string to
  float: 'a'"``.

What to change is said beside the message, in ``ValidationError.hint``; the message itself is the
server's. Every check, hint, note and preview a form shows comes from here: a form field only
displays what its parameter says.

Rules the client adds, because the server alone would read the input otherwise or not at all:

- sexagesimal angles (``"9 20 23"``, ``"9h20m23s"``) are read as astropy reads them in the
  parameter's own unit (``"9 20 23"`` is 9.34 degrees for a parameter in degrees, right ascension
  included; write ``9h20m23s`` for hours), and sent as the number, which every generation reads;
- numbers are sent in positional notation (``0.00001``), which 1.3.3's angle parser also reads;
- text that cannot be encoded as UTF-8 (a lone surrogate) is refused: it cannot be sent at all;
- lists are sent as each generation reads them (comma-separated text for 1.3.3's ``p_list``);
- ``None`` means "not given": 1.3.3 has no null on the wire, so the argument is left out and the
  server uses its default; 1.3.6 receives ``"\\x00"`` as oda_api sends it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ..errors import ValidationError
from .generations import CURRENT, OLDER
from .wire import number_text

__all__ = [
    "ONTOLOGY",
    "XSD",
    "wire_text",
    "sent_text",
    "ParameterSpec",
]

ONTOLOGY = "http://odahub.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def wire_text(value: Any) -> str:
    """The text the dispatcher receives for ``value``, stripped (what 1.3.6 reads)."""
    return sent_text(value).strip()


def sent_text(value: Any) -> str:
    """The text the dispatcher receives for ``value``, as sent (what 1.3.3 reads)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def _unencodable(text: str) -> int | None:
    """The position of the first character UTF-8 cannot encode (a lone surrogate), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


class ParameterSpec:
    """One parameter of an instrument's query, as described by ``/api/meta-data``.

    Parameters
    ----------
    name : str or None
        The request argument (``None`` for an unnamed product list, as SPI-ACS has).
    units : str or None
        As advertised: physical units, ``'str'``, or the time format of a time instant.
    default : Any
        The description's value, which the server uses when the argument is not sent.
    optional : bool
        Whether ``None`` is accepted.
    allowed_values, min_value, max_value, schema : optional
        The description's restrictions.
    owl_uri : sequence of str
        The ontology URIs of the server's parameter class.
    label, description, group : str or None
        From ``extra_metadata``; ``label`` falls back to the name.
    format_parameter : str or None
        For time parameters: the name of the argument holding their format (``'T_format'``).
    generation : str
        The server generation whose reading and words apply (``"1.3.3"`` or ``"1.3.6"``, see
        :mod:`oda_widgets.client.query.generations`).
    """

    kind: ClassVar[str] = "unknown"

    def __init__(
        self,
        name: str | None,
        *,
        units: str | None = None,
        default: Any = None,
        optional: bool = False,
        allowed_values: Sequence[Any] | None = None,
        min_value: float | None = None,
        max_value: float | None = None,
        schema: dict[str, Any] | None = None,
        owl_uri: Sequence[str] = (),
        label: str | None = None,
        description: str | None = None,
        group: str | None = None,
        format_parameter: str | None = None,
        generation: str = CURRENT,
    ) -> None:
        self.generation = generation
        self.name = name
        self.units = units
        self.default = default
        self.optional = optional
        self.allowed_values = list(allowed_values) if allowed_values is not None else None
        self.min_value = min_value
        self.max_value = max_value
        self.schema = schema
        self.owl_uri = tuple(owl_uri)
        self.label = label or (name if name is not None else "")
        self.description = description
        self.group = group
        self.format_parameter = format_parameter

    # -- validation -------------------------------------------------------------------------
    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        """Check ``value`` as the dispatcher would, and return what to put on the wire.

        Parameters
        ----------
        value : Any
            What the user gave (text from a form field, or a Python value).
        values : Mapping, optional
            The query's other parameters, e.g. ``T_format`` for ``T1``.

        Returns
        -------
        Any
            The wire value: str, number, bool, list, dict, or None (nothing to send: on 1.3.3
            the server then keeps its default).

        Raises
        ------
        ValidationError
            With the message the server generation gives for the same input, and a hint.
        """
        self._check_encodable(value)
        if self.generation == OLDER:
            if value is None:
                return None  # 1.3.3 has no null on the wire: not sent, the default applies
            return self._read_older(sent_text(self._older_input(value)), values or {})
        if isinstance(value, str | bytes):
            value = wire_text(value)
        if value is None:
            return self._none()
        wire = self._convert(value, values or {})
        if wire is None:
            return self._none()
        self._check_bounds(wire)
        self._check_allowed(value, wire)
        return wire

    def _older_input(self, value: Any) -> Any:
        """A Python object turned into what the client sends for it (numbers, Quantity...)."""
        return value

    def _read_older(self, text: str, values: Mapping[str, Any]) -> Any:
        """How 1.3.3 reads the received ``text``; text parameters keep it, stripped."""
        return text.strip()

    def _check_encodable(self, value: Any) -> None:
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if not isinstance(item, str):
                continue
            position = _unencodable(item)
            if position is not None:
                raise self.error(
                    f"The value of {self.name} cannot be sent: the character at position "
                    f"{position} ({ascii(item[position])}) is half of a UTF-16 pair, "
                    "which UTF-8 cannot encode",
                    hint="Retype the value; it holds a broken character, often left by a copy "
                    "and paste.",
                )

    # -- what an empty field and a typed value mean, for forms --------------------------------
    def when_empty(self) -> str:
        """What leaving the parameter out means, as a note (raises when it must be given).

        An empty form field is not sent: the dispatcher then uses the description's default.
        """
        if self.default is None or self.default == [] or self.default == "":
            if not self.optional:
                raise self.error(
                    f"Non-optional parameter {self.name} is set to None",
                    hint=f"Give a value for {self.label}: it has no default.",
                )
            return "empty: not sent"
        return f"empty: the dispatcher's default, {self.default}"

    def preview(self, wire: Any) -> str:
        """A short note on an accepted wire value for a form to show (e.g. an angle in degrees)."""
        return ""

    def _none(self) -> None:
        if not self.optional:
            raise self.error(
                f"Non-optional parameter {self.name} is set to None",
                hint=f"Give a value for {self.label}.",
            )
        return None

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        return wire_text(value)

    def _check_bounds(self, wire: Any) -> None:
        """Numeric kinds check ``min_value``/``max_value``; the others have none."""

    def _check_allowed(self, value: Any, wire: Any) -> None:
        if self.allowed_values is None:
            return
        # The server compares what it received; a number given for a list of numbers is
        # compared by value (the server would compare the text, refusing every number).
        if wire in self.allowed_values or wire_text(value) in self.allowed_values:
            return
        shown = wire_text(value)
        raise self.error(
            f"Parameter {self.name} wrong value {shown}: not in allowed {self.allowed_values!r}",
            hint="Choose one of: " + ", ".join(str(v) for v in self.allowed_values) + ".",
        )

    def error(self, message: str, hint: str | None = None) -> ValidationError:
        """A :class:`ValidationError` for this parameter, with an optional ``hint``."""
        return ValidationError(self.name, message, hint=hint)

    # -- presentation -----------------------------------------------------------------------
    def describe_restrictions(self) -> str:
        """A short text of what the parameter accepts, for forms and reprs."""
        parts = []
        if self.units and self.units != "str":
            parts.append(self.units)
        if self.min_value is not None or self.max_value is not None:
            lo = "" if self.min_value is None else f"{self.min_value} ≤ "
            hi = "" if self.max_value is None else f" ≤ {self.max_value}"
            parts.append(f"{lo}value{hi}")
        if self.allowed_values is not None:
            parts.append("one of " + ", ".join(str(v) for v in self.allowed_values))
        parts.append("optional" if self.optional else "required")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.name} = {self.default!r} "
            f"({self.kind}; {self.describe_restrictions()})>"
        )

