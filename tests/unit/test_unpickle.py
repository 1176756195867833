"""The restricted unpickler rebuilds arrays and tables and refuses everything else."""

from __future__ import annotations

import base64
import io
import json
import os
import pickle
import re
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
from astropy import units as u
from astropy.io import fits
from astropy.table import MaskedColumn, Table
from support import shared

from oda_widgets.client.errors import UnsafePayload
from oda_widgets.client.products.unpickle import safe_loads

pytestmark = pytest.mark.unit

DATA = shared.DATA




class _RunsShell:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def test_payload_calling_os_system_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_RunsShell(f"touch {marker}"))
    with pytest.raises(UnsafePayload, match=r"(posix|nt|os)\.system"):
        safe_loads(payload)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("posix", "system"),
        ("builtins", "eval"),
        ("subprocess", "Popen"),
        ("builtins", "exec"),
        ("builtins", "getattr"),
        ("builtins", "__import__"),
        ("nt", "system"),
    ],
)
def test_dangerous_globals_are_refused_by_name(tmp_path, module, name):
    marker = tmp_path / "ran"
    # protocol-0 text: GLOBAL module name, then call it with one string argument
    payload = f"c{module}\n{name}\n(S'touch {marker}'\ntR.".encode()
    with pytest.raises(UnsafePayload, match=f"{module}.{name}"):
        safe_loads(payload)
    assert not marker.exists()


def test_popen_payload_built_by_pickle_is_refused(tmp_path):
    marker = tmp_path / "popen"

    class Spawn:
        def __reduce__(self):
            return (subprocess.Popen, (["touch", str(marker)],))

    with pytest.raises(UnsafePayload, match="subprocess.Popen"):
        safe_loads(pickle.dumps(Spawn()))
    assert not marker.exists()


def test_codecs_encode_is_limited_to_latin1():
    payload = pickle.dumps(b"\x00\xffbytes", protocol=2)
    assert safe_loads(payload) == b"\x00\xffbytes"
    sneaky = b"c_codecs\nencode\n(Vabc\nVrot13\ntR."
    with pytest.raises(UnsafePayload, match="latin-1"):
        safe_loads(sneaky)


@pytest.mark.parametrize(
    "dtype", ["float64", ">f4", "<i2", "uint16", "int64", "bool", "complex128", "U5", "S3"]
)
@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_arrays_of_many_dtypes_round_trip(dtype, protocol):
    array = np.arange(12).reshape(3, 4).astype(dtype)
    back = safe_loads(pickle.dumps(array, protocol=protocol))
    # NumPy itself may restore a non-native byte order as native: compare kind, size and values
    assert back.dtype.kind == array.dtype.kind and back.dtype.itemsize == array.dtype.itemsize
    assert np.array_equal(back, array)


def test_non_contiguous_and_masked_arrays_round_trip():
    strided = np.arange(20.0).reshape(4, 5)[:, ::2]
    assert np.array_equal(safe_loads(pickle.dumps(strided)), strided)
    masked = np.ma.masked_array([1.0, 2.0, 3.0], mask=[False, True, False])
    back = safe_loads(pickle.dumps(masked))
    assert list(back.mask) == [False, True, False] and back[0] == 1.0


def test_record_arrays_round_trip():
    records = np.rec.fromarrays([[1.0, 2.0], [3, 4], ["a", "bc"]], names="TIME,RATE,NAME")
    back = safe_loads(pickle.dumps(records))
    assert isinstance(back, np.recarray)
    assert back.dtype == records.dtype and list(back.NAME) == ["a", "bc"]


def test_fits_rec_round_trips_with_its_columns():
    columns = fits.ColDefs(
        [
            fits.Column(name="TIME", format="D", unit="d", array=np.array([1.0, 2.0])),
            fits.Column(name="RATE", format="E", unit="count/s", array=np.array([3.0, 4.0])),
        ]
    )
    data = fits.BinTableHDU.from_columns(columns).data
    back = safe_loads(pickle.dumps(data))
    assert isinstance(back, fits.FITS_rec)
    assert back.columns["RATE"].unit == "count/s"
    assert np.array_equal(back["TIME"], [1.0, 2.0])


def test_fits_rec_with_a_string_column_round_trips():
    # a catalog-like table: FITS string columns come back as character arrays once read
    column = fits.Column(name="NAME", format="12A", array=np.array(["Crab", "4U 1700-377"]))
    data = fits.BinTableHDU.from_columns([column]).data
    assert list(data["NAME"]) == ["Crab", "4U 1700-377"]  # touch the column as a reader would
    back = safe_loads(pickle.dumps(data))
    assert list(back["NAME"]) == ["Crab", "4U 1700-377"]


