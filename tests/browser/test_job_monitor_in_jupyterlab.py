"""The JobMonitor in a real JupyterLab (and Voila), driven by Chromium against the harness's sandbox.

Five jobs of different lengths progress and finish in their rows while a sixth, hit by an injected
failure, shows the server's error; its retry then succeeds; stop and retry act on a running job;
open results reaches a registered viewer; the aggregate line is right at each step. Screenshots
are kept under ``test-output/browser/``.

The sandbox's jobs take SECONDS_PER_SCW per science window here: long enough for the states in
between (partial progress, a job still running when another fails, a job stopped and picked up
again) to be seen on a loaded two-core machine, where JupyterLab's first render, the poller and the
monitor's throttle (about one update per second) each take their time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SECONDS_PER_SCW = 2.0
MONITOR = ".oda-job-monitor"
WAIT = 120  # seconds to wait for a state the jobs are due to reach well before


@pytest.fixture
def slow_jobs(sandbox: Any) -> Iterator[Any]:
    """Make the harness's sandbox take SECONDS_PER_SCW per science window, for this test only."""
    before = sandbox.duration
    sandbox.set_duration(SECONDS_PER_SCW)
    try:
        yield sandbox
    finally:
        sandbox.set_duration(before)
        sandbox.set_faults(None)


def crab(year: int, pointings: int, product: str = "isgri_spectrum") -> dict:
    """A Crab query over ``year`` using ``pointings`` science windows (the sandbox has plenty)."""
    return {
        "instrument": "isgri", "product": product, "src_name": "Crab",
        "RA": 83.633, "DEC": 22.0145,
        "T1": f"{year}-01-01T00:00:00", "T2": f"{year}-12-31T23:59:59",
        "max_pointings": pointings,
    }


SETUP = (
    "import ipywidgets as widgets\n"
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "from oda_widgets.widgets import JobMonitor\n"
    "disp = Dispatcher(url='sandbox')\n"
    "monitor = JobMonitor(jobs=[], dispatcher=disp)\n"
    "opened = widgets.Label('nothing opened')\n"
    "monitor.on_results(lambda job, products: setattr(\n"
    "    opened, 'value', f'opened {job.product} {job.parameters[\"T1\"][:4]}: '\n"
    "    f'{\", \".join(sorted(products.spectra))}'))\n"
    "display(monitor, opened)\n"
)


# --- reading the monitor as the user sees it ------------------------------------------------------
SUMMARY = re.compile(
    r"(?P<done>\d+) of (?P<total>\d+) done, (?P<failed>\d+) failed"
    r"(?:, (?P<stopped>\d+) stopped)?, (?P<running>\d+) running"
)

# One read of the page, so the summary and the rows in a snapshot belong to the same moment.
SNAPSHOT_JS = """() => {
    const monitor = document.querySelector('.oda-job-monitor');
    if (!monitor) return null;
    const text = (root, selector) => {
        const found = root.querySelector(selector);
        return found ? found.textContent : '';
    };
    return {
        summary: text(monitor, '.oda-jm-summary'),
        rows: [...monitor.querySelectorAll('tr.oda-jm-row')].map(row => ({
            params: text(row, '.oda-jm-params'),
            status: text(row, '.oda-jm-status-text'),
            bar: text(row, '.oda-jm-bar-text'),
            job_id: text(row, '.oda-jm-job-id'),
            error: row.querySelector('details.oda-jm-error').hidden
                ? '' : text(row, '.oda-jm-error-message'),
            note: text(row, '.oda-jm-note'),
        })),
    };
}"""


@dataclass(frozen=True)
class Row:
    """What one row shows."""

    params: str
    status: str
    bar: str
    job_id: str
    error: str
    note: str

    @property
    def progress(self) -> tuple[int, int] | None:
        """``(k, n)`` from the bar's "k / n", None while no count is shown."""
        found = re.fullmatch(r"(\d+) / (\d+)", self.bar)
        return (int(found[1]), int(found[2])) if found else None


@dataclass(frozen=True)
class Snapshot:
    """The monitor's summary counts and rows, read at one moment."""

    summary: str
    rows: tuple[Row, ...]

    def counts(self) -> dict[str, int] | None:
        """The summary's numbers (``done``, ``total``, ``failed``, ``stopped``, ``running``)."""
        found = SUMMARY.fullmatch(self.summary.strip())
        if found is None:
            return None
        return {name: int(value or 0) for name, value in found.groupdict().items()}

    def running(self) -> int:
        counts = self.counts()
        return counts["running"] if counts else 0

    def row(self, year: int) -> Row | None:
        """The row of the job whose period starts in ``year``."""
        matching = [row for row in self.rows if f"{year}-01-01" in row.params]
        return matching[0] if len(matching) == 1 else None


