"""What each instruction of a product pickle may build: calls, instances and their states.

Naming only admitted globals is not enough to make a pickle harmless. With NumPy and astropy
classes alone a pickle can still ask NumPy to read object pointers out of bytes it sent (an
object-dtype array over a buffer), to fill an object array from a list shorter than its shape,
to set attributes on a class for the rest of the session (BUILD applied to a class object), or to
declare an array of many gigabytes in a few bytes. :mod:`oda_widgets.client.products.unpickle` consults
these rules at every instruction that calls or fills an object:

* a call (REDUCE, NEWOBJ, INST/OBJ) is made only to the reconstruction helpers NumPy and
  astropy pickle with, each with its arguments checked; array classes are never called directly;
* BUILD is applied only to instances of the types listed in :data:`BUILD_RULES`, never to a
  class, with a state of the shape that type itself pickles;
* an array's items come from raw bytes only when its dtype holds no objects, and then the bytes
  must be exactly as long as the shape says; an object array's items come only from a list of
  plain values exactly as long as its shape;
* the sizes every array declares are added up, and a pickle declaring more than its budget
  (:data:`.budget.MAX_DECODED_BYTES` by default, shared with the answer's other decode paths)
  is refused before anything is allocated.
"""

from __future__ import annotations

import inspect
import math
from collections import OrderedDict
from collections.abc import Callable, Container, Mapping
from typing import Any

import numpy as np
from astropy.io.fits import column as fits_column
from astropy.io.fits import fitsrec
from astropy.table import column as table_column
from astropy.table import table as table_table
from astropy.units import core as units_core
from astropy.utils.compat import numpycompat

from ..errors import UnsafePayload
from .budget import DecodeBudget

__all__ = [
    "MAX_DIMENSIONS",
    "ARRAY_TYPES",
    "MASKED_TYPES",
    "TABLE_COLUMN_TYPES",
    "UNIT_TYPES",
    "FITS_REC_ATTRIBUTES",
    "Budget",
    "check_array_state",
    "BuildRule",
    "BUILD_RULES",
    "check_build",
    "CallRule",
    "NEW_RULES",
    "call_rules",
]

#: The most dimensions a pickled array may declare (NumPy's own limit is 64).
MAX_DIMENSIONS = 32

#: Nesting allowed inside one item of an object array (records hold tuples of values).
_MAX_ITEM_DEPTH = 4

_REFUSED = "refused to decode a product: its pickle "

# Arrays are made only through NumPy's own reconstruction; these types are the ones such a
# reconstruction may produce (and the only ones whose array state BUILD may set).
ARRAY_TYPES: tuple[type, ...] = (
    np.ndarray,
    np.recarray,
    np.char.chararray,
    numpycompat.chararray,
    fits_column._VLF,
)
MASKED_TYPES: tuple[type, ...] = (np.ma.MaskedArray,)
TABLE_COLUMN_TYPES: tuple[type, ...] = (table_column.Column, table_column.MaskedColumn)
UNIT_TYPES: tuple[type, ...] = (
    units_core.Unit,
    units_core.IrreducibleUnit,
    units_core.CompositeUnit,
    units_core.PrefixUnit,
    units_core.UnrecognizedUnit,
)
_FORMAT_TYPES: tuple[type, ...] = (
    fits_column._ColumnFormat,
    fits_column._AsciiColumnFormat,
    fits_column._FormatP,
    fits_column._FormatQ,
    fits_column._FormatX,
)
_COLDEFS_TYPES: tuple[type, ...] = (fits_column.ColDefs, fits_column._AsciiColDefs)

#: The attributes ``FITS_rec.__setstate__`` may set (what ``FITS_rec.__reduce__`` lists).
FITS_REC_ATTRIBUTES = frozenset(
    {
        "_converted",
        "_heapoffset",
        "_heapsize",
        "_tbsize",
        "_nfields",
        "_gap",
        "_uint",
        "parnames",
        "_coldefs",
        "_character_as_bytes",
    }
)

_PLAIN_SCALARS = (type(None), bool, int, float, complex, str, bytes)


#: The budget every array of a pickle takes its share of (one per answer, shared with the other
#: decode paths; see :mod:`.budget`).
Budget = DecodeBudget


