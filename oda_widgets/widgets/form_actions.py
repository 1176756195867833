"""The form's actions: Submit, the dry run ("Check with the dispatcher") and the code panel.

:class:`FormActions` is the row of buttons under the fields and what they do with the form's
query: it sends it, asks the dispatcher about it, or shows its oda_api code; a refusal goes next
to the field it names, any other answer to the form's status line, as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as widgets

from ..client.errors import OdaError, RequestRejected, ValidationError, ValidationErrors
from ..client.failure_words import plain_failure
from ..client.jobs import Job, JobEvent

if TYPE_CHECKING:
    from .form import QueryForm

__all__ = ["FormActions", "answer_sentence", "text_html"]

Answer = TypeVar("Answer")


def text_html(text: str, css: str = "oda-note-text") -> str:
    """Server or user text as HTML: always escaped."""
    return f'<span class="{css}">{html.escape(text)}</span>'


class FormActions(widgets.HBox):
    """Submit, "Check with the dispatcher" and "Show code" for ``form``, with the reason Submit
    is disabled beside it; :attr:`code` is the code panel (laid out by the form).

    Parameters
    ----------
    form : QueryForm
        The form whose query the buttons send, check and show.
    """

    def __init__(self, form: QueryForm) -> None:
        self.form = form
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
        self.code = widgets.HTML("")
        self.code.add_class("oda-code")
        self.code_shown = False
        super().__init__(
            [self.submit_button, self.submit_reason, self.check_button, self.code_button]
        )
        self.add_class("oda-actions")
        self.submit_button.on_click(lambda _b: form.submit())
        self.check_button.on_click(lambda _b: form.check_with_dispatcher())
        self.code_button.on_click(lambda _b: self.toggle_code())

    # --- the buttons' state ----------------------------------------------------------------------
    def update(self) -> None:
        """Enable Submit and the dry run, or say beside them why they are disabled."""
        reason = self.form.submit_blocked_reason
        self.submit_button.disabled = self.check_button.disabled = bool(reason)
        if not reason:
            self.submit_reason.value = ""
        elif self.form.invalid:
            self.submit_reason.value = text_html(f"⚠ {reason}", "oda-error-text")
        else:
            self.submit_reason.value = text_html(reason)

    # --- asking the dispatcher -------------------------------------------------------------------
    def submit(self) -> Job | None:
        """Submit the form's query; the :class:`Job`, or ``None`` when it was refused."""
        form = self.form
        job = self.ask(
            "Not submitted", "Not submitted",
            lambda: form.dispatcher.submit(*form.chosen(), form.query_type, **form.parameters()),
        )
        return None if job is None else self.adopt(job)

    def adopt(self, job: Job) -> Job:
        """Take ``job`` as submitted by the form: shown, followed, given to its listeners."""
        form = self.form
        form.jobs.append(job)
        form.set_trait("last_job", job)
        self.show_submitted(job)
        try:
            job.add_listener(self.job_event)
        except AttributeError:
            pass
        form._submitted(job)
        return job

    def dry_run(self) -> dict[str, Any] | None:
        """Ask the dispatcher about the form's query and say its answer in the status line."""
        form = self.form
        answer = self.ask(
            "Not checked", "The dispatcher could not check the query",
            lambda: form.dispatcher.dry_run(*form.chosen(), **form.parameters()),
        )
        if answer is None:
            return None
        form._status(answer_sentence(answer, form.product, form.parameters()))
        return answer

    def ask(self, not_done: str, failed: str, request: Callable[[], Answer]) -> Answer | None:
        """``request()`` once every field is checked; ``None`` when a field or the dispatcher
        refuses (the refusal shown on its field, else in the status line after ``not_done``
        or ``failed``)."""
        form = self.form
        form._check_all()
        if form.invalid or not form.product:
            form._status(f"⚠ {not_done}: {form.submit_blocked_reason}", error=True)
            return None
        try:
            return request()
        except (ValidationError, RequestRejected) as exc:
            self.attach_error(exc)
        except OdaError as exc:
            form._status(f"⚠ {failed}: {exc}", error=True)
        return None

    def attach_error(self, error: Exception) -> None:
        """Put a refusal next to the field it names, or at the form level."""
        form = self.form
        if isinstance(error, ValidationErrors):
            for item in error.errors:
                self.attach_error(item)
            return
        name = getattr(error, "parameter", None)
        message = getattr(error, "message", None) or str(error)
        if name in form.fields:
            form.fields[name].show_error(message, getattr(error, "hint", None) or "")
            self.update()
            form._status(f"⚠ The dispatcher refused {name}: {message}", error=True)
        else:
            form._status(f"⚠ The dispatcher refused the query: {message}", error=True)

    def show_submitted(self, job: Job) -> None:
        """Say in the status line which job was submitted and how it stands."""
        if not job.job_id:
            self.form._status("Submitted; waiting for the dispatcher's job id")
            return
        status = getattr(getattr(job, "status", None), "value", None)
        self.form._status(f"Submitted job {job.job_id}" + (f" ({status})" if status else ""))

    def job_event(self, event: JobEvent) -> None:
        """Follow the form's last job: a refusal goes to its field, a failure to the status."""
        job = event.job
        if job is not self.form.last_job:
            return
        error = getattr(job, "error", None)
        if isinstance(error, RequestRejected):
            self.attach_error(error)
        elif error is not None:
            plain = plain_failure(error)
            said = f"{plain} (the dispatcher said: {error})" if plain else str(error)
            self.form._status(f"Submitted job {job.job_id or ''}; it failed: {said}", error=True)
        else:
            self.show_submitted(job)

    # --- the code panel --------------------------------------------------------------------------
    def toggle_code(self) -> None:
        """Show or hide the oda_api code of the current query."""
        self.code_shown = not self.code_shown
        self.code_button.description = "Hide code" if self.code_shown else "Show code"
        if self.code_shown:
            self.show_code()
        else:
            self.code.value = ""

    def show_code(self) -> None:
        """Write the current query's code into the panel (as text)."""
        try:
            text = self.form.api_code()
        except OdaError as exc:
            text = f"# no code: {exc}"
        self.code.value = f"<pre>{html.escape(text)}</pre>"


def answer_sentence(answer: Any, product: str | None, parameters: Mapping[str, Any]) -> str:
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


def _catalog_size(catalog: object) -> int | None:
    if isinstance(catalog, str):
        try:
            catalog = json.loads(catalog)
        except ValueError:
            return None
    columns = catalog.get("cat_column_list") if isinstance(catalog, Mapping) else None
    if isinstance(columns, list) and columns and isinstance(columns[0], list):
        return len(columns[0])
    return None


def _answer_text(answer: object) -> str:
    """A dispatcher answer that accepts nothing, as one line of text."""
    if not isinstance(answer, Mapping):
        return str(answer)
    exit_status = answer.get("exit_status") or {}
    parts = [str(answer.get("query_status") or "")]
    if isinstance(exit_status, Mapping):
        parts += [str(exit_status[k]) for k in ("message", "error_message", "comment") if
                  exit_status.get(k)]
    text = "; ".join(p for p in parts if p)
    return text or json.dumps(answer, default=str)[:600]
