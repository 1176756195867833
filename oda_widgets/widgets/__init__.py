"""The notebook widgets of oda_widgets (ipywidgets, anywidget, ipyaladin, bqplot).

Widgets build on :mod:`oda_widgets.client`; the client never imports them. Each widget lives in its
own module and is exported here by one line of the form ``from .module import Name as Name``
(the ``as`` marks it as a public re-export).
"""

from .catalog_table import CatalogTable as CatalogTable
from .display import register_display as register_display
from .explorer import Explorer as Explorer
from .form import QueryForm as QueryForm
from .jobs import JobMonitor as JobMonitor
from .light_curve import LightCurveView as LightCurveView
from .results import ResultsView as ResultsView
from .sky import SkyView as SkyView
from .spectrum import SpectrumView as SpectrumView

register_display()  # products left as a cell's value show as their views
