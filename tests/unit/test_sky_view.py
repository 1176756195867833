"""SkyView and SkyAladin in the kernel: per-view state, the messages that draw, cuts and images.

The widgets run for real (ipywidgets, anywidget, ipyaladin); their comm is a recording one that
stands where the browser would be: it keeps what the kernel sends, and hands the kernel the
messages a front end sends (ready, a click, the names drawn). The browser tests run the real
front end against these same messages.
"""

from __future__ import annotations

import io
import threading
from typing import Any

import comm
import numpy as np
import pytest
import traitlets
from astropy.io import fits
from support import shared
from support.recording_comm import RecordingComm

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.products.sky_image import SkyImage
from oda_widgets.widgets.sky import SkyView
from oda_widgets.widgets.sky_aladin import SkyAladin
from oda_widgets.widgets.sky_payload import SIGNIFICANCE_CUTS, framing

pytestmark = pytest.mark.unit

MOSAIC = (shared.INTEGRAL
          / "isgri_mosaic_1E1740.7-2942_25-40keV.fits.gz")


@pytest.fixture(autouse=True)
def recording_comms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: RecordingComm(**kwargs))


def oda_messages(view: SkyAladin, kind: str) -> list[tuple[dict[str, Any], list[Any]]]:
    return [(c, b) for c, b in view.comm.custom() if c.get("oda") == kind]


def images_sent(view: SkyAladin) -> list[tuple[dict[str, Any], dict[str, Any], bytes]]:
    """Each image the kernel put in the view's state: (image, its looks, the FITS bytes)."""
    images = []
    for message in view.comm.sent:
        state = message["data"].get("state", {})
        if state.get("_image"):
            paths = message["data"].get("buffer_paths", [])
            fits_buffer = message["buffers"][paths.index(["_image_fits"])]
            images.append((state["_image"], state["_looks"], bytes(fits_buffer)))
    return images


def looks_sent(view: SkyAladin) -> list[dict[str, Any]]:
    """Each colour map, stretch and cuts the kernel put in the view's state, in order."""
    return [m["data"]["state"]["_looks"] for m in view.comm.sent
            if m["data"].get("state", {}).get("_looks")]


@pytest.fixture
def mosaic(shared_data) -> SkyImage:
    """The real ISGRI mosaic as the four kinds of an ISGRI mosaic file (different data each)."""
    base = fits.open(MOSAIC)[0]
    hdus = [fits.PrimaryHDU()]
    for factor, kind in enumerate(("INTENSITY", "VARIANCE", "SIGNIFICANCE", "EXPOSURE"), 1):
        data = base.data * factor if kind != "EXPOSURE" else np.full_like(base.data, 1500.0)
        if kind == "EXPOSURE":
            data[:10] = 0.0
        hdu = fits.ImageHDU(data=data, header=base.header.copy(), name="ISGR-MOSA-IMA")
        hdu.header["IMATYPE"] = kind
        hdus.append(hdu)
    return SkyImage("mosaic_image", fits.HDUList(hdus), {"product": "mosaic"})


def field_catalog() -> Catalog:
    """Sources in the mosaic's field (Galactic Centre), two of them 1 arcmin apart."""
    rows = [("1E 1740.7-2942", 265.978, -29.745), ("GX 354-0", 262.989, -33.834),
            ("GX 1+4", 263.013, -24.746), ("IGR J17464-3213", 266.565, -32.234),
            ("NEW_1", 268.0, -28.0), ("NEW_2", 268.0, -28.0167)]
    n = len(rows)
    return Catalog.from_dispatcher({
        "cat_frame": "fk5", "cat_coord_units": "deg",
        "cat_column_list": [list(range(n)), [r[0] for r in rows], [8.0] * n,
                            [r[1] for r in rows], [r[2] for r in rows], [0.0] * n],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec", "ERR_RAD"],
        "cat_lat_name": "dec", "cat_lon_name": "ra",
    })


def ready(sky: SkyView) -> None:
    sky.aladin.comm.from_front_end({"event_type": "oda_ready"})


def last_sources(sky: SkyView) -> list[dict[str, Any]]:
    return oda_messages(sky.aladin, "sources")[-1][0]["sources"]


# -- ipyaladin's class-level state, made per view ------------------------------------------------

