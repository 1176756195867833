"""A simulated GeV survey telescope, served as MMODA serves notebook workflows.

Its two workflows answer as the notebook-workflow plugin answers in API mode: ``image`` gives a
counts map (``oda:Image``), a quick-look picture of it (``oda:ODAPictureProduct``), the sources
in the field (``oda:ODAAstropyTable``), how many were detected (``oda:Integer``, a workflow
parameter) and a summary (``oda:ODATextProduct``); ``light_curve`` gives a source's photon flux
per time bin in the layout of oda_api's ``LightCurveDataProduct.from_arrays`` (TIME in MJD,
FLUX, ERROR; no header but TIMEDEL), a summary, and a comment (a ``oda:WorkflowResultComment``
output, which the plugin sends as the answer's ``exit_status`` comment).

The GeV sky is the sandbox's hard X-ray sky scaled (a power law of index 2.2 from each source's
strength; the Crab gives 2e-7 ph/cm2/s above 1 GeV), with its variability: a simulation for
trying the views offline, not a model of any real telescope's data.
"""

from __future__ import annotations

import base64
import io
import json
import pickle
import struct
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from astropy import units as u
from astropy.io import fits
from astropy.table import Table
from astropy.time import Time

from ..encode import PICKLE_PROTOCOL, encode_product
from .pointings import ScienceWindow
from .sky import angular_separation, load_sources, stable_seed, variability

__all__ = [
    "COMMENT_KEY",
    "CRAB_FLUX_ABOVE_1_GEV",
    "ONTOLOGY",
    "gev_flux",
    "make_gev_image",
    "make_gev_light_curve",
    "png_bytes",
]

ONTOLOGY = "http://odahub.io/ontology#"
#: Photon flux of the Crab above 1 GeV (ph/cm2/s), the scale of this sky.
CRAB_FLUX_ABOVE_1_GEV = 2.0e-7
INDEX = 2.2
#: Effective area (cm2) and diffuse background (ph/cm2/s/sr) of the simulated telescope.
AREA_CM2 = 8000.0
BACKGROUND = 4.0e-6
#: A workflow's comment output: the runner moves it into the answer's exit_status comment.
COMMENT_KEY = "workflow_comment"
#: The most pixels a map side may have (the workflow refuses larger maps).
MAX_SIDE = 801
#: The test statistic above which a source counts as detected.
DETECTION_TS = 25.0

_FLUX_UNIT = u.ph / u.cm**2 / u.s


def gev_flux(flux_mcrab: float, e1: float, e2: float) -> float:
    """Photon flux (ph/cm2/s) between ``e1`` and ``e2`` GeV of a source of that strength."""
    def above(e: float) -> float:
        return float(e) ** (1.0 - INDEX)

    return CRAB_FLUX_ABOVE_1_GEV * flux_mcrab / 1000.0 * (above(e1) - above(e2)) / above(1.0)


def _psf_deg(e1: float) -> float:
    """The 68 % containment radius (deg) at the band's lower energy: 0.8 deg at 1 GeV."""
    return float(np.clip(0.8 * float(e1) ** -0.8, 0.1, 5.0))


def _seconds(params: Mapping[str, Any]) -> tuple[Time, Time, float]:
    t1, t2 = Time(params["T1"], scale="utc"), Time(params["T2"], scale="utc")
    if t2 <= t1:
        raise ValueError(f"T2 ({t2.isot}) must come after T1 ({t1.isot})")
    return t1, t2, float((t2 - t1).sec)


def _check_band(e1: float, e2: float) -> None:
    if not 0 < e1 < e2:
        raise ValueError(f"the energy band must be 0 < E1 < E2 GeV, not {e1} - {e2}")


# --- pictures ---------------------------------------------------------------------------------
#: (position, red, green, blue) anchors of a perceptually ordered colour map (dark to yellow).
_COLOURS = np.array([(0.0, 13, 8, 135), (0.25, 126, 3, 168), (0.5, 204, 71, 120),
                     (0.75, 248, 149, 64), (1.0, 240, 249, 33)], dtype=float)


