"""The sandbox's instruments: ISGRI, JEM-X, SPI-ACS and POLAR with the production parameters,
and ``gev_sky``, an instrument of notebook workflows described as the nb2workflow plugin does.

Names, units, defaults and allowed values follow the ODA dispatcher's INTEGRAL and SPI-ACS
plugins (e.g. ISGRI ``radius`` 15 deg, JEM-X 4 deg; ``max_pointings`` 50; ``E1_keV``/``E2_keV``
20/40 keV for ISGRI, 3/20 keV for JEM-X, limited to 15-800 and 3-35 keV; ``time_bin`` 1000 s).
``describe`` renders them as ``/api/meta-data`` does, in either generation (:mod:`.generations`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .generations import CURRENT, OLDER
from .parameter_classes import (
    Angle,
    DetectionThreshold,
    Float,
    InputProdList,
    Integer,
    Name,
    OSAVersion,
    Parameter,
    SpectralBoundary,
    String,
    Time,
    TimeBin,
    UserCatalog,
)

__all__ = [
    "NON_PARAMETER_ARGS",
    "InstrumentDescription",
    "Query",
    "instruments",
    "gev_sky",
    "isgri",
    "jemx",
    "polar",
    "spi_acs",
]

#: Arguments that are not parameters of any query (the dispatcher's own list).
NON_PARAMETER_ARGS = (
    "instrument",
    "query_status",
    "query_type",
    "product_type",
    "session_id",
    "token",
    "api",
    "oda_api_version",
    "off_line",
    "job_id",
    "async_dispatcher",
    "allow_unknown_args",
    "catalog_selected_objects",
    "run_asynch",
)


@dataclass
class Query:
    """A named group of parameters (source, instrument or product query)."""

    name: str
    parameters: list[Parameter] = field(default_factory=list)


@dataclass
class InstrumentDescription:
    """An instrument: its source and instrument queries and one query per product.

    Parameters
    ----------
    name : str
        The instrument name (``isgri``).
    asynch : bool
        False for instruments answered within the request (SPI-ACS).
    source, instrument : Query
        The shared queries.
    products : dict
        Product name (``isgri_image``) to its query, in the order the dispatcher lists them.
    workflows : bool
        Served as notebook workflows (the nb2workflow plugin): every parameter the workflow
        declares is described with its ``extra_metadata``, empty or not.
    """

    name: str
    asynch: bool
    source: Query
    instrument: Query
    products: dict[str, Query]
    workflows: bool = False

    def __repr__(self) -> str:
        # the dispatcher names the request handler this way in "constructor failed" messages
        return f"[ InstrumentQueryBackEnd : {self.name} ]"

    def query_for(self, product: str) -> Query:
        """The product's query; ``KeyError`` with the dispatcher's text when unknown."""
        if product not in self.products:
            raise KeyError(
                f"product type {product} not in query_dictionary {self.query_dictionary()}"
            )
        return self.products[product]

    def query_dictionary(self) -> dict[str, str]:
        """Product name to query name (``prod_dict``)."""
        return {product: query.name for product, query in self.products.items()}

    def parameters(self, product: str) -> list[Parameter]:
        """The parameters a request for ``product`` sets, in the dispatcher's order."""
        return (
            self.query_for(product).parameters + self.instrument.parameters + self.source.parameters
        )

    def all_parameters(self) -> list[Parameter]:
        """Every parameter of every query."""
        params = self.source.parameters + self.instrument.parameters
        for query in self.products.values():
            params = params + query.parameters
        return params

    def argument_names(self, product: str | None = None, generation: str = CURRENT) -> list[str]:
        """The accepted argument names (``/api/par-names``), duplicates removed."""
        queries = [self.source, self.instrument]
        queries += [self.query_for(product)] if product else list(self.products.values())
        names: list[str] = []
        for query in queries:
            for param in query.parameters:
                for arg in param.argument_names(generation):
                    if arg not in names:
                        names.append(arg)
        return names

    def describe(self, product: str | None = None, generation: str = CURRENT) -> list:
        """The instrument's ``/api/meta-data`` list (without the outer list)."""
        def render(query: Query, product_name: str | None) -> Any:
            entries: list[dict] = [{"query_name": query.name}]
            if product_name is not None:
                entries.append({"product_name": product_name})
            seen: set[str] = set()
            for param in query.parameters:
                for entry in param.describe(generation):
                    # the dispatcher drops repeated names within a query (T_format after T2)
                    if entry["name"] is not None and entry["name"] in seen:
                        continue
                    if entry["name"] is not None:
                        seen.add(entry["name"])
                    if (self.workflows and generation != OLDER and "owl_uri" in entry
                            and entry["name"] != "token"):
                        entry.setdefault("extra_metadata", {})
                    entries.append(entry)
            return json.dumps(entries) if generation == OLDER else entries

        described = [
            {"instrumet": self.name},  # sic: the dispatcher's key
            {"prod_dict": self.query_dictionary()},
            render(self.source, None),
            render(self.instrument, None),
        ]
        for name in [product] if product else list(self.products):
            described.append(render(self.query_for(name), name))
        return described


