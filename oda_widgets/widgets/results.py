"""One job's products, each in its view and titled by its label: sky and catalog table, light
curves, spectra, pictures, tables, values, the server's notes, and a save button for every one.

What the Explorer shows in a tab, usable alone (``ResultsView(products, form=form)``). The views
of one job share its one :class:`~oda_widgets.client.catalog.source_catalog.Catalog`, so an edit on the sky shows
in the table and the other way round. Views come in the order of the products they show (oda_api's
order: data, binaries, tables, pictures, then texts). Server strings (text products, names,
labels, comments) are shown in plain widgets (``Label``, ``Textarea``), never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets
from astropy.time import Time

from ..client.catalog.source_catalog import Catalog
from ..client.products.base import Product
from ..client.products.kinds import PictureProduct, TableProduct, TextProduct
from ..client.products.light_curve import LightCurve, time_origin
from ..client.products.product_set import ProductSet
from ..client.products.sky_image import SkyImage
from ..client.products.spectrum import Spectrum
from ._style import style_widget
from .closing import close_parts
from .page_actions import PageActions
from .product_download import download_file

__all__ = ["ResultsView"]


def _heading(shown: Sequence[Product], one: str, several: str) -> str:
    """A section's title: the server's label of its one product, else what the section holds
    (a name such as ``mosaic_image_0_mosaic`` is for files, not for headings)."""
    if len(shown) == 1:
        return shown[0].label or one
    return several


def _section(title: str, views: list[widgets.Widget], kind: str) -> widgets.Widget:
    """A titled block holding one product's view (or the linked views of one image)."""
    heading = widgets.Label(title)
    heading.add_class("oda-results-title")
    box = widgets.VBox([heading, *views], layout=widgets.Layout(width="100%"))
    box.add_class("oda-results-section")
    box.add_class(f"oda-results-{kind}")
    return box


