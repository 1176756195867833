"""Products left as a cell's last value show as their views.

The client's products know nothing of widgets (they have a text and an HTML summary); this module
tells IPython how to show them when the widgets are loaded in a kernel: a ``ProductSet`` as its
:class:`~oda_widgets.widgets.results.ResultsView`, a ``SkyImage`` on the sky, a ``Catalog`` in
its table, a ``LightCurve`` and a ``Spectrum`` in their views, a ``TableProduct`` in a
:class:`~oda_widgets.widgets.table_view.TableView` and a ``PictureProduct`` in a
:class:`~oda_widgets.widgets.picture_view.PictureView`. Outside a kernel nothing happens.
"""

from __future__ import annotations

from typing import Any

from ..client.catalog.source_catalog import Catalog
from ..client.products.kinds import PictureProduct, TableProduct
from ..client.products.light_curve import LightCurve
from ..client.products.product_set import ProductSet
from ..client.products.sky_image import SkyImage
from ..client.products.spectrum import Spectrum

__all__ = ["register_display", "show_view", "view_of"]


def view_of(obj: Any) -> Any:
    """The widget that shows ``obj`` (a product set, sky image, catalog, light curve, spectrum,
    table or picture).

    Raises
    ------
    TypeError
        For anything else.
    """
    if isinstance(obj, ProductSet):
        from .results import ResultsView

        return ResultsView(obj)
    if isinstance(obj, SkyImage):
        from .sky import SkyView

        return SkyView(obj)
    if isinstance(obj, Catalog):
        from .catalog_table import CatalogTable

        return CatalogTable(obj)
    if isinstance(obj, LightCurve):
        from .light_curve import LightCurveView

        return LightCurveView(obj)
    if isinstance(obj, Spectrum):
        from .spectrum import SpectrumView

        return SpectrumView(obj)
    if isinstance(obj, TableProduct):
        from .table_view import TableView

        return TableView(obj)
    if isinstance(obj, PictureProduct):
        from .picture_view import PictureView

        return PictureView(obj)
    raise TypeError(f"no view shows a {type(obj).__name__}")


def register_display(ip: Any = None) -> bool:
    """Have IPython show products as their views (done when ``oda_widgets.widgets`` loads).

    Parameters
    ----------
    ip : InteractiveShell, optional
        The shell; the running one by default.

    Returns
    -------
    bool
        Whether a shell was there to register with.
    """
    if ip is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        ip = get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return False
    formatter = ip.display_formatter.ipython_display_formatter
    for kind in (ProductSet, SkyImage, Catalog, LightCurve, Spectrum, TableProduct, PictureProduct):
        formatter.for_type(kind, show_view)
    return True


def show_view(obj: Any) -> bool:
    """Display ``obj``'s view in the notebook (IPython's display hook for products).

    Returns
    -------
    bool
        True: the object was shown (as its view, or as text saying why it has none).
    """
    from IPython.display import display

    try:
        view = view_of(obj)
    except (TypeError, ValueError) as exc:
        print(f"{obj!r}\n(no view: {exc})")
        return True
    display(view)
    return True
