"""The results of a spectral fit as a small table: a row per source, a column per parameter,
the statistic and the band flux; notes and hints under it.

Every value is text made by :class:`~oda_widgets.analysis.spectral_fit.SpectralFit` (its numbers
with their errors, or a 90 % limit); labels (source names come from the server) are escaped, so
the table shows them as text, never as markup. Its looks are the spectrum view's stylesheet
(``js/spectrum.css``).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

from ..analysis.spectral_fit import SpectralFit, format_value
from .source_colours import marker_svg, source_style

__all__ = ["fit_rows", "fit_table_html", "fit_table_text"]


def _superscript(power: int) -> str:
    return str(power).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def _plus_minus(text: str) -> str:
    return text.replace(" +/- ", " ± ")


def fit_rows(results: Mapping[str, SpectralFit]) -> tuple[list[str], list[list[str]]]:
    """The table as text: its header and one row per fitted label."""
    names: list[str] = []
    units: dict[str, str] = {}
    for fit in results.values():
        for name, _value, unit in fit.parameter_rows():
            if name not in names:
                names.append(name)
            if unit and not unit.endswith("(90 %)"):
                units.setdefault(name, unit)
    bands = {fit.flux_band() for fit in results.values()}
    band = bands.pop() if len(bands) == 1 else None
    fluxes = [abs(fit.flux(*fit.flux_band())) for fit in results.values()]
    # one power of ten for the column, so the fluxes read as numbers side by side
    power = int(math.floor(math.log10(max(fluxes)))) if max(fluxes) > 0 else 0
    scale = 10.0**power
    flux_head = ((f"flux {band[0]:g}-{band[1]:g} keV" if band else "flux")
                 + f" (10{_superscript(power)} erg cm⁻² s⁻¹)")
    statistic = {fit.statistic_name for fit in results.values()}
    stat_head = ("χ²" if statistic == {"chi2"} else "C-stat" if statistic == {"cstat"}
                 else "statistic") + " / dof"
    header = ["source", *(f"{n} ({units[n]})" if n in units else n for n in names), stat_head,
              flux_head]
    rows = []
    for label, fit in results.items():
        shown = {name: value for name, value, _unit in fit.parameter_rows()}
        e1, e2 = fit.flux_band()
        flux = _plus_minus(format_value(fit.flux(e1, e2) / scale,
                                         fit.flux_error(e1, e2) / scale))
        if band is None:
            flux += f" ({e1:g}-{e2:g} keV)"
        rows.append([label, *(_plus_minus(shown.get(n, "")) for n in names),
                     f"{fit.statistic:.1f} / {fit.dof}", flux])
    return header, rows


def fit_table_text(results: Mapping[str, SpectralFit]) -> str:
    """The table, its notes and hints as plain text (tab-separated columns)."""
    if not results:
        return ""
    header, rows = fit_rows(results)
    lines = ["\t".join(header), *("\t".join(row) for row in rows)]
    for label, fit in results.items():
        lines += [f"{label}: note: {note}" for note in fit.notes]
        lines += [f"{label}: hint: {hint}" for hint in fit.hints]
    return "\n".join(lines)


def fit_table_html(results: Mapping[str, SpectralFit], model: str) -> str:
    """The table of ``results`` (labels escaped), with a marker of each source's colour."""
    if not results:
        return ""
    e = html.escape
    header, rows = fit_rows(results)
    head = "".join(f"<th>{e(h)}</th>" for h in header)
    body = []
    for (label, _fit), row in zip(results.items(), rows, strict=True):
        glyph = marker_svg(source_style(label))
        cells = "".join(f"<td>{e(value)}</td>" for value in row[1:])
        body.append(f'<tr><td class="oda-fit-source">{glyph} {e(label)}</td>{cells}</tr>')
    items = []
    for label, fit in results.items():
        items += [f"<li><b>{e(label)}</b>: {e(note)}</li>" for note in fit.notes]
        items += [f'<li class="oda-fit-hint"><b>{e(label)}</b>: {e(hint)}</li>'
                  for hint in fit.hints]
    lo, hi = next(iter(results.values())).energy_range
    caption = (f"<caption style='text-align:left;font-weight:bold'>{e(model)} fitted "
               f"{lo:g}-{hi:g} keV; errors 1 σ, limits 90 %</caption>")
    notes = f'<ul class="oda-fit-notes">{"".join(items)}</ul>' if items else ""
    return (f'<table class="oda-fit-table">{caption}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{notes}')
