"""Long requests over HTTP: split into parts the sandbox accepts, recombined, retried, found again.

The sandbox enforces the INTEGRAL plugin's per-job limit (50 science windows without the
``unige-hpc-full`` role, refused with the dispatcher's words), serves the platform's time system
(the science windows of a range) and injects the dispatcher's "Failed to acquire lock" error.
"""

from __future__ import annotations

import numpy as np
import pytest

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.errors import Unauthorized
from oda_widgets.client.long.science_windows import archive_science_windows
from oda_widgets.sandbox.simulate.sky import get_source

pytestmark = pytest.mark.sandbox

CRAB = dict(RA=83.633, DEC=22.0145, src_name="Crab")
CRAB_2008 = dict(CRAB, T1="2008-01-01T00:00:00", T2="2008-12-31T00:00:00", radius=10)


@pytest.fixture
def disp(sandbox, tmp_path):
    dispatcher = Dispatcher(url=sandbox.url, token="", registry=tmp_path / "registry")
    yield dispatcher
    dispatcher.close()


def crab_windows(disp, count):
    windows = archive_science_windows(disp._transport, CRAB_2008["T1"], CRAB_2008["T2"],
                                      CRAB["RA"], CRAB["DEC"], 10)
    assert len(windows) >= count
    return [w.scw_id for w in windows[:count]]


def test_one_job_of_more_than_50_windows_is_refused_as_the_dispatcher_refuses_it(disp):
    job = disp.submit("isgri", "isgri_lc", scw_list=crab_windows(disp, 51), **CRAB)
    job.wait(60)
    assert isinstance(job.error, Unauthorized)
    assert "unige-hpc-full: it is needed to request > 50 ScW" in str(job.error)


def test_a_200_window_light_curve_equals_its_parts_requested_by_hand_bin_for_bin(disp):
    windows = crab_windows(disp, 200)
    long_job = disp.submit_long("isgri", "isgri_lc", scw_list=windows, time_bin=1000, **CRAB)
    assert [len(p.scw_list) for p in long_job.parts] == [50, 50, 50, 50]
    curve = long_job.result(timeout=300).light_curves["Crab"]

    by_hand = [disp.submit("isgri", "isgri_lc", scw_list=windows[i:i + 50], time_bin=1000,
                           **CRAB) for i in range(0, 200, 50)]
    parts = [job.result(timeout=300).light_curves["Crab"] for job in by_hand]
    concatenated = np.concatenate([np.asarray(p.hdu.data) for p in parts])
    stitched = np.asarray(curve.hdu.data)
    assert stitched.dtype.names == concatenated.dtype.names
    for column in stitched.dtype.names:
        assert np.array_equal(stitched[column], concatenated[column]), column
    assert np.all(np.diff(stitched["TIME"]) > 0)
    # each part's exposure is kept, and said part by part
    header = curve.hdu.header
    assert header["ONTIME"] == pytest.approx(sum(p.hdu.header["ONTIME"] for p in parts))
    assert header["TSTART"] == parts[0].hdu.header["TSTART"]
    assert header["TSTOP"] == parts[-1].hdu.header["TSTOP"]
    table = curve.hdulist["PARTS"].data
    assert list(table["LABEL"]) == [job.job_id for job in by_hand]
    assert list(table["NBINS"]) == [len(p.hdu.data) for p in parts]
    # the same jobs: the dispatcher names a job after its request
    assert [p.job.job_id for p in long_job.parts] == [job.job_id for job in by_hand]


def test_a_range_is_split_from_the_time_system_and_by_revolution(disp):
    long_job = disp.submit_long("isgri", "isgri_lc", by="revolution", time_bin=1000,
                                **CRAB_2008)
    revolutions = [{scw[:4] for scw in part.scw_list} for part in long_job.parts]
    assert all(len(r) == 1 for r in revolutions)
    assert all(len(p.scw_list) <= 50 for p in long_job.parts)
    windows = [scw for part in long_job.parts for scw in part.scw_list]
    assert windows == crab_windows(disp, len(windows))  # every window of the range, in order
    curve = long_job.result(timeout=300).light_curves["Crab"]
    assert curve.hdu.header["NPARTS"] == len(long_job.parts)


