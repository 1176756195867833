"""QueryForm: the query form generated at run time from the dispatcher's own description.

Nothing here knows an instrument: the instrument and product selectors come from
``Dispatcher.instruments()`` and the description, and each parameter becomes the field of its kind
(:mod:`oda_widgets.widgets.fields`), grouped and ordered as the description has them. Every value is
checked as it is typed by the parameter, so the message next to a field is the server's own text.
The form's state is in traitlets one can observe (``instrument``, ``product``, ``values``,
``last_job``, ``status``); a Submit is an event (:meth:`QueryForm.on_submit`).

The form lays out a query being prepared: :attr:`QueryForm.draft` is the same query as a headless
:class:`~oda_widgets.client.query.draft.QueryDraft`, which also sends it. The buttons' actions are
in :mod:`.form_actions`, name resolution in :mod:`.name_resolution`, the catalog's field in
:mod:`.catalog_field`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.dispatcher import Dispatcher
from ..client.errors import OdaError, ValidationError
from ..client.jobs import Job
from ..client.query.draft import SELECTED_OBJECTS, QueryDraft, isot_text, selected_again
from ..client.query.entries import Entry
from ..client.query.roles import find_role
from ..client.query.share import read_share_url
from ..client.query.spec import InstrumentSpec
from ._style import style_widget
from .catalog_field import CatalogField, GivenCatalog
from .events import Events
from .fields import Field, TimeField, TimeFormatSwitch, TitledRow
from .form_actions import FormActions, text_html
from .form_sections import build_fields, section_boxes
from .name_resolution import add_resolve_button, resolve_name
from .reentry import Reentry
from .time_bin_default import TimeBinDefault
from .token_box import TokenBox

__all__ = ["QueryForm"]

SubmitCallback = Callable[[Job], None]


def _serialised(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run ``method`` holding the form's lock. Widget messages may be handled in a kernel thread
    of their own (ipykernel subshells) while a cell runs, and a Submit click can arrive while a
    product switch is rebuilding the fields: it waits for the rebuild instead of sending half of
    it. Only the rebuild and the submission take it (a catalog listener reading the parameters
    while the catalog's own lock is held must not wait for it)."""

    @functools.wraps(method)
    def serialised(self: QueryForm, *args: Any, **kwargs: Any) -> Any:
        with self._form_lock:
            return method(self, *args, **kwargs)

    return serialised