def png_bytes(rgb: np.ndarray) -> bytes:
    """An RGB image (rows top first, ``uint8``) as a PNG file."""
    height, width, _ = rgb.shape

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + rgb[row].astype(np.uint8).tobytes() for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def _quick_look(counts: np.ndarray, marks: list[tuple[float, float]]) -> bytes:
    """The counts map on a square-root scale, sources ringed, at least 480 pixels wide."""
    scaled = np.sqrt(np.clip(counts, 0, None))
    top = np.percentile(scaled, 99.7) or 1.0
    level = np.clip(scaled / top, 0, 1)
    rgb = np.stack([np.interp(level, _COLOURS[:, 0], _COLOURS[:, k]) for k in (1, 2, 3)], axis=-1)
    zoom = max(1, int(np.ceil(480 / counts.shape[1])))
    rgb = np.repeat(np.repeat(rgb, zoom, axis=0), zoom, axis=1)
    yy, xx = np.mgrid[0:rgb.shape[0], 0:rgb.shape[1]]
    for x, y in marks:  # pixel positions in the map (0-based, FITS orientation)
        cx, cy = (x + 0.5) * zoom, (y + 0.5) * zoom
        r = np.hypot(xx - cx, yy - cy)
        rgb[(r > 4.0 * zoom) & (r < 4.0 * zoom + 2.0)] = (255, 255, 255)
    return png_bytes(rgb[::-1])  # FITS rows go up, PNG rows go down


# --- the wire, as the plugin sends each kind ----------------------------------------------------
def _table_item(table: Table, name: str) -> dict[str, Any]:
    text = io.StringIO()
    table.write(text, format="ascii.ecsv")
    # the plugin decodes the workflow's table (meta_data "{}") and encodes it again: twice JSON
    return {"binary": None, "ascii": text.getvalue(), "name": name,
            "meta_data": json.dumps(json.dumps({}))}


def _picture_item(data: bytes, name: str) -> dict[str, Any]:
    return {"img_type": "png", "b64data": base64.urlsafe_b64encode(data).decode(),
            "metadata": {}, "name": name}


def _light_curve_item(mjd: np.ndarray, flux: np.ndarray, error: np.ndarray, timedel_d: float,
                      name: str) -> dict[str, Any]:
    """oda_api's ``LightCurveDataProduct.from_arrays(...).encode()``: an empty PRIMARY and an
    ``LC`` record array with no header but TIMEDEL, units in ``units_dict``."""
    # formats=None (read from the arrays) spelled out: NumPy's stubs take names only beside it
    records = np.array(np.rec.fromarrays([mjd, flux, error], formats=None,
                                         names=("TIME", "FLUX", "ERROR")))
    unit = _FLUX_UNIT.to_string(format="ogip")

    def unit_entry(data: np.ndarray, unit_name: str, header: dict, units: Any) -> dict[str, Any]:
        return {"data": None, "dt": str(data.dtype) if data.dtype.names is None
                else f"(numpy.record, {data.dtype.descr})",
                "name": unit_name, "header": header,
                "binarys": base64.b64encode(pickle.dumps(data, protocol=PICKLE_PROTOCOL)).decode(),
                "meta_data": {}, "hdu_type": "primary" if unit_name == "PRIMARY" else "bintable",
                "units_dict": units}

    return {"data_unit_list": [
        unit_entry(np.array([]), "PRIMARY", {}, None),
        unit_entry(records, "LC", {"TIMEDEL": timedel_d},
                   {"TIME": "d", "FLUX": unit, "ERROR": unit}),
    ], "name": name, "meta_data": json.dumps({})}


def _answer(outputs: list[tuple[str, str, str | None, Any]]) -> dict[str, Any]:
    """The product part of a done answer from the workflow's outputs in order:
    ``(output, class, label, encoded item)``; items go in their class's list, as the plugin
    puts them."""
    lists: dict[str, list[Any]] = {
        "numpy_data_product_list": [], "astropy_table_product_ascii_list": [],
        "binary_data_product_list": [], "binary_image_product_list": [],
        "text_product_list": [], "progress_product_list": [],
    }
    where = {"Image": "numpy_data_product_list", "LightCurve": "numpy_data_product_list",
             "ODAAstropyTable": "astropy_table_product_ascii_list",
             "ODAPictureProduct": "binary_image_product_list",
             "ODATextProduct": "text_product_list"}
    extra_metadata: dict[str, Any] = {}
    prod_uris: dict[str, str] = {}
    for output, kind, label, item in outputs:
        lists[where.get(kind, "text_product_list")].append(item)
        extra_metadata[output] = {"label": label} if label else {}
        prod_uris[output] = ONTOLOGY + kind
    return {"extra_metadata": extra_metadata, "prod_uris": prod_uris, **lists}