class ResultsView(widgets.VBox):
    """The products of one finished job, each in its view, each titled by its label.

    Parameters
    ----------
    products : ProductSet
        ``job.result()``: an image job gives the sky view and the catalog table (one catalog
        shared by both); light curves (rates, fluxes, magnitudes or counts) and spectra give
        their views; pictures are shown scaled to the view (:class:`PictureView`), tables in a
        scrollable, sortable table with units (:class:`TableView`), text outputs and workflow
        parameters as a labelled list, the server's comments as notes; every product, binaries
        too, can be saved.
    form : QueryForm, optional
        The form that "Use this catalog" and "Use this time range" fill.
    directory : str or Path, optional
        Where :meth:`save` writes (created when needed); the working directory by default. The
        save buttons download the files in the browser instead (the kernel's disk may be far
        away, on Binder or a cluster).

    Attributes
    ----------
    sky : SkyView or None
    catalog_table : CatalogTable or None
    light_curves : LightCurveView or None
    spectra : SpectrumView or None
        The views of this job, ``None`` where it has no such product (``light_curves`` is the
        first of ``light_curve_views``: curves of different quantities get a view each).
    tables : dict
        A :class:`TableView` per table product, by product name.
    pictures : dict
        A :class:`PictureView` per picture product, by product name.
    texts : dict
        The widget showing each text product or workflow parameter (its ``value`` is the
        text), by product name.
    notes : list of str
        What is said above the views: the server's comments, curves that cannot be drawn.
    selected_sources : list of str
        Names of the sources selected in this job's catalog (observable).
    highlighted : list of str
        Names of the sources whose light curve and spectrum are highlighted (observable; see
        :meth:`highlight`).
    status : str
        What the last save did, in words.
    """

    selected_sources = traitlets.List(traitlets.Unicode())
    highlighted = traitlets.List(traitlets.Unicode())
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, products: ProductSet, form: Any | None = None, *,
                 directory: str | Path | None = None, **kwargs: Any) -> None:
        if not isinstance(products, ProductSet):
            raise TypeError(
                f"ResultsView shows a job's ProductSet (job.result()), not "
                f"{type(products).__name__}"
            )
        super().__init__(**kwargs)
        from .catalog_table import CatalogTable
        from .sky import SkyView

        self.products = products
        self.form = form
        self.directory = Path(directory) if directory is not None else None
        self.catalog: Catalog | None = products.catalog
        image = products.image
        self.sky = (SkyView(image, catalog=self.catalog, target=_target(products))
                    if image is not None else None)
        self.catalog_table = (CatalogTable(self.catalog, form=form)
                              if self.catalog is not None else None)
        self.notes: list[str] = [f"Note from the server: {note}" for note in products.notes]
        self.light_curve_views = self._light_curve_views(products, form)
        self.light_curves = self.light_curve_views[0] if self.light_curve_views else None
        self.spectra = self._spectrum_view(products)
        self.tables: dict[str, Any] = {}
        self.pictures: dict[str, Any] = {}
        self.texts: dict[str, widgets.Widget] = {}
        self.save_buttons: dict[str, widgets.Button] = {}
        self._status_line = widgets.Label("")
        self._status_line.add_class("oda-results-status")

        children: list[widgets.Widget] = [style_widget("results")]
        for note in self.notes:
            label = widgets.Label(note)
            label.add_class("oda-results-note")
            children.append(label)
        children += self._sections()
        self.page = PageActions()
        children.append(self._saving_row())
        children.append(self._status_line)
        children.append(self.page)
        self.children = children
        self.add_class("oda-results")
        if self.catalog is not None:
            self.catalog.add_listener(self._catalog_changed)
            self._catalog_changed(self.catalog)
        self.observe(lambda c: setattr(self._status_line, "value", c["new"]), names="status")

    # --- the views, in the order of the products they show -------------------------------------
    def _light_curve_views(self, products: ProductSet, form: Any) -> list[Any]:
        from .light_curve import LightCurveView

        groups: dict[str, dict[str, LightCurve]] = {}
        for name, curve in products.light_curves.items():
            quantity = curve.quantity
            if quantity is None:
                self.notes.append(f"{curve.title} is not drawn: its table "
                                  f"{curve.hdu.name} has no RATE, FLUX, MAG or COUNTS column")
                continue
            curve = _with_time_reference(curve, products.analysis_parameters)
            # a curve of no named source (a workflow's) goes by its label in the legend
            key = name if curve.source or not curve.label else curve.label
            groups.setdefault(quantity, {})[key] = curve
        views = []
        for curves in groups.values():
            try:
                views.append(LightCurveView(curves, form=form))
            except ValueError as exc:
                self.notes.append(f"The light curves are not drawn: {exc}")
        return views

    @staticmethod
    def _spectrum_view(products: ProductSet) -> Any:
        if not products.spectra:
            return None
        # imported here: bqplot loads only for a job that has spectra
        from .spectrum import SpectrumView

        return SpectrumView(products.spectra)

    def _sections(self) -> list[widgets.Widget]:
        from .picture_view import PictureView
        from .table_view import TableView
        from .value_list import ValueList

        sections: list[widgets.Widget] = []
        placed: set[str] = set()
        values = [p for p in self.products.values() if isinstance(p, TextProduct)]
        for product in self.products.values():
            if isinstance(product, SkyImage | Catalog) and "sky" not in placed:
                placed.add("sky")
                image = self.products.image
                title = _heading([image] if image is not None else [], "Sky image",
                                 "Source catalog")
                views = [v for v in (self.sky, self.catalog_table) if v is not None]
                sections.append(_section(title, views, "sky"))
            elif isinstance(product, LightCurve) and "curves" not in placed:
                placed.add("curves")
                for view in self.light_curve_views:
                    shown = [c for c in self.products.light_curves.values()
                             if c.quantity == view.quantity]
                    title = _heading(shown, "Light curve", "Light curves")
                    sections.append(_section(title, [view], "light-curves"))
            elif isinstance(product, Spectrum) and self.spectra is not None \
                    and "spectra" not in placed:
                placed.add("spectra")
                spectra = list(self.products.spectra.values())
                title = _heading(spectra, "Spectrum", "Spectra")
                sections.append(_section(title, [self.spectra], "spectra"))
            elif isinstance(product, TableProduct):
                self.tables[product.name] = TableView(product)
                sections.append(_section(product.title, [self.tables[product.name]], "table"))
            elif isinstance(product, PictureProduct):
                self.pictures[product.name] = PictureView(product)
                sections.append(_section(product.title, [self.pictures[product.name]],
                                         "picture"))
            elif isinstance(product, TextProduct) and "values" not in placed:
                placed.add("values")
                listed = ValueList(values)
                self.texts.update(listed.values)
                title = values[0].title if len(values) == 1 else "Values"
                sections.append(_section(title, [listed], "values"))
        return sections

    # --- saving -----------------------------------------------------------------------------
    def _saving_row(self) -> widgets.Widget:
        heading = widgets.Label(f"{len(self.products)} product{'s' if len(self.products) != 1 else ''}"
                                ", each downloaded in the browser by its button")
        heading.add_class("oda-results-products-title")
        rows: list[widgets.Widget] = [heading] if self.products else []
        for name, product in self.products.items():
            # files (POLAR's ROOT file, pictures, texts) are written as they came; data as FITS
            raw = getattr(product, "suffix", ".fits") != ".fits"
            label = "Save file" if raw else "Save FITS"
            button = widgets.Button(description=label, icon="download",
                                    tooltip=f"download {name} in the browser",
                                    layout=widgets.Layout(width="auto"))
            button.add_class("oda-results-save")
            button.on_click(self._saver(name))
            self.save_buttons[name] = button
            title = getattr(product, "label", None)
            named = f"{title} ({name})" if title else name
            what = widgets.Label(f"{named}: {product.kind}, {product.summary()}")
            rows.append(widgets.HBox([button, what], layout=widgets.Layout(align_items="center")))
        box = widgets.VBox(rows)
        box.add_class("oda-results-products")
        return box

    def _saver(self, name: str) -> Callable[[Any], None]:
        def save(_button: Any) -> None:
            self.download(name)

        return save

    def download(self, name: str) -> str:
        """Download one product in the browser, as the save buttons do: its FITS file (or its
        own bytes), a spectrum with its ARF and RMF as one zip. Returns the file name."""
        try:
            filename, data, mime = download_file(self.products[name])
        except (OSError, TypeError, ValueError) as exc:
            self.status = f"⚠ {name} was not saved: {exc}"
            return ""
        self.page.download(filename, data, mime)
        self.status = f"Downloading {filename} ({len(data) / 1e6:.2g} MB) in the browser"
        return filename

    def save(self, name: str, directory: str | Path | None = None,
             overwrite: bool = False) -> list[Path]:
        """Write one product (a spectrum with its ARF and RMF) as the save buttons do.

        Parameters
        ----------
        name : str
            The product's name (a key of ``products``).
        directory : str or Path, optional
            The folder (created when needed); the view's own directory, else the working one.
        overwrite : bool
            Replace files of the same name; otherwise an existing file is kept and reported.

        Returns
        -------
        list of Path
            The files written.
        """
        product: Product = self.products[name]
        target = Path(directory) if directory is not None else (self.directory or Path.cwd())
        target.mkdir(parents=True, exist_ok=True)
        return product.write_fits(target, overwrite=overwrite)

    # --- linking ----------------------------------------------------------------------------
    def _catalog_changed(self, catalog: Catalog) -> None:
        names = _names_of(catalog, catalog.selected)
        if names != self.selected_sources:
            self.selected_sources = names
            self.highlight(names)

    def highlight(self, names: list[str]) -> None:
        """Highlight the light curves and spectra of the sources ``names`` (others dimmed;
        an empty list, or names this job does not have, shows every curve as usual)."""
        names = [str(n) for n in names]
        self.highlighted = names
        for view in (*self.light_curve_views, self.spectra):
            if view is not None:
                view.highlight(names)

    def close(self) -> None:
        """Close every view and the boxes around them, and let go of the job's catalog: a closed
        view is freed once nothing of the user's holds it (the job and its products may live on)."""
        # (also called on a view whose building failed half way)
        catalog = getattr(self, "catalog", None)
        if catalog is not None:
            catalog.remove_listener(self._catalog_changed)
        # the views, the boxes around them (an open section holding a closed view has no state
        # to give) and every part of each; the form is the user's and stays open
        form = getattr(self, "form", None)
        close_parts(self, keep=[form] if form is not None else [])

    def __repr__(self) -> str:
        shown = [n for n, v in (("sky", self.sky), ("catalog table", self.catalog_table),
                                ("light curves", self.light_curves),
                                ("spectra", self.spectra)) if v is not None]
        shown += [f"{len(found)} {kind}" for kind, found in (("tables", self.tables),
                                                             ("pictures", self.pictures),
                                                             ("values", self.texts)) if found]
        return f"ResultsView({len(self.products)} products: {', '.join(shown) or 'no views'})"


