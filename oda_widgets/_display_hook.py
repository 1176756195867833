"""Products left as a cell's value show as their views: which view shows each product, listed once.

``PRODUCT_VIEWS`` is the one table. :func:`install` (run by ``import oda_widgets`` in a kernel)
registers it with IPython by class *name*, so nothing is imported then: the product modules and
the widget libraries load only when a product is first shown. :func:`view_of` reads the same
table to build a view; :mod:`oda_widgets.widgets.display` offers these names to the widgets'
users. The client stays free of widget imports, and this module imports neither (a view's
module is loaded by name, as the public names of :mod:`oda_widgets._public` are).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from ._public import WIDGETS

__all__ = ["PRODUCT_VIEWS", "install", "show_view", "view_of"]

#: (module, class) of each product -> the public name of the widget that shows it.
PRODUCT_VIEWS: dict[tuple[str, str], str] = {
    ("oda_widgets.client.products.product_set", "ProductSet"): "ResultsView",
    ("oda_widgets.client.products.sky_image", "SkyImage"): "SkyView",
    ("oda_widgets.client.catalog.source_catalog", "Catalog"): "CatalogTable",
    ("oda_widgets.client.products.light_curve", "LightCurve"): "LightCurveView",
    ("oda_widgets.client.products.spectrum", "Spectrum"): "SpectrumView",
    ("oda_widgets.client.products.kinds", "TableProduct"): "TableView",
    ("oda_widgets.client.products.kinds", "PictureProduct"): "PictureView",
}


def view_of(obj: Any) -> Any:
    """The widget that shows ``obj`` (a product set, sky image, catalog, light curve, spectrum,
    table or picture; for a subclass, the view of its nearest listed class).

    Raises
    ------
    TypeError
        For anything else.
    """
    for cls in type(obj).__mro__:
        view_name = PRODUCT_VIEWS.get((cls.__module__, cls.__qualname__))
        if view_name is not None:
            view = getattr(importlib.import_module(WIDGETS[view_name], "oda_widgets"), view_name)
            return view(obj)
    raise TypeError(f"no view shows a {type(obj).__name__}")


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


def install(ip: Any = None) -> bool:
    """Have IPython show products as their views.

    Parameters
    ----------
    ip : InteractiveShell, optional
        The shell; by default the running kernel's, and none in a script or a plain terminal
        (there products print as text).

    Returns
    -------
    bool
        Whether a shell was there to register with.
    """
    if ip is None:
        if "IPython" not in sys.modules or "ipykernel" not in sys.modules:
            return False
        ip = sys.modules["IPython"].get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return False
    formatter = ip.display_formatter.ipython_display_formatter
    for module, name in PRODUCT_VIEWS:
        formatter.for_type_by_name(module, name, show_view)
    return True
