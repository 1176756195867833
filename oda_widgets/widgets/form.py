"""QueryForm: the query form generated at run time from the dispatcher's own description.

Nothing here knows an instrument: the instrument and product selectors come from
``Dispatcher.instruments()`` and the description, and each parameter becomes the field of its kind
(:mod:`oda_widgets.widgets.fields`), grouped and ordered as the description has them. Every value is
checked as it is typed by the parameter, so the message next to a field is the server's own text.
The form's state is in traitlets one can observe (``instrument``, ``product``, ``values``,
``last_job``); a Submit is an event (:meth:`QueryForm.on_submit`).
"""

from __future__ import annotations

import functools
import html
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.catalog.source_catalog import Catalog
from ..client.errors import OdaError, RequestRejected, ValidationError, ValidationErrors
from ..client.failure_words import plain_failure
from ._style import style_widget
from .events import Events
from .fields import (
    AngleField,
    CatalogField,
    Field,
    TimeField,
    TimeFormatSwitch,
    TitledRow,
    field_for,
)
from .form_checks import pair_problems
from .time_bin_default import TimeBinDefault
from .token_box import TokenBox

__all__ = ["QueryForm"]

SubmitCallback = Callable[[Any], None]

ONTOLOGY = "http://odahub.io/ontology#"


def _has_uri(field: Field, suffix: str) -> bool:
    return any(str(uri) == ONTOLOGY + suffix for uri in getattr(field.spec, "owl_uri", ()) or ())


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


