"""Times: an instant, a duration read by astropy, and the format companion (``T_format``) they
are read in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .generations import OLDER
from .kinds import register_kind
from .parameter_spec import ONTOLOGY, ParameterSpec, sent_text, wire_text

__all__ = [
    "TIME_FORMATS_OFFERED",
    "time_formats",
    "time_delta_formats",
    "TimeParameter",
    "TimeDeltaParameter",
    "FormatParameter",
]

#: Formats a form offers for a time instant; every astropy format is accepted, as by the server.
TIME_FORMATS_OFFERED = ("isot", "mjd")

#: astropy time formats that take only Python objects, never the text a request carries.
_OBJECT_ONLY_FORMATS = frozenset({"datetime", "ymdhms", "datetime64", "astropy_time"})


def time_formats() -> set[str]:
    """Every format astropy reads a time instant in."""
    from astropy.time import Time

    return set(Time.FORMATS)


def time_delta_formats() -> set[str]:
    """Every format astropy reads a duration in."""
    from astropy.time import TimeDelta

    return set(TimeDelta.FORMATS)


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
            return time_formats()
        if self.serves == "time_delta":
            return time_delta_formats()
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

