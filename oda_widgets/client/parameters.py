"""One query parameter of the dispatcher: what it accepts, and the value it puts on the wire.

Each class mirrors one parameter class of the dispatcher (``cdci_data_analysis.analysis.parameters``)
and refuses exactly what the dispatcher would refuse, with the dispatcher's own words in
``ValidationError.message`` (e.g. ``"Parameter RA wrong value a. could not convert string to float:
'a'"``). Where a user may need more than the server's text to know what to change, the error also
carries a short ``hint`` attribute; the message itself is never altered.

The messages follow the current dispatcher generation (cdci-data-analysis 1.3.6); the older 1.3.3
release wraps most of them as ``"[ InstrumentQueryBackEnd : <instrument> ] constructor failed: ..."``.

A few inputs are accepted on the client side that the server alone would not read, because the
client turns them into a value the server does read: sexagesimal angles (sent as decimal numbers),
astropy ``Time``/``Quantity``/``Angle`` objects, whitespace-separated science window lists (sent as a
list), catalogs given as dicts (sent as JSON text).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from .errors import ValidationError

ONTOLOGY = "http://odahub.io/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Ontology URIs of the server's parameter classes, most specific first (a class sends its own URIs
#: in ``owl_uri``; the first one found in this table decides the kind).
OWL_KINDS: tuple[tuple[str, str], ...] = (
    (ONTOLOGY + "StructuredParameter", "structured"),
    (ONTOLOGY + "PhosphorosFiltersTable", "structured"),
    (ONTOLOGY + "InputProdList", "input_prod_list"),
    (ONTOLOGY + "TimeInstant", "time"),
    (ONTOLOGY + "StartTime", "time"),
    (ONTOLOGY + "EndTime", "time"),
    (ONTOLOGY + "TimeDeltaIsDeprecated", "time_delta"),
    (ONTOLOGY + "TimeInterval", "time_interval"),
    (ONTOLOGY + "DetectionThreshold", "detection_threshold"),
    (ONTOLOGY + "Angle", "angle"),
    (ONTOLOGY + "PointOfInterestRA", "angle"),
    (ONTOLOGY + "PointOfInterestDEC", "angle"),
    (ONTOLOGY + "Energy", "energy"),
    (ONTOLOGY + "Frequency", "energy"),
    (ONTOLOGY + "Integer", "integer"),
    (XSD + "int", "integer"),
    (ONTOLOGY + "Float", "float"),
    (XSD + "float", "float"),
    (ONTOLOGY + "NumericParameter", "float"),
    (ONTOLOGY + "Boolean", "boolean"),
    (XSD + "bool", "boolean"),
    (ONTOLOGY + "String", "string"),
    (ONTOLOGY + "AstrophysicalObject", "string"),
    (ONTOLOGY + "LongString", "string"),
    (ONTOLOGY + "FileReference", "string"),
    (ONTOLOGY + "FileURL", "string"),
    (ONTOLOGY + "POSIXPath", "string"),
    (XSD + "str", "string"),
)

SCIENCE_WINDOW_ID = re.compile(r"^\d{12}(\.\d{3})?$")

#: Formats a form offers for a time instant; every astropy format is accepted, as by the server.
TIME_FORMATS_OFFERED = ("isot", "mjd")

_ANGLE_UNITS = {"deg", "degree", "arcsec", "arcmin", "rad", "mas", "hourangle"}
_ENERGY_UNITS = {"keV", "eV", "MeV", "GeV", "TeV", "Hz", "MHz", "GHz"}
_TIME_INTERVAL_UNITS = {"s", "minute", "hour", "day", "year"}
_CATALOG_NAMES = {"selected_catalog", "user_catalog"}
_PRODUCT_LIST_NAMES = {"scw_list", "p_list"}


def _time_formats() -> set[str]:
    from astropy.time import Time

    return set(Time.FORMATS)


def _time_delta_formats() -> set[str]:
    from astropy.time import TimeDelta

    return set(TimeDelta.FORMATS)


def wire_text(value: Any) -> str:
    """The text the dispatcher receives for ``value`` (what ``requests`` sends for a scalar)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bytes):
        return value.decode().strip()
    return str(value)


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
    ) -> None:
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
            The wire value: str, number, bool, list, dict, or None.

        Raises
        ------
        ValidationError
            With the dispatcher's message for the same input.
        """
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
        err = ValidationError(self.name, message)
        err.hint = hint  # type: ignore[attr-defined]
        return err

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


class FloatParameter(ParameterSpec):
    """A real number (server class ``Float``); the wire value is a Python float."""

    kind = "float"
    _number_type: ClassVar[type] = float

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        value = self._from_quantity(value)
        text = wire_text(value)
        if text == "":
            # The server quietly takes an empty field as no value; say so plainly instead.
            return None
        try:
            return self._number_type(text)
        except ValueError as exc:
            raise self.error(
                f"Parameter {self.name} wrong value {text}. {exc}", hint=self._hint()
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


class IntegerParameter(FloatParameter):
    """A whole number (server class ``Integer``): ``"4.5"`` and ``"5.0"`` are refused, as there."""

    kind = "integer"
    _number_type = int

    def _hint(self) -> str:
        return f"Give {self.label} as a whole number, e.g. {self.default}."


class AngleParameter(FloatParameter):
    """An angle (server class ``Angle``): a number in the advertised units (degrees by default).

    Sexagesimal text is accepted and converted: right ascension (``RA``) as hours
    (``"17h45m40s"``, ``"17:45:40.0"``), every other angle as degrees (``"-29d00m28s"``,
    ``"-29:00:28"``). The wire value is the number in the parameter's units.
    """

    kind = "angle"

    @property
    def is_right_ascension(self) -> bool:
        """Whether sexagesimal input without unit letters is read as hours."""
        return (self.name or "").lower() == "ra" or (ONTOLOGY + "PointOfInterestRA") in self.owl_uri

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        value = self._from_quantity(value)
        text = wire_text(value)
        if text == "":
            return None
        try:
            return float(text)
        except ValueError as exc:
            converted = self._sexagesimal(text)
            if converted is None:
                raise self.error(
                    f"Parameter {self.name} wrong value {text}. {exc}", hint=self._hint()
                ) from None
            return converted

    def _hint(self) -> str:
        units = self.units or "deg"
        if self.is_right_ascension:
            return f"Give {self.label} in {units} (e.g. 265.978) or as hours, e.g. 17h43m54.8s or 17:43:54.8."
        return f"Give {self.label} in {units} (e.g. -29.745) or as degrees, e.g. -29d44m42.6s or -29:44:42.6."

    def _sexagesimal(self, text: str) -> float | None:
        import astropy.units as u
        from astropy.coordinates import Angle

        if not re.search(r"[:hdms°'\"\s]", text):
            return None
        has_unit_letters = bool(re.search(r"[hdms°'\"]", text))
        try:
            if has_unit_letters:
                angle = Angle(text)
            else:
                angle = Angle(text, unit=u.hourangle if self.is_right_ascension else u.deg)
            return float(angle.to_value(self.units or "deg"))
        except Exception:  # noqa: BLE001 - any parse failure means "not an angle"
            return None


class EnergyParameter(FloatParameter):
    """An energy or frequency (server classes ``Energy``, ``SpectralBoundary``)."""

    kind = "energy"


class TimeIntervalParameter(FloatParameter):
    """A duration as a number (server class ``TimeInterval``, units s/minute/hour/day/year)."""

    kind = "time_interval"


class DetectionThresholdParameter(FloatParameter):
    """A detection threshold in sigma (server class ``DetectionThreshold``)."""

    kind = "detection_threshold"


class TimeParameter(ParameterSpec):
    """A time instant (server class ``Time``), read in the format named by its companion.

    The wire value is the text as the user gave it (stripped), after checking that astropy reads
    it in that format; astropy ``Time`` and ``datetime`` objects are written in that format.
    """

    kind = "time"
    _what = "Time"

    def current_format(self, values: Mapping[str, Any]) -> str:
        """The format the value is read in: the companion's value, else the advertised one."""
        fmt = values.get(self.format_parameter) if self.format_parameter else None
        if isinstance(fmt, str) and fmt.strip():
            return fmt.strip()
        return self.units or self._default_format()

    def _default_format(self) -> str:
        return "isot"

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
            return getattr(value, fmt)
        return value

    def _parse(self, text: str, fmt: str) -> None:
        from astropy.time import Time

        Time(text, format=fmt)

    def _hint(self, fmt: str) -> str:
        examples = {"isot": "2017-03-06T13:26:48.000", "mjd": "57818.56"}
        example = examples.get(fmt)
        where = f" (set by {self.format_parameter})" if self.format_parameter else ""
        text = f"Give {self.label} in the {fmt} format{where}"
        return text + (f", e.g. {example}." if example else ".")