def test_a_call_queued_on_one_view_is_replayed_on_it_once_and_never_on_another():
    first, second = SkyAladin(), SkyAladin()
    clicks: list[Any] = []
    first.set_listener("object_clicked", clicks.append)     # queued: not loaded yet
    second._is_loaded = True                                 # the second view loads first
    assert second.listener_callback == {}
    first._is_loaded = True
    assert list(first.listener_callback) == ["object_clicked"]
    assert first._call_store.calls == []                     # a reload does not replay it
    second.comm.from_front_end({"event_type": "object_clicked", "content": {"ra": 1, "dec": 2}})
    assert clicks == []
    first.comm.from_front_end({"event_type": "object_clicked", "content": {"ra": 1, "dec": 2}})
    assert clicks == [{"ra": 1, "dec": 2}]


def test_listeners_set_on_a_loaded_view_belong_to_it_alone():
    first, second = SkyAladin(), SkyAladin()
    first._is_loaded = second._is_loaded = True
    seen_first: list[Any] = []
    seen_second: list[Any] = []
    first.set_listener("click", seen_first.append)
    second.set_listener("click", seen_second.append)
    first.comm.from_front_end({"event_type": "click", "content": {"ra": 10, "dec": 20}})
    assert seen_first == [{"ra": 10, "dec": 20}] and seen_second == []


def test_a_failing_click_callback_is_reported_and_the_others_still_run(caplog, capsys):
    view = SkyAladin()
    seen: list[int] = []

    def broken(_meta_id: int) -> None:
        raise RuntimeError("viewer gone")

    view.on_source_clicked(broken)
    view.on_source_clicked(seen.append)
    view.comm.from_front_end({"event_type": "oda_source_clicked", "id": 7})
    assert seen == [7]
    # CallbackDispatcher's report: a log line, or the traceback where IPython runs
    assert "viewer gone" in caplog.text + capsys.readouterr().out
    view.on_source_clicked(seen.append, remove=True)
    view.comm.from_front_end({"event_type": "oda_source_clicked", "id": 8})
    assert seen == [7]


def test_the_view_asks_aladin_lite_for_no_survey_and_no_logger():
    view = SkyAladin()
    assert view._init_options["survey"] == [] and view._init_options["log"] is False
    assert view.survey is None   # ipyaladin applies a non-None survey at render
    # the front end is the bundle, served by Jupyter (no CDN): the view's state names its file
    assert "esm.sh" not in view._esm and '"file": "sky_aladin.' in view._esm


# -- what is drawn, and when ----------------------------------------------------------------------

def test_the_image_is_state_at_once_and_the_sources_are_sent_as_they_are_once_displayed(mosaic):
    catalog = field_catalog()
    sky = SkyView(mosaic, catalog=catalog)
    # the image goes with the view's state as soon as it is made: a front end draws it when it
    # renders, without asking a kernel that may still be busy with the job's other views
    [(image, _looks, _fits)] = images_sent(sky.aladin)
    assert image["name"] == "SIGNIFICANCE"
    catalog.remove([1])
    catalog.rename(0, "1E 1740.7-2942 (renamed)")
    sky.cuts = (-2.0, 10.0)
    assert sky.aladin.comm.custom() == []        # no calls queued up for a front end to replay
    assert len(images_sent(sky.aladin)) == 1     # new cuts do not send the image again
    looks = sky.aladin._looks
    assert (looks["min_cut"], looks["max_cut"]) == (-2.0, 10.0)   # what a render reads: current
    ready(sky)
    names = [s["name"] for s in last_sources(sky)]
    assert names == catalog.names and "GX 354-0" not in names
    assert "1E 1740.7-2942 (renamed)" in names
    # a second display (or a reload) gets the current sources again, nothing stale; the image
    # is its state (not sent again)
    ready(sky)
    assert len(oda_messages(sky.aladin, "sources")) == 2
    assert [s["name"] for s in last_sources(sky)] == catalog.names
    assert len(images_sent(sky.aladin)) == 1


