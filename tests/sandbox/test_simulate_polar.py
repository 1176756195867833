"""Simulated POLAR light curves and their ROOT file, shaped as the POLAR plugin answers."""

import base64
import io
import pickle

import numpy as np
import pytest
from astropy.time import Time
from support.sandbox_products import meta

from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.polar import BACKGROUND_RATE, EXAMPLE_BURST

uproot = pytest.importorskip("uproot", reason="the sandbox extra (uproot) is not installed")

pytestmark = pytest.mark.sandbox

# the user guide's quick-start query (seed flow A.6)
EXAMPLE = dict(T1="2016-12-18T08:32:21.000", T2="2016-12-18T08:34:01.000", time_bin=0.5)
QUIET = dict(T1="2016-11-02T10:00:00.000", T2="2016-11-02T10:20:00.000", time_bin=1.0)


def _answer(params):
    products = make_products("polar", "polar_lc", params, [])
    (light_curve,) = products["numpy_data_product_list"]
    (root,) = products["binary_data_product_list"]
    (unit,) = light_curve["data_unit_list"]
    table = pickle.loads(base64.b64decode(unit["binarys"]))
    return light_curve, unit, table, root


def test_one_table_and_one_bare_base64_root_file_as_the_plugin_sends():
    light_curve, unit, table, root = _answer(EXAMPLE)
    assert unit["name"] == "POLAR_LC" and unit["hdu_type"] == "bintable"
    assert table.dtype.names == ("rate", "rate_err", "time")
    assert type(table) is np.ndarray  # a plain array, as the plugin pickles it, not a FITS_rec
    assert light_curve["name"] is None
    assert meta(light_curve) == {"src_name": "lc", "time_bin": 0.5, "time": "time",
                                 "rate": "rate", "rate_err": "rate_err"}
    assert isinstance(root, str)  # the legacy BinaryData encoding: no name, no md5
    assert len(table) == 200 and table["time"][0] == 0.25 and table["time"][-1] == 99.75


def test_the_root_file_holds_the_same_light_curve():
    _, _, table, root = _answer(EXAMPLE)
    with uproot.open(io.BytesIO(base64.urlsafe_b64decode(root))) as f:
        arrays = f["lc"].arrays(library="np")
    for column in ("time", "rate", "rate_err"):
        np.testing.assert_array_equal(arrays[column], table[column])


def test_background_with_poisson_noise_and_the_example_burst_on_top():
    _, _, quiet, _ = _answer(QUIET)
    assert abs(np.mean(quiet["rate"]) / BACKGROUND_RATE - 1) < 0.2
    # counts per bin are Poisson: the scatter matches the quoted errors
    pulls = np.diff(quiet["rate"]) / np.hypot(quiet["rate_err"][1:], quiet["rate_err"][:-1])
    assert 0.8 < np.std(pulls) < 1.2
    _, _, example, _ = _answer(EXAMPLE)
    start = (EXAMPLE_BURST[0] - Time(EXAMPLE["T1"])).sec
    peak_time = example["time"][np.argmax(example["rate"])]
    assert start < peak_time < start + 10
    assert example["rate"].max() > 3 * np.median(example["rate"])


def test_outside_the_mission_is_refused_with_the_period_to_choose():
    with pytest.raises(ValueError, match="POLAR took data from 2016-09-22 to 2017-03-31"):
        make_products("polar", "polar_lc", dict(EXAMPLE, T1="2018-01-01T00:00:00.000",
                                                T2="2018-01-01T00:01:00.000"), [])


def test_same_query_same_light_curve():
    # the ROOT file records when it was written (as any ROOT file does); its contents repeat
    first, second = (make_products("polar", "polar_lc", EXAMPLE, []) for _ in range(2))
    assert first["numpy_data_product_list"] == second["numpy_data_product_list"]
