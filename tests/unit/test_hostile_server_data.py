"""Server data in bulk is read in time proportional to its size: 40 000 FITS header cards, 200 000
catalog sources, every error radius 180 degrees. And the smaller hostile inputs get correct
results: a non-finite RA in generated code, names FITS and ECSV cannot hold as they are, product
names too long for a file system, a 50000 x 50000 picture."""

from __future__ import annotations

import base64
import io
import pickle
import struct
import threading
import zlib

import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import SkyCoord
from support.memory import MiB, peak_of

from oda_widgets.client.catalog.checks import duplicate_pairs
from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.products.budget import DecodeBudget
from oda_widgets.client.products.fits_units import hdu_from_data_unit
from oda_widgets.client.products.kinds import PictureProduct
from oda_widgets.client.products.picture_display import display_image
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.client.query.apicode import api_code

pytestmark = pytest.mark.unit

#: A call that has not returned by then is taken for hung (not a speed claim: the quadratic
#: versions took 96 s and 328 s on the same inputs).
HANG = 60


def within_hang(call):
    """What ``call`` returns, from a thread that must end within :data:`HANG` seconds."""
    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(result=call()), daemon=True)
    worker.start()
    worker.join(HANG)
    assert not worker.is_alive(), f"still running after {HANG} s"
    return box["result"]


def test_forty_thousand_header_cards_are_restored_in_one_pass():
    cards = {f"KEY{i}": i for i in range(40_000)} | {"HISTORY": "made by a hostile server"}
    unit = {"binarys": base64.b64encode(pickle.dumps(np.zeros((4, 4)))).decode(),
            "hdu_type": "image", "header": cards, "name": "IMAGE"}
    hdu = within_hang(lambda: hdu_from_data_unit(unit))
    assert len(hdu.header) >= 40_000 and hdu.header["KEY39999"] == 39999
    assert "made by a hostile server" in str(hdu.header["HISTORY"])


def _random_sky(n: int, seed: int = 1) -> SkyCoord:
    rng = np.random.default_rng(seed)
    return SkyCoord(rng.uniform(0, 360, n) * u.deg,
                    np.degrees(np.arcsin(rng.uniform(-1, 1, n))) * u.deg)


def test_duplicates_among_two_hundred_thousand_sources_take_a_spatial_index():
    pairs = within_hang(lambda: duplicate_pairs(_random_sky(200_000)))
    # 3 arcmin around each of 200 000 random sources: n^2/2 x (pi r^2 / 4 pi) = 3800 expected
    assert 3400 < len(pairs) < 4200
    assert all(p.separation < p.radius for p in pairs)


def test_an_error_radius_of_180_degrees_is_capped_and_memory_stays_small():
    coords = _random_sky(6000)
    pairs, peak = peak_of(lambda: within_hang(lambda: duplicate_pairs(coords, [180.0] * 6000)))
    assert pairs and all(p.radius <= 60 * u.arcmin for p in pairs)
    assert peak < 256 * MiB, f"peak {peak / MiB:.0f} MiB"


def test_a_non_finite_number_is_written_as_python_reads_it():
    code = api_code("https://example.org", "isgri", "isgri_image", "Real",
                    {"RA": float("nan"), "DEC": float("-inf"), "src_name": "NaN"})
    namespace: dict = {}
    par_dict_source = code[code.index("par_dict = "):code.index('par_dict["token"]')]
    exec(compile(par_dict_source, "<api_code>", "exec"), namespace)  # noqa: S102 - our code
    assert np.isnan(namespace["par_dict"]["RA"]) and namespace["par_dict"]["DEC"] == -np.inf
    assert namespace["par_dict"]["src_name"] == "NaN"


def _catalog(names: list[str]) -> Catalog:
    n = len(names)
    return Catalog.from_dispatcher({
        "cat_column_list": [list(range(n)), names, [10.0 + i for i in range(n)],
                            [20.0] * n],
        "cat_column_names": ["meta_ID", "src_names", "ra", "dec"],
        "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U40"], ["ra", "<f8"],
                             ["dec", "<f8"]],
        "cat_lat_name": "dec", "cat_lon_name": "ra", "cat_frame": "fk5",
        "cat_coord_units": "deg"})


def test_names_every_file_format_can_hold_round_trip(tmp_path):
    names = ["Line\u2028Break", "S\u00e9rsic 159-03", "Tab\tand\\backslash", "Crab"]
    catalog = _catalog(names)
    assert list(Catalog.read(catalog.save(tmp_path / "c.fits")).names) == names
    assert list(Catalog.read(catalog.save(tmp_path / "c.json")).names) == names
    # ECSV holds UTF-8, but a line break inside a cell would split the row: it becomes a space
    assert list(Catalog.read(catalog.save(tmp_path / "c.ecsv")).names) == [
        "Line Break", "S\u00e9rsic 159-03", "Tab\tand\\backslash", "Crab"]


def test_a_product_name_too_long_for_a_file_system_still_writes_every_file(tmp_path):
    unit = {"binarys": base64.b64encode(pickle.dumps(np.zeros((2, 2)))).decode(),
            "hdu_type": "image", "header": {}}
    products = decode_products({"numpy_data_product_list": [
        {"name": ("n" * 400 if i == 7 else f"p{i}"), "meta_data": "{}",
         "data_unit_list": [unit]} for i in range(15)]})
    written = products.write_fits(tmp_path)
    assert len(written) == 15 and all(p.exists() for p in written)
    assert max(len(p.name.encode()) for p in written) <= 200
    # written again without overwrite: refused before any file is touched
    with pytest.raises(FileExistsError, match="nothing was written"):
        products.write_fits(tmp_path)


def _png_declaring(width: int, height: int) -> bytes:
    """A PNG header declaring ``width`` x ``height`` grey pixels, with a few rows of data."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (1 + width) * 4)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows)
            + chunk(b"IEND", b""))


def test_a_huge_picture_is_not_sent_as_it_is_and_the_original_is_kept(tmp_path):
    from PIL import Image

    bomb = PictureProduct("bomb", _png_declaring(50_000, 50_000))
    shown = bomb.display_image()
    assert shown.data is None and "not shown" in shown.note and bomb._repr_png_() is None
    assert bomb.write_fits(tmp_path)[0].read_bytes() == bomb.data  # kept for saving

    buffer = io.BytesIO()
    Image.new("RGB", (6000, 3000), (200, 30, 30)).save(buffer, "PNG")
    large = PictureProduct("large", buffer.getvalue())
    shown = large.display_image()
    assert (shown.width, shown.height, shown.original) == (2048, 1024, (6000, 3000))
    assert Image.open(io.BytesIO(large._repr_png_())).size == (2048, 1024)
    assert large.write_fits(tmp_path)[0].read_bytes() == large.data


def test_a_picture_beyond_the_answers_budget_is_not_shown_and_says_why():
    # within Pillow's own pixel limits, beyond what is left of the answer's budget
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (3000, 3000), (30, 30, 200)).save(buffer, "PNG")
    shown = display_image(buffer.getvalue(), "png", DecodeBudget(max_bytes=1_000_000))
    assert shown.data is None and shown.original == (3000, 3000)
    assert shown.note.startswith("not shown: 3000 x 3000 pixels would take")
    assert "refused to decode the pixels of a 3000 x 3000 picture" in shown.note
