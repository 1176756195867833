"""One query parameter of the dispatcher: what it accepts, and the value it puts on the wire.

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

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from ..catalog.dispatcher_reading import CatalogRefused, read_catalog, read_catalog_text
from ..errors import ValidationError
from .generations import CURRENT, OLDER
from .kinds import register_kind
from .schema_words import schema_hints
from .wire import number_text

__all__ = [
    "ONTOLOGY",
    "XSD",
    "SCIENCE_WINDOW_ID",
    "SPACE_SEPARATED_LIST",
    "TIME_FORMATS_OFFERED",
    "wire_text",
    "sent_text",
    "ParameterSpec",
    "FloatParameter",
    "IntegerParameter",
    "AngleParameter",
    "EnergyParameter",
    "TimeIntervalParameter",
    "DetectionThresholdParameter",
    "TimeParameter",
    "TimeDeltaParameter",
    "StringParameter",
    "LongStringParameter",
    "FormatParameter",
    "InputProdListParameter",
    "UserCatalogParameter",
    "BooleanParameter",
    "StructuredParameter",
    "UnknownParameter",
]

ONTOLOGY = "http://odahub.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: The shape of an INTEGRAL science window id (ASCII digits only): ``066500220010.001``.
SCIENCE_WINDOW_ID = re.compile(r"^[0-9]{12}(\.[0-9]{3})?$")

#: What both generations answer for a science window list given as whitespace-separated text.
SPACE_SEPARATED_LIST = (
    "a space separated science windows list is an unsupported format, "
    "please provide it as a comme separated list"
)

#: Formats a form offers for a time instant; every astropy format is accepted, as by the server.
TIME_FORMATS_OFFERED = ("isot", "mjd")

#: astropy time formats that take only Python objects, never the text a request carries.
_OBJECT_ONLY_FORMATS = frozenset({"datetime", "ymdhms", "datetime64", "astropy_time"})

def _time_formats() -> set[str]:
    from astropy.time import Time

    return set(Time.FORMATS)


def _time_delta_formats() -> set[str]:
    from astropy.time import TimeDelta

    return set(TimeDelta.FORMATS)


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


def _not_finite_note(wire: Any) -> str:
    """NaN and the infinities pass the dispatcher's ``float()`` (so the client accepts them as it
    does) but are no position, energy or duration: a form says so beside the field."""
    if isinstance(wire, float) and not math.isfinite(wire):
        return f"{wire} is not a finite number: the dispatcher takes it, but no query means it"
    return ""


@register_kind("float", owl_uris=(ONTOLOGY + "Float", XSD + "float", ONTOLOGY + "NumericParameter"))
class FloatParameter(ParameterSpec):
    """A real number (server class ``Float``); the wire value is a Python float."""

    _number_type: ClassVar[type] = float

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        text = wire_text(self._from_quantity(value))
        if text == "":
            # The server quietly takes an empty field as no value; say so plainly instead.
            return None
        try:
            return self._number_type(text)
        except ValueError as exc:
            read = self._read_otherwise(text)
            if read is None:
                raise self.error(
                    f"Parameter {self.name} wrong value {text}. {exc}", hint=self._hint()
                ) from None
            return read

    def _read_otherwise(self, text: str) -> Any:
        """The value of a text the number type refused, for kinds that read more (``None``:
        refused, as a plain number is)."""
        return None

    #: How 1.3.3 names the class in its refusal.
    _older_class = "Float"

    def _older_input(self, value: Any) -> Any:
        return self._from_quantity(value)

    def _read_older(self, text: str, values: Mapping[str, Any]) -> Any:
        if text == "":
            return None  # 1.3.3 takes an empty text as no value
        try:
            return self._number_type(text)
        except ValueError:
            raise self.error(
                f"the {self._older_class} parameter {self.name} cannot be assigned the value "
                f"{text} of type str",
                hint=self._hint(),
            ) from None

    def _hint(self) -> str:
        units = f" in {self.units}" if self.units and self.units != "str" else ""
        return f"Give {self.label} as a number{units}, e.g. {self.default}."

    def _from_quantity(self, value: Any) -> Any:
        """An astropy Quantity is converted to the advertised units when they are astropy's."""
        to_value = getattr(value, "to_value", None)
        if to_value is None or not self.units:
            return value
        try:
            return float(to_value(self.units))
        except Exception:  # noqa: BLE001 - units astropy does not know: send the number as given
            return float(getattr(value, "value", value))

    def preview(self, wire: Any) -> str:
        return _not_finite_note(wire)

    def _check_bounds(self, wire: Any) -> None:
        units = self.units or ""
        if self.min_value is not None and wire < float(self.min_value):
            raise self.error(
                f"Parameter {self.name} wrong value {wire}{units}: "
                f"should be greater or equal than {float(self.min_value)}",
                hint=self._range_hint(),
            )
        if self.max_value is not None and wire > float(self.max_value):
            raise self.error(
                f"Parameter {self.name} wrong value {wire}{units}: "
                f"should be lower or equal than {float(self.max_value)}",
                hint=self._range_hint(),
            )

    def _range_hint(self) -> str:
        lo = "-inf" if self.min_value is None else self.min_value
        hi = "inf" if self.max_value is None else self.max_value
        return f"Give a value between {lo} and {hi}."