def _source_query() -> Query:
    group = "Source"
    return Query(
        "src_query",
        [
            Name("src_name", "1E 1740.7-2942", label="Source name", group=group,
                 description="Name of the source of interest (used to label products)"),
            Angle("RA", 265.97845833, label="RA", group=group,
                  description="Right ascension of the pointing centre (J2000, degrees)"),
            Angle("DEC", -29.74516667, label="Dec", group=group,
                  description="Declination of the pointing centre (J2000, degrees)"),
            Time("T1", "2017-03-06T13:26:48.000", label="Start time", group=group,
                 description="Start of the time interval, in the format given by T_format"),
            Time("T2", "2017-03-06T15:32:27.000", label="End time", group=group,
                 description="End of the time interval, in the format given by T_format"),
            Name("token", None, optional=True, label="Token", group=group,
                 description="Your ODA access token"),
        ],
    )


def _answered_at_once(
    name: str, query_name: str, extra: Sequence[Parameter], products: dict[str, Query]
) -> InstrumentDescription:
    """An instrument answered within the request whose instrument query is the dispatcher's
    default one (both catalogs and an unnamed input-product list) and then ``extra``: what
    plugins that take no science windows declare."""
    group = "Instrument"
    instrument = Query(
        query_name,
        [
            UserCatalog("user_catalog", None, units=None, group=group, label="User catalog"),
            InputProdList(None),
            UserCatalog("selected_catalog", None, units=None, group=group,
                        label="Selected catalog"),
            *extra,
        ],
    )
    return InstrumentDescription(
        name, asynch=False, source=_source_query(), instrument=instrument, products=products
    )


def _integral_instrument_query(
    name: str, radius: float, band: tuple[float, float], band_name: str,
    energies: tuple[float, float], extra: list[Parameter],
) -> Query:
    group = "Instrument"
    return Query(
        name,
        [
            UserCatalog("user_catalog", None, units=None, group=group, label="User catalog"),
            InputProdList("scw_list", label="Science windows", group=group,
                          description="Science window IDs to use instead of a search "
                                      "(e.g. 066500220010.001)"),
            UserCatalog("selected_catalog", None, units=None, label="Selected catalog", group=group,
                        description="Catalog of sources to fit, as returned with an image"),
            Angle("radius", radius, label="Radius", group=group,
                  description="Pointings are searched within this distance of RA/Dec (degrees)"),
            Integer("max_pointings", 50, units=None, label="Max. pointings", group=group,
                    description="At most this many science windows are used"),
            OSAVersion("osa_version", "OSA11.2", allowed_values=["OSA10.2", "OSA11.2"],
                       label="OSA version", group=group,
                       description="Version of the INTEGRAL Off-line Scientific Analysis"),
            String("integral_data_rights", "public", allowed_values=["public", "all-private"],
                   label="Data rights", group=group,
                   description="'all-private' needs the integral-private-qla role"),
            *extra,
            SpectralBoundary("E1_keV", energies[0], band=band, band_name=band_name,
                             label="Minimum energy", group=group,
                             description=f"Lower bound of the energy band (keV, {band[0]:g}-{band[1]:g})"),
            SpectralBoundary("E2_keV", energies[1], band=band, band_name=band_name,
                             label="Maximum energy", group=group,
                             description=f"Upper bound of the energy band (keV, {band[0]:g}-{band[1]:g})"),
        ],
    )


def _image_query(name: str) -> Query:
    group = "Image"
    return Query(
        name,
        [
            DetectionThreshold("detection_threshold", 7.0, label="Detection threshold", group=group,
                               description="Sources above this significance are listed (sigma)"),
            Float("image_scale_min", None, optional=True, label="Image scale min", group=group),
            Float("image_scale_max", None, optional=True, label="Image scale max", group=group),
        ],
    )


def _light_curve_query(name: str, max_seconds: float | None) -> Query:
    return Query(
        name,
        [
            TimeBin("time_bin", 1000.0, max_seconds=max_seconds, label="Time bin", group="Light curve",
                    description="Width of the light-curve bins, in the unit given by time_bin_format"),
        ],
    )


