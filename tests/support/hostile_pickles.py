"""Pickles a hostile dispatcher could send, naming only globals the restricted unpickler admits.

Each function returns the bytes of one attack. They are decoded in a child process by
``test_unpickle_attacks.py``: several of them crash a Python process that accepts them (object
pointers read from bytes the server chose), so a regression kills the child, not the suite.
"""

from __future__ import annotations

import pickle
import struct

import numpy as np
from astropy.io.fits import column as fits_column

RECONSTRUCT = np.zeros(1).__reduce__()[0]
FROMBUFFER = np.zeros(2).__reduce_ex__(5)[0]
HUGE = 1 << 32  # 4 GiB of uint8, declared in a few bytes


class Call:
    """Pickles as ``func(*args)``, then BUILD with ``state`` when one is given."""

    def __init__(self, func, args, state=None) -> None:
        self.func, self.args, self.state = func, args, state

    def __reduce__(self):
        if self.state is None:
            return (self.func, self.args)
        return (self.func, self.args, self.state)


def _dumps(obj) -> bytes:
    return pickle.dumps(obj, protocol=4)


def _text(value: str) -> bytes:
    data = value.encode()
    return b"X" + struct.pack("<I", len(data)) + data  # BINUNICODE


def _then_a_real_array(prefix: bytes) -> bytes:
    # prefix runs first, then a sound array is the result: the product "decodes normally"
    return b"\x80\x02" + prefix + pickle.dumps(np.arange(3.0), protocol=2)[2:]


# --- object pointers from bytes the server sent ----------------------------------------------
def recarray_of_objects_over_bytes() -> bytes:
    return _dumps(Call(np.recarray, ((1,), [("a", "O")], b"A" * 8)))


def ndarray_of_objects_over_bytes() -> bytes:
    return _dumps(Call(np.ndarray, ((1,), "O", b"A" * 8)))


def ndarray_created_over_bytes_with_newobj() -> bytes:
    # written by hand: pickle itself refuses to make NEWOBJ with these arguments
    arguments = pickle.dumps(((1,), "O", b"A" * 8), protocol=2)[2:-1]
    return b"\x80\x02cnumpy\nndarray\n" + arguments + b"\x81."


def object_array_state_of_raw_bytes() -> bytes:
    return _dumps(Call(RECONSTRUCT, (np.ndarray, (0,), b"b"),
                       (1, (1,), np.dtype("O"), False, b"A" * 8)))


def record_with_an_object_field_over_raw_bytes() -> bytes:
    dtype = np.dtype([("a", "O"), ("b", "f8")])
    return _dumps(Call(RECONSTRUCT, (np.recarray, (0,), b"b"),
                       (1, (1,), dtype, False, b"A" * 16)))


def objects_read_by_frombuffer() -> bytes:
    return _dumps(Call(FROMBUFFER, (b"A" * 8, np.dtype("O"), (1,), "C")))


# --- object arrays from lists that do not match -------------------------------------------------
def object_array_with_a_shorter_list() -> bytes:
    return _dumps(Call(RECONSTRUCT, (np.ndarray, (0,), b"b"),
                       (1, (1000,), np.dtype("O"), False, [1])))


def object_array_holding_a_class() -> bytes:
    return _dumps(Call(RECONSTRUCT, (np.ndarray, (0,), b"b"),
                       (1, (1,), np.dtype("O"), False, [fits_column.Column])))


# --- BUILD on a class: patches it for the rest of the session ---------------------------------
def build_on_column_class_with_a_dict() -> bytes:
    state = b"}" + _text("__init__") + b"cnumpy\ndtype\n" + b"s"
    return _then_a_real_array(b"castropy.io.fits.column\nColumn\n" + state + b"b0")


def build_on_column_class_with_slot_state() -> bytes:
    state = b"N}" + _text("__init__") + b"cnumpy\ndtype\n" + b"s\x86"
    return _then_a_real_array(b"castropy.io.fits.column\nColumn\n" + state + b"b0")


def build_on_ndarray_class() -> bytes:
    state = b"N}" + _text("__repr__") + b"cnumpy\ndtype\n" + b"s\x86"
    return _then_a_real_array(b"cnumpy\nndarray\n" + state + b"b0")


def build_sets_the_class_of_an_instance() -> bytes:
    # a fits Column instance whose __class__ is set to Table
    new = b"castropy.io.fits.column\nColumn\n)\x81"
    state = b"}" + _text("__class__") + b"castropy.table.table\nTable\n" + b"s"
    return _then_a_real_array(new + state + b"b0")


def items_added_to_a_table() -> bytes:
    return b"\x80\x02castropy.table.table\nTable\n)\x81(K\x01e."


# --- sizes declared far beyond what was sent ---------------------------------------------------
def huge_array_called_directly() -> bytes:
    return _dumps(Call(np.ndarray, ((HUGE,), "u1")))


def huge_start_of_a_reconstruction() -> bytes:
    return _dumps(Call(RECONSTRUCT, (np.ndarray, (HUGE,), b"b")))


def huge_state_with_no_data() -> bytes:
    return _dumps(Call(RECONSTRUCT, (np.ndarray, (0,), b"b"),
                       (1, (HUGE,), np.dtype("u1"), False, b"")))


def huge_masked_array_start() -> bytes:
    return _dumps(Call(np.ma.core._mareconstruct, (np.ma.MaskedArray, np.ndarray, (HUGE,), "b")))


def huge_frombuffer() -> bytes:
    return _dumps(Call(FROMBUFFER, (b"", np.dtype("u1"), (HUGE,), "C")))


def huge_object_array_of_one_repeated_item() -> bytes:
    # a 2**40-item object array; its list would be tiny if the length were not checked
    return _dumps(Call(RECONSTRUCT, (np.ndarray, (0,), b"b"),
                       (1, (1 << 40,), np.dtype("O"), False, [None])))


# --- nesting beyond the recursion limit ------------------------------------------------------
def table_metadata_nested_too_deeply() -> bytes:
    # written opcode by opcode (pickle.dumps would itself recurse that deep): a Table whose meta
    # holds a list nested 20000 deep, which astropy deep-copies when it rebuilds the table
    depth = 20000
    nested = b"]" * depth + b"a" * (depth - 1)  # EMPTY_LIST x n, then APPEND each into the last
    meta = b"}" + _text("k") + nested + b"s"
    return (b"\x80\x02castropy.table.table\nTable\n)\x81"
            + b"ccollections\nOrderedDict\n)R" + meta + b"\x86b.")


ATTACKS = {
    name: function
    for name, function in sorted(globals().items())
    if callable(function) and not name.startswith("_") and function.__module__ == __name__
    and name not in ("Call",)
}