def _target(products: ProductSet) -> tuple[float, float] | None:
    """The query's RA and Dec (degrees), where the sky view centres, when the job had them."""
    parameters = products.analysis_parameters or {}
    try:
        return float(parameters["RA"]), float(parameters["DEC"])
    except (KeyError, TypeError, ValueError):
        return None


def _names_of(catalog: Catalog, meta_ids: list[int]) -> list[str]:
    wanted = {int(i) for i in meta_ids}
    return [name for meta_id, name in zip(catalog.meta_ids, catalog.names, strict=False)
            if meta_id in wanted]


def _with_time_reference(light_curve: LightCurve, parameters: dict[str, Any]) -> LightCurve:
    """``light_curve`` itself, or, when its header does not say what TIME counts from (POLAR's
    table counts seconds from the query's T1), a copy whose header says it: MJDREF at T1 (UTC)."""
    t1 = parameters.get("T1")
    if time_origin(light_curve.hdu) is not None or not t1:
        return light_curve
    fmt = _time_format(parameters)
    try:
        start = Time(str(t1) if fmt == "isot" else float(t1), format=fmt, scale="utc")
    except ValueError:
        return light_curve
    hdu = light_curve.hdu.copy()
    hdu.header["MJDREF"] = (float(start.mjd), "the query's T1 (TIME counts seconds from it)")
    hdu.header["TIMEUNIT"] = "s"
    hdu.header["TIMESYS"] = "UTC"
    copy = LightCurve(light_curve.name, light_curve.hdulist, light_curve.meta_data,
                      light_curve.server_name, hdu=hdu)
    copy.announced = light_curve.announced
    return copy


def _time_format(parameters: dict[str, Any]) -> str:
    fmt = str(parameters.get("T_format") or "isot").lower()
    return fmt if fmt in ("isot", "mjd", "jd", "unix") else "isot"