def test_every_catalog_edit_sends_one_redraw_with_the_catalog_as_it_is_now(mosaic):
    catalog = field_catalog()
    sky = SkyView(mosaic, catalog=catalog)
    ready(sky)
    before = len(oda_messages(sky.aladin, "sources"))
    catalog.remove([2, 3])
    assert len(oda_messages(sky.aladin, "sources")) == before + 1
    assert [s["id"] for s in last_sources(sky)] == [0, 1, 4, 5]
    new_id = catalog.add_source("My source", 267.0, -30.0)
    catalog.select([new_id, 0])
    catalog.undo()       # the selection is an edit too: undo it
    catalog.undo()       # then the addition
    serials = [c["serial"] for c, _ in oda_messages(sky.aladin, "sources")]
    assert serials == sorted(set(serials)) and len(serials) == before + 5
    assert [s["id"] for s in last_sources(sky)] == catalog.meta_ids


def test_a_redraw_made_stale_by_a_newer_edit_is_dropped():
    # another view, told of the edit before the sky, has a second edit made by another thread
    # (a widget message): when the sky is told of the first, the catalog is already newer
    catalog = field_catalog()

    def other_view(change: Any) -> None:
        if change.edit == 1:
            helper = threading.Thread(target=catalog.rename, args=(1, "GX 354-0 b"), daemon=True)
            helper.start()
            helper.join(10)

    catalog.add_change_listener(other_view)
    sky = SkyView(catalog=catalog)
    ready(sky)
    before = len(oda_messages(sky.aladin, "sources"))
    catalog.remove([2])
    drawn = oda_messages(sky.aladin, "sources")[before:]
    assert len(drawn) == 1  # one redraw, not one per edit
    assert [s["name"] for s in drawn[0][0]["sources"]] == [
        "1E 1740.7-2942", "GX 354-0 b", "IGR J17464-3213", "NEW_1", "NEW_2"]
    catalog.select([0])  # the next edit is drawn as ever
    assert len(oda_messages(sky.aladin, "sources")) == before + 2 and sky.selected == [0]


def test_looks_follow_added_selected_and_duplicate(mosaic):
    catalog = field_catalog()
    sky = SkyView(mosaic, catalog=catalog)
    ready(sky)
    new_id = catalog.add_source("Added here", 266.0, -31.0)
    catalog.select([0])
    looks = {s["name"]: (s["shape"], s["selected"]) for s in last_sources(sky)}
    assert looks["1E 1740.7-2942"] == ("circle", True)
    assert looks["GX 1+4"] == ("circle", False)
    assert looks["Added here"] == ("diamond", False)
    # NEW_1 and NEW_2 are 1 arcmin apart, closer than 3 arcmin: both flagged
    assert looks["NEW_1"][0] == looks["NEW_2"][0] == "triangle"
    # each source in its own colour, the one it has in every view; its shape says what it is
    from oda_widgets.widgets.source_colours import source_colour

    colours = {s["name"]: s["color"] for s in last_sources(sky)}
    assert colours == {name: source_colour(name) for name in colours}
    assert sky.selected == [0] and new_id in catalog.added_ids


def test_names_go_to_the_front_end_unchanged(mosaic):
    catalog = field_catalog()
    sky = SkyView(mosaic, catalog=catalog)
    ready(sky)
    evil = "<img src=x onerror=alert(1)>"
    catalog.rename(4, evil)
    assert evil in [s["name"] for s in last_sources(sky)]   # escaped by the front end, drawn as text


# -- linking: clicks, selection, what the front end drew ------------------------------------------

def test_a_click_on_the_sky_selects_the_source_in_the_catalog(mosaic):
    catalog = field_catalog()
    sky = SkyView(mosaic, catalog=catalog)
    ready(sky)
    sky.aladin.comm.from_front_end({"event_type": "oda_source_clicked", "id": 3})
    assert catalog.selected == [3] and sky.selected == [3]
    assert [s["id"] for s in last_sources(sky) if s["selected"]] == [3]


def test_selected_mirrors_the_catalog_both_ways(mosaic):
    catalog = field_catalog()
    sky = SkyView(mosaic, catalog=catalog)
    other = SkyView(mosaic, catalog=catalog)
    sky.selected = [1, 4]
    assert catalog.selected == [1, 4] and other.selected == [1, 4]
    catalog.select([2])
    assert sky.selected == [2] and other.selected == [2]
    with pytest.raises(traitlets.TraitError, match="meta_ID 99"):
        sky.selected = [99]
    assert sky.selected == [2]
    assert catalog.selected == [2]