class QueryForm(widgets.VBox):
    """A query form for any instrument the dispatcher offers, built from its description.

    Parameters
    ----------
    dispatcher : Dispatcher, optional
        The client to describe, check and submit with; made from ``url`` and ``token`` when absent.
    instrument, product : str, optional
        What to show first (the first instrument and its first product by default).
    url : str, optional
        The dispatcher's URL (``"sandbox"`` for the local sandbox) when ``dispatcher`` is absent.
    token : str, optional
        An ODA token; it goes to the dispatcher client, never into widget state.
    query_type : str
        ``"Real"``, or ``"Dummy"`` for the dispatcher's canned test products.

    Notes
    -----
    ``form.on_submit(callback)`` registers listeners that receive every submitted
    :class:`~oda_widgets.client.jobs.Job`; ``form.values`` reads and sets the typed values;
    ``form.query`` is the query as a dict, ``form.draft`` the same query as a headless
    :class:`~oda_widgets.client.query.draft.QueryDraft`. The form's state is in traitlets:
    ``form.observe(fn, names="values")`` hears every change of a value, ``names="instrument"``
    or ``"product"`` a switch, ``names="last_job"`` each submission, ``names="status"`` each
    form-level message (the plain text of the status line).
    """

    instrument = traitlets.Unicode(
        None, allow_none=True, help="The instrument shown (setting it shows that instrument)."
    )
    product = traitlets.Unicode(
        None, allow_none=True, help="The product shown (setting it shows that product)."
    )
    values = traitlets.Dict(
        help="The typed values by parameter name (numbers as numbers, unreadable text as "
        "typed), in step with every field. Setting it fills the named fields (others keep "
        "their values); unknown names raise KeyError with the list of known ones."
    )
    last_job = traitlets.Any(None, read_only=True, help="The job submitted last (None before).")
    status = traitlets.Unicode(
        "", help="The form-level message as plain text, as the status line shows it: what was "
        "submitted, what the dispatcher refused or answered (empty before any)."
    ).tag(sync=True)

    def __init__(
        self,
        dispatcher: Dispatcher | None = None,
        instrument: str | None = None,
        product: str | None = None,
        url: str | None = None,
        token: str | None = None,
        *,
        query_type: str = "Real",
    ) -> None:
        super().__init__()
        self._form_lock = threading.RLock()
        # the form's own writes (filling fields, publishing ``values``) that its listeners skip
        self._reentry = Reentry()
        self._status_error = False
        self.add_class("oda-form")
        if dispatcher is None:
            dispatcher = Dispatcher(url=url, token=token)
        elif token:
            dispatcher.set_token(token)
        self.dispatcher = dispatcher
        self.query_type = query_type
        self.fields: dict[str, Field] = {}
        self.jobs: list[Job] = []
        self._specs: dict[str, InstrumentSpec] = {}
        # a listener's fault must not undo the submission: it is told in the status line
        self._submitted = Events(on_error=self._submit_listener_failed)
        self._held_catalog: tuple[GivenCatalog | None, bool] | None = None
        self.resolve_button: widgets.Button | None = None
        self._time_bins = TimeBinDefault(self)  # a light curve's bin follows T1-T2 until typed

        label_style = {"description_width": "11em"}
        self.instrument_select = widgets.Dropdown(
            description="Instrument", tooltip="the instruments this dispatcher offers",
            style=label_style,
        )
        self.product_select = widgets.Dropdown(
            description="Product", tooltip="the products of the chosen instrument",
            style=label_style,
        )
        # the status line shows the ``status`` trait, styled as a note or an error
        self.status_line = widgets.HTML("")
        self.status_line.add_class("oda-status")
        self.observe(lambda _change: self._render_status(), names="status")
        self.token_box = TokenBox(dispatcher, on_change=self._token_changed)
        self.fields_box = widgets.VBox()
        self.fields_box.add_class("oda-fields")
        self.actions = FormActions(self)
        self.submit_button = self.actions.submit_button
        self.check_button = self.actions.check_button
        self.code_button = self.actions.code_button
        self.submit_reason = self.actions.submit_reason
        self.code = self.actions.code
        self.children = [
            style_widget("form"),
            # rows that carry the tooltips: ipywidgets shows none on a described control itself
            widgets.HBox([_titled(self.instrument_select), _titled(self.product_select)]),
            _titled(self.token_box.widget, self.token_box.password.tooltip),
            self.fields_box,
            self.actions,
            self.status_line,
            self.code,
        ]
        # the traits follow the selectors first, so that a rebuild reads the new choice
        traitlets.link((self.instrument_select, "value"), (self, "instrument"))
        traitlets.link((self.product_select, "value"), (self, "product"))
        self._fill_instruments(instrument)
        self._select(instrument=self.instrument_select.value, product=product)
        self.instrument_select.observe(self._instrument_chosen, names="value")
        from .long_request_offer import LongRequestOffer

        # a request larger than one job takes: "Split into N jobs"
        self.long_offer = LongRequestOffer(self)
        at = self.children.index(self.status_line)
        self.children = [*self.children[:at], self.long_offer, *self.children[at:]]
        self.product_select.observe(self._product_chosen, names="value")

    # --- instruments and products -------------------------------------------------------------
    @traitlets.validate("instrument")
    def _offered_instrument(self, proposal: Mapping[str, Any]) -> str | None:
        return _one_of(proposal["value"], self.instrument_select.options,
                       "an instrument this dispatcher offers")

    @traitlets.validate("product")
    def _offered_product(self, proposal: Mapping[str, Any]) -> str | None:
        return _one_of(proposal["value"], self.product_select.options,
                       f"a product of {self.instrument_select.value}")

    def chosen(self) -> tuple[str, str]:
        """The instrument and product shown (ValidationError before both are chosen)."""
        if not self.instrument or not self.product:
            raise ValidationError(None, "Choose an instrument and a product.")
        return self.instrument, self.product

    @property
    def spec(self) -> InstrumentSpec | None:
        """The shown instrument's :class:`~oda_widgets.client.query.spec.InstrumentSpec`."""
        return self._specs.get(self.instrument) if self.instrument else None

    def _fill_instruments(self, wanted: str | None) -> None:
        try:
            names = list(self.dispatcher.instruments())
        except OdaError as exc:
            names = []
            self._status(f"⚠ Could not list the instruments: {exc}", error=True)
        if wanted and wanted not in names:
            names.append(wanted)  # e.g. an instrument listed only for some roles
        self.instrument_select.options = names
        self.instrument_select.value = wanted or (names[0] if names else None)

    def _describe(self, instrument: str) -> InstrumentSpec:
        if instrument not in self._specs:
            self._specs[instrument] = self.dispatcher.describe(instrument)
        return self._specs[instrument]

    @_serialised
    def _select(self, instrument: str | None, product: str | None) -> None:
        """Show ``instrument``/``product``, keeping the values of parameters of the same name."""
        kept = self.values if self.fields else {}
        # the catalog object itself (not its JSON) goes on to the next product, so that its
        # later edits and its selection still count; kept while a product takes no catalog
        field = self.fields.get("selected_catalog")
        if isinstance(field, CatalogField):
            self._held_catalog = field.hand_over()
        kept.pop("selected_catalog", None)
        self.fields = {}
        self.fields_box.children = []
        if not instrument:
            self._check_all()
            return
        try:
            spec = self._describe(instrument)
        except OdaError as exc:
            self._status(f"⚠ Could not read the description of {instrument}: {exc}", error=True)
            self._check_all()
            return
        products = list(spec.products)
        if product is None or product not in products:
            if product is not None:
                self._status(f"⚠ {instrument} has no product {product}", error=True)
            product = self.product if self.product in products else (products[0] if products else None)
        self._quiet_select(products, product)
        if product is not None:
            self._build_fields(spec, product)
            usable = {name: value for name, value in kept.items() if name in self.fields}
            if usable:
                self._set_values(usable)
            catalog_field = self.fields.get("selected_catalog")
            held = self._held_catalog
            if isinstance(catalog_field, CatalogField) and held is not None:
                catalog_field.set_catalog(held[0], selected_only=held[1])
            left_out = spec.refused(product)
            if left_out:
                self._status("⚠ " + "; ".join(left_out.values()), error=True)
        self._check_all()

    def _quiet_select(self, products: list[str], product: str | None) -> None:
        with self._reentry("filling"):
            self.product_select.options = products
            self.product_select.value = product

    def _instrument_chosen(self, change: Mapping[str, Any]) -> None:
        if change["new"] != change["old"]:
            self._select(change["new"], None)

    def _product_chosen(self, change: Mapping[str, Any]) -> None:
        if self._reentry.active("filling") or change["new"] == change["old"] or change["new"] is None:
            return
        self._select(self.instrument, change["new"])

    # --- building the fields -----------------------------------------------------------------
    def _build_fields(self, spec: InstrumentSpec, product: str) -> None:
        self.fields, sections = build_fields(spec, product)
        self.resolve_button = add_resolve_button(self)
        for field in self.fields.values():
            field.observe(self._field_changed, names=["value", "selected_rows"])
        self.fields_box.children = section_boxes(sections)

    def _role_field(self, role: str) -> Field | None:
        """The field of the parameter playing ``role`` (see :mod:`~oda_widgets.client.query.roles`)."""
        name = find_role({name: field.spec for name, field in self.fields.items()}, role)
        return None if name is None else self.fields[name]

    # --- name resolution ---------------------------------------------------------------------
    def resolve(self, name: str | None = None) -> dict[str, Any] | None:
        """Look up the source name and fill RA/DEC; a failure is shown in the name's field.

        Returns the resolver's answer, or ``None`` when the name could not be resolved.
        """
        return resolve_name(self, name)

    # --- values --------------------------------------------------------------------------------
    @traitlets.validate("values")
    def _fill_fields(self, proposal: Mapping[str, Any]) -> dict[str, Any]:
        """Setting ``values`` fills the named fields; the trait then holds every field's value."""
        given = proposal["value"]
        if self._reentry.active("publishing"):
            return given
        unknown = [name for name in given if name not in self.fields]
        if unknown:
            raise KeyError(
                f"{self.instrument}/{self.product} has no parameter {', '.join(unknown)}; "
                f"it has {', '.join(self.fields)}"
            )
        with self._reentry("publishing"):  # the fields' changes reach the trait once, by this
            self._set_values(given)
            self._check_all()
            return self._field_values()

    def _field_values(self) -> dict[str, Any]:
        return {name: field.value for name, field in self.fields.items()}

    def _publish_values(self) -> None:
        if self._reentry.active("publishing", "filling"):
            return
        with self._reentry("publishing"):
            self.values = self._field_values()

    def _set_values(self, values: Mapping[str, Any]) -> None:
        self._time_bins.given(values)
        # formats first: the times that follow are given in the format being set
        ordered = sorted(
            values.items(), key=lambda item: not isinstance(self.fields.get(item[0]), TimeFormatSwitch)
        )
        with self._reentry("filling"):
            for name, value in ordered:
                if name in self.fields:
                    self.fields[name].set_value(value)

    @property
    def draft(self) -> QueryDraft | None:
        """The query the form shows, as a headless :class:`QueryDraft` (None before a product
        is shown): each field's value as typed and as sent, the catalog and its selected rows.

        It is a copy: editing it leaves the form as it is (set ``form.values`` for that); it
        checks, submits and writes code as the form does.
        """
        spec = self.spec
        if spec is None or not self.product or self.product not in spec.products:
            return None
        entries = {name: Entry(field.typed(), field.query_value())
                   for name, field in self.fields.items() if not isinstance(field, CatalogField)}
        draft = QueryDraft(spec, self.product, query_type=self.query_type, entries=entries)
        catalog = self.fields.get("selected_catalog")
        if isinstance(catalog, CatalogField):
            draft.set_catalog(catalog.catalog)
            draft.select_objects(catalog.selected_objects())
        return draft

    def parameters(self) -> dict[str, Any]:
        """The parameters handed to the dispatcher (empty optional ones left out)."""
        draft = self.draft
        return draft.parameters() if draft is not None else {}

    @property
    def query(self) -> dict[str, Any]:
        """The query: ``instrument``, ``product``, ``query_type`` and ``parameters``."""
        return {
            "instrument": self.instrument,
            "product": self.product,
            "query_type": self.query_type,
            "parameters": self.parameters(),
        }

    def set_catalog(self, catalog: GivenCatalog | None, *,
                    selected_only: bool | None = None) -> None:
        """Send ``catalog`` as ``selected_catalog`` with the next query (``None`` clears it).

        With ``selected_only=True`` and rows selected in the catalog, ``catalog_selected_objects``
        goes too, so that only those rows are extracted.
        """
        field = self.fields.get("selected_catalog")
        if not isinstance(field, CatalogField):
            raise KeyError(f"{self.instrument}/{self.product} takes no selected_catalog")
        field.set_catalog(catalog, selected_only=selected_only)

    def set_time_range(self, start: Any, stop: Any) -> None:
        """Set T1 and T2 to ``start`` and ``stop`` (astropy ``Time`` or ISOT text), in ISOT.

        The time-format switch is set to ISOT first, so the values are read as they are given.
        """
        times = [f for f in self.fields.values() if isinstance(f, TimeField)]
        first, last = self._role_field("start"), self._role_field("stop")
        if not isinstance(first, TimeField) or not isinstance(last, TimeField):
            raise KeyError(f"{self.instrument}/{self.product} has no T1/T2 time range "
                           f"(its times: {', '.join(f.name for f in times) or 'none'})")
        values: dict[str, Any] = {first.format_parameter: "isot"} \
            if isinstance(self.fields.get(first.format_parameter), TimeFormatSwitch) else {}
        values[first.name] = isot_text(start)
        values[last.name] = isot_text(stop)
        self.values = values

    # --- checking ------------------------------------------------------------------------------
    def _field_changed(self, change: Mapping[str, Any]) -> None:
        if self._reentry.active("filling"):
            return
        field = change["owner"]
        if isinstance(field, TimeFormatSwitch):
            self._check_all()
        else:
            typed = self._typed()
            field.check(typed)
            self._check_pairs(typed)
            self._time_bins.update()
            self.actions.update()
            self._publish_values()
        if self.actions.code_shown:
            self.actions.show_code()

    def _typed(self) -> dict[str, Any]:
        return {name: field.query_value() for name, field in self.fields.items()}

    def _check_all(self) -> None:
        typed = self._typed()
        for field in self.fields.values():
            field.check(typed)
        self._check_pairs(typed)
        self._time_bins.update()
        self.actions.update()
        self._publish_values()

    def _check_pairs(self, typed: Mapping[str, Any]) -> None:
        """Say on the second field of a pair what the dispatcher would fail on later (T2 before
        T1, an empty energy band); a field fixed since is checked again on its own."""
        draft = self.draft
        if draft is None:
            return
        pairs = [pair for pair in (draft.time_range(), draft.energy_band())
                 if pair is not None and all(name in self.fields for name in pair)]
        for _first, second in pairs:
            if self.fields[second].error:
                self.fields[second].check(typed)  # its own check again: the pair may be fixed
        if any(self.fields[first].error for first, _second in pairs):
            return
        for problem in draft.pair_problems():
            field = self.fields.get(problem.parameter)
            if field is not None and not field.error:
                field.show_error(problem.message, problem.hint)

    @property
    def invalid(self) -> list[Field]:
        """The fields whose values the dispatcher would refuse."""
        return [field for field in self.fields.values() if field.error]

    @property
    def submit_blocked_reason(self) -> str:
        """Why Submit is disabled, as text (empty when it is enabled)."""
        bad = self.invalid
        if not bad:
            return "" if self.product else "Choose an instrument and a product."
        noun = "field" if len(bad) == 1 else "fields"
        return f"Fix {len(bad)} {noun}: " + ", ".join(field.label for field in bad)

    def _attach_error(self, error: Exception) -> None:
        """Put a refusal next to the field it names, or at the form level."""
        self.actions.attach_error(error)

    # --- actions -------------------------------------------------------------------------------
    def on_submit(self, callback: SubmitCallback, remove: bool = False) -> None:
        """Call ``callback(job)`` for each job this form submits (``remove=True`` unregisters).

        A callback that raises is logged and named in the status line; the job stays submitted
        and the other callbacks still get it.
        """
        self._submitted.register_callback(callback, remove=remove)

    def _submit_listener_failed(self, _callback: object, exc: Exception, _args: tuple) -> None:
        self._status(f"Submitted, but a listener failed: {exc}", error=True)

    @_serialised
    def submit(self) -> Job | None:
        """Submit the query; returns the :class:`Job`, or ``None`` when it was refused."""
        return self.actions.submit()

    def adopt(self, job: Job) -> Job:
        """Take ``job`` as submitted by this form: shown, followed, given to the listeners."""
        return self.actions.adopt(job)

    def check_with_dispatcher(self) -> dict[str, Any] | None:
        """Ask the dispatcher about the current parameters (dry run) and show its answer as text."""
        return self.actions.dry_run()

    def api_code(self) -> str:
        """The oda_api code of the current query (the token is read from the environment)."""
        return self.dispatcher.api_code(*self.chosen(), self.query_type, **self.parameters())

    def toggle_code(self) -> None:
        """Show or hide the oda_api code of the current query."""
        self.actions.toggle_code()

    def _token_changed(self) -> None:
        self._status("Token in use: " + self.token_box.text)

    # --- status ----------------------------------------------------------------------------------
    def _status(self, text: str, error: bool = False) -> None:
        """Say ``text`` at the form level (``error`` styles it as one)."""
        self._status_error = error
        if self.status == text:
            self._render_status()  # the same words, perhaps in the other style
        self.status = text

    def _render_status(self) -> None:
        css = "oda-error-text" if self._status_error else "oda-note-text"
        self.status_line.value = text_html(self.status, css) if self.status else ""
        self._status_error = False  # a later ``form.status = ...`` is a note

    @property
    def status_text(self) -> str:
        """The form-level message as plain text (the ``status`` trait)."""
        return self.status

    # --- edit and resubmit -----------------------------------------------------------------
    @classmethod
    def from_job(cls, job: Job, dispatcher: Dispatcher | None = None) -> QueryForm:
        """A form filled with a job's instrument, product and parameters, to edit and resubmit."""
        if dispatcher is None:
            dispatcher = Dispatcher(url=job.url)
        form = cls(
            dispatcher, instrument=job.instrument, product=job.product,
            query_type=getattr(job, "query_type", "Real"),
        )
        form._take(job.parameters)
        return form

    @classmethod
    def from_url(cls, url: str, dispatcher: Dispatcher | None = None) -> QueryForm:
        """A form filled from an MMODA share URL (``job.share_url()`` or MMODA's "Share").

        Parameters
        ----------
        url : str
            The share URL.
        dispatcher : Dispatcher, optional
            Where the form submits; by default a Dispatcher at the URL's own dispatcher, which
            gets your token only when it is an ODA site this client knows. For another host the
            status line says so (also in ``form.link_notice``) and asks for a token in the
            token box, if you trust that host.

        Raises
        ------
        ValueError
            If the URL carries no query (no ``instrument`` or ``product_type``).
        """
        shared = read_share_url(url)
        if dispatcher is None:
            dispatcher = Dispatcher(url=shared.dispatcher_url)
        form = cls(dispatcher, instrument=shared.instrument, product=shared.product,
                   query_type=shared.query_type)
        form._take(shared.parameters)
        chosen = shared.parameters.get(SELECTED_OBJECTS)
        field = form.fields.get("selected_catalog")
        if chosen and isinstance(field, CatalogField) and field.catalog is not None:
            # the rows the sharer kept selected: selected again, and only they extracted
            field.set_catalog(selected_again(field.catalog, chosen), selected_only=True)
            form._check_all()
        scope = getattr(form.dispatcher, "token_scope", None)
        form.link_notice = ""
        if scope is not None and scope.kind == "other" and not form.dispatcher.token_info:
            form.link_notice = f"This link opens another dispatcher: {scope.notice()}."
            form._status(form.link_notice)
        return form

    def _take(self, parameters: Mapping[str, Any]) -> None:
        """Fill the fields named in ``parameters``; the others are listed in ``url_ignored``."""
        self._set_values({k: v for k, v in parameters.items() if k in self.fields})
        self._check_all()
        self.url_ignored = sorted(k for k in parameters
                                  if k not in self.fields and k != SELECTED_OBJECTS)

    def __repr__(self) -> str:
        return (
            f"QueryForm({self.instrument!r}, {self.product!r}, {len(self.fields)} fields, "
            f"{len(self.invalid)} invalid)"
        )


def _one_of(value: str | None, options: Any, what: str) -> str | None:
    """``value`` when it is one of the selector's options, else a TraitError naming them."""
    offered = [option[1] if isinstance(option, tuple) else option for option in options]
    if value is None or value in offered:
        return value
    raise traitlets.TraitError(
        f"{value!r} is not {what}; choose one of: "
        + (", ".join(map(str, offered)) or "(none)")
    )


def _titled(widget: widgets.Widget, tooltip: str | None = None) -> TitledRow:
    """``widget`` in a row that shows ``tooltip`` (by default the widget's own) on hover."""
    return TitledRow([widget], tooltip=tooltip if tooltip is not None else widget.tooltip)