class TimeDeltaParameter(TimeParameter):
    """A duration read with astropy ``TimeDelta`` (deprecated server class ``TimeDelta``)."""

    kind = "time_delta"
    _what = "TimeDelta"

    def _default_format(self) -> str:
        return "sec"

    def _from_object(self, value: Any, fmt: str) -> Any:
        from astropy.time import TimeDelta

        if isinstance(value, TimeDelta):
            return getattr(value, fmt)
        return value

    def _parse(self, text: str, fmt: str) -> None:
        from astropy.time import TimeDelta

        TimeDelta(text, format=fmt)

    def _hint(self, fmt: str) -> str:
        return f"Give {self.label} as a number in the {fmt} format."


class StringParameter(ParameterSpec):
    """Text (server classes ``String``, ``Name``, ``LongString``, ``FileURL``...)."""

    kind = "string"


class FormatParameter(ParameterSpec):
    """The format companion of a time parameter (``T_format``), sent as its own argument.

    ``allowed_values`` lists the formats a form offers; every format astropy knows is accepted,
    as the server accepts them.
    """

    kind = "format"
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

    def _known_formats(self) -> set[str] | None:
        if self.serves == "time":
            return _time_formats()
        if self.serves == "time_delta":
            return _time_delta_formats()
        return None

    def _check_allowed(self, value: Any, wire: Any) -> None:
        known = self._known_formats()
        if known is None or wire in known:
            return
        # The server has no message of its own here: it refuses the time value instead.
        raise self.error(
            f"Unknown time format {wire!r} for {self.name}: use one of " + ", ".join(sorted(known)),
            hint="Most queries use isot (2017-03-06T13:26:48) or mjd (57818.56).",
        )


