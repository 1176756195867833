"""One form field per kind of dispatcher parameter, its value an observable trait.

A field is a labelled control, its units and a message area; its ``value`` trait (what goes to
the dispatcher) follows the control, so ``field.observe(fn, names="value")`` hears every change. It turns what the user typed into the
value handed to :meth:`Dispatcher.submit` (``query_value``) and asks the parameter's
:class:`~oda_widgets.client.query.parameter_spec.ParameterSpec` whether the dispatcher would accept it. Every
check, message, hint and note comes from that spec; a field only displays them:

- a refused value: the server's own text, and the spec's hint (what to change) beside it;
- an accepted value: the spec's preview (an angle in degrees, the number of science windows);
- an empty field: what the spec says leaving it out means. An empty field is not sent, so the
  dispatcher uses the description's default (shown as the placeholder).

Fields never clamp or silently correct a value: a wrong value stays visible with its message.
"""

from __future__ import annotations

import html
import json
from collections.abc import Collection, Mapping
from typing import Any

import ipywidgets as widgets
import traitlets
from traitlets import Unicode

from ..client.errors import ValidationError
from ..client.query.entries import convert_time, number_text, read_number
from ..client.query.parameter_spec import ParameterSpec
from ..client.query.product_list_parameter import InputProdListParameter
from ..client.query.spec import NOT_QUERY_PARAMETERS
from .field_registry import field_factory, register_field

__all__ = [
    "HIDDEN_PARAMETERS",
    "AngleField",
    "BooleanField",
    "ChoiceField",
    "Field",
    "IntegerField",
    "NumberField",
    "ProductListField",
    "StructuredField",
    "TextField",
    "TimeField",
    "TimeFormatSwitch",
    "TitledRow",
    "field_for",
    "untyped_field",
]

LABEL_WIDTH = "11em"
ERROR_CLASS = "oda-invalid"


def _label_of(spec: ParameterSpec) -> str:
    return getattr(spec, "label", None) or spec.name or "(unnamed)"


def _units_text(spec: ParameterSpec) -> str:
    units = getattr(spec, "units", None)
    return "" if units in (None, "", "str") else str(units)


def _tooltip(spec: ParameterSpec, units: str) -> str:
    """The hover text of a control: its label, units, bounds and the description's help."""
    parts = [_label_of(spec)]
    if units:
        parts[0] += f" [{units}]"
    low, high = getattr(spec, "min_value", None), getattr(spec, "max_value", None)
    if low is not None and high is not None:
        parts.append(f"from {low} to {high}")
    elif low is not None:
        parts.append(f"at least {low}")
    elif high is not None:
        parts.append(f"at most {high}")
    if getattr(spec, "optional", False):
        parts.append("optional")
    description = getattr(spec, "description", None)
    if description:
        parts.append(str(description))
    return "; ".join(parts)


def _typing_box(kind: type[widgets.Widget], label: str, **options: Any) -> widgets.Widget:
    """A Text or Textarea of the form's width, its label in the form's label column."""
    return kind(
        description=label,
        style={"description_width": LABEL_WIDTH},
        layout=widgets.Layout(width="32em"),
        **options,
    )


def schema_hints_widget(spec: ParameterSpec) -> widgets.HTML | None:
    """The words of a parameter's JSON schema (``spec.schema_hints()``), one per line, as text
    under its box, aligned with the box; None when the schema says nothing."""
    getter = getattr(spec, "schema_hints", None)
    lines = getter() if callable(getter) else []
    if not lines:
        return None
    hints = widgets.HTML(
        "".join(f'<div class="oda-hint-line">{html.escape(line)}</div>' for line in lines),
        layout=widgets.Layout(margin=f"0 0 4px calc({LABEL_WIDTH} + 10px)", max_width="40em"),
    )
    hints.add_class("oda-schema-hints")
    return hints


