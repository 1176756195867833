"""Headless science on products: no widget library, no HTTP.

Light curves: :mod:`.light_curve_samples` (a product as arrays in seconds), :mod:`.decimate` (min
and max per pixel column for display), :mod:`.rebin` (coarser bins, counts conserved) and
:mod:`.time_axis` (UTC, MJD and seconds since T1).
"""

from .decimate import Decimated as Decimated
from .decimate import minmax_columns as minmax_columns
from .light_curve_samples import CurveSamples as CurveSamples
from .rebin import Rebinned as Rebinned
from .rebin import rebin as rebin
from .time_axis import TimeAxis as TimeAxis
