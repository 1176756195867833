"""How the dispatcher builds the catalog of ``selected_catalog``, step by step, with astropy.

Both generations build the catalog the same way (``Instrument.set_catalog`` and ``build_catalog``
in cdci-data-analysis): ``json.loads`` of the text, an astropy ``Table`` of ``cat_column_list``
named by ``cat_column_names``, the columns ``src_names`` and ``significance``, ``Longitude`` and
``Latitude`` (degrees) of the columns named by ``cat_lon_name`` and ``cat_lat_name``, a ``SkyCoord``
in ``cat_frame`` with ``cat_coord_units``, and the ``meta_ID`` column. A ``ValueError`` on the way
is refused with its own words (``"Error while setting catalog object : <words>"``); any other
failure with the bare ``"Error while setting catalog object"``, so the client adds which step
failed as the hint.

Only this module *builds* a catalog as the server does (``build_catalog``, the server's own word);
a user's file is *read* by :func:`~oda_widgets.client.catalog.files.read_catalog_file`.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "CATALOG_REFUSAL",
    "CatalogRefused",
    "READ_KEYS",
    "numpy1_words",
    "build_catalog",
    "build_catalog_from_text",
]

#: The server's words for any catalog it could not build.
CATALOG_REFUSAL = "Error while setting catalog object"

#: The keys the server reads, and why each matters (for hints).
READ_KEYS = (
    "cat_column_list",
    "cat_column_names",
    "cat_lon_name",
    "cat_lat_name",
    "cat_frame",
    "cat_coord_units",
)


class CatalogRefused(ValueError):
    """The dispatcher would refuse this catalog: ``message`` in its words, ``hint`` the step."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def build_catalog_from_text(text: str) -> Any:
    """Build the catalog from ``text`` as the dispatcher does; return the astropy Table.

    Raises
    ------
    CatalogRefused
        With the server's message and, as hint, the step that failed.
    """
    try:
        catalog = json.loads(text)
    except (ValueError, TypeError) as exc:
        raise CatalogRefused(
            CATALOG_REFUSAL,
            f"The catalog is not JSON text ({exc}): pass the catalog of a previous job, "
            "e.g. products.catalog, or leave it out to use the dispatcher's own.",
        ) from None
    return build_catalog(catalog)


def build_catalog(catalog: Any) -> Any:
    """Build the catalog from the decoded JSON ``catalog`` as the dispatcher does."""
    import astropy.units as u
    import numpy as np
    from astropy.coordinates import Angle, Latitude, Longitude, SkyCoord
    from astropy.table import Table

    step = "reading it as a JSON object"
    try:
        step = "reading cat_column_list and cat_column_names into a table"
        table = Table(catalog["cat_column_list"], names=catalog["cat_column_names"])
        step = "finding the columns src_names and significance"
        src_names = table["src_names"]
        table["significance"]
        step = f"reading the longitude column {catalog['cat_lon_name']!r} (cat_lon_name) in degrees"
        # read as one Angle first: the server's astropy words a refusal about the whole column
        lon = Longitude(Angle(table[catalog["cat_lon_name"]], unit=u.deg))
        step = f"reading the latitude column {catalog['cat_lat_name']!r} (cat_lat_name) in degrees"
        lat = Latitude(Angle(table[catalog["cat_lat_name"]], unit=u.deg))
        step = "reading cat_frame and cat_coord_units"
        frame = catalog["cat_frame"]
        unit = catalog["cat_coord_units"]
        step = f"making sky coordinates in frame {frame!r} with units {unit!r}"
        SkyCoord(lon, lat, frame=frame, unit=unit)
        np.ones(len(src_names), dtype=bool)
        step = "copying the table"
        Table(table.as_array(), names=table.colnames, masked=True)
        step = "finding the column meta_ID"
        table["meta_ID"]
    except ValueError as exc:
        raise CatalogRefused(f"{CATALOG_REFUSAL} : {numpy1_words(str(exc))}", _hint(step)) from None
    except Exception as exc:  # noqa: BLE001 - the server answers every other failure alike
        reason = f"missing {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
        raise CatalogRefused(CATALOG_REFUSAL, _hint(step, reason)) from None
    return table


def numpy1_words(text: str) -> str:
    """``text`` with NumPy 2's ``np.str_('a')`` written ``'a'``, as the server's NumPy 1 does."""
    return re.sub(r"np\.str_\((['\"].*?['\"])\)", r"\1", text)


def _hint(step: str, reason: str | None = None) -> str:
    because = f" ({reason})" if reason else ""
    return (
        f"The dispatcher failed {step}{because}. A catalog needs the keys "
        + ", ".join(READ_KEYS)
        + ", and the columns src_names, significance, meta_ID and the coordinates."
    )
