"""Mosaic images (ISGRI, JEM-X) and their source lists.

The mosaic is laid out like OSA's ``isgri_mosa_ima.fits``: a PRIMARY, an index of the members
(``ISGR-MOSA-IMA-IDX``) and four ``ISGR-MOSA-IMA`` images whose IMATYPE is INTENSITY, VARIANCE,
SIGNIFICANCE and EXPOSURE, so that data unit 4 is the significance (as ``oda_api.plot_tools``
expects). Pixels are 4.94 arcmin on a TAN projection for ISGRI (2 arcmin for JEM-X).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from astropy.io import fits
from astropy.wcs import WCS

from ..encode import encode_product
from .catalog import (
    CatalogSource,
    Detection,
    catalog_dict,
    error_radius_deg,
    selected_sources,
    sky_catalog,
)
from .field import IJD_MJD_OFFSET, SkySource, SourceInField, mjd_tt, product_seed
from .instruments import TELESCOPES, Telescope, tangent_offsets
from .pointings import ScienceWindow
from .response import response_for
from .sky import angular_separation, load_sources

__all__ = ["MAX_NEW_SOURCES", "SPURIOUS_SOURCE_CHANCE", "make_mosaic", "mosaic_wcs"]

#: Chance that a mosaic shows a spurious source (a ghost or a calibration artefact) above threshold.
SPURIOUS_SOURCE_CHANCE = 0.04
#: Largest number of new (uncatalogued) sources reported.
MAX_NEW_SOURCES = 20
#: Step of the coarse grid on which exposure is computed before interpolation, pixels.
_EXPOSURE_STEP = 4


def _mean_direction(scws: Sequence[ScienceWindow]) -> tuple[float, float]:
    ra = np.radians([s.ra for s in scws])
    dec = np.radians([s.dec for s in scws])
    v = np.array([np.cos(dec) * np.cos(ra), np.cos(dec) * np.sin(ra), np.sin(dec)]).sum(axis=1)
    return float(np.degrees(np.arctan2(v[1], v[0])) % 360), float(np.degrees(np.arcsin(
        v[2] / np.linalg.norm(v))))


def mosaic_wcs(telescope: Telescope, scws: Sequence[ScienceWindow]) -> WCS:
    """TAN WCS centred on the mean pointing, large enough for every window's field of view."""
    ra0, dec0 = _mean_direction(scws)
    dx, dy = tangent_offsets(ra0, dec0, [s.ra for s in scws], [s.dec for s in scws])
    half_width = np.max(np.abs(dx)) + telescope.zero_response_deg
    half_height = np.max(np.abs(dy)) + telescope.zero_response_deg
    nx = min(int(np.ceil(2 * half_width / telescope.pixel_deg)) | 1, telescope.max_pixels | 1)
    ny = min(int(np.ceil(2 * half_height / telescope.pixel_deg)) | 1, telescope.max_pixels | 1)
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["RA---TAN", "DEC--TAN"]
    wcs.wcs.crval = [ra0, dec0]
    wcs.wcs.crpix = [(nx + 1) / 2, (ny + 1) / 2]
    wcs.wcs.cdelt = [1.0, 1.0]
    wcs.wcs.pc = [[-telescope.pixel_deg, 0.0], [0.0, telescope.pixel_deg]]
    wcs.wcs.cunit = ["deg", "deg"]
    wcs.wcs.radesys = "FK5"
    wcs.wcs.equinox = 2000.0
    wcs.pixel_shape = (nx, ny)
    return wcs


