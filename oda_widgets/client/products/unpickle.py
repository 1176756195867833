"""Restricted unpickling of the arrays and tables the dispatcher sends.

The dispatcher ships NumPy arrays, FITS tables (``FITS_rec``) and astropy ``Table`` objects as
Python pickles. A pickle can name any importable callable and have it called while loading, so a
plain ``pickle.loads`` of server data would let whoever controls the server (or the network path
to it) run code in the user's kernel. :func:`safe_loads` resolves every global a pickle names
against a fixed table of the reconstruction helpers those objects need, and refuses anything else
before it can run.

This module is the only place in :mod:`oda_widgets` where pickle data is loaded.
"""

from __future__ import annotations

import codecs
import collections
import io
import pickle
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from astropy.io.fits import column as fits_column
from astropy.io.fits import fitsrec
from astropy.table import column as table_column
from astropy.table import table as table_table
from astropy.units import core as units_core
from astropy.utils.compat import numpycompat

from ..errors import UnsafePayload
from . import budget as _budget
from . import pickle_rules
from .budget import MAX_DECODED_BYTES, DecodeBudget

__all__ = ["safe_loads", "ALLOWED_GLOBALS", "MAX_DECODED_BYTES"]  # the limit lives in .budget




def _reduced(reduced: str | tuple[Any, ...]) -> tuple[Any, ...]:
    """A ``__reduce__`` answer that is a tuple (a global's name is the other kind, which NumPy's
    arrays, scalars and dtypes never answer)."""
    if isinstance(reduced, str):
        raise TypeError(f"NumPy reduces its objects in an unknown way: {reduced!r}")
    return reduced


def _rebuilder(reduced: str | tuple[Any, ...]) -> Callable[..., Any]:
    """The function a ``__reduce__`` answer rebuilds its object with (its first item)."""
    rebuild: Callable[..., Any] = _reduced(reduced)[0]
    if not callable(rebuild):
        raise TypeError(f"NumPy reduces its objects in an unknown way: {reduced!r}")
    return rebuild


def _numpy_reconstruct() -> Callable[..., Any]:
    # What the installed NumPy itself pickles arrays with: numpy._core.multiarray._reconstruct on
    # NumPy 2, numpy.core.multiarray._reconstruct on NumPy 1. Either spelling maps to it.
    return _rebuilder(np.zeros(1).__reduce__())


def _numpy_scalar() -> Callable[..., Any]:
    return _rebuilder(np.float64(0.0).__reduce__())


def _numpy_frombuffer() -> Callable[..., Any]:
    # Pickle protocol 5 (the default from Python 3.14) stores contiguous arrays in-band through
    # numpy's _frombuffer helper rather than _reconstruct.
    return _rebuilder(np.zeros(2).__reduce_ex__(5))


