"""QueryDraft: a query being prepared, without any widget: its values, the roles they play, what
is wrong with them, and what would be sent.

The form (:class:`~oda_widgets.widgets.form.QueryForm`) lays a draft out as fields; a script uses
one directly::

    draft = QueryDraft(dispatcher.describe("isgri"), "isgri_image")
    draft.values = {"src_name": "Crab", "RA": 83.63, "DEC": 22.01}
    draft.set_time_range("2020-01-01T00:00:00", "2020-01-02T00:00:00")
    if not draft.problems():
        job = draft.submit(dispatcher)

A value is read as the form's field of its kind reads it (:mod:`.entries`), so a draft and a form
given the same values find the same problems and send the same parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ..catalog.source_catalog import Catalog
from ..dispatcher import Dispatcher
from ..errors import ValidationError, ValidationErrors
from .apicode import api_code
from .entries import Entry, convert_time, entry_of
from .pair_checks import pair_problems
from .parameter_spec import ParameterSpec
from .roles import ROLES, find_role, role_pair
from .share import read_share_url
from .spec import InstrumentSpec

__all__ = ["Problem", "QueryDraft"]

#: What a share URL may carry that is no parameter of the form (the catalog's selected rows).
SELECTED_OBJECTS = "catalog_selected_objects"


class _Describing(Protocol):
    """The part of a Dispatcher a draft needs to be made from a job or a share URL."""

    url: str

    def describe(self, instrument: str, product: str | None = None) -> InstrumentSpec: ...


@dataclass(frozen=True)
class Problem:
    """Why the dispatcher would refuse a parameter: its own text, and what to change."""

    parameter: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        return f"{self.parameter}: {self.message}" + (f" ({self.hint})" if self.hint else "")


class QueryDraft:
    """A query of one instrument's product, prepared without sending it.

    Parameters
    ----------
    spec : InstrumentSpec
        The instrument's description (``Dispatcher.describe(instrument)``).
    product : str, optional
        The product (the first described one by default). A product the description lacks is
        replaced by the first one and said in :attr:`notes`, as the form says it.
    query_type : str
        ``"Real"``, or ``"Dummy"`` for the dispatcher's canned test products.
    values : Mapping, optional
        Values to set at once (see :attr:`values`).
    entries : Mapping[str, Entry], optional
        Values as a form's fields hold them (the text typed and the value sent), each time in
        the format of its switch; parameters not among them take the description's default.

    Attributes
    ----------
    notes : list of str
        What the draft could not take as given (an unknown product, parameters left out of the
        description), in words.
    ignored : list of str
        The parameters of a share URL or a job that this product does not take.
    """

    def __init__(self, spec: InstrumentSpec, product: str | None = None, *,
                 query_type: str = "Real", values: Mapping[str, Any] | None = None,
                 entries: Mapping[str, Entry] | None = None) -> None:
        self.spec = spec
        self.query_type = query_type
        self.notes: list[str] = []
        self.ignored: list[str] = []
        products = list(spec.products)
        if product is not None and product not in products:
            self.notes.append(f"{spec.name} has no product {product}")
            product = None
        if product is None and not products:
            raise ValueError(f"the description of {spec.name} has no product")
        self.product: str = product if product is not None else products[0]
        # the parameters a user gives (the token and ``user_catalog`` are not among them)
        self.described: dict[str, ParameterSpec] = {
            p.name: p for p in spec.parameters(self.product) if p.name is not None
        }
        self.switches = frozenset(
            str(p.format_parameter) for p in self.described.values()
            if p.kind == "time" and p.format_parameter in self.described
        )
        self.notes += list(spec.refused(self.product).values())
        self._entries: dict[str, Entry] = {}
        self._selected_objects: str | None = None
        self._catalog: Any = None
        # each time's format: its description's until its switch converts it (as the form does)
        self._time_formats = {name: str(p.units or "isot") for name, p in self.described.items()
                              if p.kind == "time"}
        given = entries or {}
        self._enter_values({name: p.default for name, p in self.described.items()
                            if name not in given})
        for name in sorted(given, key=lambda key: key not in self.switches):  # formats first
            self.enter(name, given[name])
        for switch in self.switches:
            self._convert_times(switch)
        if values:
            self.values = dict(values)

    # --- values -------------------------------------------------------------------------------
    @property
    def instrument(self) -> str:
        """The instrument, as the dispatcher names it."""
        return self.spec.name

    @property
    def values(self) -> dict[str, Any]:
        """The values by parameter name, as the form's ``values`` has them (numbers as numbers,
        unreadable text as given, ``None`` for an empty one). Setting it sets the named values
        (others keep theirs); an unknown name raises KeyError naming the known ones."""
        return {name: entry.sent for name, entry in self._entries.items()}

    @values.setter
    def values(self, given: Mapping[str, Any]) -> None:
        unknown = [name for name in given if name not in self.described]
        if unknown:
            raise KeyError(
                f"{self.instrument}/{self.product} has no parameter {', '.join(unknown)}; "
                f"it has {', '.join(self.described)}"
            )
        self._enter_values(given)

    def set(self, **values: Any) -> QueryDraft:
        """Set values by name (``draft.set(RA=83.63, DEC=22.01)``); returns the draft."""
        self.values = values
        return self

    def _enter_values(self, given: Mapping[str, Any]) -> None:
        catalog = given.get("selected_catalog", self._catalog)
        if "selected_catalog" in given:
            self._catalog = catalog if not (isinstance(catalog, str) and not catalog.strip()) \
                else None
        # formats first: the times that follow are given in the format being set
        for name in sorted(given, key=lambda key: key not in self.switches):
            value = given[name]
            if name in self.switches and value is None and name in self._entries:
                continue  # a switch is never empty: it keeps its format
            self._entries[name] = entry_of(
                self.described[name], value,
                time_format=self.time_format(name), switches=self.switches,
            )
            if name in self.switches:
                self._convert_times(name)

    def _convert_times(self, switch: str) -> None:
        """Rewrite the times that ``switch`` formats in its format (astropy ``Time``); a time
        that does not read in its current format is left as given."""
        target = str(self._entries[switch].sent)
        for name, source in self._time_formats.items():
            if self._switch_of(name) != switch or source == target or name not in self._entries:
                continue  # (a time not entered yet is converted once it is)
            converted = convert_time(self._entries[name].sent, source, target)
            self._time_formats[name] = target
            if converted is not None:
                self._entries[name] = entry_of(self.described[name], converted,
                                               time_format=target, switches=self.switches)

    def _switch_of(self, name: str) -> str:
        return str(self.described[name].format_parameter or "T_format")

    def enter(self, name: str, entry: Entry) -> None:
        """Take ``entry`` as the value of ``name`` as it is (a time in its switch's format)."""
        if name not in self.described:
            raise KeyError(f"{self.instrument}/{self.product} has no parameter {name}")
        self._entries[name] = entry
        switch = self._entries.get(self._switch_of(name)) if name in self._time_formats else None
        if switch is not None and self._switch_of(name) in self.switches:
            self._time_formats[name] = str(switch.sent)

    def time_format(self, name: str) -> str:
        """The format the time parameter ``name`` is given in: its switch's (``T_format``) once
        the switch has converted it, else the format its description gives (``isot``)."""
        return self._time_formats.get(name, "isot")

    # --- roles ------------------------------------------------------------------------------------
    def role(self, role: str) -> str | None:
        """The parameter playing ``role`` (``"target"``, ``"ra"``, ``"dec"``, ``"start"``,
        ``"stop"``, ``"energy_low"``, ``"energy_high"``), or None when none does."""
        if role not in ROLES:
            raise KeyError(f"no role {role!r}; the roles are {', '.join(ROLES)}")
        return find_role(self.described, role)

    def time_range(self) -> tuple[str, str] | None:
        """The names of the start and end times (``("T1", "T2")``), None without both."""
        pair = role_pair(self.described, "start", "stop")
        if pair is None or any(self.described[name].kind != "time" for name in pair):
            return None
        return pair

    def energy_band(self) -> tuple[str, str] | None:
        """The names of the band's lower and upper energies, None without both."""
        return role_pair(self.described, "energy_low", "energy_high")

    def set_time_range(self, start: Any, stop: Any) -> None:
        """Set the start and end times to ``start`` and ``stop`` (astropy ``Time`` or ISOT text),
        in ISOT (the time switch is set to ISOT first)."""
        pair = self.time_range()
        if pair is None:
            times = [name for name, p in self.described.items() if p.kind == "time"]
            raise KeyError(f"{self.instrument}/{self.product} has no T1/T2 time range "
                           f"(its times: {', '.join(times) or 'none'})")
        switch = self._switch_of(pair[0])
        values: dict[str, Any] = {switch: "isot"} if switch in self.switches else {}
        values[pair[0]], values[pair[1]] = isot_text(start), isot_text(stop)
        self.values = values

    def set_catalog(self, catalog: Any, *, selected_only: bool = False) -> None:
        """Send ``catalog`` as ``selected_catalog`` (``None``: the dispatcher's own); with
        ``selected_only`` and rows selected in it, only those rows are extracted."""
        if "selected_catalog" not in self.described:
            raise KeyError(f"{self.instrument}/{self.product} takes no selected_catalog")
        self.values = {"selected_catalog": catalog}
        getter = getattr(catalog, "catalog_selected_objects", None)
        self._selected_objects = getter() if selected_only and callable(getter) else None

    def select_objects(self, selected: str | None) -> None:
        """Send ``catalog_selected_objects`` as given (the form's "selected rows only")."""
        self._selected_objects = selected or None

    @property
    def catalog(self) -> Any:
        """The catalog given to ``selected_catalog`` (a ``Catalog``, a dict or JSON text)."""
        return self._catalog

    # --- checking -------------------------------------------------------------------------------
    def problems(self) -> dict[str, Problem]:
        """What the dispatcher would refuse, by parameter: its own text and what to change.

        Every parameter is checked as typed (an angle ``"1e-05"`` is refused by a 1.3.3
        dispatcher, as the form shows it), then the pairs (T2 after T1, E2 above E1).
        """
        sent = self.values
        found: dict[str, Problem] = {}
        for name, spec in self.described.items():
            entry = self._entries[name]
            try:
                if entry.typed is None:
                    spec.when_empty()  # a required parameter left empty raises
                    continue
                context = dict(sent)
                if spec.kind == "time":
                    context[self._switch_of(name)] = self.time_format(name)
                spec.validate(entry.typed, context)
            except (ValidationError, ValueError) as exc:
                message = getattr(exc, "message", None) or str(exc)
                found[name] = Problem(name, message, getattr(exc, "hint", None) or None)
        pairs = [pair for pair in (self.time_range(), self.energy_band()) if pair is not None]
        if any(first in found for first, _second in pairs):
            return found  # a pair with an unreadable first value says nothing yet
        for problem in self.pair_problems():
            found.setdefault(problem.parameter, problem)
        return found

    def pair_problems(self) -> list[Problem]:
        """What is wrong across the time range and the energy band (T2 before T1, E2 not
        above E1), said on the second parameter of the pair (:mod:`.pair_checks`)."""
        times, energies = self.time_range(), self.energy_band()
        labels = {name: spec.label or name for name, spec in self.described.items()}
        time_format = self.time_format(times[0]) if times else "isot"
        return [Problem(pair.field, pair.message, pair.hint)
                for pair in pair_problems(times, time_format, energies, self.values, labels)]

    def raise_problems(self) -> None:
        """Raise :class:`ValidationErrors` naming every problem (nothing when there is none)."""
        found = self.problems()
        if found:
            raise ValidationErrors([
                ValidationError(p.parameter, p.message, hint=p.hint) for p in found.values()
            ])

    # --- what would be sent ----------------------------------------------------------------------
    def parameters(self) -> dict[str, Any]:
        """The parameters handed to the dispatcher (empty optional ones left out)."""
        result = {name: entry.sent for name, entry in self._entries.items()
                  if entry.sent is not None}
        if self._selected_objects and "selected_catalog" in result:
            # the rows of the catalog kept selected (the dispatcher reads their meta_IDs)
            result[SELECTED_OBJECTS] = self._selected_objects
        return result

    @property
    def query(self) -> dict[str, Any]:
        """The query: ``instrument``, ``product``, ``query_type`` and ``parameters``."""
        return {"instrument": self.instrument, "product": self.product,
                "query_type": self.query_type, "parameters": self.parameters()}

    def api_code(self, url: str) -> str:
        """The oda_api code of this query at the dispatcher ``url`` (no token in it)."""
        return api_code(url, self.instrument, self.product, self.query_type, self.parameters())

    def submit(self, dispatcher: Any) -> Any:
        """Submit through ``dispatcher`` (a Dispatcher); returns the :class:`Job`.

        Raises
        ------
        ValidationErrors
            When :meth:`problems` finds any: nothing is sent.
        """
        self.raise_problems()
        return dispatcher.submit(self.instrument, self.product, self.query_type,
                                 **self.parameters())

    def dry_run(self, dispatcher: Any) -> Any:
        """Ask ``dispatcher`` how it would read this query, without running it."""
        self.raise_problems()
        return dispatcher.dry_run(self.instrument, self.product, **self.parameters())

    # --- from a job or a link ---------------------------------------------------------------------
    @classmethod
    def from_job(cls, job: Any, dispatcher: _Describing | None = None) -> QueryDraft:
        """A draft of a job's instrument, product and parameters, to edit and submit again."""
        spec = _describer(dispatcher, job.url).describe(job.instrument)
        draft = cls(spec, job.product, query_type=getattr(job, "query_type", "Real"))
        draft._take(dict(job.parameters))
        return draft

    @classmethod
    def from_url(cls, url: str, dispatcher: _Describing | None = None) -> QueryDraft:
        """A draft of an MMODA share URL (``job.share_url()`` or MMODA's "Share").

        Raises
        ------
        ValueError
            If the URL carries no query (no ``instrument`` or ``product_type``).
        """
        shared = read_share_url(url)
        spec = _describer(dispatcher, shared.dispatcher_url).describe(shared.instrument)
        draft = cls(spec, shared.product, query_type=shared.query_type)
        draft._take(shared.parameters)
        chosen = shared.parameters.get(SELECTED_OBJECTS)
        if chosen and draft._catalog is not None:
            draft.set_catalog(selected_again(draft._catalog, chosen), selected_only=True)
        return draft

    def _take(self, parameters: Mapping[str, Any]) -> None:
        self.values = {k: v for k, v in parameters.items() if k in self.described}
        self.ignored = sorted(k for k in parameters
                              if k not in self.described and k != SELECTED_OBJECTS)

    def __repr__(self) -> str:
        return (f"QueryDraft({self.instrument!r}, {self.product!r}, "
                f"{len(self.described)} parameters, {len(self.problems())} problems)")


def _describer(dispatcher: _Describing | None, url: str) -> _Describing:
    if dispatcher is not None:
        return dispatcher
    made: _Describing = Dispatcher(url=url)
    return made


def selected_again(catalog: Any, chosen: str) -> Catalog:
    """``catalog`` (a Catalog, or the dispatcher's dict or JSON) with the rows of a share URL's
    ``catalog_selected_objects`` (``"0,3"``) selected, as the sharer kept them."""
    kept = catalog if isinstance(catalog, Catalog) else Catalog.from_dispatcher(catalog)
    kept.select([int(i) for i in chosen.split(",") if i.strip().isdigit()])
    return kept


def isot_text(value: Any) -> str:
    """An astropy ``Time`` (or text) as ISOT text (UTC, to the ms), as T1/T2 take it."""
    utc = getattr(value, "utc", None)
    return str(utc.isot) if utc is not None else str(value)