class TitledRow(widgets.HBox):
    """A row whose ``tooltip`` shows when the pointer is anywhere over it, its control included.

    ipywidgets 8 drops the tooltip of a Text, Password, Textarea or Dropdown that has a
    description (neither its label nor its input gets a ``title``). A Box's view sets its own
    ``title`` only when its model's ``description`` is empty, and reads the length of that trait,
    which Box lacks: this row syncs an empty one.
    """

    description = Unicode("").tag(sync=True)


class Field(traitlets.HasTraits):
    """A labelled control for one parameter, with units and a message next to it.

    Parameters
    ----------
    spec : ParameterSpec
        The parameter as the dispatcher describes it.

    Attributes
    ----------
    value : trait
        The value handed to the dispatcher (see :meth:`query_value`), kept in step with the
        control: observe it with ``field.observe(fn, names="value")``; set it with
        :meth:`set_value`.
    name : str
        The parameter's name (the request argument).
    label : str
        The visible label (``extra_metadata.label`` or the name).
    control : ipywidgets.Widget
        The input the user types into.
    widget : ipywidgets.Box
        The row to display: control, units, extra buttons and message.
    error : str or None
        The current message when the value would be refused (the server's text), else ``None``.
    error_hint : str or None
        What to change, shown beside ``error`` (from the parameter's spec).
    note : str
        A neutral note when the value is accepted or empty (from the parameter's spec).
    """

    spec: ParameterSpec  # a kind's field narrows it to the kind's class

    value = traitlets.Any(None, read_only=True, help="The value handed to the dispatcher, in step "
                          "with the control (set it with set_value).")

    #: Whether a change of ``control.value`` is a change of the parameter (not for summaries).
    observe_control = True

    def __init__(self, spec: ParameterSpec) -> None:
        super().__init__()
        self.spec = spec
        self.name: str = spec.name or ""  # unnamed parameters get no field
        self.label = _label_of(spec)
        self.error: str | None = None
        self.error_hint: str | None = None
        self.note: str = ""
        self.units_label = widgets.Label(_units_text(spec))
        self.units_label.add_class("oda-units")
        self.control = self._make_control()
        self.control.tooltip = _tooltip(spec, _units_text(spec))
        self.control.add_class(f"oda-param-{self.name}")
        if hasattr(self.control, "placeholder"):
            self.control.placeholder = self._empty_meaning()
        self.message = widgets.HTML("")
        self.message.add_class("oda-message")
        self.extras: list[widgets.Widget] = []
        # the row carries the tooltip: ipywidgets shows none on a described control itself
        self.widget = TitledRow(self._row(), tooltip=self.control.tooltip)
        self.widget.add_class("oda-field")
        self.widget.add_class(f"oda-field-{self.name}")
        self.set_value(spec.default)
        self._changed()
        if self.observe_control:
            self.control.observe(self._changed, names="value")

    # --- construction, overridden by kinds ------------------------------------------------------
    def _make_control(self) -> widgets.Widget:
        return _typing_box(widgets.Text, self.label)

    def _row(self) -> list[widgets.Widget]:
        return [self.control, self.units_label, self.message]

    def add_extra(self, widget: widgets.Widget) -> None:
        """Put a widget (e.g. a Resolve button) between the units and the message."""
        self.extras.append(widget)
        self.widget.children = [self.control, self.units_label, *self.extras, self.message]

    # --- values ---------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        """What the control shows, as text."""
        return str(self.control.value or "")

    def set_value(self, value: Any) -> None:
        """Show ``value`` (a default, a wire value or a typed value) in the control."""
        self.control.value = "" if value is None else str(value)

    def query_value(self) -> Any:
        """The value to hand to the dispatcher: ``None`` when empty, else the stripped text."""
        text = self.text.strip()
        return text if text else None

    def typed(self) -> Any:
        """What the user typed, as the spec checks it: the stripped text, ``None`` when empty."""
        text = self.text.strip()
        return text if text else None

    def is_empty(self) -> bool:
        """Whether nothing is typed: the parameter is then not sent (the default applies)."""
        return self.typed() is None

    def _empty_meaning(self) -> str:
        try:
            return self.spec.when_empty()
        except ValidationError:
            return "required"

    # --- checking -------------------------------------------------------------------------------
    def check(self, values: Mapping[str, Any] | None = None) -> Any:
        """Ask the parameter whether the dispatcher would accept the value, and show the answer.

        Returns the wire value, or ``None`` when the value is refused (``error`` then says why) or
        the field is empty (``note`` then says what that means).
        """
        try:
            if self.is_empty():
                self.note = self.spec.when_empty()
                self.clear_error()
                return None
            wire = self.validate(values)
        except (ValidationError, ValueError) as exc:
            self.show_error(getattr(exc, "message", None) or str(exc), getattr(exc, "hint", None))
            return None
        self.note = self.spec.preview(wire)
        self.clear_error()
        return wire

    def validate(self, values: Mapping[str, Any] | None = None) -> Any:
        """Return the wire value or raise :class:`ValidationError` with the server's text."""
        return self.spec.validate(self.typed(), values)

    def show_error(self, message: str, hint: str | None = None) -> None:
        """Show ``message`` next to the field, as text, with a "⚠" marker and a CSS class.

        ``hint`` (what to change, from the spec) is shown beside the message.
        """
        self.error = message
        self.error_hint = hint or None
        beside = (
            f' <span class="oda-hint-text">{html.escape(hint)}</span>' if hint else ""
        )
        self.message.value = (
            f'<span class="oda-error-text" role="alert">⚠ {html.escape(message)}{beside}</span>'
        )
        self.control.add_class(ERROR_CLASS)

    def clear_error(self) -> None:
        """Remove the message (the value would be accepted); keep a neutral note if any."""
        self.error = None
        self.error_hint = None
        self.control.remove_class(ERROR_CLASS)
        self.message.value = (
            f'<span class="oda-note-text">{html.escape(self.note)}</span>' if self.note else ""
        )

    # --- change notification ----------------------------------------------------------------------
    def _changed(self, _change: object = None) -> None:
        """Bring the ``value`` trait in step with the control (its observers hear a change)."""
        self.set_trait("value", self.query_value())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r}, value={self.value!r}, error={self.error!r})"