def test_two_halves_of_a_spectrum_sum_to_the_whole_within_statistics(disp):
    pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")
    windows = crab_windows(disp, 40)
    whole = disp.submit("isgri", "isgri_spectrum", scw_list=windows, **CRAB).result(300)
    halves = disp.submit_long("isgri", "isgri_spectrum", scw_list=windows, per_job=20, **CRAB)
    assert [len(p.scw_list) for p in halves.parts] == [20, 20]
    summed = halves.result(timeout=300).spectra["Crab"]
    one, two = (p.job.result(0).spectra["Crab"] for p in halves.parts)
    exposure = [s.pha["SPECTRUM"].header["EXPOSURE"] for s in (one, two)]
    assert summed.pha["SPECTRUM"].header["EXPOSURE"] == pytest.approx(sum(exposure))
    assert summed.pha["SPECTRUM"].header["EXPOSURE"] == pytest.approx(
        whole.spectra["Crab"].pha["SPECTRUM"].header["EXPOSURE"], rel=1e-6)

    a, b = summed.pha["SPECTRUM"].data, whole.spectra["Crab"].pha["SPECTRUM"].data
    # the exposure-weighted rate and its error, channel by channel
    weights = np.array(exposure) / sum(exposure)
    halves_rate = np.array([s.pha["SPECTRUM"].data["RATE"] for s in (one, two)])
    halves_error = np.array([s.pha["SPECTRUM"].data["STAT_ERR"] for s in (one, two)])
    assert np.allclose(a["RATE"], weights @ halves_rate, rtol=1e-5)
    assert np.allclose(a["STAT_ERR"], np.sqrt((weights**2) @ halves_error**2), rtol=1e-5)
    # against the whole (another draw of the same sky): the differences scatter as the errors say
    pulls = (a["RATE"] - b["RATE"]) / np.hypot(a["STAT_ERR"], b["STAT_ERR"])
    good = np.isfinite(pulls)
    assert 0.7 < np.std(pulls[good]) < 1.3 and abs(np.mean(pulls[good])) < 0.2
    # and the fitted index agrees with the whole's and with the sky's
    fit_sum = summed.fit("powerlaw", (20, 300), 0.01)
    fit_whole = whole.spectra["Crab"].fit("powerlaw", (20, 300), 0.01)
    (g1, e1), (g2, e2) = fit_sum.values["index"], fit_whole.values["index"]
    assert abs(g1 - g2) < 3 * np.hypot(e1, e2)
    assert abs(g1 - get_source("Crab")["photon_index"]) < 3 * e1


def test_a_part_that_fails_once_is_retried_and_the_combination_completes(disp, sandbox):
    sandbox.set_faults("isgri_lc:times=1:lock")
    try:
        long_job = disp.submit_long("isgri", "isgri_lc", scw_list=crab_windows(disp, 100),
                                    time_bin=1000, retry_delay=0.2, **CRAB)
        products = long_job.result(timeout=300)
    finally:
        sandbox.set_faults(None)
    retried = [p for p in long_job.parts if p.attempts == 2]
    assert len(retried) == 1 and all(p.attempts == 1 for p in long_job.parts if p not in retried)
    assert "Failed to acquire lock for directory" in retried[0].errors[0]
    assert products.complete and products.missing == []
    assert products.light_curves["Crab"].hdu.header["NPARTS"] == 2


