"""LightCurveView in the kernel: what it sends, the brush's range, the form's T1/T2, rebinning.

The light curves are the sandbox's simulated ISGRI and SPI-ACS products, decoded by the client as
they would be after a job; the form reads the sandbox's own description (see test_form.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time
from support.saved_descriptions import SavedDispatcher, sandbox_documents

import oda_widgets as ow
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.pointings import science_windows
from oda_widgets.widgets import LightCurveView, QueryForm

pytestmark = pytest.mark.unit

ISGRI = dict(RA=255.98, DEC=-37.84, T1="2003-03-15T23:27:40", T2="2003-03-16T02:00:00",
             E1_keV=25.0, E2_keV=80.0, time_bin=300.0, selected_catalog=None,
             catalog_selected_objects=None, src_name="OAO 1657-415")


@pytest.fixture(scope="module")
def isgri_curves():
    scws = science_windows(ISGRI["T1"], ISGRI["T2"], ISGRI["RA"], ISGRI["DEC"], 15.0, 50, None)
    products = decode_products(make_products("isgri", "isgri_lc", ISGRI, scws),
                               product="isgri_lc", instrument="isgri")
    return dict(list(products.light_curves.items())[:3])


@pytest.fixture(scope="module")
def spi_acs_curve():
    params = dict(T1="2008-03-01T00:00:00", T2="2008-03-01T06:00:00", time_bin=0.05,
                  RA=83.63, DEC=22.01)
    products = decode_products(make_products("spi_acs", "spi_acs_lc", params, []),
                               product="spi_acs_lc", instrument="spi_acs")
    return products.light_curves["query"]


@pytest.fixture
def form():
    return QueryForm(SavedDispatcher(sandbox_documents()), instrument="isgri", product="isgri_lc")


def test_the_public_name_and_the_curves_it_takes(isgri_curves):
    assert ow.LightCurveView is LightCurveView
    by_dict = LightCurveView(isgri_curves)
    by_list = LightCurveView(list(isgri_curves.values()))
    assert [t.description for t in by_dict.toggles] == list(isgri_curves)
    assert [t.description for t in by_list.toggles] == list(isgri_curves)
    with pytest.raises(ValueError, match="no light curves"):
        LightCurveView({})
    with pytest.raises(TypeError, match="products.light_curves"):
        LightCurveView(42)


def test_few_bins_are_sent_as_they_are_with_error_and_bin_width_bars(isgri_curves):
    view = LightCurveView(isgri_curves)
    for lc, points, bars in zip(isgri_curves.values(), view.points, view.bars, strict=True):
        rate = np.asarray(lc.hdu.data["RATE"], dtype=np.float32)
        np.testing.assert_array_equal(points.y, rate)
        n = len(rate)
        error = np.asarray(lc.hdu.data["ERROR"], dtype=float)
        np.testing.assert_allclose(bars.y[2:3 * n:3] - bars.y[1:3 * n:3], 2 * error, rtol=1e-5)
        assert np.isnan(bars.y[0::3]).all()
        # then a horizontal bar per bin, as wide as the bin (TIMEDEL, in days)
        ms = bars.x[3 * n:].astype("datetime64[ms]").astype(float)
        widths = ms[2::3] - ms[1::3]
        np.testing.assert_allclose(widths, lc.hdu.data["TIMEDEL"] * 86400e3, rtol=1e-6)
        np.testing.assert_array_equal(bars.y[3 * n + 1::3], rate)
    assert view.y_axis.label == "Rate (count/s)"
    assert "all drawn" in view.info.value


def test_the_line_through_the_bins_breaks_at_every_gap():
    # 60 s bins: the slews between the three science windows leave empty bins
    params = {**ISGRI, "time_bin": 60.0}
    scws = science_windows(params["T1"], params["T2"], params["RA"], params["DEC"], 15.0, 50, None)
    products = decode_products(make_products("isgri", "isgri_lc", params, scws),
                               product="isgri_lc", instrument="isgri")
    lc = next(iter(products.light_curves.values()))
    view = LightCurveView({"one": lc})
    time = np.asarray(lc.hdu.data["TIME"]) * 86400
    half = np.asarray(lc.hdu.data["TIMEDEL"]) * 86400 / 2
    gaps = int(np.sum((time[1:] - half[1:]) - (time[:-1] + half[:-1]) > 1.0))
    assert gaps >= 1, "the sandbox's windows have slews between them"
    y = view.lines[0].y
    assert int(np.isnan(y).sum()) == gaps
    # and no NaN inside a run of adjacent bins
    assert len(y) == len(time) + gaps


def test_rate_ticks_are_round_numbers_with_one_precision_and_the_axis_ends_on_them(isgri_curves):
    from oda_widgets.widgets.light_curve import nice_ticks

    view = LightCurveView(isgri_curves)
    ticks = np.asarray(view.y_axis.tick_values)
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0]) and 3 <= len(ticks) <= 8
    assert view.y_scale.min == ticks[0] and view.y_scale.max == ticks[-1]
    decimals = int(view.y_axis.tick_format.split(".")[1][0])
    assert all(f"{t:.{decimals}f}" == f"{round(t, decimals):.{decimals}f}" for t in ticks)
    assert nice_ticks(0.3, 17.6)[0].tolist() == [0.0, 5.0, 10.0, 15.0, 20.0]
    assert nice_ticks(0.012, 0.047)[0].tolist() == [0.01, 0.02, 0.03, 0.04, 0.05]
    assert nice_ticks(0.012, 0.047)[1] == 2


def test_a_million_samples_are_sent_as_column_extremes_and_redrawn_on_zoom(spi_acs_curve):
    view = LightCurveView(spi_acs_curve, columns=500)
    n = len(spi_acs_curve.hdu.data)
    assert n == 432_000
    assert len(view.lines[0].y) <= 2 * 500 + 2
    assert view.lines[0].y.max() == pytest.approx(spi_acs_curve.hdu.data["RATE"].max())
    assert 10_000 < view.last_redraw_bytes < 200_000
    start, stop = view.visible_range
    middle = start + (stop - start) / 2
    view.show_range(middle, middle + (stop - start) / 100)
    assert "; 4,320 samples, drawn as the minimum and maximum" in view.info.value
    assert "In view: 2008-03-01T03:00:00 to 03:03:36, 216 s" in view.info.value
    # the redraw covers half a width more on each side, for pans
    x = view.lines[0].x
    assert len(x) <= 2 * 2 * 500 + 2 and view.redraws == 2


def test_the_brushs_range_is_observable_as_astropy_times(isgri_curves):
    view = LightCurveView(isgri_curves)
    seen = []
    view.observe(lambda change: seen.append(change["new"]), names="selected_range")
    low = np.datetime64("2003-03-15T23:40:00.000")
    high = np.datetime64("2003-03-15T23:45:00.000")
    view.brush.selected = np.array([low, high])
    start, stop = view.selected_range
    assert isinstance(start, Time) and start.isot == "2003-03-15T23:40:00.000"
    assert stop.isot == "2003-03-15T23:45:00.000"
    assert seen == [view.selected_range]
    assert "2003-03-15T23:40:00 to 23:45:00, 300 s" in view.selection_text.value
    view.brush.selected = None
    assert view.selected_range is None and seen[-1] is None


def test_use_time_range_sets_t1_and_t2_in_isot_even_from_mjd(isgri_curves, form):
    view = LightCurveView(isgri_curves, form=form)
    with pytest.raises(ValueError, match="no time range is selected"):
        view.use_time_range(form)
    form.values = {"T_format": "mjd"}
    view.time_axis = "mjd"
    mjd = Time(["2003-03-15T23:40:00", "2003-03-15T23:45:00"], scale="utc").mjd
    view.brush.selected = np.array(mjd)
    t1, t2 = view.use_time_range(form)
    assert (t1, t2) == ("2003-03-15T23:40:00.000", "2003-03-15T23:45:00.000")
    assert form.values["T_format"] == "isot"
    assert form.parameters()["T1"] == t1 and form.parameters()["T2"] == t2
    assert not form.invalid
    # the button does the same and says so
    view.brush.selected = np.array(mjd) + 1 / 1440
    view.use_button.click()
    assert "2003-03-15T23:41:00.000 and 2003-03-15T23:46:00.000" in view.use_message.value
    assert form.values["T1"] == "2003-03-15T23:41:00.000"


def test_seconds_since_t1_and_its_brush(isgri_curves):
    t1 = Time("2003-03-15T23:27:40", scale="utc")
    view = LightCurveView(isgri_curves, t1=t1, time_axis="t1")
    assert view.x_axis.label == "Seconds since T1 = 2003-03-15T23:27:40.000"
    assert view.axis_buttons.value == "t1"
    view.brush.selected = np.array([600.0, 900.0])
    start, stop = view.selected_range
    assert (start - t1).sec == pytest.approx(600.0, abs=1e-6)
    assert (stop - start).sec == pytest.approx(300.0, abs=1e-6)


def test_rebinning_in_the_view_says_the_bin(isgri_curves):
    view = LightCurveView(isgri_curves)
    assert "300 s bins (native)" in view.bin_text.value
    native = [len(line.y) for line in view.lines]
    words = view.rebin(factor=4)
    assert words.startswith("1200 s bins (x4 of the native 300 s)")
    # the bin is said once; each source's partial bins are counted after it
    assert any(s.partial.any() for s in view._shown)    # the sandbox's curves end mid-bin
    listed = words.split("they hold): ")[1].split(", ")
    assert listed == [f"{c.source} {int(s.partial.sum())} of {len(s.partial)}"
                      for c, s in zip(view.curves, view._shown, strict=True)
                      if s.partial.any()]
    assert all(len(line.y) < n for line, n in zip(view.lines, native, strict=True))
    view.bin_seconds.value = -3
    view.bin_button.click()
    assert "positive" in view.bin_text.value
    assert view.rebin_select.options[0] == ("native", 1)


def test_toggles_hide_a_source_and_log_rates_leave_out_values_at_or_below_zero(isgri_curves):
    view = LightCurveView(isgri_curves)
    view.toggles[1].value = False
    assert not view.lines[1].visible and not view.bars[1].visible
    assert view.lines[0].visible
    view.log_rate = True
    assert view.rate_buttons.value is True
    assert all((line.y > 0).all() for line in view.lines)
    assert not view.lines[1].visible        # a rebuilt figure keeps the choice


@pytest.fixture
def updates(monkeypatch):
    """Every state update a widget sends after it opened: (its class name, the keys)."""
    import ipywidgets

    sent = []
    real = ipywidgets.Widget._send

    def recording(self, msg, buffers=None):
        if msg.get("method") == "update":
            sent.append((type(self).__name__, sorted(msg["state"])))
        return real(self, msg, buffers=buffers)

    monkeypatch.setattr(ipywidgets.Widget, "_send", recording)
    return sent


def _open_widgets() -> dict:
    # every open widget by its model id (``Widget.widgets`` is this table, deprecated)
    from ipywidgets.widgets.widget import _instances

    return dict(_instances)


def test_a_view_opens_its_figure_drawn_with_few_widgets_and_no_brush(isgri_curves, updates):
    from bqplot.interacts import BrushIntervalSelector

    before = _open_widgets()
    view = LightCurveView({"one": next(iter(isgri_curves.values()))})
    opened = [w for key, w in _open_widgets().items() if key not in before]
    # marks, scales and axes open holding the first drawing: none is sent a second time
    drawn = {"Lines", "Scatter", "Axis", "LinearScale", "DateScale", "LogScale"}
    assert [u for u in updates if u[0] in drawn] == []
    assert len(view.lines[0].y) > 0 and len(view.bars[0].y) > 0
    assert view.y_axis.tick_values is not None and view.x_axis.tick_format
    # the controls share their layouts and styles: a one-curve view opened 71 models before
    assert len(opened) <= 55, sorted(type(w).__name__ for w in opened)
    assert not any(isinstance(w, BrushIntervalSelector) for w in opened)
    # the brush is made on first use, and selects
    view.mode_buttons.value = "select"
    assert isinstance(view.figure.interaction, BrushIntervalSelector)
    view.figure.interaction.selected = np.array([np.datetime64("2003-03-15T23:40:00"),
                                                 np.datetime64("2003-03-15T23:45:00")])
    assert view.selected_range[0].isot == "2003-03-15T23:40:00.000"


def test_a_zoom_within_the_samples_the_browser_holds_sends_no_marks(isgri_curves, updates):
    view = LightCurveView(isgri_curves)
    held = [len(line.x) for line in view.lines]
    start, stop = view.visible_range
    updates.clear()
    view.show_range(start + (stop - start) / 4, stop - (stop - start) / 4)
    assert not [u for u in updates if u[0] in {"Lines", "Scatter"}]
    assert [len(line.x) for line in view.lines] == held and view.last_redraw_bytes == 0
    # the rate axis still fits what is in view, and the words say it
    assert any(u[0] == "LinearScale" for u in updates)
    assert "In view: 2003-03-16T00:19:29 to 01:31:59" in view.info.value
    # a rebinning is new data: sent
    updates.clear()
    view.rebin(factor=2)
    assert sum(u[0] == "Lines" for u in updates) == 2 * len(view.lines)


def test_a_new_axis_closes_the_old_figure_and_its_marks(isgri_curves):
    view = LightCurveView(isgri_curves)
    old_marks, old_figure = [*view.lines, *view.bars, *view.points], view.figure
    count = len(_open_widgets())
    view.time_axis = "mjd"
    assert old_figure.comm is None and all(mark.comm is None for mark in old_marks)
    view.time_axis = "utc"
    assert len(_open_widgets()) == count     # a view switched back and forth holds no more


def test_in_a_kernel_the_figure_goes_first_and_the_controls_follow(isgri_curves):
    import asyncio

    async def build():
        before = _open_widgets()
        view = LightCurveView(isgri_curves)
        first = [len(box.children) for box in (view.children[0], view.children[3])]
        opened = len([key for key in _open_widgets() if key not in before])
        figure = view.figure
        await asyncio.sleep(0)      # the kernel's next turn: the view was sent by then
        return view, first, opened, len([key for key in _open_widgets() if key not in before]), \
            figure

    view, first, opened, everything, figure = asyncio.run(build())
    assert first == [0, 0]          # the figure and its words travel alone, in few models
    assert view.status.startswith("300 s bins (native)\nIn view: ")   # once the controls came
    assert 2 * opened < everything
    above, drawn, info, below = view.children
    assert drawn is figure and "samples" in info.value
    assert list(above.children) == [view.controls, view.rebin_row, view.legend_row]
    assert list(below.children) == [view.selection_row]
    # a program that reaches for a control before then gets it at once
    async def early():
        view = LightCurveView(isgri_curves)
        view.rebin_select.value = 2
        return view

    view = asyncio.run(early())
    assert "600 s bins" in view.bin_text.value and len(view.children[0].children) == 3


def test_the_status_says_the_bin_what_is_drawn_and_the_range_selected(isgri_curves):
    view = LightCurveView(isgri_curves)
    seen: list[str] = []
    view.observe(lambda change: seen.append(change["new"]), names="status")
    assert view.status.startswith("300 s bins (native)\nIn view: ") and "all drawn" in view.status
    view.rebin(factor=4)
    assert view.status.startswith("1200 s bins (x4 of the native 300 s)")
    assert "300 s bins" not in view.status and seen and seen[-1] == view.status
    view.bin_seconds.value = -3
    view.bin_button.click()
    assert view.status.startswith("⚠ ") and "positive" in view.status.splitlines()[0]
    view.brush.selected = np.array([np.datetime64("2003-03-15T23:40:00.000"),
                                    np.datetime64("2003-03-15T23:45:00.000")])
    assert "Selected: 2003-03-15T23:40:00 to 23:45:00, 300 s" in view.status.splitlines()
    view.use_button.click()   # no form: the view says so, in its status too
    assert view.status.splitlines()[-1].startswith("⚠ No form to fill")
    assert "No form to fill" in view.use_message.value   # the line shows what status holds


def test_the_status_says_when_the_samples_are_decimated(spi_acs_curve):
    view = LightCurveView(spi_acs_curve, columns=200)
    assert "drawn as the minimum and maximum of each of 200 columns" in view.status
