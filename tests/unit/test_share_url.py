"""Share URLs: a job's MMODA web URL carries its query and no secret, and rebuilds the form."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from support.saved_descriptions import SavedDispatcher, sandbox_documents

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.jobs import Job
from oda_widgets.client.query.share import read_share_url, share_url
from oda_widgets.widgets import QueryForm

pytestmark = pytest.mark.unit

CATALOG = {
    "cat_frame": "fk5", "cat_coord_units": "deg",
    "cat_column_list": [[0, 1, 2], ["A", "B & C", "D"], [5.0, 6.0, 7.0], [1.0, 2.0, 3.0],
                        [4.0, 5.0, 6.0]],
    "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
    "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U5"], ["significance", "<f8"],
                         ["ra", "<f8"], ["dec", "<f8"]],
    "cat_lat_name": "dec", "cat_lon_name": "ra",
}
TOKEN = jwt.encode({"sub": "x"}, "throwaway-secret-of-thirty-two-bytes", algorithm="HS256")


def _job(form: QueryForm, url: str) -> Job:
    spec = form.dispatcher.describe(form.instrument)
    wire = spec.validate(form.product, form.parameters())
    return Job(form.instrument, form.product, "Real", wire, url=url, session_id="SESSION123",
               job_id="abcdef0123456789")


def test_the_url_is_mmodas_frontend_with_the_query_and_no_secret():
    url = share_url("https://www.astro.unige.ch/mmoda/dispatch-data", "isgri", "isgri_image",
                    "Real", {"RA": 83.63, "DEC": 22.01, "token": TOKEN, "session_id": "S",
                             "job_id": "J", "scw_list": ["066500220010.001", "066500230010.001"],
                             "E2_keV": None})
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.astro.unige.ch/mmoda"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {"RA": "83.63", "DEC": "22.01", "instrument": "isgri",
                     "product_type": "isgri_image", "query_type": "Real", "query_status": "new",
                     "scw_list": "066500220010.001,066500230010.001", "use_scws": "form_list"}
    assert list(query) == sorted(query)  # sorted, as the dispatcher sorts its own
    assert TOKEN not in url and "session_id" not in url and "job_id" not in url
    shared = read_share_url(url)
    assert shared.dispatcher_url == "https://www.astro.unige.ch/mmoda/dispatch-data"
    assert (shared.instrument, shared.product) == ("isgri", "isgri_image")


def test_a_form_round_trips_through_its_jobs_url_catalog_and_selection_included():
    dispatcher = SavedDispatcher(sandbox_documents())
    form = QueryForm(dispatcher, instrument="isgri", product="isgri_spectrum")
    form.values = {"RA": 265.97845833, "DEC": -29.74516667, "src_name": "1E 1740.7-2942",
                   "T1": "2003-03-15T23:27:40.0", "T2": "2003-03-16T00:03:15.0"}
    catalog = Catalog.from_dispatcher(CATALOG)
    catalog.remove([0])
    catalog.select([2])
    form.set_catalog(catalog, selected_only=True)
    job = _job(form, dispatcher.url)
    url = job.share_url()
    assert "selected_catalog" in url and "catalog_selected_objects=2" in url
    assert "SESSION123" not in url and "abcdef0123456789" not in url

    again = QueryForm.from_url(url, dispatcher=SavedDispatcher(sandbox_documents()))
    assert (again.instrument, again.product) == ("isgri", "isgri_spectrum")
    assert again.values == form.values
    sent = again.parameters()
    assert json.loads(sent["selected_catalog"]) == json.loads(job.parameters["selected_catalog"])
    assert sent["catalog_selected_objects"] == "2"  # only the row the sharer kept selected
    assert again.invalid == [] and again.url_ignored == []


def test_a_local_dispatcher_is_its_own_frontend():
    url = share_url("http://127.0.0.1:5000", "polar", "polar_lc", "Real", {"time_bin": 0.5})
    assert url.startswith("http://127.0.0.1:5000?")
    assert read_share_url(url).dispatcher_url == "http://127.0.0.1:5000"


@pytest.mark.parametrize("bad, words", [
    ("not a url", "whole MMODA share URL"),
    ("https://www.astro.unige.ch/mmoda?RA=1", "no instrument and no product_type"),
    ("https://www.astro.unige.ch/mmoda?instrument=isgri", "no product_type"),
])
def test_a_url_without_a_query_says_what_it_lacks(bad, words):
    with pytest.raises(ValueError, match=words):
        read_share_url(bad)