@register_kind("integer", owl_uris=(ONTOLOGY + "Integer", XSD + "int"))
class IntegerParameter(FloatParameter):
    """A whole number (server class ``Integer``): ``"4.5"`` and ``"5.0"`` are refused, as there."""

    _number_type = int
    _older_class = "Integer"

    def _hint(self) -> str:
        return f"Give {self.label} as a whole number, e.g. {self.default}."


@register_kind("angle", owl_uris=(ONTOLOGY + "Angle", ONTOLOGY + "PointOfInterestRA", ONTOLOGY + "PointOfInterestDEC"))
class AngleParameter(FloatParameter):
    """An angle (server class ``Angle``): a number in the advertised units (degrees by default).

    1.3.3 reads the text with astropy's angle parser in the parameter's unit, which takes
    sexagesimal text (``"9 20 23"``, ``"-0:30:00"``, ``"9h20m23s"``) and refuses exponents
    (``"1e-05"``), ``nan`` and ``inf``; 1.3.6 reads it with ``float``. The client reads
    sexagesimal text the same way for both, in the parameter's own unit unless the text names
    one (``h``, ``d``, ``m``, ``s``, ``°``): ``"9 20 23"`` is 9.34 degrees for RA in degrees;
    ``"9h20m23s"`` is 140.10 degrees. The wire value is the number in the parameter's units.
    """

    def _read_older(self, text: str, values: Mapping[str, Any]) -> Any:
        if text == "":
            return None  # 1.3.3 keeps the default for an empty angle
        from astropy.coordinates import Angle

        units = self.units or "deg"
        try:
            return float(Angle(text, unit=units).to_value(units))
        except Exception as exc:  # noqa: BLE001 - the server passes any parser failure on
            raise self.error(str(exc), hint=self._hint()) from None

    def _hint(self) -> str:
        units = self.units or "deg"
        example = "9h20m23s or 140.0958" if units == "deg" else f"a number in {units}"
        number = "a plain decimal number (no exponent)" if self.generation == OLDER else "a number"
        return (
            f"Give {self.label} in {units} as {number}, "
            f"as d:m:s (read in {units}), or with units, e.g. {example}."
        )

    def _read_otherwise(self, text: str) -> float | None:
        """Sexagesimal text (or text with units) as the number in the parameter's units."""
        from astropy.coordinates import Angle

        if not re.search(r"[:hdms°'\"\s]", text):
            return None
        units = self.units or "deg"
        try:
            return float(Angle(text, unit=units).to_value(units))
        except Exception:  # noqa: BLE001 - any parse failure means "not an angle"
            return None

    def degrees(self, wire: Any) -> float | None:
        """The wire value in degrees (None when it is not a number in known units)."""
        import astropy.units as u

        if not isinstance(wire, int | float):
            return None
        try:
            return float((wire * u.Unit(self.units or "deg")).to_value(u.deg))
        except Exception:  # noqa: BLE001 - units astropy does not know: no preview
            return None

    def preview(self, wire: Any) -> str:
        deg = self.degrees(wire)
        return _not_finite_note(wire) or ("" if deg is None else f"= {deg:.6f}°")