def _type_name(obj: Any) -> str:
    kind = obj if isinstance(obj, type) else type(obj)
    return f"{kind.__module__}.{kind.__qualname__}"


def _shape(value: Any, what: str) -> tuple[int, ...]:
    if (
        not isinstance(value, tuple)
        or len(value) > MAX_DIMENSIONS
        or not all(type(n) is int and n >= 0 for n in value)
    ):
        raise UnsafePayload(f"{_REFUSED}gives {what} an impossible shape {value!r}")
    return value


def _dtype(value: Any, what: str) -> np.dtype:
    if not isinstance(value, np.dtype):
        raise UnsafePayload(f"{_REFUSED}gives {what} a dtype that is a {_type_name(value)}")
    return value


def _check_plain(item: Any, depth: int = 0) -> None:
    if isinstance(item, _PLAIN_SCALARS):
        return
    if isinstance(item, np.generic) and not isinstance(item, np.object_):
        return
    if isinstance(item, np.ndarray) and type(item) in ARRAY_TYPES + MASKED_TYPES:
        return  # itself rebuilt by these rules (variable-length FITS columns hold arrays)
    if isinstance(item, tuple | list) and depth < _MAX_ITEM_DEPTH:
        for inner in item:
            _check_plain(inner, depth + 1)
        return
    raise UnsafePayload(
        f"{_REFUSED}puts a {_type_name(item)} into an object array; only numbers, text, "
        "bytes, None and arrays are expected there"
    )


def check_array_state(state: Any, budget: Budget, what: str = "an array") -> None:
    """The state ``ndarray.__setstate__`` takes: ``([version,] shape, dtype, fortran, data)``.

    Raw bytes are accepted only for a dtype without objects, and must hold exactly the items
    the shape declares; an object dtype's items must be a list of plain values of that length.
    """
    if not isinstance(state, tuple) or len(state) not in (4, 5):
        raise UnsafePayload(f"{_REFUSED}gives {what} a state NumPy would not make")
    if len(state) == 5 and type(state[0]) is not int:
        raise UnsafePayload(f"{_REFUSED}gives {what} an odd state version {state[0]!r}")
    shape, dtype, fortran, data = state[-4:]
    shape = _shape(shape, what)
    dtype = _dtype(dtype, what)
    if not isinstance(fortran, bool | int):
        raise UnsafePayload(f"{_REFUSED}gives {what} an odd memory order {fortran!r}")
    count = budget.take(shape, dtype, what)
    if dtype.hasobject:
        if type(data) is not list:
            raise UnsafePayload(
                f"{_REFUSED}would fill {what} of Python objects from raw bytes; object "
                "arrays are rebuilt only from a list of values"
            )
        if len(data) != count:
            raise UnsafePayload(
                f"{_REFUSED}declares {what} of {count} objects but gives {len(data)} values"
            )
        for item in data:
            _check_plain(item)
        return
    if not isinstance(data, bytes | bytearray):
        raise UnsafePayload(
            f"{_REFUSED}gives {what} of {dtype} its data as a {type(data).__name__}, not bytes"
        )
    if len(data) != count * dtype.itemsize:
        raise UnsafePayload(
            f"{_REFUSED}declares {what} of {count * dtype.itemsize} bytes (shape {shape}, "
            f"dtype {dtype}) but gives {len(data)} bytes of data"
        )


def _check_masked_state(state: Any, budget: Budget, what: str) -> None:
    # MaskedArray.__getstate__: (version, shape, dtype, fortran, data, mask bytes, fill value)
    if not isinstance(state, tuple) or len(state) != 7:
        raise UnsafePayload(f"{_REFUSED}gives {what} a state NumPy would not make")
    version, shape, dtype, fortran, data, mask, fill_value = state
    check_array_state((version, shape, dtype, fortran, data), budget, what)
    mask_dtype = np.ma.make_mask_descr(dtype)
    check_array_state((version, shape, mask_dtype, fortran, mask), budget, f"the mask of {what}")
    _check_plain(fill_value)


