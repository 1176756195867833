"""Light-curve analysis: decimation for display, rebinning, the time axis, reading the products."""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time, TimeDelta
from support import shared

from oda_widgets.analysis import CurveSamples, TimeAxis, minmax_columns, rebin
from oda_widgets.analysis.time_axis import duration_text, range_text
from oda_widgets.client.products.light_curve import LightCurve

pytestmark = pytest.mark.unit

JEMX_LC = shared.INTEGRAL / "jemx_lc.fits"


# --- decimation -----------------------------------------------------------------------------------
def _columns_of(x, start, stop, columns):
    """The column of each x (or -1 outside), by the definition: equal columns of [start, stop]."""
    width = (stop - start) / columns
    column = np.floor((x - start) / width).astype(int)
    column[(x < start) | (x > stop)] = -1
    return np.minimum(column, columns - 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_columns_minimum_and_maximum_are_drawn(seed):
    rng = np.random.default_rng(seed)
    n = 200_000
    x = np.sort(rng.uniform(0, 1000, n))
    y = rng.normal(100, 10, n)
    err = rng.uniform(1, 5, n)
    for _ in range(5):
        start, stop = np.sort(rng.uniform(0, 1000, 2))
        columns = int(rng.integers(50, 1500))
        d = minmax_columns(x, y, start, stop, columns, y - err, y + err)
        full = _columns_of(x, start, stop, columns)
        drawn = _columns_of(d.x, start, stop, columns)
        bars = _columns_of(d.bar_x, start, stop, columns)
        assert d.points == np.count_nonzero(full >= 0)
        for column in np.unique(full[full >= 0]):
            inside = full == column
            here = drawn == column
            assert d.y[here].max() == y[inside].max()
            assert d.y[here].min() == y[inside].min()
            assert d.bar_high[bars == column].max() == (y + err)[inside].max()
            assert d.bar_low[bars == column].min() == (y - err)[inside].min()
        # never more than two samples per column, and the line keeps time order
        assert np.count_nonzero(drawn >= 0) <= 2 * columns
        assert np.all(np.diff(d.x) >= 0)


def test_a_spike_one_bin_wide_survives_every_zoom():
    n = 1_728_000
    x = np.arange(n) * 0.05
    y = np.random.default_rng(3).normal(75_000, 1_200, n)
    spike = 1_234_567
    y[spike] = 200_000.0
    rng = np.random.default_rng(4)
    for _ in range(30):
        width = 10 ** rng.uniform(0, np.log10(x[-1]))
        start = x[spike] - rng.uniform(0, width)
        d = minmax_columns(x, y, start, start + width, 1000)
        assert d.y.max() == 200_000.0
        assert x[spike] in d.x[d.y == 200_000.0]


def test_few_samples_are_drawn_as_they_are_with_neighbours_outside():
    x = np.arange(100.0)
    y = x**2
    d = minmax_columns(x, y, 10, 20, 1000, y - 1, y + 1)
    assert not d.decimated
    np.testing.assert_array_equal(d.x, np.arange(9.0, 22.0))   # 10..20, and 9 and 21 outside
    np.testing.assert_array_equal(d.bar_x, np.arange(10.0, 21.0))
    np.testing.assert_array_equal(d.bar_high - d.bar_low, 2.0)


def test_nan_samples_are_skipped_and_a_column_of_nan_only_left_out():
    x = np.arange(10_000.0)
    y = np.ones_like(x)
    y[5000:5100] = np.nan
    y[2000] = 7.0
    d = minmax_columns(x, y, 0, 10_000, 100)
    assert not np.isnan(d.y).any()
    assert 7.0 in d.y
    assert not np.any((d.x >= 5000) & (d.x < 5100))


def test_decimation_refuses_no_columns():
    with pytest.raises(ValueError, match="columns"):
        minmax_columns(np.arange(3.0), np.arange(3.0), 0, 2, 0)


# --- rebinning ------------------------------------------------------------------------------------
def _poisson_curve(n=1000, bin_s=0.05, seed=0, gaps=False, fraction=None):
    rng = np.random.default_rng(seed)
    time = (np.arange(n) + 0.5) * bin_s
    if gaps:
        keep = np.ones(n, bool)
        keep[310:370] = False
        keep[-3:] = False
        time = time[keep]
    width = np.full(len(time), bin_s)
    fracexp = np.ones(len(time)) if fraction is None else rng.uniform(0.5, 1.0, len(time))
    exposure = width * fracexp
    counts = rng.poisson(500 * exposure).astype(float)
    rate = counts / exposure
    error = np.sqrt(np.maximum(counts, 1)) / exposure
    samples = CurveSamples("test", Time("2008-03-01T00:00:00", scale="tt"), time, width, rate,
                           error, exposure, "count/s")
    return samples, counts


@pytest.mark.parametrize("factor", [2, 4, 7, 16])
@pytest.mark.parametrize("gaps", [False, True])
def test_rebinning_conserves_counts_and_gives_poisson_errors(factor, gaps):
    samples, counts = _poisson_curve(gaps=gaps, fraction=True)
    result = rebin(samples, factor=factor)
    new = result.samples
    assert np.sum(new.rate * new.exposure) == pytest.approx(counts.sum(), rel=1e-12)
    assert np.sum(new.exposure) == pytest.approx(np.sum(samples.exposure), rel=1e-12)
    # the errors propagated from the bins equal sqrt(N)/exposure of the combined counts
    new_counts = new.rate * new.exposure
    np.testing.assert_allclose(new.error, np.sqrt(new_counts) / new.exposure, rtol=1e-9)
    # each new bin lies within one bin of the new width, counted from the first bin
    assert np.all(new.width <= factor * 0.05 + 1e-9)
    assert result.bin_width == pytest.approx(factor * 0.05)


def test_rebinning_to_seconds_and_partial_bins_are_said():
    samples, counts = _poisson_curve(n=1000, bin_s=0.05, gaps=True)
    result = rebin(samples, bin_width=1.0)       # 20 bins per new bin, some cut by the gap/end
    assert result.factor == pytest.approx(20)
    assert result.partial.sum() == 3            # the two bins the gap cuts, and the last one
    np.testing.assert_allclose(result.coverage[result.partial], [0.5, 0.5, 0.85], atol=1e-9)
    words = result.describe()
    assert words.startswith("1 s bins (x20 of the native 50 ms); 3 of ")
    assert "partly covered" in words
    # a partial bin spans only the samples it holds
    last = result.samples
    assert last.time[-1] + last.width[-1] / 2 == pytest.approx(samples.stop)


def test_rebinning_a_mean_of_two_bins_by_hand():
    time = np.array([0.5, 1.5, 2.5, 3.5])
    width = np.ones(4)
    rate = np.array([10.0, 20.0, 30.0, 50.0])
    error = np.array([3.0, 4.0, 1.0, 1.0])
    exposure = np.array([1.0, 1.0, 0.5, 1.0])
    s = CurveSamples("x", Time("2003-03-15T00:00:00", scale="tt"), time, width, rate, error,
                     exposure)
    new = rebin(s, factor=2).samples
    np.testing.assert_allclose(new.rate, [15.0, (15.0 + 50.0) / 1.5])
    np.testing.assert_allclose(new.error, [5.0 / 2, np.hypot(0.5, 1.0) / 1.5])
    np.testing.assert_allclose(new.time, [1.0, 3.0])


def test_no_rebinning_below_the_native_bin_and_bad_bins_refused():
    samples, _ = _poisson_curve()
    same = rebin(samples, factor=1)
    assert same.samples is samples and same.describe() == "50 ms bins (native)"
    with pytest.raises(ValueError, match="positive"):
        rebin(samples, bin_width=-1)
    with pytest.raises(ValueError, match="either factor"):
        rebin(samples)


# --- the time axis ----------------------------------------------------------------------------------
def _isgri_like(n=50, start_ijd=1170.0, bin_d=300 / 86400):
    data = np.zeros(n, dtype=[("TIME", ">f8"), ("TIMEDEL", ">f8"), ("RATE", ">f4"),
                              ("ERROR", ">f4"), ("FRACEXP", ">f4")])
    data["TIME"] = start_ijd + (np.arange(n) + 0.5) * bin_d
    data["TIMEDEL"] = bin_d
    data["RATE"] = 10 + np.arange(n)
    data["ERROR"] = 1.0
    data["FRACEXP"] = 0.95
    hdu = fits.BinTableHDU(data, name="ISGR-SRC.-LCR")
    for name, unit in (("TIME", "d"), ("TIMEDEL", "d"), ("RATE", "count/s"),
                       ("ERROR", "count/s")):
        hdu.columns.change_unit(name, unit)
    hdu.header.update({"MJDREF": 51544.0, "TIMESYS": "TT", "TIMEUNIT": "d", "NAME": "Src A"})
    return LightCurve("isgri_lc", fits.HDUList([fits.PrimaryHDU(), hdu]),
                      {"src_name": "Src A", "rate": "RATE", "rate_err": "ERROR"})


def test_samples_read_from_an_isgri_light_curve_agree_with_astropy_time():
    lc = _isgri_like()
    s = CurveSamples.from_light_curve(lc)
    assert s.source == "Src A" and s.rate_unit == "count/s"
    np.testing.assert_allclose(s.width, 300.0)
    np.testing.assert_allclose(s.exposure, 300.0 * 0.95, rtol=1e-6)
    np.testing.assert_allclose((s.times() - lc.time).sec, 0.0, atol=1e-6)


def test_every_axis_agrees_with_astropy_time():
    lc = _isgri_like()
    s = CurveSamples.from_light_curve(lc)
    t1 = Time("2003-03-15T23:27:40", scale="utc")
    axis = TimeAxis(s.reference, t1)
    times = lc.time                                   # TT, from the header, by astropy
    utc = axis.to_axis(s.time, "utc")
    assert list(np.datetime_as_string(utc, unit="ms")) == list(times.utc.isot)
    np.testing.assert_allclose(axis.to_axis(s.time, "mjd"), times.utc.mjd, rtol=0, atol=1e-10)
    np.testing.assert_allclose(axis.to_axis(s.time, "t1"), (times - t1).sec, atol=1e-6)
    for mode in ("utc", "mjd", "t1"):
        back = axis.from_axis(axis.to_axis(s.time, mode), mode)
        np.testing.assert_allclose(back, s.time, atol=1e-5)
    with pytest.raises(ValueError, match="utc, mjd, t1"):
        axis.to_axis(s.time, "jd")


def test_seconds_since_t1_count_the_leap_second_utc_dates_do_not():
    # 2008-12-31T23:59:60 was a leap second
    reference = Time("2008-12-31T23:59:00", scale="utc").tt
    axis = TimeAxis(reference, Time("2008-12-31T23:59:00", scale="utc"))
    seconds = np.array([0.0, 120.0])
    assert list(axis.to_axis(seconds, "t1")) == [0.0, 120.0]
    dates = np.datetime_as_string(axis.to_axis(seconds, "utc"), unit="s")
    assert list(dates) == ["2008-12-31T23:59:00", "2009-01-01T00:00:59"]
    assert (axis.to_time(seconds[1:]) - Time("2009-01-01T00:00:59", scale="utc")).sec == \
        pytest.approx(0.0, abs=1e-6)


@pytest.mark.shared
def test_the_real_jemx_light_curve_reads_with_its_times():
    with fits.open(JEMX_LC) as hdus:
        lc = LightCurve("jemx_lc", fits.HDUList([h.copy() for h in hdus]), {})
    s = CurveSamples.from_light_curve(lc)
    assert s.source == "GRB221009A" and len(s) == 198
    np.testing.assert_allclose((s.times() - lc.time).sec, 0.0, atol=1e-5)
    assert s.native_bin == pytest.approx(1000.0, abs=0.01)   # TIMEDEL 0.01157407 d


def test_a_light_curve_without_a_time_reference_is_refused_with_the_reason():
    lc = _isgri_like()
    del lc.hdu.header["MJDREF"]
    with pytest.raises(ValueError, match="no MJDREF"):
        CurveSamples.from_light_curve(lc)


def test_ranges_and_durations_in_words():
    start = Time("2003-03-15T23:40:00", scale="utc")
    assert range_text(start, start + TimeDelta(300, format="sec")) == \
        "2003-03-15T23:40:00 to 23:45:00, 300 s"
    assert range_text(start, start + TimeDelta(3600 * 2, format="sec")) == \
        "2003-03-15T23:40:00 to 2003-03-16T01:40:00, 7200 s (2 h)"
    assert range_text(start, start + TimeDelta(2.15, format="sec")) == \
        "2003-03-15T23:40:00.000 to 23:40:02.150, 2.15 s"
    assert duration_text(0.05) == "50 ms"
    assert duration_text(3 * 86400) == "3 d"
