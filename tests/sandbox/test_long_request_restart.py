"""A kernel restart in the middle of a long request: the same call afterwards finds the same jobs.

In a real kernel (registry under a temporary ``ODA_WIDGETS_HOME``) a long light-curve request of
four parts is submitted to a slow sandbox; once every part has its job id the kernel is
restarted, and the new kernel makes the same call. It must follow the same four jobs (their job
ids and submission times from disk: re-attached, not submitted again) and combine them; and
before that call, the registry's listing (what ``JobMonitor(dispatcher=...)`` shows) has the
request as one row over those four jobs.
"""

from __future__ import annotations

import ast

import pytest

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.sandbox

#: Seconds of analysis per science window: parts of 25 windows outlive the restart.
SECONDS_PER_SCW = 1.5

CALL = (
    "from oda_widgets.client.dispatcher import Dispatcher\n"
    "from oda_widgets.client.long.science_windows import archive_science_windows\n"
    "disp = Dispatcher(url={url!r})\n"
    "windows = [w.scw_id for w in archive_science_windows(disp._transport, '2008-01-01T00:00:00',"
    " '2008-12-31T00:00:00', 83.633, 22.0145, 10)][:100]\n"
    "long_job = disp.submit_long('isgri', 'isgri_lc', scw_list=windows, per_job=25,"
    " time_bin=1000, RA=83.633, DEC=22.0145, src_name='Crab')\n"
)


@pytest.fixture
def slow_sandbox():
    server = start_sandbox(port=0, duration=SECONDS_PER_SCW)
    yield server
    server.stop()


def test_a_restart_in_the_middle_reattaches_to_the_same_jobs(slow_sandbox, kernel):
    kernel.run(CALL.format(url=slow_sandbox.url))
    kernel.wait_until("all(p.job.job_id for p in long_job.parts)")
    before = ast.literal_eval(kernel.run(
        "[(p.job.job_id, p.job.submitted_at) for p in long_job.parts]"))
    assert kernel.run("long_job.is_finished") == "False", "the request must outlive the kernel"
    assert len(list((kernel.home / "long").glob("*.json"))) == 1

    kernel.restart()

    # listed again from disk, before any call: the request is one row over its four jobs
    kernel.run(
        "from oda_widgets.client.dispatcher import Dispatcher\n"
        "from oda_widgets import JobMonitor\n"
        f"listed = Dispatcher(url={slow_sandbox.url!r}).jobs()\n"
        "monitor = JobMonitor(jobs=listed)\n"
    )
    assert kernel.run("[type(job).__name__ for job in listed]") == "['LongJob']"
    assert ast.literal_eval(kernel.run("[p.job.job_id for p in listed[0].parts]")) == [
        job_id for job_id, _ in before]
    assert kernel.run("len(monitor.jobs), len(listed[0].part_rows())") == "(1, 4)"

    kernel.run(CALL.format(url=slow_sandbox.url))
    after = ast.literal_eval(kernel.run(
        "[(p.job.job_id, p.job.submitted_at) for p in long_job.parts]"))
    assert [job_id for job_id, _ in after] == [job_id for job_id, _ in before]
    # found again from the registry (their submission times are the first kernel's), not
    # submitted anew
    assert [at for _, at in after] == pytest.approx([at for _, at in before])
    assert kernel.run("[p.reattached for p in long_job.parts]") == "[True, True, True, True]"
    assert kernel.run("[p.attempts for p in long_job.parts]") == "[1, 1, 1, 1]"

    kernel.wait_until("long_job.is_finished", timeout=300)  # a hang guard
    assert kernel.run("long_job.status.value") == "'done'"
    assert kernel.run("long_job.result(0).complete") == "True"
    assert kernel.run("long_job.result(0).light_curves['Crab'].hdu.header['NPARTS']") == "4"
    # the listed row follows the same parts to the same combined light curve
    kernel.wait_until("listed[0].is_finished", timeout=120)
    assert kernel.run("listed[0].result(0).light_curves['Crab'].hdu.header['NPARTS']") == "4"