def _check_instance_dict(target: Any, state: Any) -> None:
    """A plain ``__dict__`` update of one instance: attribute names, no dunders, and values
    that are data (never a class or a function the pickle fetched)."""
    what = _type_name(target)
    if not isinstance(state, dict):
        raise UnsafePayload(f"{_REFUSED}gives a {what} a state that is not a dict of attributes")
    for key in state:
        if not isinstance(key, str) or not key.isidentifier():
            raise UnsafePayload(f"{_REFUSED}gives a {what} an attribute named {key!r}")
        if key.startswith("__") and key != "__doc__":
            raise UnsafePayload(f"{_REFUSED}sets {key} on a {what}")
    for key, value in state.items():
        if isinstance(value, type) or inspect.isroutine(value):
            raise UnsafePayload(f"{_REFUSED}sets {key} of a {what} to {_type_name(value)}")


def _build_array(target: Any, state: Any, budget: Budget) -> None:
    check_array_state(state, budget, f"a {_type_name(target)}")


def _build_masked(target: Any, state: Any, budget: Budget) -> None:
    _check_masked_state(state, budget, f"a {_type_name(target)}")


def _build_fits_rec(target: Any, state: Any, budget: Budget) -> None:
    if not isinstance(state, tuple) or len(state) < 3:
        raise UnsafePayload(f"{_REFUSED}gives a FITS_rec a state astropy would not make")
    values, names = state[-2], state[-1]
    check_array_state(state[:-2], budget, "a FITS_rec")
    if type(values) is not list or type(names) is not list or len(values) != len(names):
        raise UnsafePayload(f"{_REFUSED}gives a FITS_rec odd column attributes")
    for name, value in zip(names, values, strict=True):
        if name not in FITS_REC_ATTRIBUTES:
            raise UnsafePayload(f"{_REFUSED}sets {name!r} on a FITS_rec")
        if name == "_coldefs" and not isinstance(value, _COLDEFS_TYPES):
            raise UnsafePayload(f"{_REFUSED}gives a FITS_rec columns of type {_type_name(value)}")


def _build_table_column(target: Any, state: Any, budget: Budget) -> None:
    what = f"a {_type_name(target)}"
    if not isinstance(state, tuple) or len(state) < 2 or not isinstance(state[-1], tuple):
        raise UnsafePayload(f"{_REFUSED}gives {what} a state astropy would not make")
    if isinstance(target, np.ma.MaskedArray):
        _check_masked_state(state[:-1], budget, what)
    else:
        check_array_state(state[:-1], budget, what)
    attributes = state[-1]
    # (name, unit, format, description, meta, indices), as BaseColumn.__reduce__ makes it
    if len(attributes) > 6:
        raise UnsafePayload(f"{_REFUSED}gives {what} {len(attributes)} column attributes")
    kinds: tuple[tuple[type, ...], ...] = (
        (str, type(None)),
        (units_core.UnitBase, str, type(None)),
        (str, type(None)),
        (str, type(None)),
        (Mapping, type(None)),
        (list, tuple),
    )
    for value, allowed in zip(attributes, kinds, strict=False):
        if not isinstance(value, allowed) or isinstance(value, type):
            raise UnsafePayload(f"{_REFUSED}gives {what} an attribute of type {_type_name(value)}")


def _build_table(target: Any, state: Any, budget: Budget) -> None:
    if not isinstance(state, tuple) or len(state) != 2:
        raise UnsafePayload(f"{_REFUSED}gives a Table a state astropy would not make")
    columns, meta = state
    if not isinstance(columns, Mapping) or not isinstance(meta, Mapping | type(None)):
        raise UnsafePayload(f"{_REFUSED}gives a Table columns or meta of an odd type")
    for name, column in columns.items():
        if not isinstance(name, str) or type(column) not in TABLE_COLUMN_TYPES:
            raise UnsafePayload(
                f"{_REFUSED}gives a Table a column {name!r} of type {_type_name(column)}"
            )


def _build_plain_object(target: Any, state: Any, budget: Budget) -> None:
    _check_instance_dict(target, state)


BuildRule = Callable[[Any, Any, Budget], None]

#: The exact types BUILD may be applied to, each with the check of its state. Dtypes are
#: checked apart (see :mod:`oda_widgets.client.products.unpickle`), against what NumPy would pickle.
BUILD_RULES: dict[type, BuildRule] = {
    **{kind: _build_array for kind in ARRAY_TYPES},
    **{kind: _build_masked for kind in MASKED_TYPES},
    fitsrec.FITS_rec: _build_fits_rec,
    **{kind: _build_table_column for kind in TABLE_COLUMN_TYPES},
    table_table.Table: _build_table,
    fits_column.Column: _build_plain_object,
    **{kind: _build_plain_object for kind in _FORMAT_TYPES + _COLDEFS_TYPES + UNIT_TYPES},
}


