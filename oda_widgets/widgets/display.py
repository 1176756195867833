"""Products left as a cell's last value show as their views: the widgets' names for it.

The client's products know nothing of widgets (they have a text and an HTML summary). Which view
shows which product is listed once, in :data:`oda_widgets._display_hook.PRODUCT_VIEWS`: a
``ProductSet`` as its :class:`~oda_widgets.widgets.results.ResultsView`, a ``SkyImage`` on the
sky, a ``Catalog`` in its table, a ``LightCurve`` and a ``Spectrum`` in their views, a
``TableProduct`` in a :class:`~oda_widgets.widgets.table_view.TableView` and a ``PictureProduct``
in a :class:`~oda_widgets.widgets.picture_view.PictureView`. ``import oda_widgets`` already
registers them with a running kernel; :func:`register_display` does it for another shell.
"""

from __future__ import annotations

from typing import Any

from .._display_hook import install, show_view, view_of

__all__ = ["register_display", "show_view", "view_of"]


def register_display(ip: Any = None) -> bool:
    """Have IPython show products as their views (``import oda_widgets`` does it in a kernel).

    Parameters
    ----------
    ip : InteractiveShell, optional
        The shell; the running kernel's by default.

    Returns
    -------
    bool
        Whether a shell was there to register with.
    """
    return install(ip)