@register_field("string", "time_delta", "unknown")
class TextField(Field):
    """Free text (source names, strings, unknown kinds); empty text is not sent."""


@register_field("float", "detection_threshold")
class NumberField(Field):
    """A number typed as text and checked by the parameter, never clamped to its bounds."""

    integer = False

    def set_value(self, value: Any) -> None:
        self.control.value = number_text(value)

    #: Whether text with units (``"1 MeV"``, ``"9h20m"``) is read by the parameter into a number.
    with_units = False

    def query_value(self) -> Any:
        # text that is no number goes on as typed: the parameter answers with the server's text
        return read_number(self.spec, self.text, integer=self.integer, with_units=self.with_units)

    def _changed(self, _change: object = None) -> None:
        before = self.value
        super()._changed(_change)
        if self.value == before and hasattr(self, "message"):
            # "0.00001" over "1e-05" ("45 keV" over 45.0) is the same value, which no observer
            # hears: the message follows the text, and a form hears when a refusal comes or goes
            refused = self.error
            self.check()
            if self.error != refused:
                self.notify_change(traitlets.Bunch(
                    name="value", old=before, new=self.value, owner=self, type="change"))


@register_field("integer")
class IntegerField(NumberField):
    """A whole number (``int`` parameters such as ``max_pointings``)."""

    integer = True


@register_field("angle")
class AngleField(NumberField):
    """An angle in the parameter's units, also accepting sexagesimal text.

    The parameter reads the text (sexagesimal in its own unit unless the text names one, e.g.
    ``9h20m23s``) and sends the number; the note beside the field shows it in degrees as typed.
    """

    with_units = True


