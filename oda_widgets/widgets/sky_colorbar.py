"""The sky view's colour bar: the colour map between the cuts, through the stretch, with round
tick values and the unit of the map.

Drawn as one CSS gradient (sampled through the stretch, as Aladin Lite maps values to colours)
under labelled ticks; only our own numbers and colours go into its HTML, the unit escaped. Its
looks are the sky front end's stylesheet (``js/sky.css``), which that front end puts in the page.
The colour maps are given by their published colours at evenly spaced points (matplotlib's
viridis, inferno and magma; Green's cubehelix; ColorBrewer's RdBu), which Aladin Lite also draws.
"""

from __future__ import annotations

import html

import numpy as np

__all__ = ["COLORMAP_STOPS", "colorbar_html", "colour_at", "stretched"]

#: Colours at evenly spaced points from the low cut to the high cut.
COLORMAP_STOPS: dict[str, tuple[str, ...]] = {
    "grayscale": ("#000000", "#ffffff"),
    "viridis": ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962",
                "#addc30", "#fde725"),
    "inferno": ("#000004", "#1f0c48", "#550f6d", "#88226a", "#ba3655", "#e35933", "#f98e09",
                "#f8c932", "#fcffa4"),
    "magma": ("#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55064", "#fb8761",
              "#fec287", "#fcfdbf"),
    "cubehelix": ("#000000", "#1a1530", "#163d4e", "#1f6642", "#54792f", "#a07949", "#d07e93",
                  "#cf9cda", "#c1caf3", "#ffffff"),
    "rdbu": ("#67001f", "#b2182b", "#d6604d", "#f4a582", "#f7f7f7", "#92c5de", "#4393c3",
             "#2166ac", "#053061"),
}
_SAMPLES = 48


def stretched(t: np.ndarray, stretch: str) -> np.ndarray:
    """A fraction of the cut range (0 to 1) through a stretch, as ds9 and Aladin Lite define it."""
    t = np.clip(np.asarray(t, dtype=float), 0.0, 1.0)
    if stretch == "sqrt":
        return np.sqrt(t)
    if stretch == "log":
        return np.log10(1000.0 * t + 1.0) / np.log10(1001.0)
    if stretch == "asinh":
        return np.arcsinh(10.0 * t) / np.arcsinh(10.0)
    if stretch == "pow2":
        return t**2
    return t


def colour_at(colormap: str, fraction: float) -> str:
    """The colour (``#rrggbb``) a colour map gives at ``fraction`` (0 to 1) of its range."""
    stops = COLORMAP_STOPS.get(colormap, COLORMAP_STOPS["grayscale"])
    rgb = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in stops], dtype=float)
    where = np.linspace(0.0, 1.0, len(stops))
    f = float(np.clip(fraction, 0.0, 1.0))
    mixed = [np.interp(f, where, rgb[:, k]) for k in range(3)]
    return "#" + "".join(f"{round(v):02x}" for v in mixed)


def _ticks(low: float, high: float) -> list[float]:
    """Round values between the cuts (steps of 1, 2 or 5 times a power of ten), the cuts too."""
    span = high - low
    raw = span / 5
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(k * power for k in (1, 2, 5, 10) if k * power >= raw)
    inner = np.arange(np.ceil(low / step) * step, high + step / 1e6, step)
    # the cuts themselves are labelled; inner ticks too close to them are not
    keep = [v for v in inner if abs(v - low) > 0.35 * step and abs(v - high) > 0.35 * step]
    return [low, *(float(v) for v in keep), high]


def _label(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:.3g}" if abs(value) < 1e4 and abs(value) >= 1e-2 else f"{value:.2g}"


def colorbar_html(colormap: str, stretch: str, low: float, high: float, title: str) -> str:
    """The colour bar of a map shown from ``low`` to ``high`` (its title says what and in
    which unit, e.g. ``"SIGNIFICANCE (σ)"``)."""
    fractions = np.linspace(0.0, 1.0, _SAMPLES)
    colours = [colour_at(colormap, float(f)) for f in stretched(fractions, stretch)]
    gradient = ", ".join(f"{c} {100 * f:.1f}%" for c, f in zip(colours, fractions, strict=True))
    values = _ticks(low, high)
    ends = {0: " oda-cb-low", len(values) - 1: " oda-cb-high"}
    ticks = "".join(
        f'<span class="oda-cb-tick{ends.get(i, "")}" '
        f'style="left:{100 * (v - low) / (high - low):.2f}%">{html.escape(_label(v))}</span>'
        for i, v in enumerate(values)
    )
    return (
        f'<div class="oda-sky-colorbar" role="img" aria-label="colour bar from '
        f'{html.escape(_label(low))} to {html.escape(_label(high))}">'
        f'<div class="oda-cb-title">{html.escape(title)}: {html.escape(colormap)}, '
        f"{html.escape(stretch)} stretch, cuts {html.escape(_label(low))} to "
        f"{html.escape(_label(high))}</div>"
        f'<div class="oda-cb-bar" style="background:linear-gradient(to right, {gradient})">'
        f'</div><div class="oda-cb-ticks">{ticks}</div></div>'
    )
