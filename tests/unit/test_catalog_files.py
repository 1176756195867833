"""Each file a catalog is saved as reads back (with astropy and regions) as the same catalog."""

from __future__ import annotations

import math

import pytest
from astropy.io import fits
from astropy.table import Table
from regions import Regions
from support.dispatcher_answers import captured_catalog

from oda_widgets.client.catalog.files import (
    catalog_bytes,
    format_of,
    region_label,
    save_catalog,
)
from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.errors import ValidationError

pytestmark = pytest.mark.unit

HOSTILE = 'a"} # text={x'


@pytest.fixture
def catalog(shared_data) -> Catalog:
    catalog = Catalog.from_dispatcher(captured_catalog())
    # an edited catalog: a source added (NaN-free defaults), one renamed, one moved
    catalog.add_source("Vela X-1", 135.5285875, -40.55469333, significance=8.5)
    catalog.rename(17, "GRS 1915+105 (edited)")
    catalog.move(87, "18:20:21.9", "+07:11:07")
    return catalog


def test_ecsv_reads_back_with_astropy_as_the_same_catalog(tmp_path, catalog):
    path = save_catalog(catalog, tmp_path / "sources.ecsv")
    table = Table.read(path, format="ascii.ecsv")
    assert list(table["src_names"]) == catalog.names
    assert list(table["meta_ID"]) == catalog.meta_ids
    assert str(table["ra"].unit) == "deg" and table.meta["FRAME"] == "fk5"
    assert Catalog.read(path).to_dict() == catalog.to_dict()


def test_fits_reads_back_with_astropy_as_the_same_catalog(tmp_path, catalog):
    path = save_catalog(catalog, tmp_path / "sources.fits")
    with fits.open(path) as hdulist:
        assert hdulist["CATALOG"].header["LON_NAME"] == "ra"
        assert list(hdulist["CATALOG"].data["src_names"]) == catalog.names
    assert Catalog.read(path).to_dict() == catalog.to_dict()


def test_json_is_the_selected_catalog_text(tmp_path, catalog):
    path = save_catalog(catalog, tmp_path / "sources.json")
    assert path.read_text() == catalog.to_selected_catalog()
    assert Catalog.read(path).to_dict() == catalog.to_dict()


def test_region_file_reads_back_with_regions_as_the_same_sources(tmp_path, catalog):
    path = save_catalog(catalog, tmp_path / "sources.reg")
    regions = Regions.read(str(path), format="ds9")
    assert len(regions) == len(catalog)
    assert [r.meta["text"] for r in regions] == catalog.names
    for region, (ra, dec) in zip(
        regions, zip(catalog.table["ra"], catalog.table["dec"], strict=True), strict=True
    ):
        assert region.center.frame.name == "fk5"
        assert region.center.ra.deg == pytest.approx(float(ra), abs=1e-7)
        assert region.center.dec.deg == pytest.approx(float(dec), abs=1e-7)
    back = Catalog.read(path)
    assert back.names == catalog.names
    assert back.coords.separation(catalog.coords).max().arcsec < 1e-3


def test_a_name_that_would_break_a_region_line_is_written_safely(tmp_path, catalog):
    catalog.add_source(HOSTILE, 10.0, -20.0)
    catalog.add_source("two\nlines {and 'quotes'}", 11.0, -21.0)
    text = catalog_bytes(catalog, "ds9").decode()
    lines = [line for line in text.splitlines() if line.startswith("point(")]
    assert len(lines) == len(catalog)  # one line per source, none split or swallowed
    assert all(line.count("text={") == 1 and line.endswith("}") for line in lines)
    regions = Regions.parse(text, format="ds9")
    assert len(regions) == len(catalog)
    assert regions[-2].meta["text"] == "a) # text=(x" == region_label(HOSTILE)
    assert regions[-1].meta["text"] == "two lines (and quotes)"
    assert regions[-2].center.ra.deg == pytest.approx(10.0)
    # the other formats keep the name exactly
    for suffix in (".ecsv", ".fits", ".json"):
        path = save_catalog(catalog, tmp_path / f"hostile{suffix}")
        assert Catalog.read(path).names[-2] == HOSTILE


def test_missing_values_survive_ecsv_and_fits(tmp_path):
    d = {
        "cat_frame": "fk5",
        "cat_coord_units": "deg",
        "cat_column_list": [[0, 1], ["A", "B"], [None, 3.5], [10.0, 20.0], [1.0, 2.0]],
        "cat_column_names": ["meta_ID", "src_names", "significance", "ra", "dec"],
        "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U1"], ["significance", "<f8"],
                             ["ra", "<f8"], ["dec", "<f8"]],
        "cat_lat_name": "dec",
        "cat_lon_name": "ra",
    }
    catalog = Catalog.from_dispatcher(d)
    for suffix in (".ecsv", ".fits"):
        back = Catalog.read(save_catalog(catalog, tmp_path / f"nan{suffix}"))
        assert math.isnan(back.table["significance"][0])
        assert back.to_dict() == d


def test_unknown_formats_and_existing_files_are_refused_with_what_to_do(tmp_path, catalog):
    with pytest.raises(ValidationError, match=r"\*\.ecsv"):
        format_of(tmp_path / "sources.txt")
    with pytest.raises(ValidationError, match="use one of ecsv, fits, ds9, json"):
        catalog_bytes(catalog, "votable")
    path = save_catalog(catalog, tmp_path / "sources.reg")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        save_catalog(catalog, path)
    save_catalog(catalog, path, overwrite=True)


def test_catalog_save_and_read_are_the_same_files(tmp_path, catalog):
    path = catalog.save(tmp_path / "sources.ecsv")
    assert Catalog.read(path).to_dict() == catalog.to_dict()
    assert path.read_bytes() == catalog_bytes(catalog, "ecsv")
