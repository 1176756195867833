"""Time-resolved spectroscopy over HTTP: the Crab year by year, 2003-2018, in one call.

Sixteen spectrum jobs (one per year, ten science windows each) go to the sandbox as one batch;
each is fitted with a power law as it arrives; the table has one row per year, every index
within 3 sigma of the sandbox sky's 2.1, and it writes to ECSV and FITS and reads back equal.
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.table import Table

import oda_widgets as ow
from oda_widgets.sandbox.simulate.sky import get_source

pytestmark = pytest.mark.sandbox

pytest.importorskip("sherpa", reason="spectral fitting needs the fit extra (scripts/setup)")

CRAB = dict(instrument="isgri", src_name="Crab", RA=83.633, DEC=22.0145, radius=10,
            max_pointings=10)


@pytest.fixture
def disp(sandbox, tmp_path):
    dispatcher = ow.Dispatcher(url=sandbox.url, token="", registry=tmp_path / "registry")
    yield dispatcher
    dispatcher.close()


def test_the_crab_year_by_year_in_one_call(disp, tmp_path):
    trs = ow.TimeResolvedSpectra(("2003-01-01T00:00:00", "2018-12-31T23:59:59"),
                                 intervals="year", dispatcher=disp, query=CRAB)
    assert len(trs.batch) == 16 and [i.label for i in trs.intervals] == [
        str(y) for y in range(2003, 2019)]
    # each job asked for its year only
    assert [job.parameters["T1"][:10] for job in trs.batch][:2] == ["2003-01-01", "2004-01-01"]
    table = trs.wait(timeout=600)
    assert len(table) == 16 and all(table["dof"] > 0) and not any(table["note"])
    truth = get_source("Crab")["photon_index"]
    pulls = (table["index"] - truth) / table["index_err"]
    assert np.all(np.abs(pulls) < 3), pulls
    assert np.all(table["flux"] > 0) and np.all(table["flux_err"] > 0)
    # the parameter plots: the index and the flux against time, one point per year
    plots = trs.parameters_box.children
    assert len(plots) == 2
    assert [len(m.x) for m in plots[0].marks if type(m).__name__ == "Scatter"] == [16]
    # saved and read back
    for suffix in (".ecsv", ".fits"):
        path = trs.save(tmp_path / f"crab{suffix}")
        back = Table.read(path)
        assert list(back["interval"]) == list(table["interval"])
        assert np.allclose(back["index"], table["index"]) and back.meta["MODEL"] == "powerlaw"
    # an interval's spectrum, as hovering it shows
    trs.hovered = 5
    assert "Interval 2008" in trs.spectrum_title.value and f"index {trs.table['index'][5]:.4f}" in trs.spectrum_title.value
    assert len(trs._model_line.x) > 10


def test_intervals_brushed_by_hand_and_refused_overlaps(disp):
    trs = ow.TimeResolvedSpectra(("2008-03-01", "2008-05-01"), dispatcher=disp, query=CRAB)
    assert trs.batch is None and trs.intervals == []
    trs.add_interval("2008-03-01", "2008-03-20")
    trs.add_interval("2008-04-01", "2008-04-06")
    with pytest.raises(ValueError, match="overlap"):
        trs.add_interval("2008-04-03", "2008-04-10")
    assert len(trs.intervals) == 2
    trs.set_intervals(3)
    assert [round((i.stop - i.start).jd, 3) for i in trs.intervals] == [20.333] * 3
    with pytest.raises(ValueError, match="intervals must be"):
        trs.set_intervals("month")