def isgri() -> InstrumentDescription:
    """IBIS/ISGRI: images, spectra and light curves, 15-800 keV."""
    return InstrumentDescription(
        "isgri",
        asynch=True,
        source=_source_query(),
        instrument=_integral_instrument_query(
            "isgri_parameters", 15.0, (15.0, 800.0), "ISGRI", (20.0, 40.0), []
        ),
        products={
            "isgri_image": _image_query("isgri_image_query"),
            "isgri_spectrum": Query("isgri_spectrum_query"),
            "isgri_lc": _light_curve_query("isgri_lc_query", 20000.0),
        },
    )


def jemx() -> InstrumentDescription:
    """JEM-X 1 and 2: images, spectra and light curves, 3-35 keV."""
    unit = Integer("jemx_num", 2, units=None, allowed_values=[1, 2], label="JEM-X unit",
                   group="Instrument", description="Which of the two JEM-X units (1 or 2)")
    return InstrumentDescription(
        "jemx",
        asynch=True,
        source=_source_query(),
        instrument=_integral_instrument_query(
            "jemx_parameters", 4.0, (3.0, 35.0), "JEM-X", (3.0, 20.0), [unit]
        ),
        products={
            "jemx_image": _image_query("jemx_image_query"),
            "jemx_spectrum": Query("jemx_spectrum_query"),
            "jemx_lc": _light_curve_query("jemx_lc_query", 20000.0),
        },
    )


def spi_acs() -> InstrumentDescription:
    """SPI anti-coincidence shield: all-sky light curves, answered within the request."""
    data_level = String(
        "data level", "ordinary", allowed_values=["ordinary", "realtime"], label="Data level",
        group="Instrument",
        description="'realtime' data arrive within seconds but are preliminary",
    )
    return _answered_at_once("spi_acs", "spiacs_parameters", [data_level],
                             {"spi_acs_lc": _light_curve_query("spi_acs_lc_query", None)})


def polar() -> InstrumentDescription:
    """POLAR on Tiangong-2 (2016-2017): light curves with their ROOT file, answered at once.

    The plugin's instrument query is the dispatcher's default one (catalogs and an unnamed
    input-product list) plus an energy window of 0-10,000 keV with no band limit.
    """
    group = "Instrument"
    energies = [
        SpectralBoundary("E1_keV", 0.0, label="Minimum energy", group=group,
                         description="Lower bound of the energy band (keV)"),
        SpectralBoundary("E2_keV", 10000.0, label="Maximum energy", group=group,
                         description="Upper bound of the energy band (keV)"),
    ]
    return _answered_at_once("polar", "polar_parameters", energies,
                             {"polar_lc": _light_curve_query("polar_lc_query", None)})


def gev_sky() -> InstrumentDescription:
    """A GeV survey telescope served as notebook workflows (``sandbox/simulate/gev_sky.py``).

    As the nb2workflow plugin describes a workflow instrument: the common source query from the
    notebooks' annotated parameters (no labels), an empty instrument query, and per workflow its
    own parameters with their ontology classes and labels.
    """
    source = Query("src_query", [
        Name("src_name", "GX 301-2"),
        Angle("RA", 186.6567),
        Angle("DEC", -62.7706),
        Time("T1", "2019-01-01T00:00:00.000"),
        Time("T2", "2019-05-01T00:00:00.000"),
        Name("token", None, optional=True),
    ])
    energies = [
        SpectralBoundary("E1", 1.0, units="GeV", label="Minimum energy", group="Energy band"),
        SpectralBoundary("E2", 100.0, units="GeV", label="Maximum energy", group="Energy band"),
    ]
    return InstrumentDescription(
        "gev_sky", asynch=True, source=source, instrument=Query("instr_query"),
        products={
            "image": Query("image_query", [
                Angle("radius", 6.0, label="Image radius", group="Image"),
                Angle("pixel_size", 0.1, label="Pixel size", group="Image"),
                *energies,
            ]),
            "light_curve": Query("light_curve_query", [
                Integer("n_bins", 40, units=None, min_value=1, max_value=10000,
                        label="Number of bins"),
                *energies,
            ]),
        },
        workflows=True,
    )


def instruments() -> dict[str, InstrumentDescription]:
    """The sandbox's instruments by name, in the order ``/instr-list`` gives them."""
    return {instr.name: instr for instr in (isgri(), jemx(), spi_acs(), polar(), gev_sky())}