def check_build(target: Any, state: Any, budget: Budget) -> None:
    """Refuse a BUILD unless ``target`` is an instance of a listed type and ``state`` fits it."""
    if isinstance(target, type):
        raise UnsafePayload(
            f"{_REFUSED}sets attributes on the class {_type_name(target)} itself, which "
            "would change it for the rest of the session; nothing was changed"
        )
    rule = BUILD_RULES.get(type(target))
    if rule is None:
        raise UnsafePayload(
            f"{_REFUSED}sets the state of a {_type_name(target)}, which a data product never needs"
        )
    rule(target, state, budget)


# --- calls ---------------------------------------------------------------------------------


def _simple_code(value: Any, what: str) -> None:
    """The dtype argument of NumPy's reconstruction: a type code (``b'b'``) or a plain dtype."""
    if isinstance(value, bytes | str) and len(value) <= 8:
        if np.dtype(value.decode("latin-1") if isinstance(value, bytes) else value).hasobject:
            raise UnsafePayload(f"{_REFUSED}starts {what} with an object dtype")
        return
    if isinstance(value, np.dtype) and not value.hasobject:
        return
    raise UnsafePayload(f"{_REFUSED}starts {what} with the dtype {value!r}")


def _empty_shape(shape: Any, what: str) -> None:
    # NumPy always starts from an empty (0,) array and gives it its data in BUILD: a non-empty
    # start would be memory the pickle never filled
    if math.prod(_shape(shape, what)) != 0:
        raise UnsafePayload(f"{_REFUSED}starts {what} of shape {shape} with no data in it")


def _arguments(args: tuple[object, ...], kwargs: dict[str, object], counts: Container[int], callee: str) -> tuple[object, ...]:
    """``args``, when they are ``counts`` positional arguments and no keyword one."""
    if kwargs or len(args) not in counts:
        raise UnsafePayload(f"{_REFUSED}calls {callee} with odd arguments")
    return args


def _empty_start(subtype: Any, admitted: tuple[type, ...], shape: Any, code: Any,
                 what: str) -> None:
    """The start of NumPy's reconstruction of ``what``: an admitted class, an empty shape and
    a type code without objects."""
    if not (isinstance(subtype, type) and subtype in admitted):
        raise UnsafePayload(f"{_REFUSED}rebuilds {what} as a {subtype!r}")
    _empty_shape(shape, what)
    _simple_code(code, what)


_RECONSTRUCTED = ARRAY_TYPES + MASKED_TYPES + (fitsrec.FITS_rec,) + TABLE_COLUMN_TYPES
_MASKED_RECONSTRUCTED = tuple(
    kind for kind in MASKED_TYPES + TABLE_COLUMN_TYPES if issubclass(kind, np.ma.MaskedArray)
)
_MASKED_BASES = ARRAY_TYPES + (table_column.BaseColumn,) + TABLE_COLUMN_TYPES