def test_drawn_is_what_the_front_end_reports(mosaic):
    sky = SkyView(mosaic, catalog=field_catalog())
    seen: list[list[str]] = []
    sky.observe(lambda change: seen.append(change["new"]), names="drawn")
    sky.aladin.comm.state_from_front_end(drawn=["GX 1+4", "NEW_1"])
    assert sky.drawn == ["GX 1+4", "NEW_1"] and seen == [["GX 1+4", "NEW_1"]]


def test_the_front_end_failure_is_said_in_words(mosaic):
    sky = SkyView(mosaic, catalog=field_catalog())
    text = "The sky view could not start: Aladin Lite needs WebGL2 (...)"
    sky.aladin.comm.state_from_front_end(start_error=text)
    assert text in sky.status


# -- images, cuts, framing ------------------------------------------------------------------------

def _fits_sent(sky: SkyView) -> fits.HDUList:
    _image, _looks, buffer = images_sent(sky.aladin)[-1]
    return fits.open(io.BytesIO(buffer))


def test_significance_by_default_with_sigma_cuts_sent_as_one_fits_buffer(mosaic):
    sky = SkyView(mosaic, catalog=field_catalog())
    assert sky.extension == "SIGNIFICANCE" and sky.extensions[0] == "SIGNIFICANCE"
    assert sky.cuts == SIGNIFICANCE_CUTS
    image, looks, _ = images_sent(sky.aladin)[-1]
    assert image["name"] == "SIGNIFICANCE" and looks["colormap"] == "grayscale"
    with _fits_sent(sky) as sent:
        assert len(sent) == 1
        assert np.array_equal(sent[0].data, mosaic.significance, equal_nan=True)
        assert sent[0].header["CTYPE1"] == "RA---TAN"


def test_another_extension_sends_its_image_and_its_own_cuts(mosaic):
    sky = SkyView(mosaic)
    ready(sky)
    sky.extension = "exposure"
    assert sky.extension == "EXPOSURE"
    with _fits_sent(sky) as sent:
        assert np.array_equal(sent[0].data, mosaic.extension("EXPOSURE").data)
    low, high = sky.cuts
    assert (low, high) == (0.0, 1500.0)    # the percentiles of that map, not sigma
    image, looks, _ = images_sent(sky.aladin)[-1]
    assert image["name"] == "EXPOSURE" and (looks["min_cut"], looks["max_cut"]) == (low, high)


def test_cuts_colour_map_and_stretch_change_without_resending_the_image(mosaic):
    sky = SkyView(mosaic)
    ready(sky)
    sent = len(sky.aladin.comm.sent)
    sky.cuts = (-1, 8)
    sky.colormap = "viridis"
    sky.stretch = "asinh"
    assert images_sent(sky.aladin)[-1][0]["name"] == "SIGNIFICANCE"
    assert len(images_sent(sky.aladin)) == 1
    # three small updates of the looks, no buffer: the FITS image is not sent again
    assert [m["buffers"] for m in sky.aladin.comm.sent[sent:]] == [[], [], []]
    assert looks_sent(sky.aladin)[-1] == {"colormap": "viridis", "stretch": "asinh",
                                          "min_cut": -1.0, "max_cut": 8.0}


@pytest.mark.parametrize("change, message", [
    ({"cuts": (5, 1)}, "lower cut"),
    ({"extension": "COUNTS"}, "SIGNIFICANCE, INTENSITY, VARIANCE, EXPOSURE"),
    ({"colormap": "jet"}, "grayscale"),
    ({"stretch": "cubic"}, "linear"),
])
def test_bad_settings_are_refused_with_the_choices_and_change_nothing(mosaic, change, message):
    sky = SkyView(mosaic)
    ready(sky)
    sent = len(sky.aladin.comm.sent)
    [(name, value)] = change.items()
    before = getattr(sky, name)
    with pytest.raises(traitlets.TraitError, match=message):
        setattr(sky, name, value)
    assert len(sky.aladin.comm.sent) == sent
    assert getattr(sky, name) == before


def test_typed_cuts_in_the_wrong_order_are_explained_not_applied(mosaic):
    sky = SkyView(mosaic)
    sky._min_box.value = 30.0
    assert sky.cuts == SIGNIFICANCE_CUTS
    assert "must be below" in sky.status


