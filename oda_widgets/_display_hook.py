"""Show products as their views from the first ``import oda_widgets`` in a kernel, lazily.

IPython's ``for_type_by_name`` names a class by module and name, so nothing is imported now:
the widget libraries load only when a product is first shown (then
:mod:`oda_widgets.widgets.display` registers the views themselves). The client stays free of
widget imports; this module imports neither.
"""

from __future__ import annotations

import sys
from typing import Any

#: (module, class) of each product a view shows.
PRODUCT_CLASSES = (
    ("oda_widgets.client.products.product_set", "ProductSet"),
    ("oda_widgets.client.products.sky_image", "SkyImage"),
    ("oda_widgets.client.catalog.source_catalog", "Catalog"),
    ("oda_widgets.client.products.light_curve", "LightCurve"),
    ("oda_widgets.client.products.spectrum", "Spectrum"),
    ("oda_widgets.client.products.kinds", "TableProduct"),
    ("oda_widgets.client.products.kinds", "PictureProduct"),
)


def _show(obj: Any) -> bool:
    # the first product shown loads the widgets, whose own hook then takes over every kind
    from .widgets.display import register_display, show_view

    register_display()
    return show_view(obj)


def install() -> bool:
    """Register the lazy display with the running IPython kernel, if there is one."""
    if "IPython" not in sys.modules or "ipykernel" not in sys.modules:
        return False  # a script or a plain terminal: products print as text
    ip = sys.modules["IPython"].get_ipython()
    if ip is None or not hasattr(ip, "display_formatter"):
        return False
    formatter = ip.display_formatter.ipython_display_formatter
    for module, name in PRODUCT_CLASSES:
        formatter.for_type_by_name(module, name, _show)
    return True