def snapshot(lab: Any) -> Snapshot | None:
    raw = lab.page.evaluate(SNAPSHOT_JS)
    if raw is None:
        return None
    return Snapshot(raw["summary"], tuple(Row(**row) for row in raw["rows"]))


def wait_for_monitor(lab: Any, what: str, condition: Callable[[Snapshot], bool],
                     timeout: float = WAIT) -> Snapshot:
    """Wait until the monitor shows ``condition``; fail saying ``what`` and what was shown last."""
    deadline = time.monotonic() + timeout
    while True:
        seen = snapshot(lab)
        if seen is not None and condition(seen):
            return seen
        if time.monotonic() > deadline:
            pytest.fail(f"the monitor never showed {what} in {timeout:g} s; last shown: {seen}")
        lab.page.wait_for_timeout(200)  # a pause between reads, not a condition of the test


def summary_is(lab: Any, text: str, timeout: float = WAIT) -> Snapshot:
    """Wait until the summary line is exactly ``text``."""
    return wait_for_monitor(lab, f"the summary {text!r}",
                            lambda seen: seen.summary.strip() == text, timeout)


def row(lab: Any, year: int) -> Any:
    """A locator for the row of the job whose period starts in ``year`` (to click its buttons)."""
    return lab.page.locator(f"{MONITOR} tr.oda-jm-row", has_text=f"{year}-01-01")


# --- tests ------------------------------------------------------------------------------------------
GOOD = {2003: 2, 2004: 3, 2005: 4, 2006: 6, 2007: 8}  # year: science windows (4 to 16 s)
FAILING = 2008


def test_batch_progresses_fails_and_retries(lab, slow_jobs):
    slow_jobs.set_faults("isgri_lc:failed")
    queries = [crab(year, n) for year, n in GOOD.items()]
    queries.append(crab(FAILING, 2, product="isgri_lc"))
    lab.write_notebook("job_monitor_batch.ipynb", [SETUP, f"batch = monitor.submit_many({queries!r})"])
    lab.open_notebook("job_monitor_batch.ipynb")
    lab.run_all()

    # the notebook is free at once: both cells have run while jobs are still going
    seen = wait_for_monitor(lab, "six rows, some running",
                            lambda s: len(s.rows) == 6 and (s.counts() or {}).get("total") == 6
                            and s.running() > 0)
    assert all(seen.row(year) is not None for year in [*GOOD, FAILING]), seen

    # the failed job shows the server's message while the others are still going
    seen = wait_for_monitor(
        lab, "the failed row's error",
        lambda s: s.row(FAILING) is not None and s.row(FAILING).status == "failed",
    )
    failed_row = seen.row(FAILING)
    assert "isgri_lc" in failed_row.error, failed_row
    assert seen.running() > 0, f"every other job had finished when the failure showed: {seen}"
    assert seen.counts()["failed"] == 1, seen

    # a long job shows partial progress as "k / n" with 0 < k < n
    seen = wait_for_monitor(
        lab, "a running row with partial progress",
        lambda s: any(r.status == "running" and r.progress and 0 < r.progress[0] < r.progress[1]
                      for r in s.rows),
    )
    lab.screenshot("job_monitor_running")

    # the others go on and finish, each with all its science windows
    seen = summary_is(lab, "5 of 6 done, 1 failed, 0 running")
    for year, windows in GOOD.items():
        done_row = seen.row(year)
        assert done_row.status == "done", done_row
        assert done_row.bar == f"{windows} / {windows}", done_row
        assert re.fullmatch(r"[0-9a-f]{16}", done_row.job_id), done_row
        assert not done_row.error, done_row
    assert seen.row(FAILING).status == "failed"

    # the error's details open, as text
    failed = row(lab, FAILING)
    failed.locator(".oda-jm-error-message").click()
    failed.locator("details.oda-jm-error[open]").wait_for()
    assert failed.locator(".oda-jm-error img, .oda-jm-error script").count() == 0
    lab.screenshot("job_monitor_failed_row")

    # retry once the server is healthy again: the same row follows the new job to the end
    slow_jobs.set_faults(None)
    failed.locator("button.oda-jm-retry").click()
    seen = summary_is(lab, "6 of 6 done, 0 failed, 0 running")
    retried = seen.row(FAILING)
    assert "Attempt 2" in retried.note, retried
    assert retried.status == "done" and retried.bar == "2 / 2" and not retried.error, retried

    # open results reaches the viewer registered with on_results
    row(lab, 2004).locator("button.oda-jm-results").click()
    lab.wait_for_output_text("opened isgri_spectrum 2004: ", timeout=WAIT)
    assert "Crab" in lab.output("opened isgri_spectrum 2004").text_content()
    lab.screenshot("job_monitor_batch_done")


