"""TableView in the kernel: rows sent by windows, sorting as state, cells and units as text.

The widget runs for real on a recording comm (``support/recording_comm.py``) standing where the
browser would be: the test sends what ``js/table_view.js`` sends (a request for a block of rows
of an order's version, a click's new sort) and reads what the kernel answers.
"""

from __future__ import annotations

import comm
import numpy as np
import pytest
import traitlets
from astropy import units as u
from astropy.table import MaskedColumn, Table
from support.recording_comm import RecordingComm

from oda_widgets.client.products.kinds import TableProduct
from oda_widgets.widgets.table_view import HEAD_ROWS, MAX_BLOCK, TableView

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def recording_comms(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: RecordingComm(**kwargs))


def _rows_answers(view: TableView) -> list[dict]:
    return [c for c, _ in view.comm.custom() if c.get("type") == "rows"]


def _big(n: int = 100_000) -> Table:
    rng = np.random.default_rng(1)
    table = Table({"index": np.arange(n), "flux": rng.normal(size=n),
                   "name": [f"src {i}" for i in range(n)]})
    table["flux"].unit = u.ph / u.cm**2 / u.s
    return table


def test_the_first_rows_travel_with_the_state_and_the_rest_on_request():
    view = TableView(_big())
    assert view.row_count == 100_000 and len(view.head) == HEAD_ROWS
    assert view.caption == "100,000 rows x 3 columns"
    assert view.head[0][0] == "0" and view.head[0][2] == "src 0"
    view.comm.from_front_end({"type": "rows", "start": 50_000, "stop": 50_200,
                              "version": view.version})
    (answer,) = _rows_answers(view)
    assert answer["start"] == 50_000 and len(answer["rows"]) == 200
    assert [row[0] for row in answer["rows"][:2]] == ["50000", "50001"]
    # the whole table never crosses: a request is capped, the state holds only the head
    view.comm.from_front_end({"type": "rows", "start": 0, "stop": 10**6,
                              "version": view.version})
    assert len(_rows_answers(view)[-1]["rows"]) == MAX_BLOCK


def test_a_request_for_an_order_that_is_gone_is_not_answered():
    view = TableView(_big(500))
    old = view.version
    view.sort_by("flux")
    view.comm.from_front_end({"type": "rows", "start": 100, "stop": 200, "version": old})
    assert _rows_answers(view) == []
    view.comm.from_front_end({"type": "rows", "start": 100, "stop": 200, "version": "x"})
    view.comm.from_front_end({"type": "nonsense"})
    assert _rows_answers(view) == []


def test_sorting_is_state_set_from_the_page_or_from_code():
    table = _big(1000)
    view = TableView(table)
    view.comm.state_from_front_end(sort_column="flux")
    expected = np.argsort(table["flux"], kind="stable")
    assert np.array_equal(view.order, expected)
    assert view.head[0][1] == table["flux"].pformat(show_name=False, show_unit=False)[
        expected[0]].strip()
    view.sort_by("flux", descending=True)
    assert np.array_equal(view.order, expected[::-1])
    view.sort_by(None)
    assert np.array_equal(view.order, np.arange(1000))
    changes = []
    view.observe(changes.append, names="sort_column")
    view.sort_column = "name"
    assert changes and view.head[0][2] == "src 0" and view.head[1][2] == "src 1"


def test_missing_values_sort_last_and_equal_values_keep_the_tables_order():
    table = Table({"v": MaskedColumn([3.0, np.nan, 1.0, 3.0, 2.0], mask=[0, 0, 0, 0, 1]),
                   "k": ["a", "b", "c", "d", "e"]})
    view = TableView(table)
    view.sort_by("v")
    assert [table["k"][i] for i in view.order] == ["c", "a", "d", "b", "e"]
    view.sort_by("v", descending=True)
    assert [table["k"][i] for i in view.order] == ["a", "d", "c", "b", "e"]
    assert view.head[-1] == ["--", "e"]


def test_a_column_of_python_objects_sorts_by_their_text():
    table = Table({"o": np.array([10, "b", 2.5, "a"], dtype=object), "k": ["w", "x", "y", "z"]})
    view = TableView(table)
    view.sort_by("o")
    assert [table["k"][i] for i in view.order] == ["w", "y", "z", "x"]  # "10" < "2.5" < "a"
    view.sort_by("o", descending=True)
    assert [table["k"][i] for i in view.order] == ["x", "z", "y", "w"]


def test_units_names_and_what_cannot_be_sorted_are_said():
    table = Table({"energy": [1.0, 2.0] * u.keV, "flux": [1.0, 2.0], "spectrum": np.ones((2, 3))})
    table["flux"].unit = u.ph / u.cm**2 / u.s
    table["flux"].description = "photon flux"
    view = TableView(TableProduct("t", table))
    about = {c["name"]: c for c in view.columns}
    assert about["energy"]["unit"] == "keV" and about["energy"]["numeric"]
    assert about["flux"]["description"] == "photon flux"
    assert not about["spectrum"]["sortable"] and view.head[0][2] == "1.0 .. 1.0"
    with pytest.raises(traitlets.TraitError, match="holds arrays"):
        view.sort_column = "spectrum"
    with pytest.raises(traitlets.TraitError, match="the columns are energy, flux, spectrum"):
        view.sort_column = "nope"
    with pytest.raises(TypeError, match="not dict"):
        TableView({"a": [1]})


def test_cells_are_text_as_astropy_formats_them_markup_included():
    table = Table({"name": ["<img src=x onerror=alert(1)>"], "ra": [83.633083]})
    table["ra"].format = ".3f"
    view = TableView(table)
    assert view.head == [["<img src=x onerror=alert(1)>", "83.633"]]
    assert TableView(Table({"a": []})).head == [] and TableView(Table()).row_count == 0