def _text_html(text: str, css: str = "oda-note-text") -> str:
    """Server or user text as HTML: always escaped."""
    return f'<span class="{css}">{html.escape(text)}</span>'


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
    ``form.query`` is the query as a dict. The form's state is in traitlets:
    ``form.observe(fn, names="values")`` hears every change of a value, ``names="instrument"``
    or ``"product"`` a switch, ``names="last_job"`` each submission.
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

    def __init__(
        self,
        dispatcher: Any = None,
        instrument: str | None = None,
        product: str | None = None,
        url: str | None = None,
        token: str | None = None,
        *,
        query_type: str = "Real",
    ) -> None:
        super().__init__()
        self._form_lock = threading.RLock()
        self.add_class("oda-form")
        if dispatcher is None:
            from ..client.dispatcher import Dispatcher

            dispatcher = Dispatcher(url=url, token=token)
        elif token:
            dispatcher.set_token(token)
        self.dispatcher = dispatcher
        self.query_type = query_type
        self.fields: dict[str, Field] = {}
        self.jobs: list[Any] = []
        self._specs: dict[str, Any] = {}
        # a listener's fault must not undo the submission: it is told in the status line
        self._submitted = Events(on_error=self._submit_listener_failed)
        self._bulk = False
        self._publishing = False
        self._held_catalog: tuple[Any, bool] | None = None
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
        self.token_box = TokenBox(dispatcher, on_change=self._token_changed)
        self.fields_box = widgets.VBox()
        self.fields_box.add_class("oda-fields")
        self.submit_button = widgets.Button(
            description="Submit", button_style="primary", icon="paper-plane",
            tooltip="send the query to the dispatcher; the job runs in the background",
        )
        self.check_button = widgets.Button(
            description="Check with the dispatcher", layout=widgets.Layout(width="auto"),
            tooltip="ask the dispatcher whether it accepts these parameters (dry run)",
        )
        self.code_button = widgets.Button(
            description="Show code", tooltip="the oda_api code of this query (token read from "
            "the environment)",
        )
        self.submit_reason = widgets.HTML("")
        self.submit_reason.add_class("oda-submit-reason")
        self.status = widgets.HTML("")
        self.status.add_class("oda-status")
        self.code = widgets.HTML("")
        self.code.add_class("oda-code")
        self._code_shown = False

        self.submit_button.on_click(lambda _b: self.submit())
        self.check_button.on_click(lambda _b: self.check_with_dispatcher())
        self.code_button.on_click(lambda _b: self.toggle_code())

        actions = widgets.HBox(
            [self.submit_button, self.submit_reason, self.check_button, self.code_button]
        )
        actions.add_class("oda-actions")
        self.children = [
            style_widget("form"),
            # rows that carry the tooltips: ipywidgets shows none on a described control itself
            widgets.HBox([_titled(self.instrument_select), _titled(self.product_select)]),
            _titled(self.token_box.widget, self.token_box.password.tooltip),
            self.fields_box,
            actions,
            self.status,
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
        at = self.children.index(self.status)
        self.children = (*self.children[:at], self.long_offer, *self.children[at:])
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

    @property
    def spec(self) -> Any:
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

    def _describe(self, instrument: str) -> Any:
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
            left_out = spec.refused(product) if hasattr(spec, "refused") else {}
            if left_out:
                self._status("⚠ " + "; ".join(left_out.values()), error=True)
        self._check_all()

    def _quiet_select(self, products: list[str], product: str | None) -> None:
        self._bulk = True
        try:
            self.product_select.options = products
            self.product_select.value = product
        finally:
            self._bulk = False

    def _instrument_chosen(self, change: Any) -> None:
        if change["new"] != change["old"]:
            self._select(change["new"], None)

    def _product_chosen(self, change: Any) -> None:
        if self._bulk or change["new"] == change["old"] or change["new"] is None:
            return
        self._select(self.instrument, change["new"])

    # --- building the fields -----------------------------------------------------------------
    def _build_fields(self, spec: Any, product: str) -> None:
        groups = list(spec.groups(product))
        parameters = [p for group in groups for p in group.parameters]
        time_formats = {
            p.format_parameter for p in parameters
            if getattr(p, "format_parameter", None) and p.kind in ("time",)
        }
        sections: dict[str, list[Field]] = {}
        for group in groups:
            default_title = self._group_title(spec, group, product)
            for parameter in group.parameters:
                field = field_for(parameter, time_formats)
                if field is None or field.name in self.fields:
                    continue
                self.fields[field.name] = field
                title = getattr(parameter, "group", None) or default_title
                sections.setdefault(title, []).append(field)
        self._link_times()
        for title, fields in sections.items():
            sections[title] = _switches_before_their_times(fields)
        self._add_resolver()
        for field in self.fields.values():
            field.observe(self._field_changed, names=["value", "selected_rows"])
        boxes = []
        for title, fields in sections.items():
            heading = widgets.HTML(_text_html(title, "oda-section-title"))
            box = widgets.VBox([heading, *(f.widget for f in fields)])
            box.add_class("oda-section")
            boxes.append(box)
        self.fields_box.children = boxes

    @staticmethod
    def _group_title(spec: Any, group: Any, product: str) -> str:
        if group.query_name == spec.source.query_name:
            return "Source"
        if group.query_name == spec.instrument.query_name:
            return f"Instrument: {spec.name}"
        return f"Product: {group.product_name or product}"

    def _link_times(self) -> None:
        switches = {f.name: f for f in self.fields.values() if isinstance(f, TimeFormatSwitch)}
        for field in self.fields.values():
            if isinstance(field, TimeField) and field.format_parameter in switches:
                switches[field.format_parameter].link(field)

    def _find(self, name: str, uri: str) -> Field | None:
        if name in self.fields:
            return self.fields[name]
        return next((f for f in self.fields.values() if _has_uri(f, uri)), None)

    def _add_resolver(self) -> None:
        source = self._find("src_name", "AstrophysicalObject")
        ra = self._find("RA", "PointOfInterestRA")
        dec = self._find("DEC", "PointOfInterestDEC")
        if source is None or not isinstance(ra, AngleField) or not isinstance(dec, AngleField):
            return
        if not callable(getattr(self.dispatcher, "resolve_name", None)):
            return
        button = widgets.Button(
            description="Resolve", layout=widgets.Layout(width="7em"),
            tooltip="look the name up and fill RA and Dec (degrees)",
        )
        button.add_class("oda-resolve")
        button.on_click(lambda _b: self.resolve())
        source.add_extra(button)
        self.resolve_button = button

    # --- name resolution ---------------------------------------------------------------------
    def resolve(self, name: str | None = None) -> dict[str, Any] | None:
        """Look up the source name and fill RA/DEC; a failure is shown in the name's field.

        Returns the resolver's answer, or ``None`` when the name could not be resolved.
        """
        source = self._find("src_name", "AstrophysicalObject")
        ra = self._find("RA", "PointOfInterestRA")
        dec = self._find("DEC", "PointOfInterestDEC")
        if source is None or ra is None or dec is None:
            return None
        name = (name if name is not None else str(source.query_value() or "")).strip()
        if not name:
            _warn(source, "Type a source name to resolve.")
            return None
        source.set_value(name)
        try:
            answer = self.dispatcher.resolve_name(name)
        except OdaError as exc:
            _warn(source, f"{getattr(exc, 'message', None) or exc}; {_KEPT}")
            return None
        ra_value, dec_value = answer.get("RA"), answer.get("DEC")
        if ra_value is None or dec_value is None:
            message = answer.get("message") or "the resolver gave no coordinates"
            _warn(source, f"{name} could not be resolved: {message}; {_KEPT}")
            return None
        self._set_values({ra.name: float(ra_value), dec.name: float(dec_value)})
        source.note = f"resolved: RA {float(ra_value):.5f}°, Dec {float(dec_value):.5f}°"
        self._check_all()
        return dict(answer)

    # --- values --------------------------------------------------------------------------------
    @traitlets.validate("values")
    def _fill_fields(self, proposal: Mapping[str, Any]) -> dict[str, Any]:
        """Setting ``values`` fills the named fields; the trait then holds every field's value."""
        given = proposal["value"]
        if self._publishing:
            return given
        unknown = [name for name in given if name not in self.fields]
        if unknown:
            raise KeyError(
                f"{self.instrument}/{self.product} has no parameter {', '.join(unknown)}; "
                f"it has {', '.join(self.fields)}"
            )
        self._publishing = True  # the fields' changes reach the trait once, by this assignment
        try:
            self._set_values(given)
            self._check_all()
            return self._field_values()
        finally:
            self._publishing = False

    def _field_values(self) -> dict[str, Any]:
        return {name: field.value for name, field in self.fields.items()}

    def _publish_values(self) -> None:
        if self._publishing or self._bulk:
            return
        self._publishing = True
        try:
            self.values = self._field_values()
        finally:
            self._publishing = False

    def _set_values(self, values: Mapping[str, Any]) -> None:
        self._time_bins.given(values)
        # formats first: the times that follow are given in the format being set
        ordered = sorted(
            values.items(), key=lambda item: not isinstance(self.fields.get(item[0]), TimeFormatSwitch)
        )
        self._bulk = True
        try:
            for name, value in ordered:
                if name in self.fields:
                    self.fields[name].set_value(value)
        finally:
            self._bulk = False

    def parameters(self) -> dict[str, Any]:
        """The parameters handed to the dispatcher (empty optional ones left out)."""
        result = {}
        for name, field in self.fields.items():
            value = field.query_value()
            if value is None:
                continue
            result[name] = value
        catalog = self.fields.get("selected_catalog")
        if isinstance(catalog, CatalogField) and catalog.selected_objects():
            # the rows of the catalog the user kept selected (the dispatcher reads meta_IDs)
            result["catalog_selected_objects"] = catalog.selected_objects()
        return result

    @property
    def query(self) -> dict[str, Any]:
        """The query: ``instrument``, ``product``, ``query_type`` and ``parameters``."""
        return {
            "instrument": self.instrument,
            "product": self.product,
            "query_type": self.query_type,
            "parameters": self.parameters(),
        }

    def set_catalog(self, catalog: Any, *, selected_only: bool | None = None) -> None:
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
        first = self._find("T1", "StartTime")
        last = self._find("T2", "EndTime")
        if not isinstance(first, TimeField) or not isinstance(last, TimeField):
            raise KeyError(f"{self.instrument}/{self.product} has no T1/T2 time range "
                           f"(its times: {', '.join(f.name for f in times) or 'none'})")
        values: dict[str, Any] = {first.format_parameter: "isot"} \
            if isinstance(self.fields.get(first.format_parameter), TimeFormatSwitch) else {}
        values[first.name] = _isot_text(start)
        values[last.name] = _isot_text(stop)
        self.values = values

    # --- checking ------------------------------------------------------------------------------
    def _field_changed(self, change: Mapping[str, Any]) -> None:
        if self._bulk:
            return
        field = change["owner"]
        if isinstance(field, TimeFormatSwitch):
            self._check_all()
        else:
            typed = self._typed()
            field.check(typed)
            self._check_pairs(typed)
            self._time_bins.update()
            self._update_submit()
            self._publish_values()
        if self._code_shown:
            self._show_code()

    def _typed(self) -> dict[str, Any]:
        return {name: field.query_value() for name, field in self.fields.items()}

    def _check_all(self) -> None:
        typed = self._typed()
        for field in self.fields.values():
            field.check(typed)
        self._check_pairs(typed)
        self._time_bins.update()
        self._update_submit()
        self._publish_values()

    def _check_pairs(self, typed: Mapping[str, Any]) -> None:
        """Say on the second field of a pair what the dispatcher would fail on later (T2 before
        T1, an empty energy band); a field fixed since is checked again on its own."""
        first, last = self._find("T1", "StartTime"), self._find("T2", "EndTime")
        times = (first.name, last.name) if isinstance(first, TimeField) and isinstance(
            last, TimeField) else None
        energies = next(((low, high) for low, high in (("E1_keV", "E2_keV"),)
                         if low in self.fields and high in self.fields), None)
        for pair in (times, energies):
            if pair is not None and self.fields[pair[1]].error:
                self.fields[pair[1]].check(typed)   # its own check again: the pair may be fixed
        if any(pair is not None and self.fields[pair[0]].error for pair in (times, energies)):
            return
        labels = {name: field.label for name, field in self.fields.items()}
        time_format = getattr(first, "time_format", "isot") if times else "isot"
        for problem in pair_problems(times, time_format, energies, typed, labels):
            field = self.fields[problem.field]
            if not field.error:
                field.show_error(problem.message, problem.hint)

    @property
    def invalid(self) -> list[Field]:
        """The fields whose values the dispatcher would refuse."""
        return [field for field in self.fields.values() if field.error]

    def _update_submit(self) -> None:
        reason = self.submit_blocked_reason
        self.submit_button.disabled = self.check_button.disabled = bool(reason)
        if not reason:
            self.submit_reason.value = ""
        elif self.invalid:
            self.submit_reason.value = _text_html(f"⚠ {reason}", "oda-error-text")
        else:
            self.submit_reason.value = _text_html(reason)

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
        if isinstance(error, ValidationErrors):
            for item in error.errors:
                self._attach_error(item)
            return
        name = getattr(error, "parameter", None)
        message = getattr(error, "message", None) or str(error)
        if name in self.fields:
            self.fields[name].show_error(message, getattr(error, "hint", None) or "")
            self._update_submit()
            self._status(f"⚠ The dispatcher refused {name}: {message}", error=True)
        else:
            self._status(f"⚠ The dispatcher refused the query: {message}", error=True)

    # --- actions -------------------------------------------------------------------------------
    def on_submit(self, callback: SubmitCallback, remove: bool = False) -> None:
        """Call ``callback(job)`` for each job this form submits (``remove=True`` unregisters).

        A callback that raises is logged and named in the status line; the job stays submitted
        and the other callbacks still get it.
        """
        self._submitted.register_callback(callback, remove=remove)

    def _submit_listener_failed(self, _callback: Any, exc: Exception, _args: tuple) -> None:
        self._status(f"Submitted, but a listener failed: {exc}", error=True)

    def _ask_dispatcher(self, not_done: str, failed: str, request: Callable[[], Any]) -> Any:
        """``request()`` once every field is checked; ``None`` when a field or the dispatcher
        refuses (the refusal shown on its field, else in the status line after ``not_done``
        or ``failed``)."""
        self._check_all()
        if self.invalid or not self.product:
            self._status(f"⚠ {not_done}: {self.submit_blocked_reason}", error=True)
            return None
        try:
            return request()
        except (ValidationError, RequestRejected) as exc:
            self._attach_error(exc)
        except OdaError as exc:
            self._status(f"⚠ {failed}: {exc}", error=True)
        return None

    @_serialised
    def submit(self) -> Any:
        """Submit the query; returns the :class:`Job`, or ``None`` when it was refused."""
        job = self._ask_dispatcher(
            "Not submitted", "Not submitted",
            lambda: self.dispatcher.submit(
                self.instrument, self.product, self.query_type, **self.parameters()
            ),
        )
        if job is None:
            return None
        return self.adopt(job)

    def adopt(self, job: Any) -> Any:
        """Take ``job`` as submitted by this form: shown, followed, given to the listeners."""
        self.jobs.append(job)
        self.set_trait("last_job", job)
        self._show_submitted(job)
        try:
            job.add_listener(self._job_event)
        except AttributeError:
            pass
        self._submitted(job)
        return job

    def _show_submitted(self, job: Any) -> None:
        if not job.job_id:
            self._status("Submitted; waiting for the dispatcher's job id")
            return
        status = getattr(getattr(job, "status", None), "value", None)
        self._status(f"Submitted job {job.job_id}" + (f" ({status})" if status else ""))

    def _job_event(self, event: Any) -> None:
        job = event.job
        if job is not self.last_job:
            return
        error = getattr(job, "error", None)
        if isinstance(error, RequestRejected):
            self._attach_error(error)
        elif error is not None:
            plain = plain_failure(error)
            said = f"{plain} (the dispatcher said: {error})" if plain else str(error)
            self._status(f"Submitted job {job.job_id or ''}; it failed: {said}", error=True)
        else:
            self._show_submitted(job)

    def check_with_dispatcher(self) -> dict[str, Any] | None:
        """Ask the dispatcher about the current parameters (dry run) and show its answer as text."""
        answer = self._ask_dispatcher(
            "Not checked", "The dispatcher could not check the query",
            lambda: self.dispatcher.dry_run(self.instrument, self.product, **self.parameters()),
        )
        if answer is None:
            return None
        self._status(_answer_sentence(answer, self.product, self.parameters()))
        return answer

    def api_code(self) -> str:
        """The oda_api code of the current query (the token is read from the environment)."""
        return self.dispatcher.api_code(
            self.instrument, self.product, self.query_type, **self.parameters()
        )

    def toggle_code(self) -> None:
        """Show or hide the oda_api code of the current query."""
        self._code_shown = not self._code_shown
        self.code_button.description = "Hide code" if self._code_shown else "Show code"
        if self._code_shown:
            self._show_code()
        else:
            self.code.value = ""

    def _show_code(self) -> None:
        try:
            text = self.api_code()
        except OdaError as exc:
            text = f"# no code: {exc}"
        self.code.value = f"<pre>{html.escape(text)}</pre>"

    def _token_changed(self) -> None:
        self._status("Token in use: " + self.token_box.text)

    def _status(self, text: str, error: bool = False) -> None:
        self.status.value = _text_html(text, "oda-error-text" if error else "oda-note-text")

    @property
    def status_text(self) -> str:
        """The form-level message as plain text."""
        return html.unescape(_strip_tags(self.status.value))

    # --- edit and resubmit -----------------------------------------------------------------
    @classmethod
    def from_job(cls, job: Any, dispatcher: Any = None) -> QueryForm:
        """A form filled with a job's instrument, product and parameters, to edit and resubmit."""
        if dispatcher is None:
            from ..client.dispatcher import Dispatcher

            dispatcher = Dispatcher(url=job.url)
        form = cls(
            dispatcher, instrument=job.instrument, product=job.product,
            query_type=getattr(job, "query_type", "Real"),
        )
        form._set_values({k: v for k, v in job.parameters.items() if k in form.fields})
        form._check_all()
        return form

    @classmethod
    def from_url(cls, url: str, dispatcher: Any = None) -> QueryForm:
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
        from ..client.query.share import read_share_url

        shared = read_share_url(url)
        if dispatcher is None:
            from ..client.dispatcher import Dispatcher

            dispatcher = Dispatcher(url=shared.dispatcher_url)
        form = cls(dispatcher, instrument=shared.instrument, product=shared.product,
                   query_type=shared.query_type)
        form._set_values({k: v for k, v in shared.parameters.items() if k in form.fields})
        chosen = shared.parameters.get("catalog_selected_objects")
        field = form.fields.get("selected_catalog")
        if chosen and isinstance(field, CatalogField) and field.catalog is not None:
            # the rows the sharer kept selected: selected again, and only they extracted
            catalog = Catalog.from_dispatcher(field.catalog) if not isinstance(
                field.catalog, Catalog) else field.catalog
            catalog.select([int(i) for i in chosen.split(",") if i.strip().isdigit()])
            field.set_catalog(catalog, selected_only=True)
        form._check_all()
        form.url_ignored = sorted(k for k in shared.parameters
                                  if k not in form.fields and k != "catalog_selected_objects")
        scope = getattr(form.dispatcher, "token_scope", None)
        form.link_notice = ""
        if scope is not None and scope.kind == "other" and not form.dispatcher.token_info:
            form.link_notice = f"This link opens another dispatcher: {scope.notice()}."
            form._status(form.link_notice)
        return form

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


def _switches_before_their_times(fields: list[Field]) -> list[Field]:
    """Put each time-format switch just above the first time it converts (the description lists
    ``T1, T_format, T2``: one switch for both reads better above them)."""
    ordered = [f for f in fields if not isinstance(f, TimeFormatSwitch)]
    for switch in (f for f in fields if isinstance(f, TimeFormatSwitch)):
        positions = [i for i, f in enumerate(ordered) if f in switch.times]
        ordered.insert(positions[0] if positions else len(ordered), switch)
    return ordered


def _strip_tags(text: str) -> str:
    import re

    return re.sub(r"<[^>]*>", "", text)


_KEPT = "RA and Dec are kept as they are (type them, or try another name)"


def _warn(field: Field, text: str) -> None:
    """A warning beside ``field`` that does not block Submit (the value itself is fine)."""
    field.message.value = f'<span class="oda-warning-text" role="status">⚠ {html.escape(text)}</span>'


def _answer_sentence(answer: Any, product: str | None, parameters: Mapping[str, Any]) -> str:
    """A dry run's answer in one plain sentence: accepted (what would run), or what it said."""
    from .job_monitor import describe_parameters

    if isinstance(answer, Mapping) and "analysis_parameters" in answer:
        used = {**parameters, **{k: v for k, v in (answer.get("analysis_parameters") or {})
                                  .items() if k != "token"}}
        what = describe_parameters(used)
        sources = _catalog_size(used.get("selected_catalog"))
        if sources:
            what += f" · catalog of {sources} sources"
        sentence = f"The dispatcher accepts this query: {product}" + (f", {what}." if what
                                                                       else ".")
        comment = str(answer.get("comment") or "").strip()
        return sentence + (f" It adds: {comment}" if comment else "")
    return "The dispatcher answered: " + _answer_text(answer)


def _catalog_size(catalog: Any) -> int | None:
    if isinstance(catalog, str):
        try:
            catalog = json.loads(catalog)
        except ValueError:
            return None
    columns = catalog.get("cat_column_list") if isinstance(catalog, Mapping) else None
    if isinstance(columns, list) and columns and isinstance(columns[0], list):
        return len(columns[0])
    return None


def _answer_text(answer: Any, names: Any = None) -> str:
    """A dispatcher answer (a dry run's dict) as one line of text; ``names`` limits the values
    shown to the query's parameters (the answer also echoes request bookkeeping)."""
    if not isinstance(answer, Mapping):
        return str(answer)
    if "analysis_parameters" in answer:
        used = answer.get("analysis_parameters") or {}
        shown = ", ".join(
            f"{k}={v}" for k, v in used.items() if k != "token" and (names is None or k in names)
        )
        if len(shown) > 600:
            shown = shown[:600] + " ..."
        text = "it accepts the query and would run it with " + (shown or "its defaults")
        if answer.get("comment"):
            text += f". {answer['comment']}"
        return text
    exit_status = answer.get("exit_status") or {}
    parts = [str(answer.get("query_status") or "")]
    if isinstance(exit_status, Mapping):
        parts += [str(exit_status[k]) for k in ("message", "error_message", "comment") if
                  exit_status.get(k)]
    text = "; ".join(p for p in parts if p)
    return text or json.dumps(answer, default=str)[:600]


def _isot_text(value: Any) -> str:
    """An astropy ``Time`` (or text) as the ISOT text a T1/T2 field takes (UTC, to the ms)."""
    utc = getattr(value, "utc", None)
    return str(utc.isot) if utc is not None else str(value)
