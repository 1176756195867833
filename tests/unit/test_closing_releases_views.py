"""Closing a tab frees its views: once the garbage collector has run, no weak reference to a
closed tab's sky, catalog table, light curves or spectra is left, although its job, products and
catalog live on in the Explorer's monitor (what a user can open again)."""

from __future__ import annotations

import gc
import time
import weakref

import pytest
from ipywidgets.widgets.widget import _instances
from support.saved_descriptions import SavedDispatcher, sandbox_documents

import oda_widgets as ow
from oda_widgets.client.jobs import Job
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.pointings import science_windows
from oda_widgets.widgets.closing import close_parts

pytestmark = pytest.mark.unit

FIELD = dict(RA=255.98, DEC=-37.84, T1="2003-03-15T00:00:00", T2="2003-03-16T00:00:00",
             E1_keV=25.0, E2_keV=40.0, detection_threshold=7.0, selected_catalog=None,
             catalog_selected_objects=None, src_name="4U 1700-377")


@pytest.fixture(scope="module")
def scws():
    return science_windows(FIELD["T1"], FIELD["T2"], FIELD["RA"], FIELD["DEC"], 15.0, 20, None)


def done_job(product: str, scws) -> Job:
    """A finished ISGRI job of ``product`` with the sandbox's products, as the registry keeps it."""
    answer = make_products("isgri", product, dict(FIELD), list(scws))
    answer["analysis_parameters"] = dict(FIELD)
    products = decode_products(answer, product=product, instrument="isgri")
    now = time.time()
    return Job.restored("isgri", product, "Real", dict(FIELD), url="http://127.0.0.1:9/dispatch-data",
                        session_id="closing", job_id=f"{product}-job", submitted_at=now,
                        finished_at=now, products=products)


@pytest.fixture
def explorer():
    explorer = ow.Explorer(dispatcher=SavedDispatcher(sandbox_documents()), instrument="isgri",
                           product="isgri_image")
    yield explorer
    explorer.close()


def views_of(view) -> dict[str, weakref.ref]:
    found = {"results": view, "sky": view.sky, "catalog table": view.catalog_table,
             "light curves": view.light_curves, "spectra": view.spectra}
    return {name: weakref.ref(v) for name, v in found.items() if v is not None}


def alive(refs: dict[str, weakref.ref]) -> list[str]:
    gc.collect()
    return [name for name, ref in refs.items() if ref() is not None]


def test_closing_a_tab_releases_its_views_and_keeps_the_others(explorer, scws):
    jobs = [done_job(product, scws) for product in ("isgri_image", "isgri_lc", "isgri_spectrum")]
    refs = {}
    for job in jobs:
        refs[job.product] = views_of(explorer.open(job))
    assert set(refs["isgri_image"]) == {"results", "sky", "catalog table"}
    assert set(refs["isgri_lc"]) == {"results", "light curves"}
    assert set(refs["isgri_spectrum"]) == {"results", "spectra"}
    # a selection made in the image's table reaches the other tabs' views (links in place)
    image = explorer.results["isgri_image-job"]
    image.catalog_table.selected = image.catalog.meta_ids[:1]
    image.catalog_table.delete_selected()
    image.catalog_table.use_catalog()
    del image

    open_before = len(_instances)
    explorer.close_tab("isgri_image-job")
    explorer.close_tab("isgri_lc-job")
    assert alive(refs["isgri_image"]) == [] and alive(refs["isgri_lc"]) == []
    # every widget of the closed tabs left ipywidgets' registry, none of the open tab's did
    assert len(_instances) < open_before
    assert alive(refs["isgri_spectrum"]) == ["results", "spectra"]
    spectra = explorer.results["isgri_spectrum-job"]
    assert all(w.comm is not None for w in (spectra, spectra.spectra, explorer.form))
    del spectra
    # the jobs and their catalog live on: the user can open the tab again, with fresh views
    assert explorer.monitor.jobs[:3] == jobs
    again = explorer.open(jobs[0])
    assert again.catalog_table.rows and again.catalog is jobs[0].result().catalog
    explorer.close_tab(jobs[2])
    assert alive(refs["isgri_spectrum"]) == []


class View(__import__("ipywidgets").VBox):
    def clicked(self, _button) -> None:
        self.clicks = getattr(self, "clicks", 0) + 1


def test_every_part_of_a_closed_widget_is_closed_and_what_it_uses_is_kept():
    import ipywidgets as widgets

    form = widgets.Text()
    button = widgets.Button()
    view = View([widgets.HBox([button])])
    button.on_click(view.clicked)  # a part whose observer holds the view
    view.extra = {"hidden": widgets.IntSlider()}  # a part that is not a child
    view.form = form
    parts = [view.children[0], button, button.layout, button.style, view.extra["hidden"]]
    ref = weakref.ref(view)
    close_parts(view, keep=[form])
    assert view.comm is None and all(part.comm is None for part in parts)
    assert form.comm is not None
    del view, parts, button
    gc.collect()
    assert ref() is None
