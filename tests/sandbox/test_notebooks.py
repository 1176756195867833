"""Every notebook in ``notebooks/`` runs top to bottom against a sandbox, as a user would run it,
and runs again in the same folder, as a user re-running a class notebook does.

Each notebook is executed by nbclient in a real ``python3`` kernel of this environment, in a
temporary copy of ``notebooks/`` (so the FITS files it writes land there), with
``ODA_WIDGETS_SANDBOX_URL`` pointing at an in-process sandbox and ``ODA_WIDGETS_HOME`` at a
temporary folder (so the job registry stays out of the user's home). The notebooks themselves
must be committed clean: no outputs, no execution counts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from astropy.io import fits
from support.dispatcher_answers import REPO

pytestmark = pytest.mark.sandbox

pytest.importorskip("nbclient")
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import CellExecutionError  # noqa: E402

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: Longest a single cell may run before the run is declared hung (not a speed requirement).
CELL_TIMEOUT_S = 600


def _ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


def execute(notebook: Path, workdir: Path, env: dict[str, str]) -> nbformat.NotebookNode:
    """Run ``notebook`` from ``workdir`` in a fresh kernel; the executed notebook."""
    node = nbformat.read(workdir / notebook.name, as_version=4)
    client = NotebookClient(node, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                            resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute(env=env)
    except CellExecutionError as e:
        pytest.fail(f"{notebook.name} failed against the sandbox:\n{e}")
    return node


def check_quickstart(workdir: Path) -> None:
    """The quick start's promise: PHA, ARF and RMF files XSPEC reads, written in ``spectra/``."""
    spectra = workdir / "spectra"
    pha_files = []
    for path in sorted(spectra.glob("*.fits")):
        with fits.open(path) as hdus:
            if "SPECTRUM" in hdus:
                pha_files.append(path)
    assert pha_files, f"the quick start wrote no PHA file in {spectra}"
    for pha in pha_files:
        with fits.open(pha) as hdus:
            header = hdus["SPECTRUM"].header
            assert header["HDUCLAS1"] == "SPECTRUM" and header["EXPOSURE"] > 0
            assert len(hdus["SPECTRUM"].data) > 0
            respfile, ancrfile = header["RESPFILE"], header["ANCRFILE"]
        # RESPFILE and ANCRFILE name files beside the PHA file, where XSPEC looks for them
        with fits.open(spectra / respfile) as rmf:
            assert "EBOUNDS" in rmf and ("MATRIX" in rmf or "SPECRESP MATRIX" in rmf)
        with fits.open(spectra / ancrfile) as arf:
            assert len(arf["SPECRESP"].data) > 0
    # POLAR's ROOT file is saved as the bytes came: a ROOT file starts with b"root"
    assert (workdir / "polar_lc.root").read_bytes()[:4] == b"root"


def check_catalog_round_trip(workdir: Path) -> None:
    """The edited catalog saved for ds9 and TOPCAT: the region file and the table agree."""
    from astropy.table import Table
    from regions import Regions

    names = list(Table.read(workdir / "my_sources.ecsv")["src_names"])
    assert names and not any(name.startswith("NEW") for name in names)
    assert names[0].endswith(" (checked)")
    regions = Regions.read(str(workdir / "my_sources.reg"), format="ds9")
    assert [r.meta["text"] for r in regions] == names


#: What each notebook must leave behind besides running cleanly (notebooks without an entry
#: are checked for clean execution, a recorded job and readable FITS files only).
EXPECTED_OUTPUTS = {"quickstart": check_quickstart}
EXPECTED_OUTPUTS["catalog_round_trip"] = check_catalog_round_trip


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_runs_against_the_sandbox(notebook, sandbox, tmp_path):
    workdir = tmp_path / "notebooks"
    shutil.copytree(notebook.parent, workdir)
    home = tmp_path / "oda_widgets_home"
    env = dict(os.environ, ODA_WIDGETS_SANDBOX_URL=sandbox.url, ODA_WIDGETS_HOME=str(home))

    for run in ("first", "second"):
        # the second run finds the files and the job records the first one left behind
        node = execute(notebook, workdir, env)
        errors = [output for cell in node.cells if cell.cell_type == "code"
                  for output in cell.outputs if output.output_type == "error"]
        assert errors == [], f"the {run} run failed"
        assert all(cell.execution_count for cell in node.cells if cell.cell_type == "code")
    # the jobs were recorded in the registry ODA_WIDGETS_HOME names, not in the user's home
    assert any(p.is_file() for p in home.rglob("*")), f"no job recorded under {home}"
    # whatever FITS files a notebook writes, a user's other tools must open them
    for path in workdir.rglob("*.fits"):
        with fits.open(path) as hdus:
            hdus.verify("exception")
    check = EXPECTED_OUTPUTS.get(notebook.stem)
    if check is not None:
        check(workdir)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_notebook_is_committed_without_outputs(notebook):
    node = nbformat.read(notebook, as_version=4)
    dirty = [i for i, cell in enumerate(node.cells) if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None)]
    assert dirty == [], (
        f"{notebook.name}: cells {dirty} carry outputs or execution counts; clear them "
        "(e.g. `jupyter nbconvert --clear-output --inplace`) before committing"
    )