class InputProdListParameter(ParameterSpec):
    """A list of input products (server class ``InputProdList``): ``scw_list``, ``p_list``.

    Accepts a list or a comma- or whitespace-separated text; the wire value is a list of ids.
    Science window ids (``scw_list``) are checked against the 12-digit pattern.
    """

    kind = "input_prod_list"

    def __init__(self, name: str | None, **kwargs: Any) -> None:
        kwargs["optional"] = True  # the server makes every product list optional
        super().__init__(name, **kwargs)

    @property
    def holds_science_windows(self) -> bool:
        return self.name == "scw_list"

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        if value is None:
            return []
        if isinstance(value, str | bytes):
            text = wire_text(value)
            if text.startswith("["):  # a JSON list, as the server also reads one
                try:
                    value = json.loads(text)
                except json.JSONDecodeError:
                    pass
        if isinstance(value, str | bytes):
            items = [item for item in re.split(r"[,\s]+", wire_text(value)) if item]
        elif isinstance(value, Sequence | set | frozenset):
            items = [wire_text(item) for item in value if item is not None]
            items = [item for item in items if item]
        else:
            items = [wire_text(value)]
        if self.holds_science_windows:
            self._check_science_windows(items)
        return items

    def _check_science_windows(self, items: list[str]) -> None:
        bad = [item for item in items if not SCIENCE_WINDOW_ID.match(item)]
        if not bad:
            return
        shown = ", ".join(repr(item) for item in bad[:5]) + (", ..." if len(bad) > 5 else "")
        noun = "id is" if len(bad) == 1 else "ids are"
        raise self.error(
            f"{len(bad)} of {len(items)} science window {noun} not valid in {self.name}: {shown}. "
            "A science window id is 12 digits, optionally followed by a 3-digit version, "
            "e.g. 066500220010.001",
            hint="Separate ids with commas or spaces.",
        )

    def count(self, value: Any) -> int:
        """How many ids ``value`` holds once read (0 for nothing); raises like :meth:`validate`."""
        return len(self.validate(value))


