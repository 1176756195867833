"""The dispatcher's parameter classes, server side: how each request argument is described,
read and checked.

Each class mirrors one parameter class of the dispatcher (``String``, ``Float``, ``Angle``,
``Time`` ...): the same ``/api/meta-data`` entry (units, default, restrictions, ontology URIs) and
the same error texts for the same bad values, e.g. ``Parameter RA wrong value a. could not
convert string to float: 'a'``. Values come in as the dispatcher sees them: strings, or lists and
dicts when the client sent JSON; ``None`` when the client sent ``"\\x00"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from astropy.coordinates import Angle as AstropyAngle
from astropy.time import Time as AstropyTime
from astropy.time import TimeDelta as AstropyTimeDelta

from .errors import ConstructorFailed, RequestNotUnderstood
from .generations import CURRENT, OLDER

__all__ = [
    "ODA",
    "XSD",
    "Angle",
    "DetectionThreshold",
    "Float",
    "InputProdList",
    "Integer",
    "Name",
    "OSAVersion",
    "Parameter",
    "SpectralBoundary",
    "String",
    "Time",
    "TimeBin",
    "UserCatalog",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
ODA = "http://odahub.io/ontology#"

@dataclass
class Parameter:
    """One request parameter as the dispatcher declares it.

    Parameters
    ----------
    name : str or None
        The request argument (None for SPI-ACS's unnamed product list).
    value : Any
        The default, as advertised in the description.
    units : str or None
        As advertised (``deg``, ``keV``, ``str``, the time format ...).
    optional : bool
        Whether ``None`` is accepted.
    allowed_values, min_value, max_value
        Restrictions, advertised and enforced.
    label, description, group
        Human text for forms, sent as ``extra_metadata``.
    """

    name: str | None
    value: Any = None
    units: str | None = None
    optional: bool = False
    allowed_values: list | None = None
    min_value: float | None = None
    max_value: float | None = None
    label: str | None = None
    description: str | None = None
    group: str | None = None

    owl_uri: ClassVar[tuple[str, ...]] = ()
    #: the companion argument holding this parameter's format (``T_format``), if any
    format_name: ClassVar[str | None] = None
    default_format: ClassVar[str | None] = None

    # -- description -------------------------------------------------------------------------
    def argument_names(self, generation: str = CURRENT) -> list[str]:
        """The request arguments this parameter reads (``/api/par-names``)."""
        names = [self.name] if self.name is not None else []
        if self.format_name and generation == CURRENT:
            names.append(self.format_name)
        return names

    def describe(self, generation: str = CURRENT) -> list[dict]:
        """The ``/api/meta-data`` entries of this parameter (itself, then its format companion)."""
        entry: dict[str, Any] = {"name": self.name, "units": self.units, "value": self.value}
        if generation == OLDER:
            return [entry]
        restrictions: dict[str, Any] = {"is_optional": self.optional}
        if self.allowed_values is not None:
            restrictions["allowed_values"] = list(self.allowed_values)
        if self.min_value is not None:
            restrictions["min_value"] = self.min_value
        if self.max_value is not None:
            restrictions["max_value"] = self.max_value
        entry["restrictions"] = restrictions
        metadata = {
            k: v
            for k, v in (("label", self.label), ("description", self.description), ("group", self.group))
            if v is not None
        }
        if metadata:
            entry["extra_metadata"] = metadata
        if self.owl_uri:
            entry["owl_uri"] = list(self.owl_uri)
        entries = [entry]
        if self.format_name:
            entries.append({"name": self.format_name, "units": "str", "value": self.default_format})
        return entries

    # -- reading a request -------------------------------------------------------------------
    def default(self) -> Any:
        """The value used when the request does not carry this parameter."""
        return self.value

    def read(self, args: Mapping[str, Any], generation: str = CURRENT) -> Any:
        """The normalised value of this parameter in ``args`` (the default when absent).

        Raises
        ------
        RequestNotUnderstood
            With the dispatcher's text for the same value.
        ConstructorFailed
            For failures the dispatcher reports as a failed request constructor.
        """
        if self.name is None or self.name not in args:
            return self.default()
        raw = args[self.name]
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or (raw == "" and self.empty_is_none()):
            if not self.optional:
                raise RequestNotUnderstood(f"Non-optional parameter {self.name} is set to None")
            return None
        try:
            value = self.convert(raw, args, generation)
        except ValueError as e:
            raise RequestNotUnderstood(f"Parameter {self.name} wrong value {raw}. {e}") from None
        except TypeError as e:
            raise ConstructorFailed(str(e)) from None
        self.check(value, raw)
        return value

    def empty_is_none(self) -> bool:
        """Whether an empty string means "no value" (numbers) rather than an empty text."""
        return False

    def convert(self, raw: Any, args: Mapping[str, Any], generation: str) -> Any:
        """Turn the wire value into the normalised value; ``ValueError`` carries the reason."""
        return raw

    def check(self, value: Any, raw: Any) -> None:
        """Enforce allowed values and bounds on the converted value."""
        if self.allowed_values is not None and value not in self.allowed_values:
            raise RequestNotUnderstood(
                f"Parameter {self.name} wrong value {raw}: not in allowed {self.allowed_values}"
            )
        units = self.units if self.units is not None else ""
        if self.min_value is not None and value < self.min_value:
            raise RequestNotUnderstood(
                f"Parameter {self.name} wrong value {value}{units}: "
                f"should be greater or equal than {float(self.min_value)}"
            )
        if self.max_value is not None and value > self.max_value:
            raise RequestNotUnderstood(
                f"Parameter {self.name} wrong value {value}{units}: "
                f"should be lower or equal than {float(self.max_value)}"
            )

    def companions(self) -> dict[str, Any]:
        """Arguments the normalised request carries besides the value (the default format)."""
        return {self.format_name: self.default_format} if self.format_name else {}


@dataclass
class String(Parameter):
    """A text; ``units`` is ``str``."""

    units: str | None = "str"
    owl_uri: ClassVar[tuple[str, ...]] = (XSD + "str", ODA + "String")

    def convert(self, raw: Any, args: Mapping[str, Any], generation: str) -> Any:
        return raw if isinstance(raw, str) else str(raw)


@dataclass
class Name(String):
    """A name (source name, token): a String tagged as an astrophysical object."""

    owl_uri: ClassVar[tuple[str, ...]] = String.owl_uri + (ODA + "AstrophysicalObject",)


@dataclass
class OSAVersion(String):
    """The INTEGRAL analysis software version: ``OSA10.2``, ``OSA11.2`` (with optional suffixes)."""

    base_versions: tuple[str, ...] = ("OSA10.2", "OSA11.2")
    obsolete_versions: dict = field(default_factory=lambda: {"OSA11.0": "OSA11.2", "OSA11.1": "OSA11.2"})

    def check(self, value: Any, raw: Any) -> None:
        base, _, subversion = value.split("--")[0].partition("-")
        if base in self.obsolete_versions and not subversion:
            raise RequestNotUnderstood(
                f"Please note {base} is being phased out. We consider that for all or almost all "
                f"likely user requests {self.obsolete_versions[base]} shoud be used instead of {base}."
            )
        if base not in self.base_versions and base not in self.obsolete_versions:
            raise RequestNotUnderstood(
                f"value {value} is not allowed. The OSA version should start with one of "
                f"{list(self.base_versions)}, and may contain additional components."
            )
        if subversion:
            # development builds exist only on the production platform
            raise RequestNotUnderstood("unknown dev OSA version!")


@dataclass
class Float(Parameter):
    """A real number."""

    owl_uri: ClassVar[tuple[str, ...]] = (XSD + "float", ODA + "Float")

    def empty_is_none(self) -> bool:
        return True

    def default(self) -> Any:
        return None if self.value is None else float(self.value)

    def convert(self, raw: Any, args: Mapping[str, Any], generation: str) -> Any:
        return float(raw)


@dataclass
class Integer(Parameter):
    """A whole number; ``"4.5"`` is refused as Python's ``int()`` refuses it."""

    owl_uri: ClassVar[tuple[str, ...]] = (XSD + "int", ODA + "Integer")

    def empty_is_none(self) -> bool:
        return True

    def convert(self, raw: Any, args: Mapping[str, Any], generation: str) -> Any:
        if isinstance(raw, float):
            raise RequestNotUnderstood(
                f"{raw} is an invalid value for {self.name} since it cannot be used as an Integer"
            )
        return int(raw)


@dataclass
class Angle(Float):
    """An angle in degrees."""

    units: str | None = "deg"
    owl_uri: ClassVar[tuple[str, ...]] = (ODA + "Angle",)

    def convert(self, raw: Any, args: Mapping[str, Any], generation: str) -> Any:
        if generation == OLDER and isinstance(raw, str):
            # dispatcher 1.3.3 parsed angles with astropy and reported its message as a
            # failed request constructor
            try:
                return float(AstropyAngle(raw, unit="deg").deg)
            except ValueError as e:
                raise ConstructorFailed(str(e)) from None
        return float(raw)


@dataclass
class SpectralBoundary(Float):
    """An energy bound in keV, limited to the instrument's band (``band_name`` in the message)."""

    units: str | None = "keV"
    band: tuple[float, float] | None = None
    band_name: str = ""
    owl_uri: ClassVar[tuple[str, ...]] = (ODA + "Energy", ODA + "Frequency")

    def check(self, value: Any, raw: Any) -> None:
        super().check(value, raw)
        if self.band is not None and not self.band[0] <= value <= self.band[1]:
            low, high = (int(b) if float(b).is_integer() else b for b in self.band)
            raise RequestNotUnderstood(
                f"{self.band_name} energy range is restricted to {low} - {high} keV"
            )


@dataclass
class DetectionThreshold(Float):
    """A detection threshold in sigma."""

    units: str | None = "sigma"
    owl_uri: ClassVar[tuple[str, ...]] = (ODA + "DetectionThreshold",)


@dataclass
class Time(Parameter):
    """An instant; its format (``isot``, ``mjd`` ...) comes from the ``T_format`` argument.

    Normalised to ISO time with milliseconds, as the dispatcher stores it.
    """

    units: str | None = "isot"
    owl_uri: ClassVar[tuple[str, ...]] = (ODA + "TimeInstant",)
    format_name: ClassVar[str | None] = "T_format"
    default_format: ClassVar[str | None] = "isot"

    def convert(self, raw: Any, args: Mapping[str, Any], generation: str) -> Any:
        time_format = (args.get(self.format_name) if self.format_name else None) \
            or self.default_format
        try:
            return AstropyTime(raw, format=time_format).isot
        except (ValueError, TypeError):
            raise RequestNotUnderstood(
                f"Parameter {self.name} wrong value {raw}: can't be parsed as Time of {time_format} format"
            ) from None


@dataclass
class TimeBin(Parameter):
    """A light-curve bin as the dispatcher's (deprecated) ``TimeDelta``: value + ``time_bin_format``.

    Normalised to seconds. ``max_seconds`` is the INTEGRAL plugin's upper limit.
    """

    units: str | None = "sec"
    max_seconds: float | None = None
    owl_uri: ClassVar[tuple[str, ...]] = (ODA + "TimeDeltaIsDeprecated",)
    format_name: ClassVar[str | None] = "time_bin_format"
    default_format: ClassVar[str | None] = "sec"

    def default(self) -> Any:
        return float(self.value)

    def convert(self, raw: Any, args: Mapping[str, Any], generation: str) -> Any:
        delta_format = (args.get(self.format_name) if self.format_name else None) \
            or self.default_format
        try:
            seconds = float(AstropyTimeDelta(raw, format=delta_format).sec)
        except (ValueError, TypeError):
            raise RequestNotUnderstood(
                f"Parameter {self.name} wrong value {raw}: can't be parsed as TimeDelta of "
                f"{delta_format} format"
            ) from None
        if self.max_seconds is not None and seconds > self.max_seconds:
            raise ConstructorFailed(f"Time bin max value exceeded ={self.max_seconds:f}")
        return seconds


@dataclass
class InputProdList(Parameter):
    """A list of input products (science windows): a list, or a comma-separated text."""

    value: Any = field(default_factory=list)
    optional: bool = True
    owl_uri: ClassVar[tuple[str, ...]] = (ODA + "InputProdList",)

    def read(self, args: Mapping[str, Any], generation: str = CURRENT) -> Any:
        if self.name is None or self.name not in args or args[self.name] is None:
            return []
        raw = args[self.name]
        if isinstance(raw, list):
            items = [str(item).strip() for item in raw]
        else:
            items = [item.strip() for item in str(raw).split(",")]
        return [] if items == [""] else items


@dataclass
class UserCatalog(Parameter):
    """A catalog given as the JSON text of the dispatcher's catalog dictionary."""

    optional: bool = True

    def read(self, args: Mapping[str, Any], generation: str = CURRENT) -> Any:
        if self.name is None or self.name not in args:
            return None
        raw = args[self.name]
        if raw is None or raw == "":
            return None
        if isinstance(raw, (dict, list)):
            # the dispatcher keeps this argument verbatim; a decoded value is re-encoded
            return json.dumps(raw)
        return str(raw)
