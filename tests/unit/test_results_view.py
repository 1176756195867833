"""ResultsView: one job's products in their views, sharing one catalog, saved from buttons."""

from __future__ import annotations

import numpy as np
import pytest

from oda_widgets.client.products.announced import LIGHT_CURVE as ODA_LC
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.sandbox.simulate import make_products
from oda_widgets.sandbox.simulate.pointings import science_windows
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


def test_tables_and_pictures_are_public_views_loaded_on_first_use():
    import oda_widgets as ow
    from oda_widgets.widgets.picture_view import PictureView
    from oda_widgets.widgets.table_view import TableView

    assert ow.TableView is TableView and ow.PictureView is PictureView
    assert {"TableView", "PictureView"} <= set(ow.__all__)


def test_an_image_job_shows_sky_and_table_on_one_catalog(scws):
    view = ResultsView(_products("isgri", "isgri_image", FIELD, scws))
    assert view.sky is not None and view.catalog_table is not None
    # no label from the server: the section says what it holds, not the file's name
    assert _titles(view) == ["Sky image"]
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
    assert _titles(curves) == ["Light curves"]
    assert {c.source for c in curves.light_curves.curves} == set(curves.products.light_curves)
    name = next(iter(curves.products.light_curves))
    curves.highlight([name])
    widths = {c.source: line.stroke_width
              for c, line in zip(curves.light_curves.curves, curves.light_curves.lines,
                                 strict=True)}
    assert widths[name] > max(w for s, w in widths.items() if s != name)

    spectra = ResultsView(_products("isgri", "isgri_spectrum", FIELD, scws))
    assert set(spectra.spectra.spectra) == set(spectra.products.spectra)
    assert _titles(spectra) == ["Spectra"]
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
    markup = "<img src=x onerror=alert(1)> done"
    answer = {"text_product_list": [
        {"name": "log", "value": markup, "meta_data": {}},
        {"name": "lines", "value": f"{markup}\nand more", "meta_data": {}}]}
    view = ResultsView(decode_products(answer, product="x", instrument="y"))
    assert markup in _texts(view)
    line, lines = view.texts["log_0"], view.texts["lines_1"]
    assert type(line).__name__ == "Label" and line.value == markup
    assert type(lines).__name__ == "Textarea" and lines.disabled and lines.rows == 2


GEV = dict(src_name="GX 301-2", RA=186.6567, DEC=-62.7706, T1="2019-01-01T00:00:00.000",
           T2="2019-03-01T00:00:00.000", radius=4.0, pixel_size=0.2, E1=1.0, E2=100.0,
           n_bins=20)


def _titles(view):
    return [child.children[0].value for child in view.children
            if "oda-results-section" in child._dom_classes]


def test_workflow_products_each_in_its_view_titled_by_its_label_and_all_saved(tmp_path):
    products = _products("gev_sky", "image", GEV)
    view = ResultsView(products, directory=tmp_path)
    assert _titles(view) == ["Counts map", "Sources in the field", "Quick look", "Values"]
    assert view.sky is not None and view.sky.image is products.sky_map_0
    assert list(view.tables) == ["sources_1"] and view.tables["sources_1"].row_count == len(
        products.sources_1.table)
    assert list(view.pictures) == ["quicklook_2"]
    assert view.pictures["quicklook_2"].image.value == products.quicklook_2.data
    assert view.texts["n_detected_3"].value == str(products.n_detected_3.value)
    assert "Sources detected" in _texts(view) and "Summary" in _texts(view)
    for name, button in view.save_buttons.items():
        button.click()
        assert view.status.startswith("Downloading "), view.status
        view.save(name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "n_detected_3.txt", "quicklook_2.png", "sky_map_0.fits", "sources_1.fits",
        "summary_4.txt"]
    assert view.save_buttons["quicklook_2"].description == "Save file"
    assert any(t.startswith("Quick look (quicklook_2): picture") for t in _texts(view))


def test_a_workflows_flux_curve_is_drawn_titled_and_its_comment_is_a_note():
    from oda_widgets.sandbox.simulate import COMMENT_KEY

    answer = make_products("gev_sky", "light_curve", GEV, [])
    comment = answer.pop(COMMENT_KEY)
    answer["exit_status"] = {"comment": comment}
    view = ResultsView(decode_products(answer, product="light_curve", instrument="gev_sky"))
    assert view.notes == [f"Note from the server: {comment}"]
    assert f"Note from the server: {comment}" in _texts(view)
    assert _titles(view) == ["Light curve", "Summary"]
    curves = view.light_curves
    assert curves.quantity == "FLUX" and curves.y_axis.label == "Flux (ph s⁻¹ cm⁻²)"
    assert [c.source for c in curves.curves] == ["Light curve"]


def test_curves_of_different_quantities_get_a_view_each_and_a_curve_without_values_a_note():
    from astropy.io import fits
    from support.encoding_helpers import encode_hdulist

    def curve(column: str) -> dict:
        table = fits.BinTableHDU.from_columns([
            fits.Column("TIME", "D", unit="d", array=np.array([59000.0, 59001.0])),
            fits.Column(column, "D", array=np.array([1.0, 2.0]))], name="LC")
        return encode_hdulist(fits.HDUList([fits.PrimaryHDU(), table]), name=column.lower())

    answer = {"numpy_data_product_list": [curve("MAG"), curve("RATE"), curve("WHATEVER")],
              "prod_uris": {"a": ODA_LC, "b": ODA_LC, "c": ODA_LC}, "extra_metadata": {}}
    view = ResultsView(decode_products(answer))
    assert [v.quantity for v in view.light_curve_views] == ["MAG", "RATE"]
    assert view.light_curves is view.light_curve_views[0]
    assert view.notes == ["whatever_2 is not drawn: its table LC has no RATE, FLUX, MAG or "
                          "COUNTS column"]


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
    workflow = _products("gev_sky", "image", GEV)
    for value in (products, products.catalog, products.image, spectra.spectra["GX 354-0"],
                  workflow.sources_1, workflow.quicklook_2):
        with capture_output() as shown:
            shell.display_formatter.format(value)
        assert len(shown.outputs) == 1 and widget_views in shown.outputs[0].data, value
    with capture_output() as shown:  # anything else keeps IPython's own display
        shell.display_formatter.format({"a": 1})
    assert shown.outputs == []


def test_the_view_table_names_classes_that_exist():
    """IPython registers the table by name and says nothing of a name that no class has: a
    product moved to another module would silently lose its view."""
    import importlib

    from oda_widgets._display_hook import PRODUCT_VIEWS
    from oda_widgets._public import WIDGETS

    for (module, name), view in PRODUCT_VIEWS.items():
        product = getattr(importlib.import_module(module), name)
        assert (product.__module__, product.__qualname__) == (module, name)
        assert view in WIDGETS


def test_closing_a_view_leaves_no_open_box_around_a_closed_one(scws):
    from ipywidgets.widgets.widget import _instances

    view = ResultsView(_products("isgri", "isgri_image", FIELD, scws))
    sections = [c for c in view.children if "oda-results-section" in c._dom_classes]
    assert sections
    view.close()
    assert all(section.comm is None for section in sections)
    # every widget still open can give its state (a page or a test may ask any of them)
    for widget in list(_instances.values()):
        widget.get_state()