# --- the workflows ------------------------------------------------------------------------------
def make_gev_image(params: Mapping[str, Any], _scws: Sequence[ScienceWindow] = ()
                   ) -> dict[str, Any]:
    """The ``image`` workflow: counts map, quick look, sources, detections, summary."""
    ra, dec = float(params["RA"]), float(params["DEC"])
    radius, pixel = float(params["radius"]), float(params["pixel_size"])
    e1, e2 = float(params["E1"]), float(params["E2"])
    _check_band(e1, e2)
    t1, t2, seconds = _seconds(params)
    if pixel <= 0 or radius <= 0:
        raise ValueError("radius and pixel_size must be positive angles")
    side = 2 * int(np.ceil(radius / pixel)) + 1
    if side > MAX_SIDE:
        raise ValueError(f"a map of {side} x {side} pixels is too large (at most {MAX_SIDE}): "
                         "choose a larger pixel_size or a smaller radius")
    from astropy.wcs import WCS

    header = fits.Header()
    for key, value in (("CTYPE1", "RA---TAN"), ("CTYPE2", "DEC--TAN"), ("CRVAL1", ra),
                       ("CRVAL2", dec), ("CRPIX1", (side + 1) / 2), ("CRPIX2", (side + 1) / 2),
                       ("CDELT1", -pixel), ("CDELT2", pixel), ("CUNIT1", "deg"),
                       ("CUNIT2", "deg"), ("RADESYS", "ICRS")):
        header[key] = value
    wcs = WCS(header)
    for key, value in (("BUNIT", "count"), ("DATE-OBS", t1.isot), ("DATE-END", t2.isot),
                       ("MJD-OBS", t1.mjd), ("MJD-END", t2.mjd), ("E_MIN", e1), ("E_MAX", e2),
                       ("TELESCOP", "SANDBOX-GEV")):
        header[key] = value
    yy, xx = np.mgrid[0:side, 0:side]
    sky_ra, sky_dec = wcs.pixel_to_world_values(xx, yy)
    pixel_sr = np.deg2rad(pixel) ** 2
    exposure = AREA_CM2 * seconds
    expected = np.full((side, side), BACKGROUND * pixel_sr * exposure * (e1 ** (1 - INDEX)))
    sigma = _psf_deg(e1) / 1.51  # 68 % radius of a 2-D Gaussian
    sources = load_sources()
    near = angular_separation(ra, dec, sources["ra"], sources["dec"]) <= radius * 1.5
    rows = []
    for source in sources[near]:
        mjd = np.array([(t1 + (t2 - t1) / 2).mjd])
        flux = gev_flux(float(source["flux_mcrab"]), e1, e2) * float(
            variability(source, mjd)[0])
        distance = angular_separation(sky_ra, sky_dec, source["ra"], source["dec"])
        profile = np.exp(-0.5 * (distance / sigma) ** 2)
        counts = flux * exposure
        if profile.sum() > 0:
            expected += counts * profile / (2 * np.pi * (sigma / pixel) ** 2)
        rows.append((str(source["name"]), float(source["ra"]), float(source["dec"]), flux,
                     counts))
    rng = np.random.default_rng(stable_seed("gev sky", round(ra, 4), round(dec, 4), t1.isot,
                                            t2.isot, e1, e2, pixel, radius))
    counts_map = rng.poisson(expected).astype(np.float64)
    hdu = fits.PrimaryHDU(counts_map, header=header)

    background_in_psf = BACKGROUND * np.pi * np.deg2rad(_psf_deg(e1)) ** 2 * exposure * (
        e1 ** (1 - INDEX))
    table = Table(names=("name", "ra", "dec", "separation", "flux", "flux_error", "ts",
                         "detected"),
                  dtype=("U32", "f8", "f8", "f8", "f8", "f8", "f8", "bool"))
    marks = []
    for name, s_ra, s_dec, _flux, counts in rows:
        separation = float(angular_separation(ra, dec, s_ra, s_dec))
        if separation > radius:
            continue
        seen = max(rng.poisson(0.68 * counts + background_in_psf) - background_in_psf, 0.0)
        error = np.sqrt(0.68 * counts + background_in_psf) / (0.68 * exposure)
        ts = float(seen ** 2 / max(background_in_psf, 1.0))
        table.add_row((name, s_ra, s_dec, separation, seen / (0.68 * exposure), error, ts,
                       ts > DETECTION_TS))
        x, y = wcs.world_to_pixel_values(s_ra, s_dec)
        marks.append((float(x), float(y)))
    table.sort("ts", reverse=True)
    for column, unit in (("ra", u.deg), ("dec", u.deg), ("separation", u.deg),
                         ("flux", _FLUX_UNIT), ("flux_error", _FLUX_UNIT)):
        table[column].unit = unit
    table["flux"].format = table["flux_error"].format = ".3e"
    table["ts"].format = ".1f"
    for column in ("ra", "dec", "separation"):
        table[column].format = ".4f"
    table["ts"].description = "test statistic of the source over the background"
    detected = int(np.count_nonzero(table["detected"]))
    summary = (
        f"GeV counts map of {params.get('src_name') or 'the field'} "
        f"(RA {ra:.4f}, Dec {dec:+.4f}), radius {radius:g} deg, pixels of {pixel:g} deg\n"
        f"{t1.isot[:19]} to {t2.isot[:19]} UTC, {e1:g} to {e2:g} GeV\n"
        f"{len(table)} catalogued sources in the field, {detected} detected (TS > "
        f"{DETECTION_TS:g})\nSimulated by the sandbox: not an observation."
    )
    image = encode_product([hdu], name="sky_map", meta_data={})
    return _answer([
        ("sky_map", "Image", "Counts map", image),
        ("quicklook", "ODAPictureProduct", "Quick look",
         _picture_item(_quick_look(counts_map, marks), "quicklook")),
        ("sources", "ODAAstropyTable", "Sources in the field", _table_item(table, "sources")),
        ("n_detected", "Integer", "Sources detected",
         {"name": "n_detected", "value": detected, "meta_data": {"uri": ONTOLOGY + "Integer"}}),
        ("summary", "ODATextProduct", "Summary", {"name": "summary", "value": summary}),
    ])


