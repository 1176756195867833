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


def test_the_class_flow_through_tabs_linked_views_and_the_one_form(explorer, sandbox,
                                                                   monkeypatch):
    monkeypatch.setenv("ODA_WIDGETS_SANDBOX_URL", sandbox.url)
    image_job = _submit(explorer, "isgri_image")
    assert explorer.monitor.jobs == [image_job]
    explorer.monitor.open_results(image_job)  # what "Open results" does
    image = explorer.results[image_job.job_id]
    assert image.sky is not None and image.catalog_table is not None
    assert explorer.tab_titles() == ["isgri isgri_image · 4U 1700-377 · 2003-03-15 to 2003-03-16"]
    assert explorer.tab_labels() == ["ISGRI image · 4U 1700-377"]   # short; whole on hover
    assert explorer.tabs._buttons[0].tooltip == explorer.tab_titles()[0]
    assert not explorer.form_shown      # the results in view: the form folded to one line
    assert "isgri · isgri_image · 4U 1700-377" in explorer._form_summary.value
    assert explorer.open(image_job) is image  # opened once

    catalog = image.catalog
    removed = catalog.meta_ids[:2]
    image.catalog_table.delete_selected(removed)
    image.catalog_table.use_catalog()
    assert explorer.notice.value.startswith("Form changed:") and "2 removed" in \
        explorer.notice.value
    assert explorer.status == explorer.notice.value   # the notice shows the status
    kept = list(catalog.names)

    spectra_job = _submit(explorer, "isgri_spectrum")
    assert spectra_job.parameters["selected_catalog"]
    spectra = explorer.open(spectra_job)
    assert sorted(spectra.spectra.spectra) == sorted(kept)
    curves = explorer.open(_submit(explorer, "isgri_lc"))
    assert len(explorer.tab_titles()) == 3
    # the class query's light curves: the bin chosen for T1-T2 gives enough bins to see and brush
    assert all(len(lc.hdu.data) >= 20 for lc in curves.products.light_curves.values())
    assert explorer.tab_labels() == ["ISGRI image · 4U 1700-377", "ISGRI spectra · 4U 1700-377",
                                     "ISGRI light curves · 4U 1700-377"]

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
    # a notice lasts while it is true: T1 typed again, the light curve's notice goes
    explorer.form.values = {"T1": "2003-03-15T23:30:00.0"}
    assert explorer.notice.value == "" and explorer.status == ""
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
    assert row["note"].startswith(f"Share: {url} (The sandbox has no web front end")
    assert "QueryForm.from_url" in tab.link_note.value
    # and the link, opened in a browser, gets a page that says so instead of a 404
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as page:  # noqa: S310 - the local sandbox
        assert page.status == 200 and page.headers.get_content_type() == "text/plain"
        text = page.read().decode()
    assert "no web front end" in text and "isgri_spectrum" in text
    assert "QueryForm.from_url(" in text
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


def test_the_form_against_the_sandbox_says_things_in_plain_words(explorer):
    form = explorer.form
    form.values = dict(FIELD)
    # Check with the dispatcher: one sentence
    answer = form.check_with_dispatcher()
    assert answer is not None
    status = form.status_text
    assert status.startswith("The dispatcher accepts this query: isgri_image, 4U 1700-377")
    assert "\n" not in status and "{" not in status and len(status) < 300
    # a name the resolver does not know: said beside it, and the coordinates still submit
    assert form.resolve("No Such Source 123") is None
    assert "could not be resolved" in form.fields["src_name"].message.value
    assert form.fields["src_name"].error is None and not form.submit_button.disabled
    assert form.values["RA"] == FIELD["RA"]
    # a time range without INTEGRAL pointings: the failure in plain words, the server's kept
    form.values = {"T1": "1999-01-01T00:00:00.0", "T2": "1999-01-02T00:00:00.0"}
    job = form.submit()
    assert job is not None
    job.wait(timeout=60)
    status = form.status_text
    assert "No INTEGRAL pointings in this time range" in status
    assert "scwlist empty" in status
    explorer.monitor._publish()
    row = next(r for r in explorer.monitor.rows if r["job_id"] == job.job_id)
    assert row["error"]["plain"].startswith("No INTEGRAL pointings")
    assert "scwlist empty" in row["error"]["error_message"]