class _QuantityParameter(FloatParameter):
    """A number in the advertised units, also given as text with units or an astropy Quantity.

    The server reads only a plain number, in the units its description gives. The client also
    reads ``"1 MeV"`` (astropy ``Quantity``) for a parameter in keV and sends the number in keV,
    as it does for sexagesimal angles; a form shows the converted value beside the field.
    """

    #: Examples of text with units for hints (``"1 MeV, 2.4 GHz"``).
    _examples = ""

    def _equivalencies(self) -> list[Any]:
        return []

    def _in_units(self, quantity: Any) -> float | None:
        """``quantity`` in the advertised units, or None when its units cannot be converted."""
        try:
            return float(quantity.to_value(self.units, equivalencies=self._equivalencies()))
        except Exception:  # noqa: BLE001 - astropy's UnitConversionError, or unknown units
            return None

    def _from_quantity(self, value: Any) -> Any:
        if getattr(value, "to_value", None) is None or not self.units:
            return value
        converted = self._in_units(value)
        if converted is None:
            raise self.error(
                f"Parameter {self.name} wrong value {value}: it cannot be given in {self.units}",
                hint=self._hint(),
            )
        return converted

    def _read_otherwise(self, text: str) -> float | None:
        """Text with units (``"1 MeV"``) as the number in the advertised units."""
        import astropy.units as u

        if not self.units:
            return None
        try:
            quantity = u.Quantity(text)
        except Exception:  # noqa: BLE001 - not a quantity: refused as the server refuses it
            return None
        if quantity.unit == u.dimensionless_unscaled:
            return None
        return self._in_units(quantity)

    def _hint(self) -> str:
        units = self.units or ""
        return (
            f"Give {self.label} as a number in {units}, or with its units, e.g. {self._examples}."
        )

    def preview(self, wire: Any) -> str:
        if not isinstance(wire, int | float) or not self.units:
            return ""
        return _not_finite_note(wire) or f"= {number_text(float(wire))} {self.units}"


@register_kind("energy", owl_uris=(ONTOLOGY + "Energy", ONTOLOGY + "Frequency"))
class EnergyParameter(_QuantityParameter):
    """An energy or frequency (server classes ``Energy``, ``SpectralBoundary``), in the
    description's units (keV, eV, MeV, GeV, TeV, Hz, MHz, GHz); other energies, frequencies and
    wavelengths are converted to them (astropy's spectral equivalency)."""

    _examples = "1 MeV, 300 GeV or 2.4 GHz"

    def _equivalencies(self) -> list[Any]:
        import astropy.units as u

        return u.spectral()


@register_kind("time_interval", owl_uris=(ONTOLOGY + "TimeInterval",))
class TimeIntervalParameter(_QuantityParameter):
    """A duration (server class ``TimeInterval``), in the description's units (s, minute, hour,
    day, year); other durations are converted to them."""

    _examples = "90 s, 2 hour or 1.5 day"


@register_kind("detection_threshold", owl_uris=(ONTOLOGY + "DetectionThreshold",))
class DetectionThresholdParameter(FloatParameter):
    """A detection threshold in sigma (server class ``DetectionThreshold``)."""