class UserCatalogParameter(ParameterSpec):
    """A source catalog (server class ``UserCatalog``): ``selected_catalog``.

    Accepts JSON text, a dict of the dispatcher's catalog shape, or an object with a
    ``to_selected_catalog()`` method; the wire value is JSON text.
    """

    kind = "user_catalog"
    REQUIRED_KEYS = ("cat_column_list", "cat_column_names", "cat_lon_name", "cat_lat_name")
    REQUIRED_COLUMNS = ("src_names", "significance", "meta_ID")

    def __init__(self, name: str | None, **kwargs: Any) -> None:
        kwargs["optional"] = True
        super().__init__(name, **kwargs)

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        to_selected = getattr(value, "to_selected_catalog", None)
        if callable(to_selected):
            value = to_selected()
        if isinstance(value, str):
            text = value.strip()
            if text == "":
                return None
            try:
                catalog = json.loads(text)
            except json.JSONDecodeError as exc:
                raise self.error(
                    f"{self.name} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
                    hint="Pass the catalog of a previous job, e.g. products.catalog.",
                ) from None
        elif isinstance(value, Mapping):
            catalog = dict(value)
            text = json.dumps(catalog)
        else:
            raise self.error(
                f"{self.name} must be a catalog as JSON text or a dict, not {type(value).__name__}"
            )
        self._check_catalog(catalog)
        return text

    def _check_catalog(self, catalog: Any) -> None:
        if not isinstance(catalog, dict):
            raise self.error(f"{self.name} must be a JSON object with the catalog's columns")
        missing = [key for key in self.REQUIRED_KEYS if key not in catalog]
        if missing:
            raise self.error(f"{self.name} lacks the key(s) {', '.join(missing)}")
        names = catalog["cat_column_names"]
        columns = catalog["cat_column_list"]
        if not isinstance(names, list) or not isinstance(columns, list):
            raise self.error(f"{self.name}: cat_column_names and cat_column_list must be lists")
        required = [*self.REQUIRED_COLUMNS, catalog["cat_lon_name"], catalog["cat_lat_name"]]
        absent = [column for column in required if column not in names]
        if absent:
            raise self.error(
                f"{self.name} lacks the column(s) {', '.join(map(str, absent))}: "
                f"it has {', '.join(map(str, names))}",
                hint="The dispatcher needs src_names, significance, meta_ID and the "
                "longitude/latitude columns named by cat_lon_name and cat_lat_name.",
            )
        if len(columns) != len(names):
            raise self.error(
                f"{self.name} has {len(names)} column names but {len(columns)} columns"
            )
        lengths = {len(column) for column in columns if isinstance(column, list)}
        if len(lengths) > 1 or any(not isinstance(column, list) for column in columns):
            raise self.error(
                f"{self.name}: every column of cat_column_list must be a list of the same length"
            )


class BooleanParameter(ParameterSpec):
    """True or false (server class ``Boolean``): ``True true yes 1`` / ``False false no 0``."""

    kind = "boolean"
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


class StructuredParameter(ParameterSpec):
    """A JSON object or array (server class ``StructuredParameter``), checked with its schema.

    Accepts a dict, a list, or their JSON text; the wire value is the dict or list.
    """

    kind = "structured"

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
        import jsonschema

        validator_class = jsonschema.validators.validator_for(self.schema)
        try:
            validator_class.check_schema(self.schema)
        except jsonschema.SchemaError:
            raise self.error(
                f"Wrong schema for parameter {self.name}: {self.schema}",
                hint="The instrument's description is at fault; tell its maintainers.",
            ) from None
        error = jsonschema.exceptions.best_match(validator_class(self.schema).iter_errors(value))
        if error is not None:
            raise self.error(f"Wrong value of structured parameter {self.name}", hint=error.message)


class UnknownParameter(ParameterSpec):
    """A parameter of a class this client does not know: sent as text, checked by the server."""

    kind = "unknown"


KIND_CLASSES: dict[str, type[ParameterSpec]] = {
    cls.kind: cls
    for cls in (
        FloatParameter,
        IntegerParameter,
        AngleParameter,
        EnergyParameter,
        TimeIntervalParameter,
        DetectionThresholdParameter,
        TimeParameter,
        TimeDeltaParameter,
        StringParameter,
        InputProdListParameter,
        UserCatalogParameter,
        BooleanParameter,
        StructuredParameter,
        FormatParameter,
        UnknownParameter,
    )
}


def kind_from_owl_uri(owl_uri: Sequence[str]) -> str | None:
    """The kind of the first known ontology URI in ``owl_uri`` (None when none is known)."""
    known = dict(OWL_KINDS)
    for uri in owl_uri:
        if uri in known:
            return known[uri]
    return None


