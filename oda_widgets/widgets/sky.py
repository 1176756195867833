"""SkyView: a mosaic on the sky (ipyaladin) with the job's catalog drawn on it, linked to it.

The view shows one extension of a :class:`~oda_widgets.client.products.sky_image.SkyImage` (significance
by default) with cuts and a colour map suited to it, under a colour bar, centred on the query's
target at a field that shows the catalog's sources (or on the mosaic's footprint), and the
sources of a :class:`~oda_widgets.client.catalog.source_catalog.Catalog` as named rings wider
than the PSF, so each source stays visible inside its ring. The mouse wheel zooms the sky only
once the sky has been clicked (until the pointer leaves it): scrolling the page over it scrolls
the page. It is linked to other
views only through that Catalog: every edit of the catalog (from code, the catalog table or this
view) redraws the markers, a click on a marker selects the source (``catalog.select``), and
``selected`` mirrors ``catalog.selected``.

What is drawn is state, not a queue of calls. The image shown and its looks are the widget's
synced state, sent as soon as the view is made: a front end draws the mosaic the moment it
renders, without a round trip to a kernel that may still be busy building the other views of a
job (the first picture comes first). The sources are sent whenever a front end says it is ready
(the first display, a second display, a page reload), so nothing done before the view is
displayed is lost and nothing stale is replayed.
"""

from __future__ import annotations

import html
import logging
from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.catalog.source_catalog import Catalog, CatalogChange
from ..client.products.sky_image import SkyImage
from .sky_aladin import SkyAladin
from .sky_colorbar import colorbar_html
from .sky_looks import LOOKS, SELECTED_COLOR, sources_message
from .sky_payload import (
    COLORMAPS,
    STRETCHES,
    Framing,
    catalog_framing,
    default_cuts,
    fits_bytes,
    framing,
    image_hdu,
    image_kinds,
    psf_fwhm_deg,
    round_cut,
    target_framing,
    unit_of,
)

__all__ = ["SkyView"]

logger = logging.getLogger(__name__)

NO_SURVEY = (
    "Plain background: the all-sky survey (HiPS) under the mosaic is an online service "
    "and is not loaded; the mosaic and the catalog need no network."
)
_GLYPHS = {"circle": "◯", "diamond": "◇", "triangle": "△"}