@register_kind("time", owl_uris=(ONTOLOGY + "TimeInstant", ONTOLOGY + "StartTime", ONTOLOGY + "EndTime"))
class TimeParameter(ParameterSpec):
    """A time instant (server class ``Time``), read in the format named by its companion.

    The wire value is the text as the user gave it (stripped), after checking that astropy reads
    it in that format; astropy ``Time`` and ``datetime`` objects are written in that format.
    """

    _what = "Time"

    def current_format(self, values: Mapping[str, Any]) -> str:
        """The format the value is read in: the companion's value, else the advertised one."""
        fmt = values.get(self.format_parameter) if self.format_parameter else None
        if isinstance(fmt, str) and fmt.strip():
            return fmt.strip()
        return self.units or self._default_format()

    def _default_format(self) -> str:
        return "isot"

    def older_format(self, values: Mapping[str, Any]) -> str:
        """The format 1.3.3 reads the value in: the companion's text as sent, else its default."""
        fmt = values.get(self.format_parameter) if self.format_parameter else None
        if fmt is None:
            return self.units or self._default_format()
        return sent_text(fmt)

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        if self.generation == OLDER and value is not None:
            # objects are written in the format they will be read in
            value = self._from_object(value, self.older_format(values or {}))
        return super().validate(value, values)

    def _read_older(self, text: str, values: Mapping[str, Any]) -> Any:
        fmt = self.older_format(values)
        try:
            # the server also writes the time in its default format, which can fail on its own
            getattr(self._parse(text, fmt), self._default_format())
        except Exception as exc:  # noqa: BLE001 - the server passes astropy's words on
            raise self.error(str(exc), hint=self._hint(fmt)) from None
        return text  # sent as given: 1.3.3 does not strip a time

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        fmt = self.current_format(values)
        value = self._from_object(value, fmt)
        text = wire_text(value)
        try:
            self._parse(text, fmt)
        except Exception:  # noqa: BLE001 - the server answers every parse failure the same way
            raise self.error(
                f"Parameter {self.name} wrong value {text}: can't be parsed as {self._what} of {fmt} format",
                hint=self._hint(fmt),
            ) from None
        return text

    def _from_object(self, value: Any, fmt: str) -> Any:
        from astropy.time import Time

        if isinstance(value, datetime):
            value = Time(value)
        if isinstance(value, Time):
            return getattr(value, fmt, value)
        return value

    def _parse(self, text: str, fmt: str) -> Any:
        from astropy.time import Time

        return Time(text, format=fmt)

    def _hint(self, fmt: str) -> str:
        examples = {"isot": "2017-03-06T13:26:48.000", "mjd": "57818.56"}
        example = examples.get(fmt)
        where = f" (set by {self.format_parameter})" if self.format_parameter else ""
        text = f"Give {self.label} in the {fmt} format{where}"
        return text + (f", e.g. {example}." if example else ".")


@register_kind("time_delta", owl_uris=(ONTOLOGY + "TimeDeltaIsDeprecated",))
class TimeDeltaParameter(TimeParameter):
    """A duration read with astropy ``TimeDelta`` (deprecated server class ``TimeDelta``)."""

    _what = "TimeDelta"

    def _default_format(self) -> str:
        return "sec"

    def _from_object(self, value: Any, fmt: str) -> Any:
        from astropy.time import TimeDelta

        if isinstance(value, TimeDelta):
            return getattr(value, fmt)
        return value

    def _parse(self, text: str, fmt: str) -> Any:
        from astropy.time import TimeDelta

        return TimeDelta(text, format=fmt)

    def _hint(self, fmt: str) -> str:
        return f"Give {self.label} as a number in the {fmt} format."


@register_kind("string", owl_uris=(XSD + "str", ONTOLOGY + "String", ONTOLOGY + "AstrophysicalObject"))
class StringParameter(ParameterSpec):
    """Text (server classes ``String`` and ``Name``), stripped as the server strips it."""


@register_kind("long_string", owl_uris=(ONTOLOGY + "LongString",))
class LongStringParameter(StringParameter):
    """Text of several lines (server class ``LongString``): the server keeps the line breaks
    inside and strips the ends; a form shows it in a multi-line box, as MMODA's web form does."""


@register_kind("format")
class FormatParameter(ParameterSpec):
    """The format companion of a time parameter (``T_format``), sent as its own argument.

    ``allowed_values`` lists the formats a form offers; every format astropy knows is accepted,
    as the server accepts them.
    """

    #: The kind of the parameter this one gives the format of ('time' or 'time_delta').
    serves: str | None = None

    def attach_to(self, parameter: ParameterSpec) -> None:
        """Record which parameter this is the format of, and offer its usual formats."""
        self.serves = parameter.kind
        if parameter.kind == "time":
            offered = list(TIME_FORMATS_OFFERED)
            if isinstance(self.default, str) and self.default not in offered:
                offered.append(self.default)
            self.allowed_values = offered

    def accepted_formats(self) -> list[str]:
        """The formats the server reads a time given as text in (astropy's, less those that
        take only Python objects), the usual ones first; empty when this is not a time's format."""
        known = (self._known_formats() or set()) - _OBJECT_ONLY_FORMATS
        usual = [f for f in (*TIME_FORMATS_OFFERED, "sec", "jd", "iso") if f in known]
        return usual + sorted(known - set(usual))

    def _known_formats(self) -> set[str] | None:
        if self.serves == "time":
            return _time_formats()
        if self.serves == "time_delta":
            return _time_delta_formats()
        return None

    def _read_older(self, text: str, values: Mapping[str, Any]) -> Any:
        return text  # 1.3.3 checks a format only by reading the time it applies to

    def _check_allowed(self, value: Any, wire: Any) -> None:
        known = self._known_formats()
        if known is None or wire in known:
            return
        # The server has no message of its own here: it refuses the time value instead.
        raise self.error(
            f"Unknown time format {wire!r} for {self.name}: use one of " + ", ".join(sorted(known)),
            hint="Most queries use isot (2017-03-06T13:26:48) or mjd (57818.56).",
        )


