"""One job's products, each in its view: sky and catalog table, light curves, spectra, the rest.

What the Explorer shows in a tab, usable alone (``ResultsView(products, form=form)``). The views
of one job share its one :class:`~oda_widgets.client.catalog.source_catalog.Catalog`, so an edit on the sky shows
in the table and the other way round. Server strings (text products, names) are shown in plain
widgets (``Label``, ``Textarea``), never as HTML.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets
from astropy.time import Time

from ..client.catalog.source_catalog import Catalog
from ..client.products.base import Product
from ..client.products.kinds import BinaryProduct, TextProduct
from ..client.products.light_curve import LightCurve
from ..client.products.product_set import ProductSet
from .page_actions import PageActions
from .product_download import download_file

__all__ = ["ResultsView"]


class ResultsView(widgets.VBox):
    """The products of one finished job, each in its view.

    Parameters
    ----------
    products : ProductSet
        ``job.result()``: an image job gives the sky view and the catalog table (one catalog
        shared by both); light curves and spectra give their views; text products are shown as
        text, binary products (POLAR's ROOT file) with a save button; every product can be saved.
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
        The views of this job, ``None`` where it has no such product.
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
    status = traitlets.Unicode("")

    def __init__(self, products: ProductSet, form: Any | None = None, *,
                 directory: str | Path | None = None, **kwargs: Any) -> None:
        if not isinstance(products, ProductSet):
            raise TypeError(
                f"ResultsView shows a job's ProductSet (job.result()), not "
                f"{type(products).__name__}"
            )
        super().__init__(**kwargs)
        from .catalog_table import CatalogTable
        from .light_curve import LightCurveView
        from .sky import SkyView
        from .spectrum import SpectrumView

        self.products = products
        self.form = form
        self.directory = Path(directory) if directory is not None else None
        self.catalog: Catalog | None = products.catalog
        image = products.image
        self.sky = (SkyView(image, catalog=self.catalog, target=_target(products))
                    if image is not None else None)
        self.catalog_table = (CatalogTable(self.catalog, form=form)
                              if self.catalog is not None else None)
        self.notes: list[str] = []
        self.light_curves = None
        curves = {name: _with_time_reference(lc, products.analysis_parameters)
                  for name, lc in products.light_curves.items()}
        if curves:
            try:
                self.light_curves = LightCurveView(curves, form=form)
            except ValueError as exc:
                self.notes.append(f"The light curves are not drawn: {exc}")
        self.spectra = SpectrumView(products.spectra) if products.spectra else None
        self.texts: dict[str, widgets.Textarea] = {}
        self.save_buttons: dict[str, widgets.Button] = {}
        self._status_line = widgets.Label("")
        self._status_line.add_class("oda-results-status")

        children: list[widgets.Widget] = [widgets.Label(note) for note in self.notes]
        for view in (self.sky, self.catalog_table, self.light_curves, self.spectra):
            if view is not None:
                children.append(view)
        for name, product in products.items():
            if isinstance(product, TextProduct):
                box = widgets.Textarea(value=product.text(), disabled=True,
                                       layout=widgets.Layout(width="100%"))
                box.add_class("oda-results-text")
                self.texts[name] = box
                children.append(widgets.VBox([widgets.Label(name), box]))
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

    # --- saving -----------------------------------------------------------------------------
    def _saving_row(self) -> widgets.Widget:
        rows = []
        for name, product in self.products.items():
            # raw bytes (POLAR's ROOT file) are written as they came; the rest as FITS
            raw = isinstance(product, BinaryProduct | TextProduct) and product.suffix != ".fits"
            label = "Save file" if raw else "Save FITS"
            button = widgets.Button(description=label, icon="download",
                                    tooltip=f"download {name} in the browser",
                                    layout=widgets.Layout(width="auto"))
            button.add_class("oda-results-save")
            button.on_click(self._saver(name))
            self.save_buttons[name] = button
            what = widgets.Label(f"{name}: {product.kind}, {product.summary()}")
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
        for view in (self.light_curves, self.spectra):
            if view is not None:
                view.highlight(names)

    def close(self) -> None:
        for name in ("sky", "catalog_table", "light_curves", "spectra"):
            view = getattr(self, name, None)
            if view is not None:
                view.close()
        super().close()

    def __repr__(self) -> str:
        shown = [n for n, v in (("sky", self.sky), ("catalog table", self.catalog_table),
                                ("light curves", self.light_curves),
                                ("spectra", self.spectra)) if v is not None]
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
    header = light_curve.hdu.header
    t1 = parameters.get("T1")
    if "MJDREF" in header or "MJDREFI" in header or not t1:
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
    return copy


def _time_format(parameters: dict[str, Any]) -> str:
    fmt = str(parameters.get("T_format") or "isot").lower()
    return fmt if fmt in ("isot", "mjd", "jd", "unix") else "isot"
