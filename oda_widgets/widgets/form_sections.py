"""The form's fields for one product, in sections as the description groups them.

Each parameter of the description becomes the field of its kind
(:func:`~oda_widgets.widgets.fields.field_for`), under the title of its group ("Source",
"Instrument: ISGRI", "Product: isgri_image", or the group its ``extra_metadata`` names); each time
follows the ISOT/MJD switch that names it, which sits just above the first of its times.
"""

from __future__ import annotations

import ipywidgets as widgets

from ..client.query.spec import InstrumentSpec, QueryGroup
from .fields import Field, TimeField, TimeFormatSwitch, field_for
from .form_actions import text_html

__all__ = ["build_fields", "section_boxes"]


def build_fields(spec: InstrumentSpec, product: str) -> tuple[dict[str, Field],
                                                                dict[str, list[Field]]]:
    """The fields of ``product`` by parameter name, and by section title in display order.

    Parameters
    ----------
    spec : InstrumentSpec
        The instrument's description.
    product : str
        One of its products.

    Returns
    -------
    tuple
        ``(fields, sections)``: the fields by name (the first of a name wins, as on the server)
        and the same fields by section title, times linked to their format switch.
    """
    groups = list(spec.groups(product))
    time_formats = {
        p.format_parameter for group in groups for p in group.parameters
        if p.format_parameter and p.kind == "time"
    }
    fields: dict[str, Field] = {}
    sections: dict[str, list[Field]] = {}
    for group in groups:
        default_title = _group_title(spec, group, product)
        for parameter in group.parameters:
            field = field_for(parameter, time_formats)
            if field is None or field.name in fields:
                continue
            fields[field.name] = field
            title = parameter.group or default_title
            sections.setdefault(title, []).append(field)
    _link_times(fields)
    return fields, {title: _switches_before_their_times(f) for title, f in sections.items()}


def section_boxes(sections: dict[str, list[Field]]) -> list[widgets.VBox]:
    """One box per section: its title, then its fields' rows."""
    boxes = []
    for title, fields in sections.items():
        heading = widgets.HTML(text_html(title, "oda-section-title"))
        box = widgets.VBox([heading, *(f.widget for f in fields)])
        box.add_class("oda-section")
        boxes.append(box)
    return boxes


def _group_title(spec: InstrumentSpec, group: QueryGroup, product: str) -> str:
    if group.query_name == spec.source.query_name:
        return "Source"
    if group.query_name == spec.instrument.query_name:
        return f"Instrument: {spec.name}"
    return f"Product: {group.product_name or product}"


def _link_times(fields: dict[str, Field]) -> None:
    switches = {f.name: f for f in fields.values() if isinstance(f, TimeFormatSwitch)}
    for field in fields.values():
        if isinstance(field, TimeField) and field.format_parameter in switches:
            switches[field.format_parameter].link(field)


def _switches_before_their_times(fields: list[Field]) -> list[Field]:
    """Put each time-format switch just above the first time it converts (the description lists
    ``T1, T_format, T2``: one switch for both reads better above them)."""
    ordered = [f for f in fields if not isinstance(f, TimeFormatSwitch)]
    for switch in (f for f in fields if isinstance(f, TimeFormatSwitch)):
        positions = [i for i, f in enumerate(ordered) if f in switch.times]
        ordered.insert(positions[0] if positions else len(ordered), switch)
    return ordered