def test_the_view_is_centred_and_zoomed_on_the_footprint(mosaic):
    hdu = mosaic.extension("SIGNIFICANCE")
    where = framing(hdu)
    ny, nx = hdu.data.shape
    scale = abs(hdu.header["PC1_1"])
    assert where.width == pytest.approx(nx * scale, rel=0.05)
    assert where.height == pytest.approx(ny * scale, rel=0.05)
    centre = mosaic.wcs.pixel_to_world((nx - 1) / 2, (ny - 1) / 2).icrs
    assert (where.ra, where.dec) == pytest.approx((centre.ra.deg, centre.dec.deg))
    sky = SkyView(mosaic)
    assert sky.aladin.fov.deg == pytest.approx(where.fov)
    assert sky.aladin.target.ra.deg == pytest.approx(where.ra)


@pytest.mark.shared
def test_a_one_image_file_shows_its_image_with_sigma_cuts():
    image = SkyImage("mosaic", fits.open(MOSAIC), {"product": "mosaic"})
    sky = SkyView(image)
    assert sky.extensions == ["PRIMARY"] and sky.extension == "PRIMARY"
    assert sky.cuts == SIGNIFICANCE_CUTS     # its values are those of a significance map


def test_wrong_inputs_say_what_to_pass(mosaic):
    with pytest.raises(TypeError, match="SkyImage"):
        SkyView(field_catalog())
    with pytest.raises(TypeError, match="Catalog"):
        SkyView(mosaic, catalog=mosaic)


def test_switching_extension_sends_one_image_with_its_cuts_and_nothing_else(mosaic):
    sky = SkyView(mosaic)
    ready(sky)
    sent = len(sky.aladin.comm.sent)
    sky._extension_box.value = "INTENSITY"          # the user picks it in the dropdown
    new = sky.aladin.comm.sent[sent:]
    assert len(new) == 1                            # one update: the image with its looks
    image, looks, _ = images_sent(sky.aladin)[-1]
    assert image["name"] == "INTENSITY" and (looks["min_cut"], looks["max_cut"]) == sky.cuts
    assert (sky._min_box.value, sky._max_box.value) == sky.cuts


def test_typed_cuts_are_applied_and_the_boxes_follow_the_trait(mosaic):
    sky = SkyView(mosaic)
    ready(sky)
    sky._max_box.value = 12.0
    sky._min_box.value = -1.0
    assert sky.cuts == (-1.0, 12.0)
    assert looks_sent(sky.aladin)[-1]["max_cut"] == 12.0
    sky.cuts = (2.0, 9.0)
    assert (sky._min_box.value, sky._max_box.value) == (2.0, 9.0)
    assert looks_sent(sky.aladin)[-1]["min_cut"] == 2.0


def test_a_catalog_without_a_mosaic_is_centred_on_its_sources():
    catalog = field_catalog()
    sky = SkyView(catalog=catalog)
    centre = sky.aladin.target
    assert 262 < centre.ra.deg < 269 and -34 < centre.dec.deg < -24
    assert 9 < sky.aladin.fov.deg < 40
    ready(sky)
    assert images_sent(sky.aladin) == []
    [(frame, _)] = oda_messages(sky.aladin, "frame")
    assert frame["ra"] == pytest.approx(centre.ra.deg) and frame["height_deg"] > 9
    assert len(last_sources(sky)) == len(catalog)


def test_an_image_without_a_sky_position_is_refused():
    image = SkyImage("plot", fits.HDUList([fits.PrimaryHDU(np.zeros((4, 4)))]), {})
    with pytest.raises(ValueError, match="no celestial WCS"):
        SkyView(image)


def test_the_status_says_how_many_sources_are_drawn_and_selected():
    catalog = field_catalog()
    sky = SkyView(catalog=catalog)
    assert sky.status.splitlines() == ["No mosaic: only the catalog is drawn.",
                                       "Catalog: 6 sources, not drawn yet."]
    ready(sky)
    names = [s["name"] for s in last_sources(sky)]
    sky.aladin.comm.state_from_front_end(drawn=names)   # the front end drew the overlay
    assert sky.status.splitlines()[-1] == "Catalog: 6 sources, 6 drawn."
    catalog.select([1, 2])
    assert sky.status.splitlines()[-1] == "Catalog: 6 sources, 6 drawn, 2 selected."
    # the line under the sky shows the trait, as text
    assert "Catalog: 6 sources, 6 drawn, 2 selected." in sky._status.value