@register_kind("input_prod_list", owl_uris=(ONTOLOGY + "InputProdList",))
class InputProdListParameter(ParameterSpec):
    """A list of input products (server class ``InputProdList``): ``scw_list``, ``p_list``.

    A list is taken item by item. Text is read as the server reads it: split on commas (1.3.6
    first reads JSON text such as ``'["a", "b"]'`` as a list); a science window list written as
    whitespace-separated text is refused by both generations. The wire value is what the
    generation reads back as the same list: a list (sent as JSON text, or as repeated keys for
    ``scw_list``), except 1.3.3's other lists, sent as comma-separated text.

    The server takes any ids; ids that do not have the shape of a science window are named in
    :meth:`preview`, not refused.
    """

    def __init__(self, name: str | None, **kwargs: Any) -> None:
        kwargs["optional"] = True  # the server makes every product list optional
        super().__init__(name, **kwargs)

    @property
    def holds_science_windows(self) -> bool:
        return self.name == "scw_list"

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        self._check_encodable(value)
        if value is None:
            return []
        if isinstance(value, str | bytes):
            return self._from_text(sent_text(value))
        if isinstance(value, Sequence | set | frozenset):
            items = [sent_text(item) for item in value if item is not None]
        else:
            items = [sent_text(value)]
        items = [item for item in items if item != ""]
        if len(items) == 1 and self.holds_science_windows:
            # one value of scw_list is read as text (repeated keys as they are)
            self._refuse_commas(items)
            self._from_text(items[0])
        if self.generation == OLDER and not self.holds_science_windows:
            self._refuse_commas(items)
            return ",".join(items)  # 1.3.3 reads only the first of repeated keys
        return items

    def _from_text(self, text: str) -> Any:
        if self.generation != OLDER and text.strip().startswith("["):
            try:
                decoded = json.loads(text)
            except json.JSONDecodeError:
                decoded = None
            if isinstance(decoded, list):
                return [sent_text(item) for item in decoded if item is not None]
        if self.holds_science_windows and len(text.split()) > 1:
            raise self.error(
                SPACE_SEPARATED_LIST,
                hint="Separate the ids with commas (no spaces), or give a list of ids.",
            )
        if self.generation == OLDER:
            return text  # sent as it is: the server splits it on commas itself
        return self.items_of_text(text)

    @staticmethod
    def items_of_text(text: str) -> list[str]:
        """The items the server finds in ``text``: split on commas, nothing for empty text."""
        items = text.split(",")
        return [] if items == [""] else items

    def _refuse_commas(self, items: list[str]) -> None:
        """Items the dispatcher would read as several, split on their commas, are refused."""
        bad = [item for item in items if "," in item]
        if bad:
            raise self.error(
                f"The item(s) {', '.join(repr(b) for b in bad[:3])} of {self.name} contain commas, "
                "which this dispatcher reads as separators: it would receive other items",
                hint="Remove the commas from the items, or give the ids as one comma-separated text.",
            )

    @staticmethod
    def items_of_lines(text: str) -> list[str]:
        """The ids of a form's text box: one per line, commas and whitespace also separate.

        The form sends them as a list, which every generation reads item by item.
        """
        return [item for item in re.split(r"[,\s]+", text) if item]

    def items(self, value: Any) -> list[str]:
        """The ids the server reads from ``value`` (raises like :meth:`validate`)."""
        wire = self.validate(value)
        return self.items_of_text(wire) if isinstance(wire, str) else list(wire)

    def count(self, value: Any) -> int:
        """How many ids ``value`` holds once read (0 for nothing); raises like :meth:`validate`."""
        return len(self.items(value))

    def preview(self, wire: Any) -> str:
        items = self.items_of_text(wire) if isinstance(wire, str) else list(wire or [])
        noun = "science window" if self.holds_science_windows else "item"
        text = f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
        if self.holds_science_windows:
            odd = [item for item in items if not SCIENCE_WINDOW_ID.match(item.strip())]
            if odd:
                shown = ", ".join(repr(item) for item in odd[:3]) + (", ..." if len(odd) > 3 else "")
                text += (
                    f"; {len(odd)} not shaped like a science window id (12 digits, optional "
                    f".001): {shown}. The dispatcher takes them as given"
                )
        return text

    def when_empty(self) -> str:
        return "empty: no list is sent"


