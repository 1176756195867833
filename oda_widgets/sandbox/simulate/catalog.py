"""Source catalogs: the ``catalog`` dict of answers and the ``selected_catalog`` of requests.

Shape as in protocol section 4.5: ``cat_column_list`` / ``cat_column_names`` /
``cat_column_descr`` with the OSA columns meta_ID, src_names, significance, ra, dec, NEW_SOURCE,
ISGRI_FLAG, FLAG, ERR_RAD.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .field import SkySource
from .sky import get_source, load_sources, sources_near

__all__ = [
    "CatalogSource",
    "Detection",
    "KNOWN_SOURCE",
    "MATCH_RADIUS_DEG",
    "catalog_dict",
    "error_radius_deg",
    "selected_sources",
    "sky_catalog",
    "sky_source",
]

#: NEW_SOURCE of a source that was in the input catalog (the FITS null of the real column).
KNOWN_SOURCE = -32768


@dataclass(frozen=True)
class Detection:
    """One row of a mosaic's source list."""

    meta_id: int
    name: str
    significance: float
    ra: float
    dec: float
    new_source: int = KNOWN_SOURCE
    isgri_flag: int = 2
    flag: int = 0
    err_rad: float = 0.0


def error_radius_deg(significance: float) -> float:
    """90 % ISGRI error radius for a detection of ``significance`` (Gros et al. 2003), deg."""
    snr = max(significance, 1.0)
    return (22.1 * snr**-0.95 + 0.16) / 60.0


def catalog_dict(detections: Sequence[Detection]) -> dict[str, Any]:
    """The ``catalog`` of an image answer."""
    names = [d.name for d in detections]
    width = max([len(n) for n in names] + [1])

    def number(x: float) -> float | None:
        return None if math.isnan(x) else float(x)

    return {
        "cat_frame": "fk5",
        "cat_coord_units": "deg",
        "cat_column_list": [
            [int(d.meta_id) for d in detections],
            names,
            [number(d.significance) for d in detections],
            [number(d.ra) for d in detections],
            [number(d.dec) for d in detections],
            [int(d.new_source) for d in detections],
            [int(d.isgri_flag) for d in detections],
            [int(d.flag) for d in detections],
            [number(d.err_rad) for d in detections],
        ],
        "cat_column_names": [
            "meta_ID", "src_names", "significance", "ra", "dec", "NEW_SOURCE", "ISGRI_FLAG",
            "FLAG", "ERR_RAD",
        ],
        "cat_column_descr": [
            ["meta_ID", "<i8"], ["src_names", f"<U{width}"], ["significance", "<f8"],
            ["ra", "<f8"], ["dec", "<f8"], ["NEW_SOURCE", "<i8"], ["ISGRI_FLAG", "<i8"],
            ["FLAG", "<i8"], ["ERR_RAD", "<f8"],
        ],
        "cat_lat_name": "dec",
        "cat_lon_name": "ra",
    }


@dataclass(frozen=True)
class CatalogSource:
    """An input-catalog entry: identifier, name and position (and the sky's row if known)."""

    meta_id: int
    source: SkySource


def _parse_selected_objects(selected: Any) -> set[int] | None:
    if selected is None or selected == "":
        return None
    if isinstance(selected, str):
        selected = [s for s in selected.split(",") if s.strip()]
    return {int(s) for s in selected}


#: A catalog entry this close to a sky source is that source, whatever its name (deg).
MATCH_RADIUS_DEG = 0.05


def sky_source(name: str, ra: float, dec: float) -> SkySource:
    """A source at (ra, dec) named ``name``, with the sky's row of the source found there.

    A renamed entry keeps its sky source's flux; an entry where the sky has nothing is dark.
    """
    near = sources_near(ra, dec, MATCH_RADIUS_DEG)
    row = get_source(str(near["name"][0])) if len(near) else None
    return SkySource(name, ra, dec, row)


def selected_sources(
    selected_catalog: Mapping[str, Any] | None, catalog_selected_objects: Any = None
) -> list[CatalogSource] | None:
    """Entries of a ``selected_catalog`` (restricted to ``catalog_selected_objects``).

    Returns
    -------
    list of CatalogSource or None
        None when no catalog was given (the sandbox then uses its own sky).

    Raises
    ------
    ValueError
        If the catalog lacks the columns the real server requires.
    """
    if selected_catalog is None:
        return None
    names = list(selected_catalog.get("cat_column_names", []))
    columns = selected_catalog.get("cat_column_list", [])
    lon = selected_catalog.get("cat_lon_name", "ra")
    lat = selected_catalog.get("cat_lat_name", "dec")
    for required in ("meta_ID", "src_names", lon, lat):
        if required not in names:
            raise ValueError(
                f"selected_catalog has no column {required!r}: it needs meta_ID, src_names, "
                f"{lon} and {lat}"
            )
    by_name = dict(zip(names, columns, strict=False))
    keep = _parse_selected_objects(catalog_selected_objects)
    out = []
    for meta_id, name, ra, dec in zip(
        by_name["meta_ID"], by_name["src_names"], by_name[lon], by_name[lat], strict=False
    ):
        if keep is not None and int(meta_id) not in keep:
            continue
        out.append(CatalogSource(int(meta_id), sky_source(str(name), float(ra), float(dec))))
    return out


def sky_catalog() -> list[CatalogSource]:
    """The sandbox's own catalog: every source of the sky, its row number as meta_ID."""
    table = load_sources()
    return [
        CatalogSource(i, SkySource(str(r["name"]), float(r["ra"]), float(r["dec"]), r))
        for i, r in enumerate(table)
    ]