@pytest.mark.shared
def test_real_light_curve_fits_rec_round_trips():
    hdulist = fits.open(DATA / "integral" / "jemx_lc.fits")
    data = hdulist[1].data
    back = safe_loads(pickle.dumps(data))
    assert np.array_equal(back["RATE"], data["RATE"])


@pytest.mark.parametrize("protocol", [2, 4])
def test_astropy_tables_of_numbers_and_strings_round_trip(protocol):
    table = Table(
        {
            "name": ["Crab", "Vela X-1"],
            "flux": [1.5, 2.5] * u.Unit("cm-2 s-1 keV-1"),
            "count": np.array([3, 4], dtype="i4"),
            "energy": [20.0, 40.0] * u.keV,
            "flag": MaskedColumn([1, 2], mask=[False, True]),
        },
        meta={"EXTNAME": "SOURCES"},
    )
    back = safe_loads(pickle.dumps(table, protocol=protocol))
    assert isinstance(back, Table)
    assert list(back["name"]) == ["Crab", "Vela X-1"]
    assert back["energy"].unit == u.keV and back["flux"].unit == u.Unit("cm-2 s-1 keV-1")
    assert bool(back["flag"].mask[1]) and back.meta["EXTNAME"] == "SOURCES"


def test_numpy_1_module_names_are_mapped_to_the_installed_numpy():
    array = np.linspace(0, 1, 7)
    modern = pickle.dumps(array, protocol=2)
    legacy = modern.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"numpy.core.multiarray" in legacy
    assert np.array_equal(safe_loads(legacy), array)


def _binarys_of(answer: dict) -> str:
    return answer["products"]["numpy_data_product_list"][0]["data_unit_list"][0]["binarys"]


@pytest.mark.parametrize(
    "name",
    [
        "11_run_empty_numerical_Dummy_token_done.json",
        "25_async_numerical_Dummy_token.json",
        "47_odaapi_empty_numerical_Dummy_token_run_analysis.json",
        "59_odaapi_async_numerical_Dummy_token_run_analysis.json",
    ],
)
@pytest.mark.shared
def test_captured_dispatcher_1_3_3_array_decodes(name):
    answer = json.loads((DATA / "dispatcher-1.3.3" / name).read_text())
    array = safe_loads(base64.b64decode(_binarys_of(answer)))
    assert array.shape == (100, 100) and array.dtype == np.float64


