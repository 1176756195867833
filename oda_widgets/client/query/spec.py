"""An instrument as the dispatcher describes it (``/api/meta-data``): products and their parameters.

Two generations of descriptions are read. Both answer ``[L]`` with ``L[0] = {"instrumet": name}``
(sic), ``L[1] = {"prod_dict": {product: query}}`` and then one list per query: the source query,
the instrument query and one per product (``[{"query_name"}, {"product_name"}, parameter...]``).
cdci-data-analysis 1.3.3 sends each query list as a JSON *string* and its parameters without
``restrictions`` or ``owl_uri``, and leaves out ``T_format``, which it reads all the same; later
servers send lists with both, plus the format companion of each time parameter (``T_format``) right
after it. The shape decides the generation whose reading and words the parameters follow
(:mod:`oda_widgets.client.query.generations`).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import DispatcherError, RequestRejected, ValidationError, ValidationErrors
from ..transport.redaction import scrub_token
from .description_checks import (
    MAX_PARAMETERS,
    MAX_PRODUCTS,
    REQUEST_FIELDS,
    entry_problem,
    request_field_reason,
)
from .generations import CURRENT, OLDER, generation_of
from .parameter_parsing import parameter_from_description
from .parameter_spec import ParameterSpec
from .time_parameters import FormatParameter

__all__ = [
    "NOT_QUERY_PARAMETERS",
    "DEFAULT_TIME_FORMAT_PARAMETER",
    "CATALOG_SELECTION",
    "QueryGroup",
    "ProductSpec",
    "InstrumentSpec",
    "parse_instrument_description",
]

#: Parameters of the description a query does not take from the user, and why.
NOT_QUERY_PARAMETERS: dict[str, str] = {
    "token": "The token is not a query parameter: give it to Dispatcher(token=...) or set ODA_TOKEN",
    "user_catalog": "user_catalog is set by the dispatcher itself: pass the catalog as selected_catalog",
}

#: The format argument a time instant uses unless its class names another one.
DEFAULT_TIME_FORMAT_PARAMETER = "T_format"

#: A request field the dispatcher reads with ``selected_catalog``: the meta_IDs of the rows to keep.
CATALOG_SELECTION = "catalog_selected_objects"


@dataclass
class QueryGroup:
    """The parameters of one query of the instrument (source, instrument, or a product's)."""

    query_name: str
    product_name: str | None
    parameters: list[ParameterSpec]
    #: Entries left out of the query, by name, and why (names the request itself uses).
    refused: dict[str, str] = field(default_factory=dict)

    def names(self) -> list[str]:
        """The argument names of the parameters, in order (unnamed ones left out)."""
        return [p.name for p in self.parameters if p.name is not None]

    def __repr__(self) -> str:
        product = f" (product {self.product_name})" if self.product_name else ""
        return (
            f"<QueryGroup {self.query_name}{product}: {', '.join(self.names()) or 'no parameters'}>"
        )


@dataclass
class ProductSpec:
    """One product the instrument makes, and the query holding its own parameters."""

    name: str
    query_name: str
    group: QueryGroup

    def __repr__(self) -> str:
        return f"<ProductSpec {self.name} ({self.query_name}): {', '.join(self.group.names()) or 'no own parameters'}>"


@dataclass
class InstrumentSpec:
    """What an instrument offers and accepts, read from its description.

    Attributes
    ----------
    name : str
        The instrument, as the dispatcher names it.
    products : dict of str to ProductSpec
        The described products, in the dispatcher's order.
    source, instrument : QueryGroup
        The parameters shared by every product.
    product_names : list of str
        Every product of the instrument, including those a product-filtered description leaves out.
    generation : str
        The server generation that wrote the description (``"1.3.3"`` or ``"1.3.6"``).
    """

    name: str
    products: dict[str, ProductSpec]
    source: QueryGroup
    instrument: QueryGroup
    product_names: list[str] = field(default_factory=list)
    generation: str = CURRENT

    # -- structure --------------------------------------------------------------------------
    def product(self, product: str) -> ProductSpec:
        """The :class:`ProductSpec` of ``product``; ValidationError naming the products otherwise."""
        if product in self.products:
            return self.products[product]
        if product in self.product_names:
            message = (
                f"The description of {self.name} was fetched for {', '.join(self.products)} only: "
                f"fetch the whole description to use product {product!r}"
            )
        else:
            message = (
                f"Unknown product {product!r} for instrument {self.name}: "
                f"choose one of {', '.join(self.product_names or self.products)}"
            )
        raise ValidationError(
            None, message, hint=_did_you_mean(product, self.product_names or list(self.products))
        )

    def groups(self, product: str) -> list[QueryGroup]:
        """Source, instrument and product query of ``product``, as the user fills them.

        A name seen in an earlier group is left out of later ones (the first wins, as on the
        server); the token and ``user_catalog`` are left out (see :data:`NOT_QUERY_PARAMETERS`).
        """
        seen: set[str | None] = set(NOT_QUERY_PARAMETERS)
        result = []
        for group in (self.source, self.instrument, self.product(product).group):
            kept = []
            for parameter in group.parameters:
                if parameter.name is not None and parameter.name in seen:
                    continue
                seen.add(parameter.name)
                kept.append(parameter)
            result.append(QueryGroup(group.query_name, group.product_name, kept))
        return result

    def refused(self, product: str) -> dict[str, str]:
        """Parameters of ``product``'s description left out of the form, by name, and why."""
        left_out: dict[str, str] = {}
        for group in (self.source, self.instrument, self.product(product).group):
            left_out.update(group.refused)
        return left_out

    def parameters(self, product: str) -> list[ParameterSpec]:
        """Every parameter the user may give for ``product``, in the description's order."""
        return [p for group in self.groups(product) for p in group.parameters]

    def parameter(self, product: str, name: str) -> ParameterSpec:
        """The parameter ``name`` of ``product`` (KeyError if there is none)."""
        for p in self.parameters(product):
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self, product: str) -> dict[str, Any]:
        """The description's value of every named parameter of ``product``."""
        return {p.name: p.default for p in self.parameters(product) if p.name is not None}

    # -- validation -------------------------------------------------------------------------
    def validate(self, product: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Check a query's values and return what to send.

        Parameters
        ----------
        product : str
            The product to ask for.
        values : Mapping
            The user's values by argument name; the others take their defaults.

        Returns
        -------
        dict
            Argument name to wire value, in the description's order. A parameter whose value and
            default are both None is left out (the server then uses None; ``selected_catalog``
            cannot even carry None on the wire). For 1.3.3, which reads only what it receives
            and keeps its defaults otherwise, only the given values are checked, and a None is
            left out (that server has no null on the wire).

        Raises
        ------
        ValidationError
            For an unknown product (``parameter`` None).
        ValidationErrors
            Listing every refused value and every unknown name.
        """
        parameters = self.parameters(product)
        by_name = {p.name: p for p in parameters if p.name is not None}
        errors: list[ValidationError] = []
        for key in values:
            if key in by_name or (key == CATALOG_SELECTION and "selected_catalog" in by_name):
                continue
            errors.append(self._unknown_name(key, product, list(by_name)))
        merged = {**self.defaults(product), **{k: v for k, v in values.items() if k in by_name}}
        result: dict[str, Any] = {}
        for name, parameter in by_name.items():
            if self.generation == OLDER and (values.get(name) is None):
                continue
            try:
                wire = parameter.validate(merged.get(name), self._context(parameters, values, merged, name))
            except ValidationError as err:
                errors.append(err)
                continue
            if wire is None and (parameter.default is None or self.generation == OLDER):
                continue
            result[name] = wire
        if CATALOG_SELECTION in values and values[CATALOG_SELECTION] is not None:
            try:
                result[CATALOG_SELECTION] = _catalog_selection(values[CATALOG_SELECTION])
            except ValidationError as err:
                errors.append(err)
        if errors:
            raise ValidationErrors(errors)
        return result

    def _context(
        self,
        parameters: list[ParameterSpec],
        values: Mapping[str, Any],
        merged: Mapping[str, Any],
        name: str,
    ) -> Mapping[str, Any]:
        """The other values a parameter is read with, as the current server reads them.

        One request argument (``T_format``) gives the format of every time that names it, when
        it is sent; a time read without it keeps the format its description gives (the source's
        ``T1`` in MJD, a product's ``time_instant`` in ISOT), and a time not sent is not read
        again. So a format's default applies to no time, and a given one only to given times.
        """
        if self.generation == OLDER:
            return merged  # 1.3.3 reads T_format's own default for every time
        formats = {p.format_parameter for p in parameters if p.format_parameter}
        if not formats or name in formats:
            return merged
        return {
            key: value for key, value in merged.items()
            if key not in formats or (key in values and name in values)
        }

    def _unknown_name(self, key: str, product: str, accepted: list[str]) -> ValidationError:
        if key in NOT_QUERY_PARAMETERS:
            return ValidationError(key, NOT_QUERY_PARAMETERS[key])
        return ValidationError(
            key,
            f"Unknown parameter {key!r} for {self.name} product {product}: "
            f"the accepted names are {', '.join(accepted)}",
            hint=_did_you_mean(key, accepted),
        )

    # -- presentation -----------------------------------------------------------------------
    def __repr__(self) -> str:
        lines = [f"<InstrumentSpec {self.name}: {len(self.products)} products>"]
        lines.append(f"  source ({self.source.query_name}): {', '.join(self.source.names())}")
        lines.append(
            f"  instrument ({self.instrument.query_name}): {', '.join(self.instrument.names()) or '-'}"
        )
        for name, spec in self.products.items():
            lines.append(f"  product {name}: {', '.join(spec.group.names()) or '-'}")
        missing = [p for p in self.product_names if p not in self.products]
        if missing:
            lines.append(f"  not described here: {', '.join(missing)}")
        return "\n".join(lines)


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    lowered = {choice.lower(): choice for choice in choices}
    if word.lower() in lowered:
        return f"Did you mean {lowered[word.lower()]!r}? Names are case-sensitive."
    close = difflib.get_close_matches(word, choices, n=1)
    return f"Did you mean {close[0]!r}?" if close else None


def _catalog_selection(value: Any) -> str:
    """``catalog_selected_objects`` as the dispatcher reads it: comma-separated meta_IDs."""
    items = (
        value if isinstance(value, list | tuple | set) else re.split(r"[,\s]+", str(value).strip())
    )
    try:
        ids = [str(int(str(item).strip())) for item in items if str(item).strip()]
    except ValueError:
        raise ValidationError(
            CATALOG_SELECTION,
            "the selected catalog is wrongly formatted, please check your inputs",
            hint="Give the meta_ID numbers of the catalog rows to keep, e.g. 0,3.",
        ) from None
    return ",".join(ids)


# -- parsing --------------------------------------------------------------------------------
def _shape_error(what: str) -> DispatcherError:
    return DispatcherError(f"The instrument description is not in the expected shape: {what}")


def _query_list(item: Any) -> list[Any]:
    if isinstance(item, str):  # cdci-data-analysis 1.3.3 sends each query as JSON text
        try:
            item = json.loads(item)
        except json.JSONDecodeError as exc:
            raise _shape_error(f"a query is text that is not JSON ({exc.msg})") from None
    if not isinstance(item, list):
        raise _shape_error(f"a query is a {type(item).__name__}, not a list")
    return item


def _parse_group(item: Any, generation: str = CURRENT) -> QueryGroup:
    entries = _query_list(item)
    query_name = None
    product_name = None
    raw: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise _shape_error(f"a query holds a {type(entry).__name__}")
        if "query_name" in entry and "name" not in entry:
            query_name = entry["query_name"]
        elif "product_name" in entry and "name" not in entry:
            product_name = entry["product_name"]
        else:
            raw.append(entry)
    if query_name is None:
        raise _shape_error("a query has no query_name")
    for what, value in (("query_name", query_name), ("product_name", product_name)):
        if value is not None and (not isinstance(value, str) or len(value) > 200):
            raise _shape_error(f"a query's {what} is not a name of at most 200 characters")
    if len(raw) > MAX_PARAMETERS:
        raise _shape_error(
            f"the query {query_name!r} declares {len(raw)} parameters, more than the "
            f"{MAX_PARAMETERS} a form can show; the server is misconfigured or hostile"
        )
    parameters: list[ParameterSpec] = []
    refused: dict[str, str] = {}
    seen: set[str] = set()
    for index, entry in enumerate(raw):
        where = f"parameter {str(entry.get('name'))[:60]!r} (entry {index + 1} of {query_name!r})"
        problem = entry_problem(entry)
        if problem is not None:
            raise _shape_error(f"{where}: {problem}")
        if entry.get("name") in REQUEST_FIELDS:
            refused[entry["name"]] = request_field_reason(entry["name"])
            continue
        following = raw[index + 1] if index + 1 < len(raw) else None
        try:
            spec = parameter_from_description(entry, following, generation=generation)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise _shape_error(f"{where}: it cannot be read ({type(exc).__name__}: "
                               f"{str(exc)[:200]})") from None
        if spec.name is not None and spec.name in seen:
            continue  # the server keeps the first of duplicate names
        if spec.name is not None:
            seen.add(spec.name)
        if (
            parameters
            and isinstance(spec, FormatParameter)
            and parameters[-1].format_parameter == spec.name
        ):
            spec.attach_to(parameters[-1])
        parameters.append(spec)
    return QueryGroup(query_name, product_name, parameters, refused)


def _unwrap(doc: Any) -> list[Any]:
    if isinstance(doc, bytes):
        doc = doc.decode()
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except json.JSONDecodeError as exc:
            raise _shape_error(f"the answer is not JSON ({exc.msg})") from None
    if isinstance(doc, dict):
        message = doc.get("error_message") or doc.get("error")
        if message:
            # e.g. 400 InstrumentNotRecognized: 'instrument: "nosuch", known: [...]'
            raise RequestRejected(str(message), status_code=None, payload=scrub_token(doc))
        raise _shape_error("the answer is an object, not a list")
    if not isinstance(doc, list) or not doc:
        raise _shape_error("the answer is empty or not a list")
    if len(doc) == 1 and isinstance(doc[0], list):
        doc = doc[0]  # the dispatcher wraps the description in a one-item list
    entries: list[Any] = doc
    return entries


def _add_older_time_format(groups: list[QueryGroup]) -> None:
    """Give 1.3.3's time instants the ``T_format`` argument it reads but does not describe.

    Its source query reads the format of ``T1`` and ``T2`` from ``T_format`` (default ``isot``);
    the companion goes right after the first time instant, as later descriptions put it.
    """
    for group in groups:
        names = {p.name for p in group.parameters}
        times = [p for p in group.parameters if p.kind == "time"]
        if not times or DEFAULT_TIME_FORMAT_PARAMETER in names:
            continue
        first = times[0]
        companion = FormatParameter(
            DEFAULT_TIME_FORMAT_PARAMETER,
            units="str",
            default=first.units or "isot",
            optional=True,
            generation=OLDER,
        )
        companion.attach_to(first)
        for time in times:
            time.format_parameter = DEFAULT_TIME_FORMAT_PARAMETER
        group.parameters.insert(group.parameters.index(first) + 1, companion)
        return


def _share_time_format(groups: list[QueryGroup]) -> None:
    """Give ``T_format`` to every time instant: the server follows a companion with the time
    parameter it belongs to only once (``T1, T_format, T2``), yet one format applies to all."""
    formats = {
        p.name
        for g in groups
        for p in g.parameters
        if isinstance(p, FormatParameter) and p.serves == "time"
    }
    if DEFAULT_TIME_FORMAT_PARAMETER not in formats:
        return
    for group in groups:
        for parameter in group.parameters:
            if parameter.kind == "time" and parameter.format_parameter is None:
                parameter.format_parameter = DEFAULT_TIME_FORMAT_PARAMETER


def parse_instrument_description(doc: Any) -> InstrumentSpec:
    """Read the answer of ``/api/meta-data`` (either generation, whole or product-filtered).

    Parameters
    ----------
    doc : list, str or bytes
        The decoded JSON (or its text) as the dispatcher sent it.

    Returns
    -------
    InstrumentSpec

    Raises
    ------
    RequestRejected
        When the answer is the dispatcher's error (e.g. an unknown instrument: its message lists the
        known ones).
    DispatcherError
        When the answer has another shape.
    """
    items = _unwrap(doc)
    head = items[0] if isinstance(items[0], dict) else {}
    name = head.get("instrumet", head.get("instrument"))  # the dispatcher spells it "instrumet"
    if not isinstance(name, str):
        raise _shape_error("the first item does not name the instrument")
    prod_dict = items[1].get("prod_dict") if len(items) > 1 and isinstance(items[1], dict) else None
    if not isinstance(prod_dict, dict):
        raise _shape_error("the second item has no prod_dict")
    if len(prod_dict) > MAX_PRODUCTS or len(items) > MAX_PRODUCTS + 4:
        raise _shape_error(f"it declares {max(len(prod_dict), len(items))} products or queries, "
                           f"more than the {MAX_PRODUCTS} a form can offer")
    if not all(isinstance(k, str) and isinstance(v, str) and len(k) <= 200
               for k, v in prod_dict.items()):
        raise _shape_error("its prod_dict does not map product names to query names")
    generation = generation_of(items[2:])
    groups = [_parse_group(item, generation) for item in items[2:]]
    shared = [g for g in groups if g.product_name is None]
    if len(shared) < 2:
        raise _shape_error("the source and instrument queries are missing")
    source, instrument = shared[0], shared[1]
    if generation == OLDER:
        _add_older_time_format(groups)
    _share_time_format(groups)
    by_product = {g.product_name: g for g in groups if g.product_name is not None}
    products = {}
    for product, query_name in prod_dict.items():
        group = by_product.get(product)
        if group is not None:
            products[product] = ProductSpec(product, query_name, group)
    return InstrumentSpec(
        name=name,
        products=products,
        source=source,
        instrument=instrument,
        product_names=list(prod_dict),
        generation=generation,
    )