def is_format_companion(entry: Mapping[str, Any]) -> bool:
    """Whether a description entry is the format argument of the entry before it (``T_format``).

    The server writes these as ``{"name": ..., "units": "str", "value": ...}`` with neither
    restrictions nor ontology URIs.
    """
    name = entry.get("name")
    return (
        isinstance(name, str)
        and name.endswith("format")
        and entry.get("units") == "str"
        and "restrictions" not in entry
        and not entry.get("owl_uri")
    )


def guess_kind(entry: Mapping[str, Any]) -> str:
    """The kind of an entry that carries no ontology URI (1.3.3 descriptions, catalogs).

    Rules, first match wins:

    1. ``selected_catalog`` / ``user_catalog`` -> user_catalog;
    2. ``scw_list`` / ``p_list``, or an unnamed entry -> input_prod_list;
    3. a ``*format`` text entry without restrictions -> format (a companion);
    4. units naming a time format (``isot``, ``mjd``...) -> time; ``sec`` -> time_delta;
    5. units ``deg``/``arcsec``/``arcmin``/``rad`` -> angle; energy or frequency units -> energy;
       ``sigma`` -> detection_threshold; ``s``/``minute``/``hour``/``day``/``year`` -> time_interval;
    6. by the default's type: bool -> boolean, int -> integer, float -> float, dict -> structured,
       list -> input_prod_list, text (or units ``str``) -> string;
    7. otherwise unknown.
    """
    name = entry.get("name")
    units = entry.get("units")
    value = entry.get("value")
    if name in _CATALOG_NAMES:
        return "user_catalog"
    if name in _PRODUCT_LIST_NAMES or name is None:
        return "input_prod_list"
    if is_format_companion(entry):
        return "format"
    if isinstance(units, str):
        if units == "sec":
            return "time_delta"
        if units in _time_formats() and (value is None or isinstance(value, str | int | float)):
            return "time"
        if units in _ANGLE_UNITS:
            return "angle"
        if units in _ENERGY_UNITS:
            return "energy"
        if units == "sigma":
            return "detection_threshold"
        if units in _TIME_INTERVAL_UNITS and isinstance(value, int | float):
            return "time_interval"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, dict):
        return "structured"
    if isinstance(value, list):
        return "input_prod_list"
    if isinstance(value, str) or units == "str":
        return "string"
    return "unknown"


def parameter_from_description(
    entry: Mapping[str, Any], next_entry: Mapping[str, Any] | None = None
) -> ParameterSpec:
    """Build the :class:`ParameterSpec` of one entry of ``/api/meta-data``.

    Parameters
    ----------
    entry : Mapping
        ``{"name", "units", "value", ["restrictions"], ["owl_uri"], ["extra_metadata"]}``.
    next_entry : Mapping, optional
        The entry that follows; when it is a format companion (``T_format``), the time parameter
        records it as its ``format_parameter``.

    Returns
    -------
    ParameterSpec
        An instance of the subclass matching the server's parameter class.
    """
    owl_uri = entry.get("owl_uri") or ()
    if isinstance(owl_uri, str):
        owl_uri = (owl_uri,)
    if owl_uri:
        kind = kind_from_owl_uri(owl_uri) or "unknown"
    else:
        kind = guess_kind(entry)
    restrictions = entry.get("restrictions")
    extra = entry.get("extra_metadata") or {}
    if restrictions is None:
        # Older descriptions carry no restrictions: a parameter without a default is optional.
        optional = entry.get("value") is None or kind == "format"
        restrictions = {}
    else:
        optional = bool(restrictions.get("is_optional", False))
    format_parameter = None
    if (
        kind in ("time", "time_delta")
        and next_entry is not None
        and is_format_companion(next_entry)
    ):
        format_parameter = next_entry["name"]
    cls = KIND_CLASSES[kind]
    return cls(
        entry.get("name"),
        units=entry.get("units"),
        default=entry.get("value"),
        optional=optional,
        allowed_values=restrictions.get("allowed_values"),
        min_value=restrictions.get("min_value"),
        max_value=restrictions.get("max_value"),
        schema=restrictions.get("schema"),
        owl_uri=tuple(owl_uri),
        label=extra.get("label"),
        description=extra.get("description"),
        group=extra.get("group"),
        format_parameter=format_parameter,
    )
