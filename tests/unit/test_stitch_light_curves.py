"""Stitching the light curves of a long request's parts: time order, repeats, overlaps.

The parts are real FITS light curves written with astropy in the layout of INTEGRAL's
(TIME in IJD at the bin's centre, TIMEDEL, RATE, ERROR, FRACEXP; MJDREF 51544).
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits

from oda_widgets.client.combine.light_curves import OverlapError, stitch_light_curves
from oda_widgets.client.products.light_curve import LightCurve

pytestmark = pytest.mark.unit

DAY = 1.0
HOUR = 1 / 24


def part(starts, width=HOUR, fraction=1.0, rate=10.0, name="isgri_lc_0_Crab"):
    """A light curve whose bins start at ``starts`` (IJD) and last ``width`` days."""
    starts = np.asarray(starts, dtype=float)
    columns = [
        fits.Column("TIME", "D", unit="d", array=starts + width / 2),
        fits.Column("TIMEDEL", "D", unit="d", array=np.full(starts.size, width)),
        fits.Column("RATE", "E", unit="count/s", array=np.full(starts.size, rate)),
        fits.Column("ERROR", "E", unit="count/s", array=np.full(starts.size, 0.5)),
        fits.Column("FRACEXP", "E", array=np.full(starts.size, fraction)),
    ]
    hdu = fits.BinTableHDU.from_columns(columns, name="ISGR-SRC.-LCR")
    hdu.header.update(MJDREF=51544.0, TIMESYS="TT", TIMEUNIT="d", NAME="Crab",
                      ONTIME=float(starts.size * width * fraction * 86400))
    return LightCurve(name, fits.HDUList([fits.PrimaryHDU(), hdu]), {"src_name": "Crab"})


def test_parts_given_out_of_order_are_stitched_in_time_order_with_their_exposures():
    late, early = part([3000 + 2 * HOUR, 3000 + 3 * HOUR]), part([3000, 3000 + HOUR])
    stitched = stitch_light_curves([late, early], labels=["job-b", "job-a"])
    times = np.asarray(stitched.hdu.data["TIME"])
    assert np.all(np.diff(times) > 0) and times.size == 4
    assert stitched.hdu.header["ONTIME"] == pytest.approx(4 * 3600)
    assert stitched.hdu.header["NPARTS"] == 2


def test_a_bin_repeated_exactly_in_two_parts_is_kept_once():
    a = part([3000, 3000 + HOUR])
    b = part([3000 + HOUR, 3000 + 2 * HOUR])  # the same window at the end of a and start of b
    stitched = stitch_light_curves([a, b])
    assert np.asarray(stitched.hdu.data["TIME"]).size == 3


def test_two_parts_counting_the_same_time_twice_are_refused_saying_where_and_which():
    a = part([3000, 3000 + HOUR])
    b = part([3000 + HOUR + 0.25 * HOUR], rate=12.0)  # different numbers over the same time
    with pytest.raises(OverlapError, match=r"parts 1 and 2 both hold time around TIME=3000\.0"):
        stitch_light_curves([a, b])


def test_bins_cut_by_a_gap_share_an_extent_but_not_their_time_and_both_stay():
    # each bin was exposed a third of its width: two such bins fit in their union
    a = part([3000], fraction=1 / 3)
    b = part([3000 + 0.5 * HOUR], fraction=1 / 3, rate=11.0)
    stitched = stitch_light_curves([a, b])
    assert np.asarray(stitched.hdu.data["RATE"]).tolist() == [10.0, 11.0]


def test_parts_of_different_time_systems_are_refused_by_name():
    a, b = part([3000]), part([3000 + DAY])
    b.hdu.header["MJDREF"] = 51543.0
    with pytest.raises(ValueError, match="MJDREF is 51544.0 in .* but 51543.0"):
        stitch_light_curves([a, b])