@register_field("time")
class TimeField(Field):
    """A time instant in the format chosen by the form's ISOT/MJD switch (``T_format``)."""

    def __init__(self, spec: ParameterSpec) -> None:
        self.time_format = str(getattr(spec, "units", None) or "isot")
        super().__init__(spec)
        self.units_label.value = self.time_format.upper()

    def query_value(self) -> Any:
        text = self.text.strip()
        if not text:
            return None
        if self.time_format != "isot":
            try:
                return float(text)
            except ValueError:
                return text
        return text

    def set_value(self, value: Any) -> None:
        self.control.value = number_text(value) if isinstance(value, float) else (
            "" if value is None else str(value)
        )

    def validate(self, values: Mapping[str, Any] | None = None) -> Any:
        merged = dict(values or {})
        merged[self.format_parameter] = self.time_format
        return self.spec.validate(self.typed(), merged)

    def check(self, values: Mapping[str, Any] | None = None) -> Any:
        wire = super().check(values)
        if wire is not None and self.error is None and self.time_format != "isot":
            # a number of days reads as a date only to the trained eye: say which one it is
            isot = convert_time(self.query_value(), self.time_format, "isot")
            if isot:
                self.note = f"= {str(isot)[:23]} UTC"
                self.clear_error()
        return wire

    @property
    def format_parameter(self) -> str:
        """The name of the format companion of this time (``T_format``)."""
        return getattr(self.spec, "format_parameter", None) or "T_format"

    def convert_to(self, time_format: str) -> None:
        """Rewrite the shown value in ``time_format`` (astropy ``Time``), then use that format.

        A value that does not read in the current format is left as typed (its message stays).
        """
        if time_format == self.time_format:
            return
        converted = convert_time(self.query_value(), self.time_format, time_format)
        self.time_format = time_format
        self.units_label.value = time_format.upper()
        if converted is not None:
            self.set_value(converted)
        self._changed()  # text left as typed reads differently in the other format


class TimeFormatSwitch(Field):
    """One switch for the format of every time that names it (``T_format`` for ``T1`` and ``T2``).

    Flipping it converts the linked times' values with astropy ``Time`` and sets the parameter.
    """

    FORMATS = ("isot", "mjd")

    def __init__(self, spec: ParameterSpec) -> None:
        self.times: list[TimeField] = []
        super().__init__(spec)

    def _make_control(self) -> widgets.Widget:
        formats = list(getattr(self.spec, "allowed_values", None) or self.FORMATS)
        if self.spec.default and self.spec.default not in formats:
            formats.append(self.spec.default)
        return widgets.ToggleButtons(
            options=[(str(f).upper(), f) for f in formats],
            description=self.label if self.label != self.name else "Time format",
            style={"description_width": LABEL_WIDTH, "button_width": "5em"},
            tooltips=[f"times as {str(f).upper()}" for f in formats],
        )

    def _row(self) -> list[widgets.Widget]:
        return [self.control, self.message]

    def set_value(self, value: Any) -> None:
        if value is None:
            return
        if value not in [v for _, v in self.control.options]:
            self.control.options = [*self.control.options, (str(value).upper(), value)]
        self.control.value = value

    def query_value(self) -> Any:
        return self.control.value

    def typed(self) -> Any:
        return self.control.value

    def link(self, time_field: TimeField) -> None:
        """Make ``time_field`` follow this switch: its value, shown in the format its own
        description gives (a product's ISOT ``time_instant`` beside MJD ``T1``), is rewritten in
        the switch's format, which the dispatcher then reads every sent time in."""
        self.times.append(time_field)
        time_field.convert_to(self.control.value)
        time_field.units_label.value = str(self.control.value).upper()
        time_field._changed()

    def _changed(self, _change: object = None) -> None:
        for time_field in self.times:
            time_field.convert_to(self.control.value)
        super()._changed(_change)


class ChoiceField(Field):
    """A parameter with allowed values, as a Dropdown (the dispatcher takes nothing else)."""

    def _make_control(self) -> widgets.Widget:
        options = list(self.spec.allowed_values or [])
        return widgets.Dropdown(
            options=[(str(v), v) for v in options],
            description=self.label,
            style={"description_width": LABEL_WIDTH},
        )

    def set_value(self, value: Any) -> None:
        allowed = [v for _, v in self.control.options]
        if value in allowed:
            self.control.value = value
            return
        for candidate in allowed:  # wire values come back as text ("5" for 5)
            if str(candidate) == str(value):
                self.control.value = candidate
                return
        self.control.value = None

    def query_value(self) -> Any:
        return self.control.value

    def typed(self) -> Any:
        return self.control.value


