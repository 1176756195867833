"""The Explorer against the sandbox over HTTP: jobs opened in tabs, views linked across tabs,
the form filled from them, and each tab's code and share link."""

from __future__ import annotations

import pytest
from astropy.time import Time

import oda_widgets as ow
from oda_widgets.client.dispatcher import Dispatcher

pytestmark = pytest.mark.sandbox

FIELD = dict(RA=255.986542, DEC=-37.844167, src_name="4U 1700-377",
             T1="2003-03-15T23:27:40.0", T2="2003-03-16T00:03:15.0")


@pytest.fixture
def explorer(sandbox):
    dispatcher = Dispatcher(url=sandbox.url, token="", registry=False)
    explorer = ow.Explorer(dispatcher=dispatcher, instrument="isgri", product="isgri_image")
    yield explorer
    explorer.close()
    dispatcher.close()


def _submit(explorer, product):
    form = explorer.form
    form.product_select.value = product
    form.values = dict(FIELD)
    job = form.submit()
    assert job is not None, form.submit_blocked_reason()
    job.result(timeout=120)
    return job


def test_the_class_flow_through_tabs_linked_views_and_the_one_form(explorer, sandbox):
    image_job = _submit(explorer, "isgri_image")
    assert explorer.monitor.jobs == [image_job]
    explorer.monitor.open_results(image_job)  # what "Open results" does
    image = explorer.results[image_job.job_id]
    assert image.sky is not None and image.catalog_table is not None
    assert explorer.tab_titles() == ["isgri isgri_image · 4U 1700-377 · 2003-03-15 to 2003-03-16"]
    assert explorer.open(image_job) is image  # opened once

    catalog = image.catalog
    removed = catalog.meta_ids[:2]
    image.catalog_table.delete_selected(removed)
    image.catalog_table.use_catalog()
    assert explorer.notice.value.startswith("Form changed:") and "2 removed" in \
        explorer.notice.value
    kept = list(catalog.names)

    spectra_job = _submit(explorer, "isgri_spectrum")
    assert spectra_job.parameters["selected_catalog"]
    spectra = explorer.open(spectra_job)
    assert sorted(spectra.spectra.spectra) == sorted(kept)
    curves = explorer.open(_submit(explorer, "isgri_lc"))
    assert len(explorer.tab_titles()) == 3

    # a source selected on the sky of the image tab is highlighted in the other tabs
    target = kept[1]
    image.sky.selected = [catalog.meta_ids[1]]
    assert spectra.spectra.highlighted == [target] == curves.light_curves.highlighted
    sizes = {k: m.points.default_size for k, m in spectra.spectra._marks.items()}
    assert sizes[target] > max(v for k, v in sizes.items() if k != target)

    # a time range from the light curve goes into the form, which says so
    lc = curves.light_curves
    start, stop = lc.visible_range
    lc.selected_range = (start + (stop - start) * 0.25, start + (stop - start) * 0.5)
    lc.use_button.click()
    t1 = Time(str(explorer.form.values["T1"]), scale="utc")
    assert abs((t1 - lc.selected_range[0]).sec) < 1
    assert "T1 is now" in explorer.notice.value and "(from a light curve)" in explorer.notice.value

    # the same from code: the notice follows what the views did to the form, not how
    explorer.notice.value = ""
    lc.selected_range = (start + (stop - start) * 0.5, start + (stop - start) * 0.75)
    lc.use_time_range(explorer.form)
    assert explorer.notice.value == (f"Form changed: T1 is now {explorer.form.values['T1']} and "
                                     f"T2 {explorer.form.values['T2']} (from a light curve)")
    image.catalog_table.use_catalog()
    assert explorer.notice.value.startswith("Form changed: The form sends this catalog")

    # each tab's code and share link: no secret, and the link rebuilds the query
    tab = explorer._tabs[spectra_job.job_id]
    assert "isgri_spectrum" in tab.show_code() and spectra_job.session_id not in tab.code.value
    url = tab.show_share()
    assert spectra_job.job_id not in url and spectra_job.session_id not in url
    again = ow.QueryForm.from_url(url, dispatcher=explorer.dispatcher)
    assert again.product == "isgri_spectrum"
    assert again.parameters()["selected_catalog"] == spectra_job.parameters["selected_catalog"]

    # the same from the job's row in the monitor, as text on the row
    assert explorer.monitor.share(spectra_job) == url
    row = next(r for r in explorer.monitor.rows if r["job_id"] == spectra_job.job_id)
    assert row["note"] == f"Share: {url}"
    assert explorer.monitor.show_code(spectra_job) == spectra_job.api_code()

    explorer.close_tab(spectra_job)
    assert spectra_job.job_id not in explorer.results and len(explorer.tab_titles()) == 2



def test_in_a_kernel_a_product_set_left_as_a_value_shows_as_its_view(kernel, sandbox):
    kernel.run(
        "import sys\n"
        "from IPython.utils.capture import capture_output\n"
        "import oda_widgets as ow\n"
        f"disp = ow.Dispatcher(url={sandbox.url!r}, token='', registry=False)\n"
        "polar = disp.submit('polar', 'polar_lc', T1='2016-12-18T08:32:21.000',\n"
        "                    T2='2016-12-18T08:34:01.000', time_bin=0.5).result(timeout=120)\n"
        "loaded_before = 'ipywidgets' in sys.modules\n"
        "with capture_output() as shown:\n"
        "    get_ipython().display_formatter.format(polar)\n"
    )
    # nothing of the widgets was loaded until the product was shown; then it showed as a widget
    assert kernel.run("loaded_before") == "False"
    assert kernel.run("[sorted(o.data) for o in shown.outputs]") == (
        "[['application/vnd.jupyter.widget-view+json', 'text/plain']]")
    assert kernel.run("type(shown.outputs[0]).__name__ and 'ipywidgets' in sys.modules") == "True"