def test_stop_retry_and_remove(lab, slow_jobs):
    long_windows = 15  # 30 s on the server: time to stop it and pick it up again while it runs
    queries = [crab(2010, long_windows), crab(2011, 2)]
    lab.write_notebook("job_monitor_stop.ipynb", [SETUP, f"batch = monitor.submit_many({queries!r})"])
    lab.open_notebook("job_monitor_stop.ipynb")
    lab.run_all()
    wait_for_monitor(lab, "the long job running",
                     lambda s: s.row(2010) is not None and s.row(2010).status == "running")
    long_row = row(lab, 2010)
    long_row.locator("button.oda-jm-stop").click()
    seen = wait_for_monitor(lab, "the long job not followed",
                            lambda s: s.row(2010).status == "not followed")
    assert "may go on running on the server" in seen.row(2010).note
    assert long_row.locator("button.oda-jm-stop").is_hidden()
    summary_is(lab, "1 of 2 done, 0 failed, 1 stopped, 0 running")

    # retry: the server kept analysing, so the row picks the job up part-way, still running
    long_row.locator("button.oda-jm-retry").click()
    seen = wait_for_monitor(
        lab, "the retried job running part-way",
        lambda s: s.row(2010).status == "running" and s.row(2010).progress is not None
        and "Attempt 2" in s.row(2010).note,
    )
    k, n = seen.row(2010).progress
    assert 0 < k < n == long_windows, seen
    assert seen.summary.strip() == "1 of 2 done, 0 failed, 1 running", seen
    seen = summary_is(lab, "2 of 2 done, 0 failed, 0 running")
    assert seen.row(2010).bar == f"{long_windows} / {long_windows}"

    row(lab, 2011).locator("button.oda-jm-remove").click()
    seen = summary_is(lab, "1 of 1 done, 0 failed, 0 running")
    assert len(seen.rows) == 1 and seen.row(2011) is None
    lab.screenshot("job_monitor_stop_retry")


def test_monitor_renders_in_voila(lab, slow_jobs):
    queries = [crab(2012, 2), crab(2013, 3)]
    lab.write_notebook("job_monitor_voila.ipynb", [SETUP, f"batch = monitor.submit_many({queries!r})"])
    page = lab.page
    address = f"{lab.lab.url}/voila/render/job_monitor_voila.ipynb"
    response = page.goto(f"{address}?token={lab.lab.token}")
    if response is None or response.status == 404:
        pytest.fail(
            f"Voila did not answer at {address} (HTTP {response.status if response else 'none'}): "
            "voila is a test dependency; install it in the environment JupyterLab runs from "
            "(pip install 'voila>=0.5') so its server extension (voila.app) is enabled"
        )
    seen = summary_is(lab, "2 of 2 done, 0 failed, 0 running")
    assert len(seen.rows) == 2
    assert seen.row(2012).bar == "2 / 2" and seen.row(2013).bar == "3 / 3", seen
    lab.screenshot("job_monitor_voila")


def test_each_form_submit_adds_a_row(lab, slow_jobs):
    lab.write_notebook("job_monitor_form.ipynb", [
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        "from oda_widgets.widgets import JobMonitor, QueryForm\n"
        "form = QueryForm(Dispatcher(url='sandbox'), instrument='isgri', product='isgri_spectrum')\n"
        "monitor = JobMonitor(form=form)\n"
        "display(form, monitor)\n"
    ])
    lab.open_notebook("job_monitor_form.ipynb")
    lab.run_all()
    page = lab.page
    summary_is(lab, "0 of 0 done, 0 failed, 0 running")
    for name, value in (("src_name", "Crab"), ("RA", "83.633"), ("DEC", "22.0145"),
                        ("T1", "2005-01-01T00:00:00"), ("T2", "2005-12-31T23:59:59"),
                        ("max_pointings", "2")):
        page.locator(f".oda-form .oda-field-{name} input").fill(value)
    submit = page.locator(".oda-form .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$"))
    submit.click()
    wait_for_monitor(lab, "one row for 2005",
                     lambda s: len(s.rows) == 1 and s.row(2005) is not None)
    page.locator(".oda-form .oda-field-T1 input").fill("2006-01-01T00:00:00")
    page.locator(".oda-form .oda-field-T2 input").fill("2006-12-31T23:59:59")
    submit.click()
    seen = summary_is(lab, "2 of 2 done, 0 failed, 0 running")
    assert len(seen.rows) == 2
    assert seen.row(2005).bar == "2 / 2" and seen.row(2006).bar == "2 / 2", seen
    lab.screenshot("job_monitor_form")
