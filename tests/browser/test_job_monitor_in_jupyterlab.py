"""The JobMonitor in a real JupyterLab (and Voila), driven by Chromium against the harness's sandbox.

Five jobs of different lengths progress and finish in their rows while one, hit by an injected
failure, shows the server's error; its retry then succeeds; stop and retry act on a running job;
open results reaches a registered viewer; the aggregate line is right at each step. Screenshots
are kept under ``test-output/browser/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.browser

SECONDS_PER_SCW = 0.3
MONITOR = ".oda-job-monitor"


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


def summary_is(lab: Any, text: str, timeout: float = 90) -> None:
    lab.page.locator(f"{MONITOR} .oda-jm-summary", has_text=text).wait_for(timeout=timeout * 1000)


def row(lab: Any, year: int) -> Any:
    """The row of the job whose period starts in ``year``."""
    return lab.page.locator(f"{MONITOR} tr.oda-jm-row", has_text=f"{year}-01-01")


def test_batch_progresses_fails_and_retries(lab, slow_jobs):
    slow_jobs.set_faults("isgri_lc:failed")
    queries = [crab(2003, 4), crab(2004, 8), crab(2005, 14), crab(2006, 20),
               crab(2007, 3, product="isgri_lc")]
    lab.write_notebook("job_monitor_batch.ipynb", [SETUP, f"batch = monitor.submit_many({queries!r})"])
    lab.open_notebook("job_monitor_batch.ipynb")
    lab.run_all()
    # the notebook is free at once: both cells have run while every job is still going
    summary_is(lab, "of 5 done")
    assert lab.page.locator(f"{MONITOR} tr.oda-jm-row").count() == 5

    # a long job shows partial progress as "k / n" with 0 < k < n
    lab.page.wait_for_function(
        """() => [...document.querySelectorAll('.oda-job-monitor tr.oda-jm-row')].some(r => {
               const m = /^(\\d+) \\/ (\\d+)$/.exec(r.querySelector('.oda-jm-bar-text').textContent);
               return m && +m[1] > 0 && +m[1] < +m[2]
                   && r.querySelector('.oda-jm-status-text').textContent === 'running';
           })""",
        timeout=60000,
    )
    lab.screenshot("job_monitor_running")

    # the failed job shows the server's message while the others go on and finish
    failed = row(lab, 2007)
    failed.locator(".oda-jm-status-text", has_text="failed").wait_for()
    message = failed.locator(".oda-jm-error-message").text_content()
    assert message and "isgri_lc" in message
    summary_is(lab, "4 of 5 done, 1 failed, 0 running")
    for year in (2003, 2004, 2005, 2006):
        done_row = row(lab, year)
        assert done_row.locator(".oda-jm-status-text").text_content() == "done"
        assert re.fullmatch(r"(\d+) / \1", done_row.locator(".oda-jm-bar-text").text_content())
        assert re.fullmatch(r"[0-9a-f]{8,}", done_row.locator(".oda-jm-job-id").text_content())
    # the error's details open as text
    failed.locator(".oda-jm-error-message").click()
    assert failed.locator("details.oda-jm-error").get_attribute("open") is not None
    assert failed.locator(".oda-jm-error img, .oda-jm-error script").count() == 0
    lab.screenshot("job_monitor_failed_row")

    # retry once the server is healthy again: the same row follows the new job to the end
    slow_jobs.set_faults(None)
    failed.locator("button.oda-jm-retry").click()
    summary_is(lab, "5 of 5 done, 0 failed, 0 running")
    assert "Attempt 2" in row(lab, 2007).locator(".oda-jm-note").text_content()

    # open results reaches the viewer registered with on_results
    row(lab, 2004).locator("button.oda-jm-results").click()
    lab.wait_for_output_text("opened isgri_spectrum 2004: ")
    assert "Crab" in lab.output("opened isgri_spectrum 2004").text_content()
    lab.screenshot("job_monitor_batch_done")


def test_stop_retry_and_remove(lab, slow_jobs):
    queries = [crab(2010, 30), crab(2011, 2)]
    lab.write_notebook("job_monitor_stop.ipynb", [SETUP, f"batch = monitor.submit_many({queries!r})"])
    lab.open_notebook("job_monitor_stop.ipynb")
    lab.run_all()
    long_row = row(lab, 2010)
    long_row.locator("button.oda-jm-stop").wait_for()
    long_row.locator("button.oda-jm-stop").click()
    long_row.locator(".oda-jm-status-text", has_text="not followed").wait_for()
    assert "may go on running on the server" in long_row.locator(".oda-jm-note").text_content()
    assert long_row.locator("button.oda-jm-stop").is_hidden()
    summary_is(lab, "1 of 2 done, 0 failed, 1 stopped, 0 running")

    long_row.locator("button.oda-jm-retry").click()
    long_row.locator(".oda-jm-status-text", has_text=re.compile("submitted|running")).wait_for()
    summary_is(lab, "1 of 2 done, 0 failed, 1 running")
    summary_is(lab, "2 of 2 done, 0 failed, 0 running", timeout=120)

    row(lab, 2011).locator("button.oda-jm-remove").click()
    summary_is(lab, "1 of 1 done, 0 failed, 0 running")
    assert row(lab, 2011).count() == 0
    lab.screenshot("job_monitor_stop_retry")


def test_monitor_renders_in_voila(lab, slow_jobs):
    queries = [crab(2012, 3), crab(2013, 6)]
    lab.write_notebook("job_monitor_voila.ipynb", [SETUP, f"batch = monitor.submit_many({queries!r})"])
    page = lab.page
    response = page.goto(f"{lab.lab.url}/voila/render/job_monitor_voila.ipynb?token={lab.lab.token}")
    if response is None or response.status == 404:
        pytest.skip("Voila's server extension is not enabled in the harness's JupyterLab")
    summary_is(lab, "2 of 2 done, 0 failed, 0 running", timeout=120)
    assert page.locator(f"{MONITOR} tr.oda-jm-row").count() == 2
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
    summary_is(lab, "0 of 0 done")
    for name, value in (("src_name", "Crab"), ("RA", "83.633"), ("DEC", "22.0145"),
                        ("T1", "2005-01-01T00:00:00"), ("T2", "2005-12-31T23:59:59"),
                        ("max_pointings", "5")):
        page.locator(f".oda-form .oda-field-{name} input").fill(value)
    submit = page.locator(".oda-form .oda-actions button", has_text=re.compile(r"^\s*Submit\s*$"))
    submit.click()
    summary_is(lab, "of 1 done")
    page.locator(".oda-form .oda-field-T1 input").fill("2006-01-01T00:00:00")
    page.locator(".oda-form .oda-field-T2 input").fill("2006-12-31T23:59:59")
    submit.click()
    summary_is(lab, "2 of 2 done, 0 failed, 0 running", timeout=120)
    assert row(lab, 2005).count() == 1 and row(lab, 2006).count() == 1
    lab.screenshot("job_monitor_form")
