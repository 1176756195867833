"""Science windows of the simulated INTEGRAL schedule."""

import re

import pytest

from oda_widgets.sandbox.simulate.pointings import (
    NoPointings,
    ScienceWindow,
    revolution_at,
    science_windows,
)
from oda_widgets.sandbox.simulate.sky import angular_separation

pytestmark = pytest.mark.sandbox


def test_galactic_centre_query_of_march_2003_finds_pointings_within_the_radius():
    windows = science_windows("2003-03-15T00:00:00", "2003-03-16T00:00:00", 255.98, -37.84, 15.0,
                              50, None)
    assert windows
    for w in windows:
        assert isinstance(w, ScienceWindow)
        assert re.fullmatch(r"\d{12}\.001", w.scw_id)
        assert angular_separation(255.98, -37.84, w.ra, w.dec) <= 15.0
        assert w.start < w.stop
        assert 1500 <= w.exposure_s <= 3600
        assert int(w.scw_id[:4]) == revolution_at(w.start_mjd)
    assert [w.start for w in windows] == sorted(w.start for w in windows)


def test_science_windows_last_thirty_to_sixty_minutes_and_do_not_overlap():
    windows = science_windows("2003-03-15T00:00:00", "2003-03-16T00:00:00", 255.98, -37.84, 30.0,
                              100, None)
    for a, b in zip(windows, windows[1:], strict=False):
        assert a.stop_mjd <= b.start_mjd
    for w in windows:
        assert 30 * 60 <= (w.stop_mjd - w.start_mjd) * 86400 <= 60 * 60 + 1


def test_max_pointings_limits_and_spreads_the_selection():
    everything = science_windows("2003-01-01T00:00:00", "2010-01-01T00:00:00", 83.63, 22.01, 10.0,
                                 100000, None)
    limited = science_windows("2003-01-01T00:00:00", "2010-01-01T00:00:00", 83.63, 22.01, 10.0,
                              5, None)
    assert len(everything) > 5
    assert len(limited) == 5
    assert limited[0] == everything[0] and limited[-1] == everything[-1]


def test_an_explicit_scw_list_wins_and_maps_back_to_its_revolution():
    (window,) = science_windows("2003-03-15T00:00:00", "2003-03-16T00:00:00", 0.0, 0.0, 1.0, 1,
                                ["066500220010.001"])
    assert window.scw_id == "066500220010.001"
    assert window.revolution == 665
    assert window.start.startswith("2008-")
    # revolution 665 is a Crab programme
    assert angular_separation(83.63, 22.01, window.ra, window.dec) < 8


def test_no_pointing_in_range_raises_no_pointings_with_a_clear_message():
    with pytest.raises(NoPointings, match="scwlist empty") as caught:
        science_windows("2003-03-15T00:00:00", "2003-03-16T00:00:00", 83.6, 22.0, 2.0, 50, None)
    assert "radius" in caught.value.message


def test_malformed_and_unknown_scw_ids_raise_no_pointings():
    with pytest.raises(NoPointings, match="wrong format"):
        science_windows("", "", 0, 0, 1, 1, ["0665002200.001"])
    with pytest.raises(NoPointings, match="not in the archive"):
        science_windows("", "", 0, 0, 1, 1, ["066599990010.001"])


def test_the_schedule_is_deterministic():
    args = ("2004-01-01T00:00:00", "2004-02-01T00:00:00", 299.59, 35.2, 12.0, 20, None)
    assert science_windows(*args) == science_windows(*args)