@pytest.mark.shared
def test_captured_dispatcher_1_3_6_pickle_names_only_admitted_globals():
    # The capture tool cut the 1.3.6 base64 after ~200 characters; what is left still holds the
    # globals (NumPy 2 spellings), which must be admitted before the data runs out.
    exchange = json.loads((DATA / "dispatcher-1.3.6" / "numerical.exchange.json").read_text())
    text = _binarys_of(exchange[1]["resp"]).split("...")[0]
    prefix = base64.b64decode(text[: len(text) // 4 * 4])
    assert b"numpy._core.multiarray" in prefix
    with pytest.raises((pickle.UnpicklingError, EOFError)):
        safe_loads(prefix)


def test_safe_loads_wants_bytes():
    with pytest.raises(TypeError):
        safe_loads("not bytes")  # type: ignore[arg-type]


def test_load_does_not_read_from_a_stream_beyond_its_bytes():
    # two pickles back to back: one call reads exactly the first
    stream = io.BytesIO()
    pickle.dump(np.zeros(2), stream)
    pickle.dump(np.ones(2), stream)
    assert np.array_equal(safe_loads(stream.getvalue()), np.zeros(2))


# A pickle may call the allowed numpy.dtype and then BUILD it with a state of its own making.
# NumPy takes such a state as given: a field far beyond the record reads other memory, and an
# object field without its flags makes raw bytes into object pointers (a crash, or worse).
# Each payload is decoded in a child process, so a regression crashes the child, not the suite.
_CRAFTED_DTYPE_PAYLOAD = """
import pickle, sys
import numpy as np
from oda_widgets.client.errors import UnsafePayload
from oda_widgets.client.products.unpickle import safe_loads

STATES = {
    "offset_beyond_record": (3, "|", None, ("a",), {"a": (np.dtype("f8"), 1 << 20)}, 8, 1, 0),
    "unflagged_object_field": (3, "|", None, ("a",), {"a": (np.dtype("O"), 0)}, 8, 1, 0),
}

class CraftedDtype:
    def __reduce__(self):
        return (np.dtype, ("V8", False, True), STATES[sys.argv[1]])

class ArrayOfIt:
    def __reduce__(self):
        rebuild = np.zeros(1).__reduce__()[0]
        return (rebuild, (np.ndarray, (0,), b"b"),
                (1, (1,), CraftedDtype(), False, b"\\x41" * 8))

try:
    array = safe_loads(pickle.dumps(ArrayOfIt(), protocol=4))
except UnsafePayload as refused:
    print("refused:", refused)
else:
    print("decoded:", repr(array["a"]))
"""


@pytest.mark.parametrize("variant", ["offset_beyond_record", "unflagged_object_field"])
def test_a_dtype_built_with_a_crafted_state_is_refused(variant):
    child = subprocess.run(
        [sys.executable, "-c", _CRAFTED_DTYPE_PAYLOAD, variant],
        capture_output=True, text=True, timeout=120,
    )
    assert child.returncode == 0, f"the decoder crashed ({child.returncode}): {child.stderr[-2000:]}"
    assert child.stdout.startswith("refused:"), child.stdout
    assert "dtype" in child.stdout


def test_dtypes_numpy_makes_still_decode():
    # the check compares with what NumPy itself pickles: every sound dtype kind passes
    dtypes = [
        np.dtype(">f4"), np.dtype("<i8"), np.dtype("S12"), np.dtype(("f4", (2, 3))),
        np.dtype([("TIME", ">f8"), ("RATE", ">f4"), ("NAME", "S16")]),
        np.dtype({"names": ["a", "b"], "formats": ["f8", "i2"], "offsets": [0, 12], "itemsize": 16}),
        np.dtype([("a", "f8"), ("b", "O")]),
    ]
    for dtype in dtypes:
        data = pickle.dumps(np.zeros(3, dtype=dtype))
        # our own pickle, made just above: the standard unpickler is the reference here
        assert safe_loads(data).dtype == pickle.loads(data).dtype


class _Calls:
    """Pickles as ``func(*args)``."""

    def __init__(self, func, *args) -> None:
        self.func, self.args = func, args

    def __reduce__(self):
        return (self.func, self.args)


_RECONSTRUCT = np.zeros(1).__reduce__()[0]


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (_Calls(_RECONSTRUCT, OrderedDict, (0,), b"b"),
         "rebuilds an array as a <class 'collections.OrderedDict'>"),
        (_Calls(_RECONSTRUCT, np.ndarray, (0,)), "calls NumPy's _reconstruct with odd arguments"),
        (_Calls(np.ma.core._mareconstruct, np.ndarray, np.ndarray, (0,), "b"),
         "rebuilds a masked array as a <class 'numpy.ndarray'>"),
        (_Calls(np.ma.core._mareconstruct, np.ma.MaskedArray, OrderedDict, (0,), "b"),
         "rebuilds a masked array over a <class 'collections.OrderedDict'>"),
        (_Calls(np.ma.core._mareconstruct, np.ma.MaskedArray, np.ndarray, (0,), "O"),
         "starts a masked array with an object dtype"),
        (_Calls(np.dtype, "f8", 0, 1, 2), "calls numpy.dtype with odd arguments"),
    ],
)
def test_numpys_reconstruction_is_called_only_as_numpy_calls_it(call, words):
    for protocol in (2, 4):
        with pytest.raises(UnsafePayload, match=re.escape(words)):
            safe_loads(pickle.dumps(call, protocol=protocol))


_ORDERED_DICT = b"\x80\x02ccollections\nOrderedDict\n)R"  # OrderedDict(), admitted


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (_ORDERED_DICT + b"K\x01a.", "appends items to a collections.OrderedDict"),  # APPEND
        (_ORDERED_DICT + b"(K\x01e.", "appends items to a collections.OrderedDict"),  # APPENDS
        (b"]K\x01K\x02s.", "sets keyed items in a builtins.list"),  # SETITEM
        (b"](K\x01K\x02u.", "sets keyed items in a builtins.list"),  # SETITEMS
        (b"\x80\x04](K\x01\x90.", "adds set items to a builtins.list"),  # ADDITEMS
        (b"\x80\x04}(K\x01\x90.", "adds set items to a builtins.dict"),
    ],
)
def test_containers_are_filled_only_the_way_their_own_type_is(data, words):
    with pytest.raises(UnsafePayload, match=re.escape(words)):
        safe_loads(data)


def test_lists_dicts_and_sets_are_filled_as_pickle_fills_them():
    assert safe_loads(b"]K\x01a(K\x02K\x03e.") == [1, 2, 3]
    assert safe_loads(b"}K\x01K\x02s(K\x03K\x04u.") == {1: 2, 3: 4}
    assert safe_loads(_ORDERED_DICT + b"K\x01K\x02s.") == {1: 2}
    assert safe_loads(b"\x80\x04\x8f(K\x01K\x02\x90.") == {1, 2}
    value = {"a": [1.5, {"b": {3}}], "c": ("x", None)}
    assert safe_loads(pickle.dumps(value, protocol=4)) == value
