"""Front-end code travels once per page, not in each widget's state.

The widgets run for real (ipywidgets, anywidget, ipyaladin) over a comm that records what the
kernel publishes: the state each view opens with, and the messages it sends after.
"""

from __future__ import annotations

import json

import comm
import pytest
from support.recording_comm import RecordingComm

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.widgets.catalog_table import CatalogTable
from oda_widgets.widgets.front_end_loader import FrontEndPreload, loader_module
from oda_widgets.widgets.front_ends import SERVED_FOLDER, install_served, served_file
from oda_widgets.widgets.job_monitor import JobMonitor
from oda_widgets.widgets.sky import SkyView
from oda_widgets.widgets.sky_aladin import SkyAladin, bundle_path

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def recording_comms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: RecordingComm(**kwargs))


def catalog() -> Catalog:
    return Catalog.from_dispatcher({
        "cat_column_list": [[0, 1], ["GX 1+4", "4U 1700-377"], [1.0, 2.0], [263.0, 255.98],
                            [-24.7, -37.8], [0, 0], [0.001, 0.001]],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec", "FLAG",
                             "ERR_RAD"],
        "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U20"], ["significance", "<f8"],
                             ["ra", "<f8"], ["dec", "<f8"], ["FLAG", "<i8"], ["ERR_RAD", "<f8"]],
        "cat_lat_name": "dec", "cat_lon_name": "ra", "cat_frame": "fk5",
        "cat_coord_units": "deg",
    })


def test_a_second_sky_view_carries_no_front_end_code_in_its_state():
    bundle = bundle_path().read_bytes()
    first, second = SkyView(catalog=catalog()), SkyView(catalog=catalog())
    for view in (first, second):
        opened = view.aladin.comm.sent[0]
        assert opened["type"] == "comm_open"
        state = json.dumps(opened["data"]).encode()
        # the state names the served bundle; it does not hold it (2.8 MB), nor any part of it
        assert len(state) < 20_000, len(state)
        middle = len(bundle) // 2
        for part in (bundle[:2000], bundle[middle:middle + 2000], bundle[-2000:]):
            assert part not in state
        assert served_file("sky_aladin").file_name.encode() in state
    assert first.aladin._esm == second.aladin._esm == loader_module("sky_aladin")


def test_five_sky_views_send_less_than_one_bundle():
    views = [SkyView(catalog=catalog()) for _ in range(5)]
    sent = sum(v.aladin.comm.published_bytes() for v in views)
    assert sent < len(bundle_path().read_bytes()) / 20, sent


@pytest.mark.parametrize("make, name", [
    (lambda: CatalogTable(catalog()), "catalog_table"),
    (lambda: JobMonitor(dispatcher=None), "job_monitor"),
    (lambda: SkyAladin(), "sky_aladin"),
    (lambda: FrontEndPreload("sky_aladin"), "sky_aladin"),
])
def test_a_loader_asking_for_the_code_gets_the_served_module(make, name):
    widget = make()
    served = served_file(name)
    widget.comm.from_front_end({"event_type": "oda_front_end_code", "file": served.file_name})
    [(answer, buffers)] = [(c, b) for c, b in widget.comm.custom() if "oda_front_end" in c]
    assert answer == {"oda_front_end": served.file_name}
    assert bytes(buffers[0]) == served.path.read_bytes()


def test_an_explorer_has_the_page_load_the_sky_front_end_before_any_image_opens():
    from oda_widgets.client.dispatcher import Dispatcher
    from oda_widgets.widgets.explorer import Explorer

    explorer = Explorer(dispatcher=Dispatcher(url="sandbox"))
    preload = explorer._sky_front_end
    opened = preload.comm.sent[0]
    assert opened["type"] == "comm_open"
    # the sky's loader (the page loads and starts Aladin Lite with it), not the 2.8 MB bundle
    assert opened["data"]["state"]["_esm"] == loader_module("sky_aladin")
    assert len(json.dumps(opened["data"]).encode()) < 20_000
    explorer.close()
    assert preload.comm is None


def test_a_request_for_another_file_gets_no_file_and_says_why():
    table = CatalogTable(catalog())
    for wanted in ("../../../etc/passwd", "catalog_table.0000000000000000.js"):
        table.comm.from_front_end({"event_type": "oda_front_end_code", "file": wanted})
    answers = [(c, b) for c, b in table.comm.custom() if "oda_front_end" in c]
    assert [b for _, b in answers] == [[], []]
    assert all("another version" in c["error"] for c, _ in answers)


def test_served_names_follow_the_content_and_install_replaces_older_copies(tmp_path):
    folder = tmp_path / "share" / "jupyter" / SERVED_FOLDER
    folder.mkdir(parents=True)
    (folder / "catalog_table.0123456789abcdef.js").write_text("old")
    written = install_served(tmp_path)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in written)
    assert "catalog_table.0123456789abcdef.js" not in names
    for name in ("sky_aladin", "catalog_table", "job_monitor"):
        served = served_file(name)
        assert (folder / served.file_name).read_bytes() == served.path.read_bytes()
