"""ResultsView: one job's products in their views, sharing one catalog, saved from buttons."""

from __future__ import annotations

import pytest

from oda_widgets.client.products.product_set import decode_products
from oda_widgets.sandbox.pointings import science_windows
from oda_widgets.sandbox.simulate import make_products
from oda_widgets.widgets.results import ResultsView

pytestmark = pytest.mark.unit

FIELD = dict(RA=255.98, DEC=-37.84, T1="2003-03-15T00:00:00", T2="2003-03-16T00:00:00",
             E1_keV=25.0, E2_keV=40.0, detection_threshold=7.0, selected_catalog=None,
             catalog_selected_objects=None, src_name="4U 1700-377")
POLAR = dict(T1="2016-12-18T08:32:21.000", T2="2016-12-18T08:34:01.000", time_bin=0.5,
             T_format="isot")


@pytest.fixture(scope="module")
def scws():
    return science_windows(FIELD["T1"], FIELD["T2"], FIELD["RA"], FIELD["DEC"], 15.0, 50, None)


def _products(instrument, product, params, scws=()):
    answer = make_products(instrument, product, params, list(scws))
    # the dispatcher's answer carries the parameters it ran with, as the sandbox's does
    answer["analysis_parameters"] = dict(params)
    return decode_products(answer, product=product, instrument=instrument)


def _texts(widget):
    found = []
    for child in getattr(widget, "children", ()):
        if type(child).__name__ in ("Label", "Textarea"):
            found.append(child.value)
        found.extend(_texts(child))
    return found


def test_an_image_job_shows_sky_and_table_on_one_catalog(scws):
    view = ResultsView(_products("isgri", "isgri_image", FIELD, scws))
    assert view.sky is not None and view.catalog_table is not None
    assert view.light_curves is None and view.spectra is None
    assert view.sky.catalog is view.catalog_table.catalog is view.products.catalog
    first, second = view.products.catalog.meta_ids[:2]
    view.catalog_table.delete_selected([first])
    assert first not in view.sky.catalog.meta_ids
    view.sky.selected = [second]
    assert view.catalog_table.selected == [second]
    assert view.selected_sources == [view.products.catalog.names[0]]


def test_light_curves_and_spectra_get_their_views_and_the_selection_highlights(scws):
    curves = ResultsView(_products("isgri", "isgri_lc", FIELD, scws))
    assert curves.sky is None and curves.spectra is None
    assert {c.source for c in curves.light_curves.curves} == set(curves.products.light_curves)
    name = next(iter(curves.products.light_curves))
    curves.highlight([name])
    widths = {c.source: line.stroke_width
              for c, line in zip(curves.light_curves.curves, curves.light_curves.lines,
                                 strict=True)}
    assert widths[name] > max(w for s, w in widths.items() if s != name)

    spectra = ResultsView(_products("isgri", "isgri_spectrum", FIELD, scws))
    assert set(spectra.spectra.spectra) == set(spectra.products.spectra)
    spectra.highlight([name, "no such source"])
    assert spectra.spectra.highlighted == [name, "no such source"]
    sizes = {label: m.points.default_size for label, m in spectra.spectra._marks.items()}
    assert sizes[name] > max(v for k, v in sizes.items() if k != name)
    spectra.highlight([])
    assert len({m.points.default_size for m in spectra.spectra._marks.values()}) == 1


def test_polar_draws_its_curve_from_t1_and_saves_the_root_file_unchanged(tmp_path):
    view = ResultsView(_products("polar", "polar_lc", POLAR), directory=tmp_path)
    assert view.light_curves is not None
    start, _stop = view.light_curves.visible_range
    assert start.utc.isot.startswith("2016-12-18T08:32:21")
    root = view.products.polar_lc_1
    assert view.save_buttons["polar_lc_1"].description == "Save file"
    assert view.save_buttons["polar_lc_0_lc"].description == "Save FITS"
    # the button downloads in the browser: the bytes it sends are the file's, unchanged
    sent = []
    view.page.download = lambda name, data, mime: sent.append((name, data, mime))
    view.save_buttons["polar_lc_1"].click()
    assert sent == [("polar_lc_1.bin", root.data, "application/octet-stream")]
    assert view.status.startswith("Downloading polar_lc_1.bin")
    assert list(tmp_path.iterdir()) == []          # nothing written on the kernel's disk
    # save() still writes on the kernel's disk, and keeps a file it finds there
    (written,) = view.save("polar_lc_1")
    assert written.read_bytes() == root.data and written.parent == tmp_path
    with pytest.raises(FileExistsError):
        view.save("polar_lc_1")


def test_text_products_are_plain_text_never_markup():
    answer = {"text_product_list": [
        {"name": "log", "value": "<img src=x onerror=alert(1)> done", "meta_data": {}}]}
    view = ResultsView(decode_products(answer, product="x", instrument="y"))
    assert "<img src=x onerror=alert(1)> done" in _texts(view)
    (box,) = view.texts.values()
    assert type(box).__name__ == "Textarea" and box.disabled


def test_anything_but_a_product_set_is_refused_in_words():
    with pytest.raises(TypeError, match="ProductSet"):
        ResultsView({"not": "products"})


def test_a_product_left_as_a_cells_value_shows_as_its_view(scws):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from oda_widgets.widgets.display import register_display

    shell = InteractiveShell.instance()
    assert register_display(shell)
    products = _products("isgri", "isgri_image", FIELD, scws)
    spectra = _products("isgri", "isgri_spectrum", FIELD, scws)
    widget_views = "application/vnd.jupyter.widget-view+json"
    for value in (products, products.catalog, products.image, spectra.spectra["GX 354-0"]):
        with capture_output() as shown:
            shell.display_formatter.format(value)
        assert len(shown.outputs) == 1 and widget_views in shown.outputs[0].data, value
    with capture_output() as shown:  # anything else keeps IPython's own display
        shell.display_formatter.format({"a": 1})
    assert shown.outputs == []
