"""Numbers: floats, integers, angles, energies, durations and detection thresholds.

Each class mirrors the dispatcher's class of the same name and refuses what it refuses, in the
words of the server generation (see :mod:`.parameter_spec`). Numbers are sent in positional
notation (``0.00001``), which 1.3.3's angle parser also reads; sexagesimal angles are read as
astropy reads them in the parameter's own unit and sent as the number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from .generations import OLDER
from .kinds import register_kind
from .parameter_spec import ONTOLOGY, XSD, ParameterSpec, wire_text
from .wire import number_text

__all__ = [
    "FloatParameter",
    "IntegerParameter",
    "AngleParameter",
    "EnergyParameter",
    "TimeIntervalParameter",
    "DetectionThresholdParameter",
]


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

        spectral: list[Any] = u.spectral()  # an astropy Equivalency, a list of conversions
        return spectral


@register_kind("time_interval", owl_uris=(ONTOLOGY + "TimeInterval",))
class TimeIntervalParameter(_QuantityParameter):
    """A duration (server class ``TimeInterval``), in the description's units (s, minute, hour,
    day, year); other durations are converted to them."""

    _examples = "90 s, 2 hour or 1.5 day"


@register_kind("detection_threshold", owl_uris=(ONTOLOGY + "DetectionThreshold",))
class DetectionThresholdParameter(FloatParameter):
    """A detection threshold in sigma (server class ``DetectionThreshold``)."""