def test_a_part_that_keeps_failing_is_shown_and_the_rest_is_combined(disp, sandbox):
    sandbox.set_faults("isgri_lc:times=1:failed")
    try:
        long_job = disp.submit_long("isgri", "isgri_lc", scw_list=crab_windows(disp, 150),
                                    time_bin=1000, max_attempts=1, **CRAB)
        products = long_job.result(timeout=300)
    finally:
        sandbox.set_faults(None)
    # one part met the fault and may not be tried again: it is missing, the others combined
    failed = [p for p in long_job.parts if p.status == "failed"]
    assert len(failed) == 1 and failed[0].attempts == 1
    assert len(products.missing) == 1 and failed[0].label in products.missing[0]
    assert products.light_curves["Crab"].hdu.header["NPARTS"] == 2
    rows = long_job.part_rows()
    assert [r["status"] for r in rows].count("failed") == 1
    assert "failed" in next(r["error"] for r in rows if r["status"] == "failed")
    # a monitor shows the request as one row with its parts; Retry submits only the failed part
    from oda_widgets.widgets.job_monitor import JobMonitor

    monitor = JobMonitor(long_job, dispatcher=disp)
    (row,) = monitor.rows
    assert row["status"] == "done" and [p["status"] for p in row["parts"]].count("done") == 2
    again = monitor.retry(long_job)
    assert again is not long_job and monitor.jobs == [again]
    products = again.result(timeout=300)
    assert products.complete and products.light_curves["Crab"].hdu.header["NPARTS"] == 3
    assert sorted(p.attempts for p in again.parts) == [1, 1, 2]
    assert [p.reattached for p in again.parts].count(True) == 2
    monitor.close()


def test_a_request_whose_every_part_fails_fails_naming_each_part(disp, sandbox):
    sandbox.set_faults("isgri_lc:failed")
    try:
        long_job = disp.submit_long("isgri", "isgri_lc", scw_list=crab_windows(disp, 100),
                                    time_bin=1000, max_attempts=2, retry_delay=0.1, **CRAB)
        long_job.wait(300)
    finally:
        sandbox.set_faults(None)
    assert long_job.status.value == "failed"
    assert [p.attempts for p in long_job.parts] == [2, 2]  # each tried again once, then shown
    message = str(long_job.error)
    assert "no part finished" in message
    for part in long_job.parts:
        assert part.label in message and part.status == "failed"
    with pytest.raises(Exception, match="no part finished"):
        long_job.result(timeout=1)


def test_a_mosaic_is_summed_on_one_grid_and_its_catalogs_merged(disp):
    windows = crab_windows(disp, 100)
    products = disp.submit_long("isgri", "isgri_image", scw_list=windows, E1_keV=20, E2_keV=40,
                                **CRAB).result(timeout=300)
    image, catalog = products.image, products.catalog
    parts = [disp.submit("isgri", "isgri_image", scw_list=windows[i:i + 50], E1_keV=20,
                         E2_keV=40, **CRAB).result(300) for i in (0, 50)]
    crab = catalog.table[[n == "Crab" for n in catalog.names]]
    assert len(crab) == 1  # found in both parts, kept once
    part_sig = [p.catalog.table[[n == "Crab" for n in p.catalog.names]]["significance"][0]
                for p in parts]
    # the combined significance is the combined map's: about sqrt(2) x each half's
    assert crab["significance"][0] > max(part_sig)
    assert image.significance.shape[0] >= parts[0].image.significance.shape[0]
    x, y = image.wcs.world_to_pixel_values(83.633, 22.0145)
    assert image.significance[int(round(float(y))), int(round(float(x)))] == pytest.approx(
        crab["significance"][0])
    exposure = image.extension("EXPOSURE").data
    assert exposure.max() > max(p.image.extension("EXPOSURE").data.max() for p in parts)
    assert len(set(catalog.meta_ids)) == len(catalog)
    assert catalog.duplicate_ids() == set()


def test_the_form_offers_to_split_a_list_longer_than_one_job_takes(disp):
    from oda_widgets.widgets.form import QueryForm

    form = QueryForm(disp, instrument="isgri", product="isgri_lc")
    offer = form.long_offer
    assert offer.layout.display == "none"  # the default query fits in one job
    form.values = {"scw_list": ",".join(crab_windows(disp, 120)), "RA": 83.633,
                   "DEC": 22.0145, "src_name": "Crab"}
    assert offer.layout.display == "flex" and offer.button.description == "Split into 3 jobs"
    assert "120 science windows: one job takes at most 50" in offer.text.value
    submitted = []
    form.on_submit(submitted.append)
    offer.button.click()
    (long_job,) = submitted
    assert form.last_job is long_job and "Submitted as 3 jobs" in form.status_text
    assert long_job.result(timeout=300).light_curves["Crab"].hdu.header["NPARTS"] == 3
