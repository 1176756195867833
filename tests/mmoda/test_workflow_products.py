"""Today's workflow products in their views: what the peer's notebooks make, as users see it.

``nbexamples/product_label`` gives a light curve that only ``prod_uris`` calls one (its product
is named ``lcname``, its table ``LC``), a picture and a table, each output labelled; the TIME /
MAG / ERROR curve that oda_api's ``LightCurveDataProduct.from_arrays`` writes (the real notebook
``nb2wtests/lightcurve`` and the plugin's recorded ``example0/lightcurve``) is drawn downwards
(brighter up) at the notebook's own times; the recorded workflow's comment output arrives as a
note; and every product of every instrument that completes can be shown and saved.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.time import Time

from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.products.announced import LIGHT_CURVE, PICTURE, TABLE
from oda_widgets.client.products.kinds import BinaryProduct, PictureProduct, TableProduct
from oda_widgets.client.products.light_curve import LightCurve
from oda_widgets.widgets.picture_view import PictureView
from oda_widgets.widgets.results import ResultsView
from oda_widgets.widgets.table_view import TableView

pytestmark = pytest.mark.mmoda


def _titles(view: ResultsView) -> list[str]:
    return [child.children[0].value for child in view.children
            if "oda-results-section" in getattr(child, "_dom_classes", ())]


def test_product_label_gives_a_light_curve_a_picture_and_a_table_titled_by_their_labels(mmoda):
    products = mmoda.submit("nbexamples", "product_label").result(timeout=300)
    curve, table, picture = products.lcname_0, products.myname_1, products.lcpic_2
    assert isinstance(curve, LightCurve) and curve.uri == LIGHT_CURVE
    assert (curve.quantity, curve.value_column, curve.error_column) == ("COUNTS", "COUNTS",
                                                                       "ERROR")
    assert isinstance(table, TableProduct) and table.uri == TABLE
    assert isinstance(picture, PictureProduct) and picture.uri == PICTURE
    assert (curve.label, table.label, picture.label) == ("Light curve", "Astropy table",
                                                         "Picture")
    assert products.other_int_5.label == "integer_plus_5" and products.other_int_5.value == 10

    view = ResultsView(products)
    assert _titles(view) == ["Light curve", "Astropy table", "Picture", "Values"]
    assert view.light_curves.quantity == "COUNTS"
    assert list(view.light_curves.lines[0].y) == [3364.0, 4356.0, 2500.0]
    assert isinstance(view.tables["myname_1"], TableView)
    assert view.tables["myname_1"].head == [["foo", "10", "1.3"], ["bar", "20", "1.4"],
                                            ["baz", "30", "1.5"]]
    assert isinstance(view.pictures["lcpic_2"], PictureView)
    assert view.pictures["lcpic_2"].image.value == picture.data
    assert view.texts["dummy_ext_4"].value == "foobar"


@pytest.mark.parametrize("instrument", ["nb2wtests", "example0"])
def test_the_time_mag_error_light_curve_is_drawn_brighter_up_at_its_times(mmoda, instrument):
    products = mmoda.submit(instrument, "lightcurve").result(timeout=300)
    (curve,) = products.light_curves.values()
    assert curve.quantity == "MAG" and curve.uri == LIGHT_CURVE
    # the notebook: 15 points from 2021-06-25T05:59:37 to 2021-06-30T15:59:37, in MJD
    times = curve.time
    assert abs((times[0] - Time("2021-06-25T05:59:37", scale="utc")).sec) < 0.01
    assert abs((times[-1] - Time("2021-06-30T15:59:37", scale="utc")).sec) < 0.01

    view = ResultsView(products)
    drawn = view.light_curves
    assert drawn.quantity == "MAG" and drawn.y_scale.reverse and drawn.y_axis.label == "Magnitude"
    assert drawn.rate_buttons.layout.display == "none"  # no log axis for magnitudes
    line = drawn.lines[0].y
    assert np.allclose(line[np.isfinite(line)], curve.hdu.data["MAG"], rtol=1e-6)
    # error bars as the sizes of the notebook's errors (some of its simulated errors are < 0);
    # the path holds the error bars first, then the bin-width bars
    count = len(curve.hdu.data)
    bars = drawn.bars[0].y[: 3 * count].reshape(-1, 3)[:, 1:]
    # (the browser gets float32: a few millionths of a magnitude)
    assert np.allclose(np.abs(bars[:, 1] - bars[:, 0]) / 2, np.abs(curve.hdu.data["ERROR"]),
                       rtol=0, atol=1e-5)
    # two bins combined: their mean taken in flux, where light adds
    assert "x2 of the native" in drawn.rebin(factor=2)
    mags = np.asarray(curve.hdu.data["MAG"][:2], dtype=float)
    assert drawn.lines[0].y[0] == pytest.approx(-2.5 * np.log10(np.mean(10 ** (-0.4 * mags))),
                                                abs=1e-5)


def test_a_workflows_comment_is_a_note_above_its_products(mmoda):
    products = mmoda.submit("example0", "lightcurve").result(timeout=300)
    assert products.notes == ["TEST COMMENT"]
    view = ResultsView(products)
    assert "Note from the server: TEST COMMENT" in view.notes


@pytest.mark.parametrize("instrument", ["nbexamples", "nb2wtests", "mmoda_derived", "example0"])
def test_every_product_that_completes_is_shown_and_saved(mmoda, instrument, tmp_path):
    spec = mmoda.describe(instrument)
    done = 0
    for product in spec.products:
        job = mmoda.submit(instrument, product, validate=False, **spec.defaults(product))
        if job.wait(timeout=300) is not JobStatus.DONE:
            continue
        done += 1
        products = job.result()
        view = ResultsView(products, directory=tmp_path / product)
        for name, button in view.save_buttons.items():
            button.click()  # a download in the browser; save() writes on the kernel's disk
            assert view.status.startswith(f"Downloading {name}"), f"{product}/{name}: {view.status}"
            view.save(name)
        assert sorted(p.name for p in (tmp_path / product).iterdir()) == sorted(
            f"{name}{products[name].suffix}" for name in products)
        for name, item in products.items():
            shown = (view.tables.get(name) or view.pictures.get(name) or view.texts.get(name)
                     or (view.sky if item is products.image else None)
                     or (view.light_curves if isinstance(item, LightCurve) else None)
                     # a binary is a file: listed with its kind, size and save button
                     or (view.save_buttons[name] if isinstance(item, BinaryProduct) else None))
            assert shown is not None, f"{instrument}/{product}: {name} ({item.kind}) not shown"
    assert done, f"no product of {instrument} completed"