@register_field("boolean")
class BooleanField(Field):
    """A yes/no parameter as a Checkbox."""

    TRUE = ("true", "yes", "1")

    def _make_control(self) -> widgets.Widget:
        return widgets.Checkbox(
            description=self.label, indent=False, style={"description_width": "initial"}
        )

    def set_value(self, value: Any) -> None:
        self.control.value = value.strip().lower() in self.TRUE if isinstance(value, str) else bool(value)

    def query_value(self) -> Any:
        return bool(self.control.value)

    def typed(self) -> Any:
        return bool(self.control.value)


@register_field("input_prod_list")
class ProductListField(Field):
    """A list of input products (``scw_list``): one id per line (commas and spaces also separate).

    The parameter reads the lines as a list of ids and says how many there are, naming ids that
    do not look like science windows (the dispatcher takes them as given).
    """

    def _make_control(self) -> widgets.Widget:
        return _typing_box(widgets.Textarea, self.label, placeholder="one id per line", rows=3)

    def set_value(self, value: Any) -> None:
        if value is None:
            items: list[str] = []
        elif isinstance(value, str):
            items = InputProdListParameter.items_of_lines(value)
        else:
            items = [str(v) for v in value]
        self.control.value = "\n".join(items)

    def query_value(self) -> Any:
        items = InputProdListParameter.items_of_lines(self.text)
        return items if items else None  # an empty box is not sent

    def typed(self) -> Any:
        return self.query_value()


@register_field("structured")
class StructuredField(Field):
    """A JSON object or array, checked against the parameter's schema; what the schema says
    (titles, descriptions, choices) is shown under the box."""

    def _make_control(self) -> widgets.Widget:
        return _typing_box(widgets.Textarea, self.label, placeholder="JSON", rows=2)

    def _row(self) -> list[widgets.Widget]:
        self.hints = schema_hints_widget(self.spec)
        if self.hints is None:
            return super()._row()
        return [widgets.VBox([self.control, self.hints]), self.units_label, self.message]

    def set_value(self, value: Any) -> None:
        if value is None:
            self.control.value = ""
        elif isinstance(value, str):
            self.control.value = value
        else:
            self.control.value = json.dumps(value)

    def query_value(self) -> Any:
        text = self.text.strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return text




@register_field("untyped")
def untyped_field(spec: ParameterSpec) -> Field:
    """The field of a parameter the server does not type: the field of its default's plain kind
    (a number box for ``5``, a JSON box for a list), checked as the server checks it (not at all)."""
    return field_factory(getattr(spec, "plain_kind", "string"), TextField)(spec)


#: Parameters the form never shows as fields: the token has its own box; ``user_catalog`` is not an
#: argument the dispatcher accepts (it is missing from ``/api/par-names``), ``selected_catalog`` is.
HIDDEN_PARAMETERS = frozenset(NOT_QUERY_PARAMETERS)


def field_for(spec: ParameterSpec, time_formats: Collection[str] | None = None) -> Field | None:
    """Return the field for ``spec``, or ``None`` when the form does not show it.

    Parameters
    ----------
    spec : ParameterSpec
        One parameter of the description.
    time_formats : collection of str, optional
        Names of the format companions of time parameters (``T_format``); such a parameter becomes
        the one ISOT/MJD switch.
    """
    if spec.name is None or spec.name in HIDDEN_PARAMETERS:
        return None
    kind = getattr(spec, "kind", "unknown")
    if time_formats is not None and spec.name in time_formats:
        return TimeFormatSwitch(spec)
    if kind == "boolean":
        return BooleanField(spec)
    if getattr(spec, "allowed_values", None) and kind != "format":
        return ChoiceField(spec)
    # every kind registers its field (widgets/field_registry.py); a kind of a newer client
    # library without one is shown as text, checked by its parameter
    return field_factory(kind, TextField)(spec)