def _call_reconstruct(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    subtype, shape, code = _arguments(args, kwargs, (3,), "NumPy's _reconstruct")
    _empty_start(subtype, _RECONSTRUCTED, shape, code, "an array")


def _call_mareconstruct(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    subtype, baseclass, shape, code = _arguments(args, kwargs, (4,), "NumPy's _mareconstruct")
    if baseclass not in _MASKED_BASES:
        raise UnsafePayload(f"{_REFUSED}rebuilds a masked array over a {baseclass!r}")
    _empty_start(subtype, _MASKED_RECONSTRUCTED, shape, code, "a masked array")


def _call_frombuffer(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    # numpy's _frombuffer(buffer, dtype, shape, order), protocol 5's in-band arrays
    buffer, dtype, shape, order = _arguments(args, kwargs, (4,), "NumPy's _frombuffer")
    dtype = _dtype(dtype, "an array")
    if dtype.hasobject:
        raise UnsafePayload(
            f"{_REFUSED}would read Python objects out of raw bytes; nothing was read"
        )
    if order not in ("C", "F"):
        raise UnsafePayload(f"{_REFUSED}gives an array the memory order {order!r}")
    count = budget.take(_shape(shape, "an array"), dtype, "an array")
    if not isinstance(buffer, bytes | bytearray) or len(buffer) != count * dtype.itemsize:
        raise UnsafePayload(
            f"{_REFUSED}declares an array of {count * dtype.itemsize} bytes but gives "
            f"{len(buffer) if isinstance(buffer, bytes | bytearray) else 'no'} bytes"
        )


def _call_scalar(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    # numpy's scalar(dtype[, bytes or the object itself])
    _arguments(args, kwargs, (1, 2), "NumPy's scalar")
    dtype = _dtype(args[0], "a scalar")
    if dtype.hasobject:
        if dtype.names is not None or dtype.subdtype is not None:
            raise UnsafePayload(f"{_REFUSED}would read a record of Python objects out of bytes")
        if len(args) == 2:
            _check_plain(args[1])
        return
    if len(args) == 2 and (
        not isinstance(args[1], bytes | bytearray) or len(args[1]) != dtype.itemsize
    ):
        raise UnsafePayload(f"{_REFUSED}gives a {dtype} scalar data of the wrong size")


def _call_dtype(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    _arguments(args, kwargs, (1, 2, 3), "numpy.dtype")
    spec = args[0]
    if not (isinstance(spec, str) or (isinstance(spec, type) and issubclass(spec, np.generic))):
        raise UnsafePayload(f"{_REFUSED}calls numpy.dtype with a {_type_name(spec)}")
    if not all(isinstance(flag, bool | int) for flag in args[1:]):
        raise UnsafePayload(f"{_REFUSED}calls numpy.dtype with odd flags")


def _call_ordered_dict(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    if kwargs or args:
        raise UnsafePayload(f"{_REFUSED}calls OrderedDict with arguments")


def _call_checked_helper(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    # the stand-ins of unpickle.py check their own arguments
    if kwargs:
        raise UnsafePayload(f"{_REFUSED}calls a helper with keyword arguments")


CallRule = Callable[[tuple[object, ...], dict[str, object], Budget], None]


def _new_plain(args: tuple[object, ...], kwargs: dict[str, object], budget: Budget) -> None:
    # Column(), Table(), units, formats ('D', '12A', ...), ColDefs([arrays]): plain arguments
    if kwargs:
        raise UnsafePayload(f"{_REFUSED}creates an object with keyword arguments")
    for value in args:
        if isinstance(value, list):
            for item in value:
                if not isinstance(item, fits_column.Column) and type(item) not in ARRAY_TYPES:
                    raise UnsafePayload(f"{_REFUSED}makes columns out of a {_type_name(item)}")
        elif not isinstance(value, _PLAIN_SCALARS):
            raise UnsafePayload(f"{_REFUSED}creates an object from a {_type_name(value)}")


#: Classes a pickle may create with ``cls.__new__(cls, *args)`` (NEWOBJ): the ones astropy
#: pickles that way. Array classes are absent: ``ndarray.__new__`` would take a buffer.
NEW_RULES: dict[type, CallRule] = {
    kind: _new_plain
    for kind in (fits_column.Column, table_table.Table, OrderedDict)
    + _FORMAT_TYPES
    + _COLDEFS_TYPES
    + UNIT_TYPES
}


def call_rules(helpers: Mapping[str, Any]) -> dict[int, CallRule]:
    """The rules of the callables REDUCE may call, by ``id`` of the object ``helpers`` names.

    ``helpers`` maps each admitted global name to what it resolves to (see unpickle.py); names
    without a rule here (array classes among them) are admitted only as arguments.
    """
    by_name: dict[str, CallRule] = {
        "multiarray._reconstruct": _call_reconstruct,
        "multiarray.scalar": _call_scalar,
        "numeric._frombuffer": _call_frombuffer,
        "numpy.ma.core._mareconstruct": _call_mareconstruct,
        "numpy.dtype": _call_dtype,
        "collections.OrderedDict": _call_ordered_dict,
        "_codecs.encode": _call_checked_helper,
        "astropy.units.core._recreate_irreducible_unit": _call_checked_helper,
    }
    rules: dict[int, CallRule] = {}
    for name, target in helpers.items():
        for suffix, rule in by_name.items():
            if name.endswith(suffix):
                rules[id(target)] = rule
    return rules