def _exposure_map(telescope: Telescope, wcs: WCS, scws: Sequence[ScienceWindow]) -> np.ndarray:
    """Exposure x coding, seconds, computed on a coarse grid and interpolated (it is smooth)."""
    nx, ny = wcs.pixel_shape
    xs = np.unique(np.append(np.arange(0, nx, _EXPOSURE_STEP), nx - 1))
    ys = np.unique(np.append(np.arange(0, ny, _EXPOSURE_STEP), ny - 1))
    gx, gy = np.meshgrid(xs, ys)
    ra, dec = wcs.all_pix2world(gx, gy, 0)
    coarse = np.zeros(gx.shape)
    for scw in scws:
        dx, dy = tangent_offsets(scw.ra, scw.dec, ra, dec)
        coarse += scw.exposure_s * telescope.coding_fraction(dx, dy)
    along_x = np.array([np.interp(np.arange(nx), xs, row) for row in coarse])
    return np.array([np.interp(np.arange(ny), ys, col) for col in along_x.T]).T


def _smooth(field: np.ndarray, sigma_pix: float) -> np.ndarray:
    """Gaussian smoothing by separable shifted sums (keeps numpy the only dependency)."""
    half = max(int(np.ceil(3 * sigma_pix)), 1)
    offsets = np.arange(-half, half + 1)
    kernel = np.exp(-0.5 * (offsets / max(sigma_pix, 1e-3)) ** 2)
    kernel /= kernel.sum()
    out = field
    for axis in (0, 1):
        padded = np.pad(out, [(half, half) if a == axis else (0, 0) for a in (0, 1)],
                        mode="reflect")
        acc = np.zeros_like(out)
        for k, w in zip(offsets, kernel, strict=True):
            acc += w * np.take(padded, np.arange(out.shape[axis]) + half + k, axis=axis)
        out = acc
    return out


def _correlated_noise(rng: np.random.Generator, shape: tuple[int, int], sigma_pix: float) -> np.ndarray:
    """Unit-variance noise correlated on the PSF scale, as in a deconvolved coded-mask image."""
    noise = _smooth(rng.standard_normal(shape), sigma_pix)
    return noise / noise.std()


def _add_point_source(image: np.ndarray, x: float, y: float, amplitude: float,
                      sigma_pix: float) -> None:
    half = int(np.ceil(4 * sigma_pix)) + 1
    x0, y0 = int(round(x)), int(round(y))
    ny, nx = image.shape
    xs = np.arange(max(x0 - half, 0), min(x0 + half + 1, nx))
    ys = np.arange(max(y0 - half, 0), min(y0 + half + 1, ny))
    if xs.size == 0 or ys.size == 0:
        return
    # the peak sits on the source's pixel, so the catalog position and the image agree
    profile_x = np.exp(-0.5 * ((xs - x0) / sigma_pix) ** 2)
    profile_y = np.exp(-0.5 * ((ys - y0) / sigma_pix) ** 2)
    image[np.ix_(ys, xs)] += amplitude * np.outer(profile_y, profile_x)