class SkyView(widgets.VBox):
    """A mosaic and its catalog on the sky, in Aladin Lite, linked through the Catalog.

    Parameters
    ----------
    image : SkyImage, optional
        The mosaic (``products.image``).
    catalog : Catalog, optional
        The sources to draw (``products.catalog``); edits to it redraw the view.
    extension : str
        The image shown: ``"SIGNIFICANCE"`` (default), ``"INTENSITY"``, ``"VARIANCE"``,
        ``"EXPOSURE"`` (whatever the mosaic holds).
    cuts : (float, float), optional
        Display range; default -3 to +20 sigma for significance, else zscale (the 1-99.5
        percentiles for exposure) of the covered pixels, rounded to two significant digits.
    colormap : str
        An Aladin Lite colour map (``grayscale`` by default, so coloured markers stand out).
    stretch : str
        ``linear``, ``sqrt``, ``log``, ``asinh`` or ``pow2``.
    height : int
        Height of the sky in pixels.
    target : (float, float), optional
        The query's RA and Dec (degrees): the view is centred there, at a field showing the
        catalog's sources; by default it frames the mosaic's footprint.

    Attributes
    ----------
    aladin : SkyAladin
        The ``ipyaladin.Aladin`` showing the sky (its whole API is available).
    selected : list of int
        ``meta_ID``\\ s of the selected sources (mirrors ``catalog.selected``; setting it selects).
    drawn : list of str
        Names of the sources Aladin Lite shows now, reported by the front end after each redraw.
    status : str
        The lines under the sky, as plain text: the map shown (or loading) with its cuts, how
        many of the catalog's sources are drawn and selected, a refused cut, or why the sky
        could not start (observable; synced).

    Examples
    --------
    >>> sky = ow.SkyView(products.image, catalog=products.catalog)   # doctest: +SKIP
    >>> sky.extension = "INTENSITY"; sky.cuts = (0, 5)                # doctest: +SKIP
    """

    selected = traitlets.List(traitlets.Int(), help="meta_IDs of the selected sources")
    drawn = traitlets.List(traitlets.Unicode(), help="names of the sources drawn now")
    extension = traitlets.Unicode("SIGNIFICANCE", help="the image extension shown")
    cuts = traitlets.Tuple(traitlets.Float(), traitlets.Float(), default_value=(-3.0, 20.0))
    colormap = traitlets.Unicode("grayscale")
    stretch = traitlets.Unicode("linear")
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        image: SkyImage | None = None,
        catalog: Catalog | None = None,
        *,
        extension: str = "SIGNIFICANCE",
        cuts: tuple[float, float] | None = None,
        colormap: str = "grayscale",
        stretch: str = "linear",
        height: int = 520,
        target: tuple[float, float] | None = None,
    ) -> None:
        if image is not None and not isinstance(image, SkyImage):
            raise TypeError(
                f"SkyView shows a SkyImage (products.image), not {type(image).__name__}"
            )
        if catalog is not None and not isinstance(catalog, Catalog):
            raise TypeError(
                f"SkyView draws a Catalog (products.catalog), not {type(catalog).__name__}"
            )
        if image is not None and image.wcs is None:
            raise ValueError(
                f"{image.name} has no celestial WCS: the sky view cannot place it on the sky"
            )
        self._image = image
        self._catalog = catalog
        self._serial = 0
        self._drawn_edit = -1  # the catalog's edit counter of the sources last sent
        self._front_ready = False
        self._quiet = False   # set while the view itself updates its boxes or switches images
        self._kinds = image_kinds(image) if image is not None else []
        self._target = (float(target[0]), float(target[1])) if target is not None else None
        if self._kinds and extension == "SIGNIFICANCE" and extension not in self._kinds:
            # a one-image file (its kind is its EXTNAME): that image is the default
            extension = self._kinds[0]
        where = self._framing(extension if extension.upper() in self._kinds else None)
        if where is None and catalog is not None:
            where = catalog_framing(catalog)
        self.aladin = SkyAladin(
            height=height,
            target=f"{where.ra} {where.dec}" if where else "0 0",
            fov=where.fov if where else 60.0,
            show_simbad_pointer_control=False,  # Simbad is an online service
            show_reticle=False,   # the view is centred on the target: no cross over it
        )
        self.aladin.add_class("oda-sky-aladin")
        self._extension_box = widgets.Dropdown(
            options=self._kinds or ["(no image)"], description="Image",
            disabled=not self._kinds, layout=widgets.Layout(width="230px"),
        )
        self._min_box = widgets.FloatText(description="Cuts", layout=widgets.Layout(width="150px"))
        self._max_box = widgets.FloatText(description="to", layout=widgets.Layout(width="120px"),
                                          style={"description_width": "20px"})
        self._colormap_box = widgets.Dropdown(options=COLORMAPS, description="Colours",
                                              layout=widgets.Layout(width="200px"))
        self._stretch_box = widgets.Dropdown(options=STRETCHES, description="Stretch",
                                             layout=widgets.Layout(width="180px"))
        self._min_box.style.description_width = "40px"
        for box in (self._colormap_box, self._stretch_box, self._extension_box):
            box.style.description_width = "55px"
        controls = widgets.HBox(
            [self._extension_box, self._min_box, self._max_box, self._colormap_box,
             self._stretch_box],
            layout=widgets.Layout(flex_flow="row wrap"),
        )
        controls.add_class("oda-sky-controls")
        self._status = widgets.HTML()
        self._status.add_class("oda-sky-status")
        self._legend = widgets.HTML(self._legend_html() + f"<div style='font-size:12px'>"
                                    f"{html.escape(NO_SURVEY)}</div>")
        self._legend.add_class("oda-sky-legend")
        self.colorbar = widgets.HTML("")
        self.colorbar.add_class("oda-sky-colorbar-box")
        self._message = ""
        super().__init__([controls, self.aladin, self.colorbar, self._legend, self._status])
        self.add_class("oda-sky-view")

        # initial state, then the links (so setting them does not send anything yet)
        if self._kinds:
            self.extension = extension
            self._extension_box.value = self.extension
        self.colormap = colormap
        self.stretch = stretch
        self.cuts = cuts if cuts is not None else self._default_cuts()
        self._show_cuts_in_boxes()
        self._colormap_box.value = self.colormap
        self._stretch_box.value = self.stretch
        if catalog is not None:
            self.selected = catalog.selected
            catalog.add_change_listener(self._catalog_changed)

        self._extension_box.observe(self._extension_picked, names="value")
        self._min_box.observe(self._cut_typed, names="value")
        self._max_box.observe(self._cut_typed, names="value")
        self._colormap_box.observe(lambda c: setattr(self, "colormap", c["new"]), names="value")
        self._stretch_box.observe(lambda c: setattr(self, "stretch", c["new"]), names="value")
        self.observe(self._selected_set, names="selected")
        self.observe(self._extension_set, names="extension")
        self.observe(self._cuts_set, names=["cuts", "colormap", "stretch"])
        self.aladin.observe(self._drawn_reported, names="drawn")
        self.aladin.observe(self._start_error_reported, names="start_error")
        self.aladin.on_ready(self._front_end_ready)
        self.aladin.on_source_clicked(self._source_clicked)
        self.aladin.on_image_drawn(lambda _report: self._update_status())
        self._send_image()

    # -- public --------------------------------------------------------------------------------
    @property
    def image(self) -> SkyImage | None:
        """The mosaic shown."""
        return self._image

    @property
    def catalog(self) -> Catalog | None:
        """The catalog drawn (shared with the views linked to it)."""
        return self._catalog

    @property
    def extensions(self) -> list[str]:
        """The image kinds this mosaic offers (significance first)."""
        return list(self._kinds)

    def close(self) -> None:
        """Stop following the catalog and close the widgets."""
        catalog = getattr(self, "_catalog", None)   # also for a view whose __init__ refused
        if catalog is not None:
            catalog.remove_change_listener(self._catalog_changed)
        if getattr(self, "aladin", None) is not None:
            self.aladin.close()
        super().close()

    # -- the kernel side of drawing -----------------------------------------------------------
    def _framing(self, kind: str | None) -> Framing | None:
        footprint = None
        if self._image is not None and kind is not None:
            try:
                footprint = framing(image_hdu(self._image, kind))
            except (KeyError, ValueError):
                logger.info("no framing for %s", kind, exc_info=True)
        if self._target is not None:
            return target_framing(*self._target, self._catalog)
        return footprint

    def _psf_deg(self) -> float:
        if self._image is None or not self._kinds:
            return 0.2
        return psf_fwhm_deg(image_hdu(self._image, self._kinds[0]))

    def _looks(self) -> dict[str, Any]:
        low, high = self.cuts
        return {"colormap": self.colormap, "stretch": self.stretch, "min_cut": low,
                "max_cut": high}

    def _send_image(self) -> None:
        if self._image is None or not self._kinds:
            self._update_status()
            return
        hdu = image_hdu(self._image, self.extension)
        where = self._framing(self.extension) or framing(hdu)
        self.aladin.show_image(
            {"name": self.extension, "ra": where.ra, "dec": where.dec, "width_deg": where.width,
             "height_deg": where.height, "psf_deg": self._psf_deg()},
            fits_bytes(hdu), self._looks(),
        )
        self._update_status()

    def _send_cuts(self) -> None:
        if self._image is None:
            return
        self.aladin.set_looks(self._looks())

    def _send_sources(self) -> None:
        if not self._front_ready:
            return
        self._serial += 1
        if self._catalog is None:
            self.aladin.send_sources(sources_message(None, self._serial, self._psf_deg()))
            return
        with self._catalog.reading() as now:  # names, positions, warnings of one edit
            message = sources_message(self._catalog, self._serial, self._psf_deg())
            self._drawn_edit = now.edits
        self.aladin.send_sources(message)

    def _front_end_ready(self) -> None:
        self._front_ready = True
        if self._image is None:
            # no mosaic to frame the view: the sources do, in the view's own shape
            where = catalog_framing(self._catalog)
            if where is not None:
                self.aladin.send_frame({"ra": where.ra, "dec": where.dec,
                                        "width_deg": where.width, "height_deg": where.height})
        self._send_sources()

    # -- reactions -----------------------------------------------------------------------------
    def _catalog_changed(self, change: CatalogChange) -> None:
        if change.edit < change.catalog.edits:
            return  # a newer edit has happened: its change, told next, draws it
        if list(self.selected) != change.catalog.selected:
            self.selected = change.catalog.selected
        if change.edit > self._drawn_edit:  # else already drawn (the front end's first draw)
            self._send_sources()
        self._update_status()

    # validators run before a value is taken: a refused value leaves everything as it was
    @traitlets.validate("selected")
    def _valid_selected(self, proposal: dict[str, Any]) -> list[int]:
        wanted = [int(i) for i in proposal["value"]]
        if wanted and self._catalog is None:
            raise traitlets.TraitError("this sky view has no catalog to select from")
        known = self._catalog.meta_ids if self._catalog is not None else []
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise traitlets.TraitError(
                f"no source has meta_ID {unknown[0]}; known meta_IDs: {known}"
            )
        return wanted

    @traitlets.validate("extension")
    def _valid_extension(self, proposal: dict[str, Any]) -> str:
        return self._checked_extension(proposal["value"])

    @traitlets.validate("cuts")
    def _valid_cuts(self, proposal: dict[str, Any]) -> tuple[float, float]:
        return self._checked_cuts(proposal["value"])

    @traitlets.validate("colormap")
    def _valid_colormap(self, proposal: dict[str, Any]) -> str:
        return self._checked_choice("colormap", proposal["value"], COLORMAPS)

    @traitlets.validate("stretch")
    def _valid_stretch(self, proposal: dict[str, Any]) -> str:
        return self._checked_choice("stretch", proposal["value"], STRETCHES)

    def _selected_set(self, change: dict[str, Any]) -> None:
        if self._catalog is not None and list(change["new"]) != self._catalog.selected:
            self._catalog.select(list(change["new"]))

    def _source_clicked(self, meta_id: int) -> None:
        if self._catalog is not None and meta_id in self._catalog.meta_ids:
            self._catalog.select([meta_id])

    def _extension_picked(self, change: dict[str, Any]) -> None:
        if change["new"] in self._kinds:
            self.extension = change["new"]

    def _extension_set(self, change: dict[str, Any]) -> None:
        self._extension_box.value = change["new"]
        # each kind of map has its own range: start from its defaults (sent with the image)
        self._quiet = True
        try:
            self.cuts = self._default_cuts()
        finally:
            self._quiet = False
        self._show_cuts_in_boxes()
        self._send_image()

    def _cut_typed(self, _change: dict[str, Any]) -> None:
        if self._quiet:
            return
        low, high = float(self._min_box.value), float(self._max_box.value)
        if not low < high:
            self._message = f"The lower cut ({low:g}) must be below the upper cut ({high:g})."
            self._update_status()
            return
        self._message = ""
        self.cuts = (low, high)

    def _cuts_set(self, change: dict[str, Any]) -> None:
        if change["name"] == "cuts":
            self._show_cuts_in_boxes()
        elif change["name"] == "colormap":
            self._colormap_box.value = change["new"]
        else:
            self._stretch_box.value = change["new"]
        if not self._quiet:
            self._send_cuts()
        self._update_status()

    def _drawn_reported(self, change: dict[str, Any]) -> None:
        self.drawn = list(change["new"])
        self._update_status()

    def _start_error_reported(self, _change: dict[str, Any]) -> None:
        self._update_status()

    # -- checks and words ----------------------------------------------------------------------
    def _checked_extension(self, kind: str) -> str:
        wanted = str(kind).upper()
        if wanted not in self._kinds:
            raise traitlets.TraitError(
                f"this mosaic has no {kind!r} image; choose one of " + ", ".join(self._kinds)
            )
        return wanted

    @staticmethod
    def _checked_choice(what: str, value: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise traitlets.TraitError(f"{what} {value!r} is not one of " + ", ".join(allowed))
        return value

    @staticmethod
    def _checked_cuts(cuts: Any) -> tuple[float, float]:
        try:
            low, high = (float(v) for v in cuts)
        except (TypeError, ValueError):
            raise traitlets.TraitError(f"cuts must be two numbers (low, high), not {cuts!r}") from None
        if not low < high:
            raise traitlets.TraitError(f"the lower cut ({low:g}) must be below the upper ({high:g})")
        return (low, high)

    def _default_cuts(self) -> tuple[float, float]:
        if self._image is None or not self._kinds:
            return (-3.0, 20.0)
        return default_cuts(self.extension, image_hdu(self._image, self.extension).data)

    def _show_cuts_in_boxes(self) -> None:
        low, high = self.cuts
        quiet, self._quiet = self._quiet, True   # the boxes follow; they do not set cuts back
        try:
            self._min_box.value = low
            self._max_box.value = high
        finally:
            self._quiet = quiet

    def _legend_html(self) -> str:
        items = [f"<b>{_GLYPHS[look.shape]}</b> {html.escape(look.meaning)}"
                 for look in LOOKS.values()]
        items.append(f"<span style='color:{SELECTED_COLOR};background:#000;padding:0 2px'>□</span>"
                     " selected")
        return ("<div style='font-size:12px'>Rings (each source in its own colour, as in every "
                "view; wider than the PSF, the source inside): " + " &nbsp; ".join(items)
                + ". Click the sky, then the wheel zooms it.</div>")

    def _unit(self) -> str:
        if self._image is None or not self._kinds:
            return ""
        return unit_of(self.extension, image_hdu(self._image, self.extension))

    def _update_colorbar(self) -> None:
        if self._image is None or not self._kinds or self.aladin.start_error:
            self.colorbar.value = ""
            return
        unit = self._unit()
        title = f"{self.extension}" + (f" ({unit})" if unit else "")
        low, high = self.cuts
        self.colorbar.value = colorbar_html(self.colormap, self.stretch, low, high, title)

    def _update_status(self) -> None:
        lines = []
        if self.aladin.start_error:
            lines.append(self.aladin.start_error)
        elif self._image is None:
            lines.append("No mosaic: only the catalog is drawn.")
        else:
            low, high = (round_cut(v, 3) for v in self.cuts)
            unit = self._unit()
            drawn = self.aladin.image_drawn
            state = "shown" if drawn and drawn.get("name") == self.extension else "loading"
            lines.append(f"{self.extension} map {state}, cuts {low:g} to {high:g}"
                         f"{' ' + unit if unit else ''}, {self.colormap} ({self.stretch}).")
        if self._catalog is not None:
            lines.append(self._sources_words())
        if self._message:
            lines.append(self._message)
        self._update_colorbar()
        self.status = "\n".join(lines)

    def _sources_words(self) -> str:
        total = len(self._catalog) if self._catalog is not None else 0
        selected = f", {len(self.selected)} selected" if self.selected else ""
        if not total:
            return "Catalog: no sources."
        if not self.drawn:
            return f"Catalog: {total} sources, not drawn yet{selected}."
        # what the front end last reported: after an edit, until it redraws, the former count
        return f"Catalog: {total} sources, {len(self.drawn)} drawn{selected}."

    @traitlets.observe("status")
    def _show_status(self, change: dict[str, Any]) -> None:
        # the line shows the trait, one line of text each (never markup)
        self._status.value = "<div style='font-size:12px'>" + "<br>".join(
            html.escape(line) for line in change["new"].split("\n")
        ) + "</div>"