def _latin1_encode(text: Any, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    """Stand-in for ``_codecs.encode``, which protocol-2 pickles use to rebuild ``bytes``.

    Only the latin-1 text -> bytes conversion pickle itself emits is allowed: other codecs can
    load arbitrary ``encodings`` submodules, which a payload has no reason to ask for.
    """
    if not isinstance(text, str) or codecs.lookup(encoding).name not in ("latin-1", "iso8859-1"):
        raise UnsafePayload(
            f"refused to decode a product: its pickle calls _codecs.encode with "
            f"{type(text).__name__} and encoding {encoding!r}; only latin-1 text is expected"
        )
    return text.encode("latin-1", errors)


_UNIT_CLASSES = (units_core.IrreducibleUnit, units_core.UnrecognizedUnit)


def _recreate_unit(cls: Any, names: Any, registered: Any = False) -> Any:
    """Stand-in for astropy's ``_recreate_irreducible_unit`` that never touches the registry.

    The original enables a unit of the payload's choosing in the process-wide unit registry when
    ``registered`` is true; a decoded product has no business changing how units parse later.
    """
    if not (isinstance(cls, type) and issubclass(cls, _UNIT_CLASSES)):
        raise UnsafePayload(
            f"refused to decode a product: its pickle rebuilds a unit with {cls!r}, "
            "which is not an astropy unit class"
        )
    registry = units_core.get_current_unit_registry().registry
    first = names[0] if isinstance(names, list | tuple) and names else names
    if isinstance(first, str) and first in registry:
        return registry[first]
    return cls(names)


def _allowed_table() -> dict[str, Any]:
    reconstruct = _numpy_reconstruct()
    scalar = _numpy_scalar()
    frombuffer = _numpy_frombuffer()
    table: dict[str, Any] = {}
    for core in ("numpy.core", "numpy._core"):
        table[f"{core}.multiarray._reconstruct"] = reconstruct
        table[f"{core}.multiarray.scalar"] = scalar
        table[f"{core}.numeric._frombuffer"] = frombuffer
        table[f"{core}.records.recarray"] = np.recarray
        table[f"{core}.records.record"] = np.record
    table.update(
        {
            "numpy.dtype": np.dtype,
            "numpy.ndarray": np.ndarray,
            "numpy.record": np.record,
            "numpy.recarray": np.recarray,
            "numpy.rec.recarray": np.recarray,
            "numpy.rec.record": np.record,
            "numpy.ma.MaskedArray": np.ma.MaskedArray,
            "numpy.ma.core.MaskedArray": np.ma.MaskedArray,
            # a private NumPy helper, absent from NumPy's type stubs
            "numpy.ma.core._mareconstruct": np.ma.core._mareconstruct,  # type: ignore[attr-defined]
            # FITS tables exactly as the dispatcher pickles hdu.data
            "astropy.io.fits.fitsrec.FITS_rec": fitsrec.FITS_rec,
            "astropy.io.fits.column.ColDefs": fits_column.ColDefs,
            "astropy.io.fits.column._AsciiColDefs": fits_column._AsciiColDefs,
            "astropy.io.fits.column.Column": fits_column.Column,
            "astropy.io.fits.column._ColumnFormat": fits_column._ColumnFormat,
            "astropy.io.fits.column._AsciiColumnFormat": fits_column._AsciiColumnFormat,
            "astropy.io.fits.column._FormatP": fits_column._FormatP,
            "astropy.io.fits.column._FormatQ": fits_column._FormatQ,
            "astropy.io.fits.column._FormatX": fits_column._FormatX,
            "astropy.io.fits.column._VLF": fits_column._VLF,
            # string columns of FITS tables are character arrays (an ndarray subclass)
            "astropy.utils.compat.numpycompat.chararray": numpycompat.chararray,
            "numpy.char.chararray": np.char.chararray,
            "numpy.core.defchararray.chararray": np.char.chararray,
            "numpy._core.defchararray.chararray": np.char.chararray,
            # astropy tables of numbers and strings (astropy_table_product_binary_list)
            "astropy.table.table.Table": table_table.Table,
            "astropy.table.column.Column": table_column.Column,
            "astropy.table.column.MaskedColumn": table_column.MaskedColumn,
            "astropy.table.column.BaseColumn": table_column.BaseColumn,
            "astropy.units.core.Unit": units_core.Unit,
            "astropy.units.core.IrreducibleUnit": units_core.IrreducibleUnit,
            "astropy.units.core.CompositeUnit": units_core.CompositeUnit,
            "astropy.units.core.PrefixUnit": units_core.PrefixUnit,
            "astropy.units.core.UnrecognizedUnit": units_core.UnrecognizedUnit,
            "astropy.units.core._recreate_irreducible_unit": _recreate_unit,
            "collections.OrderedDict": collections.OrderedDict,
            "_codecs.encode": _latin1_encode,
        }
    )
    return table


#: Every global a product pickle may name, mapped to what it resolves to here.
ALLOWED_GLOBALS: dict[str, Any] = _allowed_table()


def _expected_dtype_state(target: np.dtype[Any], state: Any) -> tuple[Any, ...]:
    """The state NumPy itself would pickle for the dtype ``state`` describes, rebuilt through
    the public constructor (which checks that every field fits in the item size and sets the
    object flags itself); raises ``UnsafePayload`` when no sound dtype matches it."""
    if not isinstance(state, tuple) or len(state) not in (8, 9):
        raise UnsafePayload("refused to decode a product: its pickle gives a dtype an odd state")
    byteorder, subarray, names, fields, itemsize = state[1], state[2], state[3], state[4], state[5]
    if len(state) == 9 and state[8]:
        raise UnsafePayload("refused to decode a product: its pickle gives a dtype metadata")
    try:
        if names is not None:
            entries = [fields[name] for name in names]
            spec: _DTypeDict = {
                "names": list(names),
                "formats": [entry[0] for entry in entries],
                "offsets": [entry[1] for entry in entries],
                "itemsize": itemsize,
            }
            if any(len(entry) > 2 for entry in entries):
                spec["titles"] = [entry[2] if len(entry) > 2 else None for entry in entries]
            expected = np.dtype(spec)
        elif subarray is not None:
            expected = np.dtype((subarray[0], subarray[1]))
        else:
            expected = target if byteorder in ("|", "=") else target.newbyteorder(byteorder)
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise UnsafePayload(
            f"refused to decode a product: its pickle describes an impossible dtype ({exc})"
        ) from None
    # NumPy pickles a dtype as (its class, the constructor's arguments, this state)
    expected_state: tuple[Any, ...] = _reduced(expected.__reduce__())[2]
    return expected_state


if TYPE_CHECKING:
    # the dict form of a record dtype, as NumPy's stubs spell it (private, so only named here)
    from numpy._typing._dtype_like import _DTypeDict

    class _PurePythonUnpickler(pickle._Unpickler):
        """The parts of the pure-Python unpickler this module overrides or reads, which the
        standard library's type stubs leave out (undocumented, and there in every Python the
        package supports)."""

        # each opcode's handler takes the unpickler class it was written for
        dispatch: ClassVar[dict[int, Callable[[Any], None]]]
        stack: list[Any]
        metastack: list[list[Any]]

        def load_reduce(self) -> None: ...
        def load_newobj(self) -> None: ...
        def load_newobj_ex(self) -> None: ...
        def load_build(self) -> None: ...
        def _instantiate(self, klass: Any, args: list[Any]) -> None: ...

else:
    _PurePythonUnpickler = pickle._Unpickler


class _RestrictedUnpickler(_PurePythonUnpickler):
    """An unpickler whose globals come from :data:`ALLOWED_GLOBALS` and nowhere else, and whose
    every call, object creation, BUILD and container fill is checked by
    :mod:`oda_widgets.client.products.pickle_rules`.

    It is the pure-Python unpickler so that those instructions can be checked one by one.
    """

    dispatch = dict(_PurePythonUnpickler.dispatch)

    def __init__(self, file: io.BytesIO, *, budget: DecodeBudget) -> None:
        super().__init__(file, encoding="latin1")
        self.budget = budget

    def find_class(self, module: str, name: str) -> Any:
        key = f"{module}.{name}"
        try:
            return ALLOWED_GLOBALS[key]
        except KeyError:
            raise UnsafePayload(
                f"refused to decode a product: its pickle asks for '{key}', which is not one of "
                "the NumPy/astropy types a data product is made of; nothing was run"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePayload("refused to decode a product: its pickle uses persistent ids")

    # --- instructions that call something ------------------------------------------------------
    def _check_call(self, func: Any, args: Any, kwargs: Any = None) -> None:
        if not isinstance(args, tuple) or not isinstance(kwargs or {}, dict):
            raise UnsafePayload("refused to decode a product: its pickle calls with odd arguments")
        rule = _CALL_RULES.get(id(func))
        if rule is None:
            raise UnsafePayload(
                f"refused to decode a product: its pickle calls {_describe(func)} directly; "
                "arrays and tables are only rebuilt through NumPy's and astropy's own "
                "reconstruction, so nothing was made"
            )
        rule(args, kwargs or {}, self.budget)

    def _check_new(self, cls: Any, args: Any, kwargs: Any = None) -> None:
        rule = pickle_rules.NEW_RULES.get(cls) if isinstance(cls, type) else None
        if rule is None or not isinstance(args, tuple) or not isinstance(kwargs or {}, dict):
            raise UnsafePayload(
                f"refused to decode a product: its pickle creates a {_describe(cls)} "
                "directly, which a data product never needs; nothing was made"
            )
        rule(args, kwargs or {}, self.budget)

    def load_reduce(self) -> None:
        self._check_call(self.stack[-2], self.stack[-1])
        _PurePythonUnpickler.load_reduce(self)

    def load_newobj(self) -> None:
        self._check_new(self.stack[-2], self.stack[-1])
        _PurePythonUnpickler.load_newobj(self)

    def load_newobj_ex(self) -> None:
        self._check_new(self.stack[-3], self.stack[-2], self.stack[-1])
        _PurePythonUnpickler.load_newobj_ex(self)

    def _instantiate(self, klass: Any, args: list[Any]) -> None:
        # INST and OBJ (protocols 0 and 1) call the class with the arguments
        self._check_call(klass, tuple(args))
        _PurePythonUnpickler._instantiate(self, klass, args)

    def load_build(self) -> None:
        state, target = self.stack[-1], self.stack[-2]
        if isinstance(target, np.dtype):
            if state != _expected_dtype_state(target, state):
                raise UnsafePayload(
                    "refused to decode a product: its pickle gives a dtype a state NumPy would "
                    "not make (fields outside the record or unflagged object pointers); "
                    "nothing was read"
                )
        else:
            pickle_rules.check_build(target, state, self.budget)
        _PurePythonUnpickler.load_build(self)

    dispatch[pickle.REDUCE[0]] = load_reduce
    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex
    dispatch[pickle.BUILD[0]] = load_build


# --- instructions that fill a container: each only its own kind (lists, dicts, sets) -----------
_DICT_TYPES = (dict, collections.OrderedDict)
_FILLS: dict[bytes, tuple[Callable[[_RestrictedUnpickler], Any], tuple[type, ...], str]] = {
    # opcode: where the instruction finds its container, what it may be, what it does to it
    pickle.APPEND: (lambda u: u.stack[-2], (list,), "appends items to"),
    pickle.APPENDS: (lambda u: u.metastack[-1][-1], (list,), "appends items to"),
    pickle.SETITEM: (lambda u: u.stack[-3], _DICT_TYPES, "sets keyed items in"),
    pickle.SETITEMS: (lambda u: u.metastack[-1][-1], _DICT_TYPES, "sets keyed items in"),
    pickle.ADDITEMS: (lambda u: u.metastack[-1][-1], (set,), "adds set items to"),
}


def _checked_fill(
    load: Callable[[Any], None],
    container_of: Callable[[_RestrictedUnpickler], Any],
    admitted: tuple[type, ...],
    action: str,
) -> Callable[[_RestrictedUnpickler], None]:
    """``load``, run only on a container of an ``admitted`` type (exactly: no subclass, whose
    own ``append`` or ``__setitem__`` would run)."""

    def checked(unpickler: _RestrictedUnpickler) -> None:
        container = container_of(unpickler)
        if type(container) not in admitted:
            raise UnsafePayload(
                f"refused to decode a product: its pickle {action} a {_describe(container)}; "
                "only lists take appended items, dicts keyed ones and sets set ones"
            )
        load(unpickler)

    return checked


for _opcode, (_container_of, _admitted, _action) in _FILLS.items():
    _RestrictedUnpickler.dispatch[_opcode[0]] = _checked_fill(
        _PurePythonUnpickler.dispatch[_opcode[0]], _container_of, _admitted, _action
    )
_CALL_RULES = pickle_rules.call_rules(ALLOWED_GLOBALS)


def _describe(obj: Any) -> str:
    if isinstance(obj, type) or callable(obj):
        return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def safe_loads(
    data: bytes, *, max_bytes: int | None = None, budget: DecodeBudget | None = None
) -> Any:
    """Rebuild a NumPy array, ``FITS_rec`` or astropy ``Table`` from pickle bytes, safely.

    Parameters
    ----------
    data : bytes
        The pickle, already base64-decoded.
    max_bytes : int, optional
        The most bytes its arrays may declare, all together (default
        :data:`.budget.MAX_DECODED_BYTES`, 1 GiB: far above any INTEGRAL product).
    budget : DecodeBudget, optional
        The budget of the answer this pickle belongs to, which its arrays share with the
        answer's other decode paths (``max_bytes`` is then ignored).

    Returns
    -------
    object
        The rebuilt array or table.

    Raises
    ------
    UnsafePayload
        If the pickle names any global outside :data:`ALLOWED_GLOBALS` (e.g. ``os.system``,
        ``builtins.eval``), calls or builds anything outside the rules of
        :mod:`oda_widgets.client.products.pickle_rules` (object arrays over raw bytes, state set on a
        class, ...), declares more than ``max_bytes``, or exhausts memory or the interpreter's
        recursion limit. The refusal happens before the offending instruction runs.
    pickle.UnpicklingError
        If the bytes are not a valid pickle.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"safe_loads expects bytes, not {type(data).__name__}")
    if budget is None:
        budget = DecodeBudget(_budget.MAX_DECODED_BYTES if max_bytes is None else max_bytes)
    # latin-1 lets NumPy read arrays pickled under Python 2 (its documented choice) and changes
    # nothing for Python 3 pickles.
    try:
        unpickler = _RestrictedUnpickler(io.BytesIO(bytes(data)), budget=budget)
        return unpickler.load()
    except MemoryError:
        raise UnsafePayload(
            f"refused to decode a product: rebuilding its pickle ({len(data)} bytes) ran out of "
            "memory; the server sent something far larger than a data product"
        ) from None
    except RecursionError:
        raise UnsafePayload(
            "refused to decode a product: its pickle is nested too deeply to rebuild; a data "
            "product is never nested like that"
        ) from None