def _local_maxima(significance: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    padded = np.pad(significance, 1, constant_values=-np.inf)
    centre = padded[1:-1, 1:-1]
    is_peak = centre > threshold
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if dx or dy:
                is_peak &= centre >= padded[1 + dy : padded.shape[0] - 1 + dy,
                                            1 + dx : padded.shape[1] - 1 + dx]
    ys, xs = np.nonzero(is_peak)
    order = np.argsort(-significance[ys, xs])
    return [(int(ys[i]), int(xs[i])) for i in order]


def make_mosaic(instrument: str, params: Mapping[str, Any],
                scws: Sequence[ScienceWindow]) -> dict[str, Any]:
    """The answer's product part for ``isgri_image`` / ``jemx_image``.

    Returns
    -------
    dict
        ``numpy_data_product_list`` with the mosaic NumpyDataProduct (name ``mosaic_image``,
        meta_data product ``mosaic``) and ``catalog`` (the detections above
        ``detection_threshold``).
    """
    telescope = TELESCOPES[instrument]
    response = response_for(instrument)
    e1, e2 = float(params.get("E1_keV", 20.0)), float(params.get("E2_keV", 40.0))
    threshold = float(params.get("detection_threshold") or 7.0)
    rng = np.random.default_rng(product_seed(instrument, "image", params, scws))

    wcs = mosaic_wcs(telescope, scws)
    nx, ny = wcs.pixel_shape
    sigma_pix = telescope.psf_fwhm_deg / 2.3548 / telescope.pixel_deg
    exposure = _exposure_map(telescope, wcs, scws)
    covered = exposure > 1.0
    background = telescope.background_rate(e1, e2)

    # the sky: every known source in the field, whatever the input catalog says
    footprint_radius = np.hypot(nx, ny) * telescope.pixel_deg / 2
    ra0, dec0 = wcs.wcs.crval
    table = load_sources()
    in_field = angular_separation(ra0, dec0, table["ra"], table["dec"]) < footprint_radius
    sources = np.zeros((ny, nx))
    for row in table[in_field]:
        view = SourceInField(SkySource(str(row["name"]), float(row["ra"]), float(row["dec"]), row),
                             telescope, response, scws)
        if view.effective_exposure <= 0:
            continue
        rate = view.on_axis_rate(e1, e2, view.mean_variability)
        x, y = wcs.all_world2pix([[float(row["ra"]), float(row["dec"])]], 0)[0]
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        _add_point_source(sources, x, y, rate, sigma_pix)

    if rng.random() < SPURIOUS_SOURCE_CHANCE and covered.any():
        ys, xs = np.nonzero(covered)
        k = rng.integers(xs.size)
        sigma_there = np.sqrt(background / exposure[ys[k], xs[k]])
        _add_point_source(sources, xs[k], ys[k], (threshold + rng.uniform(0.5, 3.0)) * sigma_there,
                          sigma_pix)

    variance = np.where(covered, (background + np.clip(sources, 0, None)) / np.maximum(exposure, 1.0), 0.0)
    noise = _correlated_noise(rng, (ny, nx), sigma_pix)
    intensity = np.where(covered, sources + noise * np.sqrt(variance), 0.0)
    significance = np.where(covered, intensity / np.sqrt(np.where(covered, variance, 1.0)), 0.0)

    detections = _detect(params, wcs, significance, covered, threshold, telescope)
    hdus = _mosaic_hdus(instrument, params, scws, wcs, e1, e2,
                        [intensity, variance, significance, exposure])
    meta_data = {
        "product": "mosaic",
        "instrument": instrument,
        "src_name": "",
        "query_parameters": json.dumps(_query_parameters(instrument, params)),
    }
    return {
        "numpy_data_product_list": [encode_product(hdus, name="mosaic_image", meta_data=meta_data)],
        "catalog": catalog_dict(detections),
    }


def _detect(params: Mapping[str, Any], wcs: WCS, significance: np.ndarray, covered: np.ndarray,
            threshold: float, telescope: Telescope) -> list[Detection]:
    """Catalog sources fitted at their positions, then new peaks away from them."""
    given = selected_sources(params.get("selected_catalog"), params.get("catalog_selected_objects"))
    catalog: list[CatalogSource] = sky_catalog() if given is None else given
    ny, nx = significance.shape
    detections: list[Detection] = []
    fitted_pixels = []
    for entry in catalog:
        x, y = wcs.all_world2pix([[entry.source.ra, entry.source.dec]], 0)[0]
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        ix, iy = int(round(x)), int(round(y))
        if not (0 <= ix < nx and 0 <= iy < ny) or not covered[iy, ix]:
            continue
        fitted_pixels.append((ix, iy))
        value = float(significance[iy, ix])
        if value > threshold:
            detections.append(Detection(entry.meta_id, entry.source.name, value, entry.source.ra,
                                        entry.source.dec, err_rad=error_radius_deg(value)))
    # anything else above threshold is reported as a new source, as OSA does
    exclusion = 2.0 * telescope.psf_fwhm_deg / telescope.pixel_deg
    next_id = max([e.meta_id for e in catalog] + [-1]) + 1
    new = 0
    for iy, ix in _local_maxima(np.where(covered, significance, 0.0), threshold):
        if any(np.hypot(ix - fx, iy - fy) < exclusion for fx, fy in fitted_pixels):
            continue
        new += 1
        fitted_pixels.append((ix, iy))
        ra, dec = wcs.all_pix2world([[ix, iy]], 0)[0]
        value = float(significance[iy, ix])
        detections.append(Detection(next_id, f"NEW_{new}", value, float(ra), float(dec),
                                    new_source=new, isgri_flag=0,
                                    err_rad=error_radius_deg(value)))
        next_id += 1
        if new >= MAX_NEW_SOURCES:
            break
    return detections


def _query_parameters(instrument: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = [
        {"query_name": f"{instrument}_image_query"},
        {"product_name": f"{instrument}_image_query"},
    ]
    for name in ("detection_threshold", "image_scale_min", "image_scale_max"):
        if name in params:
            entries.append({"name": name, "value": params.get(name)})
    return entries


def _mosaic_hdus(instrument: str, params: Mapping[str, Any], scws: Sequence[ScienceWindow],
                 wcs: WCS, e1: float, e2: float, planes: list[np.ndarray]) -> list[Any]:
    jemx_unit = int(params.get("jemx_num", 2) or 2)
    extname = "ISGR-MOSA-IMA" if instrument == "isgri" else f"JMX{jemx_unit}-MOSA-IMA"
    start_tt, stop_tt = mjd_tt([scws[0].start, scws[-1].stop]) if scws else (0.0, 0.0)
    start_tt, stop_tt = min(start_tt, stop_tt), max(start_tt, stop_tt)
    primary = fits.PrimaryHDU()
    primary.header["TELESCOP"] = "INTEGRAL"
    primary.header["INSTRUME"] = "IBIS" if instrument == "isgri" else f"JMX{jemx_unit}"
    primary.header["ORIGIN"] = "ODA sandbox"
    kinds = [("INTENSITY", "count/s"), ("VARIANCE", "count2/s2"), ("SIGNIFICANCE", ""),
             ("EXPOSURE", "s")]
    index = fits.BinTableHDU.from_columns(
        [
            fits.Column("MEMBER_XTENSION", "8A", array=["IMAGE"] * 4),
            fits.Column("MEMBER_NAME", "32A", array=[extname] * 4),
            fits.Column("MEMBER_VERSION", "J", array=np.arange(1, 5)),
            fits.Column("MEMBER_POSITION", "J", array=np.arange(2, 6)),
            fits.Column("IMATYPE", "16A", array=[k for k, _ in kinds]),
            fits.Column("E_MIN", "E", unit="keV", array=[e1] * 4),
            fits.Column("E_MAX", "E", unit="keV", array=[e2] * 4),
        ],
        name=f"{extname}-IDX",
    )
    hdus: list[Any] = [primary, index]
    header_wcs = wcs.to_header()
    for version, ((imatype, unit), plane) in enumerate(zip(kinds, planes, strict=True), start=1):
        pixels = np.ascontiguousarray(plane, dtype=np.float32)
        hdu = fits.ImageHDU(pixels, header=header_wcs, name=extname, ver=version)
        h = hdu.header
        h["IMATYPE"] = imatype
        if unit:
            h["BUNIT"] = unit
        h["E_MIN"] = (e1, "[keV] lower energy bound")
        h["E_MAX"] = (e2, "[keV] upper energy bound")
        h["TELESCOP"] = "INTEGRAL"
        h["INSTRUME"] = "IBIS" if instrument == "isgri" else f"JMX{jemx_unit}"
        h["TIMESYS"] = "TT"
        h["TIMEUNIT"] = "d"
        h["DATEREF"] = "2000-01-01"
        h["MJDREF"] = IJD_MJD_OFFSET
        h["TSTART"] = (float(start_tt) - IJD_MJD_OFFSET, "[d] IJD")
        h["TSTOP"] = (float(stop_tt) - IJD_MJD_OFFSET, "[d] IJD")
        h["NUMSCW"] = (len(scws), "science windows in the mosaic")
        h["CONFIGUR"] = str(params.get("osa_version") or "OSA11.2")
        hdus.append(hdu)
    return hdus