def make_gev_light_curve(params: Mapping[str, Any], _scws: Sequence[ScienceWindow] = ()
                         ) -> dict[str, Any]:
    """The ``light_curve`` workflow: the photon flux of the source nearest RA/Dec per bin."""
    ra, dec = float(params["RA"]), float(params["DEC"])
    e1, e2 = float(params["E1"]), float(params["E2"])
    _check_band(e1, e2)
    n_bins = int(params["n_bins"])
    if not 1 <= n_bins <= 10000:
        raise ValueError(f"n_bins must be between 1 and 10000, not {n_bins}")
    t1, t2, seconds = _seconds(params)
    sources = load_sources()
    distance = angular_separation(ra, dec, sources["ra"], sources["dec"])
    nearest = int(np.argmin(distance))
    source = sources[nearest] if distance[nearest] <= _psf_deg(e1) else None
    name = str(source["name"]) if source is not None else f"RA {ra:.3f} Dec {dec:+.3f}"
    width = seconds / n_bins
    mjd = t1.mjd + (np.arange(n_bins) + 0.5) * width / 86400.0
    mean = (gev_flux(float(source["flux_mcrab"]), e1, e2) * variability(source, mjd)
            if source is not None else np.zeros(n_bins))
    exposure = AREA_CM2 * width
    background = BACKGROUND * np.pi * np.deg2rad(_psf_deg(e1)) ** 2 * exposure * (
        e1 ** (1 - INDEX))
    rng = np.random.default_rng(stable_seed("gev lc", name, t1.isot, t2.isot, n_bins, e1, e2))
    counts = rng.poisson(0.68 * mean * exposure + background)
    flux = (counts - background) / (0.68 * exposure)
    error = np.sqrt(np.maximum(counts, 1.0)) / (0.68 * exposure)
    significant = flux / error > 3
    brightest = int(np.argmax(flux))
    summary = (f"{name}: photon flux {e1:g} to {e2:g} GeV in {n_bins} bins of "
               f"{width / 86400:.4g} d\nmean {np.mean(flux):.3e} ph/cm2/s, brightest bin "
               f"{flux[brightest]:.3e} +/- {error[brightest]:.1e} at "
               f"{Time(mjd[brightest], format='mjd').isot[:19]}\n"
               "Simulated by the sandbox: not an observation.")
    answer = _answer([
        ("lc", "LightCurve", "Light curve", _light_curve_item(mjd, flux, error, width / 86400,
                                                              "lc")),
        ("summary", "ODATextProduct", "Summary", {"name": "summary", "value": summary}),
    ])
    answer[COMMENT_KEY] = (f"{int(significant.sum())} of {n_bins} bins above 3 sigma for "
                           f"{name}")
    return answer
