"""The Explorer on every instrument of today's platform, as a user drives it: pick the instrument
and a product in the form, fill it, press Submit, open the finished job, see its products.

One product per instrument, chosen for what it shows (a labelled light curve, picture and table;
a magnitude curve; a sky image and its picture). The dispatcher's built-in test instruments have
no data server behind them in the peer (but the progress one, done with no products): their
jobs are accepted, then fail on the server, and the
monitor shows each failure on its job, the server's words kept, with Retry and nothing to open.
Two asynchronous ones wait for a backend callback the peer never makes: their job is listed,
still running, with nothing to open and no error.
"""

from __future__ import annotations

import time

import pytest

import oda_widgets as ow
from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.products.kinds import BinaryProduct
from oda_widgets.client.products.light_curve import LightCurve

pytestmark = pytest.mark.mmoda

#: instrument -> (product, values typed into the form over its defaults)
FINISHING = {
    "nbexamples": ("product_label", {}),
    "nb2wtests": ("lightcurve", {}),
    "mmoda_derived": ("magic_image_public_dl3", {}),
    "example0": ("image", {}),
    "empty-async-return-progress": ("dummy", {}),
}
#: instrument -> (product, values typed): built-in test instruments, failing on the server
FAILING = {
    "empty": ("dummy", {"src_name": "Crab", "RA": 83.633, "DEC": 22.014}),
    "empty-with-posix-path": ("file_dummy", {"p": 7.0}),
    "empty-semi-async": ("dummy", {}),
}
#: asynchronous test instruments: their backend never calls back here
WAITING = {
    "empty-with-conf": "dummy",
    "empty-async": "dummy",
}


@pytest.fixture
def explorer(mmoda):
    explorer = ow.Explorer(dispatcher=mmoda)
    yield explorer
    explorer.close()


def _pick_and_submit(explorer, instrument: str, product: str, typed: dict):
    form = explorer.form
    form.instrument_select.value = instrument
    form.product_select.value = product
    assert (form.instrument, form.product) == (instrument, product)
    if typed:
        form.values = typed
    assert not form.submit_blocked_reason, form.submit_blocked_reason
    before = len(explorer.monitor.jobs)
    form.submit_button.click()
    assert len(explorer.monitor.jobs) == before + 1, form.status
    return explorer.monitor.jobs[-1]


def _shown(view, products, name: str, item) -> object | None:
    return (view.tables.get(name) or view.pictures.get(name) or view.texts.get(name)
            or (view.sky if item is products.image else None)
            or (view.light_curves if isinstance(item, LightCurve) else None)
            or (view.save_buttons.get(name) if isinstance(item, BinaryProduct) else None))


def _row(explorer, instrument: str, ready) -> dict:
    """The monitor's row of the instrument's job, once ``ready`` (rows are delivered throttled)."""
    deadline = time.monotonic() + 30
    while True:
        rows = [r for r in explorer.monitor.rows if r["instrument"] == instrument]
        if (rows and ready(rows[-1])) or time.monotonic() > deadline:
            assert rows, f"{instrument}: no row in the monitor"
            return rows[-1]
        time.sleep(0.2)


def test_every_instrument_is_picked_filled_submitted_and_opened(explorer, mmoda):
    assert set(FINISHING) | set(FAILING) | set(WAITING) <= set(mmoda.instruments())
    opened = {}
    for instrument, (product, typed) in FINISHING.items():
        job = _pick_and_submit(explorer, instrument, product, typed)
        assert job.wait(timeout=300) is JobStatus.DONE, f"{instrument}/{product}: {job.error}"
        for name, value in typed.items():
            assert job.parameters[name] == value
        explorer.monitor.open_results(job)  # what "Open results" does
        view = explorer.results[job.job_id]
        products = job.result(timeout=0)
        for name, item in products.items():
            assert _shown(view, products, name, item) is not None, \
                f"{instrument}/{product}: {name} ({item.kind}) is not shown"
        opened[instrument] = view
    assert len(explorer.tab_titles()) == len(FINISHING)
    assert not opened["empty-async-return-progress"].products  # its dummy product is empty

    # what each shows, in the words a user reads
    label = opened["nbexamples"]
    titles = [c.children[0].value for c in label.children
              if "oda-results-section" in getattr(c, "_dom_classes", ())]
    assert titles[:3] == ["Light curve", "Astropy table", "Picture"]
    assert opened["nb2wtests"].light_curves.y_axis.label == "Magnitude"
    assert opened["mmoda_derived"].sky is not None or opened["mmoda_derived"].pictures
    assert opened["example0"].sky is not None

    for instrument, (product, typed) in FAILING.items():
        job = _pick_and_submit(explorer, instrument, product, typed)
        assert job.wait(timeout=120) is JobStatus.FAILED, instrument
        for name, value in typed.items():
            assert job.parameters[name] == value
        row = _row(explorer, instrument, lambda r: r["finished"])
        assert row["error"] and row["can_retry"] and not row["can_open"], row

    for instrument, product in WAITING.items():
        job = _pick_and_submit(explorer, instrument, product, {})
        with pytest.raises(TimeoutError):
            job.wait(timeout=10)
        assert job.status is not JobStatus.FAILED and job.error is None
        row = _row(explorer, instrument, lambda r, job_id=job.job_id: r["job_id"] == job_id)
        assert not row["finished"] and not row["can_open"] and row["error"] is None, row
    assert len(explorer.tab_titles()) == len(FINISHING)  # nothing opened for them