@register_kind("user_catalog")
class UserCatalogParameter(ParameterSpec):
    """A source catalog (server class ``UserCatalog``): ``selected_catalog``.

    Accepts JSON text, a dict of the dispatcher's catalog shape, or an object with a
    ``to_selected_catalog()`` method; the wire value is JSON text. The catalog is built as the
    dispatcher builds it (:mod:`oda_widgets.client.catalog.dispatcher_reading`), so a catalog refused here is
    one the dispatcher refuses, with its words.
    """

    def __init__(self, name: str | None, **kwargs: Any) -> None:
        kwargs["optional"] = True
        super().__init__(name, **kwargs)

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        self._check_encodable(value)
        if value is None:
            return None  # not sent: the dispatcher uses its own catalog
        to_selected = getattr(value, "to_selected_catalog", None)
        if callable(to_selected):
            value = to_selected()
        try:
            if isinstance(value, str | bytes):
                text = sent_text(value)
                read_catalog_text(text)
                return text
            if isinstance(value, Mapping):
                read_catalog(dict(value))
                return json.dumps(dict(value))
        except CatalogRefused as exc:
            raise self.error(exc.message, hint=exc.hint) from None
        raise self.error(
            f"{self.name} must be a catalog as JSON text or a dict, not {type(value).__name__}",
            hint="Pass the catalog of a previous job, e.g. products.catalog.",
        )

    def when_empty(self) -> str:
        return "empty: the dispatcher uses its own catalog"


@register_kind("boolean", owl_uris=(ONTOLOGY + "Boolean", XSD + "bool"))
class BooleanParameter(ParameterSpec):
    """True or false (server class ``Boolean``): ``True true yes 1`` / ``False false no 0``."""

    TRUE = ("True", "true", "yes", "1")
    FALSE = ("False", "false", "no", "0")

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        text = None if value is None else wire_text(value)
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        # The server says this for None too, optional or not.
        raise self.error(
            f"Wrong value for boolean parameter {self.name}",
            hint="Give True or False (also accepted: true/false, yes/no, 1/0).",
        )


@register_kind("structured", owl_uris=(ONTOLOGY + "StructuredParameter",))
class StructuredParameter(ParameterSpec):
    """A JSON object or array (server class ``StructuredParameter``), checked with its schema.

    Accepts a dict, a list, or their JSON text; the wire value is the dict or list.
    """

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                # The server keeps undecodable text as text, which no object/array schema admits.
                if self.schema is None:
                    return value
                raise self.error(
                    f"Wrong value of structured parameter {self.name}",
                    hint=f"The text is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
                ) from None
        if isinstance(value, tuple):
            value = list(value)
        if self.schema is not None:
            self._check_schema(value)
        return value

    def _check_schema(self, value: Any) -> None:
        # no network, a time bound, bounded patterns: a description's schema is server data
        from .schema_check import check_value

        check_value(self.schema, value, self.name)

    def schema_hints(self) -> list[str]:
        """What the schema says about the value, in its own words (titles, descriptions,
        choices), one line per described part: for a form to show beside the field."""
        return schema_hints(self.schema)


@register_kind("unknown")
class UnknownParameter(ParameterSpec):
    """A parameter of a class this client does not know: sent as text, checked by the server."""

