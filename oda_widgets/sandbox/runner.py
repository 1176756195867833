"""``/run_analysis``: one request of the dispatcher's job protocol, answered by the sandbox.

``query_status=new`` checks the request, the user's roles and the science windows, then starts
the job (``submitted``); polls (``submitted``/``progress``) report its progress, then ``ready``;
``query_status=ready`` answers ``done`` with the products. SPI-ACS and ``query_type=Dummy`` are
answered within the request, as the dispatcher answers its synchronous instruments.

Sending ``query_status=new`` again for a job that exists does not start it again: the dispatcher
asks its backend, which reports the running job's progress or hands over the products it keeps,
so the answer is the job's status, or ``done`` with the products (oda_api's asynchronous pattern,
``get_product`` called in a loop with ``wait=False``, relies on this). A computation that fails
(e.g. a ``time_bin`` the simulation refuses) is a failed job with the reason, never an HTTP error.
"""

from __future__ import annotations

import random
import string
from typing import Any

from flask import Request, Response

from . import arguments as args_mod
from .envelope import api_code, envelope, exit_status, json_response
from .errors import (
    ConstructorFailed,
    InstrumentNotRecognized,
    InvalidJobIDProvided,
    MissingRequestParameter,
    NoInstrumentSpecified,
    RequestNotUnderstood,
)
from .faults import Fault
from .jobs import SandboxJob, job_parameters, make_job_id
from .tokens import requesting_user

__all__ = ["CANNED", "POINTED", "run_analysis"]

#: Instruments whose products come from pointed observations (science windows).
POINTED = ("isgri", "jemx")


def run_analysis(state: Any, request: Request, url: str, time_request: float,
                 fault: Fault | None) -> Response:
    """Answer one ``/run_analysis`` request (see the module documentation)."""
    arguments = args_mod.read_arguments(request.values)
    if arguments.get("session_id") in (None, "new"):
        arguments["session_id"] = "".join(random.choices(string.ascii_uppercase + string.digits, k=16))
    session_id = arguments["session_id"]
    scw_given = args_mod.read_scw_list(request.values, arguments)
    arguments.pop("client-name", None)
    arguments.pop("return_progress", None)

    user = requesting_user(arguments, state.secret)
    if arguments.get("instrument") is None:
        raise NoInstrumentSpecified(f"have parameters: {list(arguments)} ")
    instrument = state.instruments.get(arguments["instrument"])
    if instrument is None:
        raise InstrumentNotRecognized(
            f'instrument: "{arguments["instrument"]}", known: {list(state.instruments)}'
        )
    if "query_status" not in arguments:
        raise RequestNotUnderstood(f"{instrument!r} constructor failed: 'query_status'")
    query_status = arguments["query_status"]
    if query_status != "new" and "job_id" not in arguments:
        raise RequestNotUnderstood(
            f'job_id must be present if query_status != "new" (it is "{query_status}")'
        )
    product = arguments.get("product_type")
    try:
        normalised, values, unknown = args_mod.normalise(
            instrument, arguments, product, state.generation, scw_given
        )
        catalog, selection = args_mod.requested_catalog(normalised)
    except ConstructorFailed as e:
        raise RequestNotUnderstood(f"{instrument!r} constructor failed: {e}") from None

    identity = job_parameters(normalised)
    email = user.email if user else None
    job_id = make_job_id(identity, email)
    if query_status == "new":
        provided = arguments.get("job_id")
        if provided not in (None, "") and provided != job_id:
            raise RequestNotUnderstood(
                f'during query_status == "new", provided (unnecessarily) job_id {provided} '
                f"did not match self.job_id {job_id} computed from request"
            )
    else:
        job_id = str(arguments["job_id"])

    answer = _Answer(session_id, job_id, time_request, args_mod.unused_comment(unknown))
    known = state.jobs.get(job_id)
    if query_status != "new":
        if known is None:
            raise InvalidJobIDProvided(f"unable to find any record for {job_id}")
        expected = make_job_id(known.parameters, email)
        if expected != job_id:
            return answer.not_authorized(
                "Request not authorized",
                f"The provided job_id={job_id} does not match with the job_id={expected} derived "
                "from the request parameters for your user account email; parameters are derived "
                "from recorded job state",
            )
    for key in ("query_type", "product_type"):
        if key not in arguments:
            raise MissingRequestParameter(repr(KeyError(key)))

    code = api_code(normalised, url)
    visible = {"analysis_parameters": normalised, "api_code": code}

    if str(arguments.get("dry_run")) == "True" and "dry_run" in normalised:
        products = {"instrument_parameters": instrument.describe(product, state.generation), **visible}
        return answer.reply("done", products, exit_status("done", message="dry-run"),
                            {"status": "done"})

    if fault is not None and fault.kind == "failed":
        if known is not None:
            known.failure = {"message": f"failed: {product}"}
        return answer.failed(visible, f"failed: {product}",
                             "SandboxFault('failure injected by the sandbox fault plan')")

    if query_status == "failed":
        return answer.reply("failed", {}, exit_status("failed"), {"status": "failed"})

    if query_status in ("new", "ready"):
        refusal = None
        if instrument.name in POINTED:
            roles = user.roles if user else ()
            refusal = args_mod.lacking_roles_message(roles, values, values.get("scw_list") or [])
        if refusal is not None:
            return answer.not_authorized(refusal, "")

    if query_status == "ready" and known is not None and known.state().status == "ready":
        return _done(answer, known, visible)

    if query_status == "new":
        if product is None:
            # nothing to run: the dispatcher's product lookup fails the same way, as a bad request
            raise RequestNotUnderstood(f"{instrument!r} needs a product_type to run a job")
        if arguments.get("query_type") == "Dummy":
            values = _canned(instrument, product, values)
        too_large = _size_refusal(instrument.name, values)
        if too_large is not None:
            raise RequestNotUnderstood(too_large)
        try:
            scws = _science_windows(instrument.name, values)
        except _NoData as e:
            return answer.failed(visible, f"failed: {product}", "DDAException('scwlist empty')",
                                 str(e))
        job_values = dict(values)
        job_values.pop("token", None)
        job_values.pop("selected_catalog", None)
        job_values["selected_catalog"] = catalog
        job_values["catalog_selected_objects"] = selection
        job = SandboxJob(
            job_id=job_id, instrument=instrument.name, product=product, parameters=identity,
            user=email, scw_ids=[s.scw_id for s in scws], seconds_per_scw=state.seconds_per_scw,
            session_id=session_id,
        )

        def compute() -> dict:
            from .simulate import make_products

            return make_products(instrument.name, product, job_values, scws)

        visible_new = {"input_prod_list": job.scw_ids, **visible}
        if not instrument.asynch or arguments.get("query_type") == "Dummy":
            job = state.jobs.run_now(job, compute)
            return _done(answer, job, visible_new)
        started = state.jobs.start(job, compute)
        if started is job:
            return answer.reply("submitted", visible_new, exit_status("submitted"),
                                {"status": "submitted", "full_report_dict_list": []})
        # the job exists: its backend reports how far it is, or hands over its products
        current = started.state()
        if current.status == "ready":
            return _done(answer, started, visible_new)
        if current.status == "failed":
            return _failed_job(answer, started, visible_new)
        return answer.reply(current.status, visible_new, exit_status(current.status),
                            _monitor(current))

    # a poll: the job's monitor, no products
    current = known.state()
    if current.status == "failed":
        return _failed_job(answer, known, {}, polled=True)
    return answer.reply(current.status, {}, exit_status(current.status), _monitor(current),
                        with_comment=False)


def _size_refusal(instrument: str, values: dict[str, Any]) -> str | None:
    """Why a new query is larger than the sandbox makes (the limit named), or ``None``."""
    if instrument == "spi_acs":
        from .simulate.spi_acs import size_refusal

        return size_refusal(values)
    return None


def _monitor(current: Any) -> dict[str, Any]:
    """The ``job_monitor`` fields of a running job: its reports so far, the last one apart."""
    monitor: dict[str, Any] = {"status": current.status, "full_report_dict_list": current.reports}
    if current.reports:
        monitor["full_report_dict"] = current.reports[-1]
    return monitor


def _failed_job(answer: _Answer, job: SandboxJob, products: dict[str, Any],
                polled: bool = False) -> Response:
    """A failed job's answer: a forced failure's message, or what its computation raised.

    A poll also shows the backend's ``failed`` report in the job monitor, as the dispatcher
    does once the backend's failure callback has come in.
    """
    error = job.error()
    if job.failure is not None:
        message = job.failure.get("message", f"failed: {job.product}")
        error_message = debug_message = ""
    else:
        message, error_message, debug_message = (f"failed: {job.product}", repr(error),
                                                 str(error or ""))
    monitor = None
    if polled:
        report = {"action": "failed", "instrument_name": job.instrument, "job_id": job.job_id,
                  "session_id": answer.session_id, "node_id": "node_failed",
                  "message": debug_message or message}
        monitor = {"full_report_dict_list": [report], "full_report_dict": report}
    return answer.failed(products, message, error_message, debug_message, monitor)


#: What a ``Dummy`` query takes from the instrument's default query rather than the request.
CANNED = ("RA", "DEC", "T1", "T2", "radius", "max_pointings", "scw_list", "src_name")


def _canned(instrument: Any, product: str, values: dict[str, Any]) -> dict[str, Any]:
    """The values of a ``Dummy`` query: the default field and time range, the rest as asked.

    The dispatcher answers ``query_type=Dummy`` with canned products whatever the request's
    position and time: the sandbox simulates the instrument's default query, which always has
    science windows.
    """
    canned = dict(values)
    for param in instrument.parameters(product):
        if param.name in CANNED:
            canned[param.name] = param.default()
    return canned


class _NoData(Exception):
    """No science window matches the request."""


def _science_windows(instrument: str, values: dict[str, Any]) -> list:
    if instrument not in POINTED:
        return []
    from .simulate.pointings import NoPointings, science_windows

    try:
        return science_windows(
            values["T1"], values["T2"], values["RA"], values["DEC"], values["radius"],
            values["max_pointings"], values.get("scw_list") or None,
        )
    except NoPointings as e:
        raise _NoData(str(e)) from None


def _done(answer: _Answer, job: SandboxJob, visible: dict[str, Any]) -> Response:
    try:
        computed = job.products()
    except Exception as e:  # the computation's failure is the job's, as the dispatcher reports it
        return answer.failed(visible, f"failed: {job.product}", repr(e), str(e))
    from .simulate import COMMENT_KEY

    computed = dict(computed)
    # a workflow's comment output: the nb2workflow plugin sends it as the exit_status comment
    comment = str(computed.pop(COMMENT_KEY, "") or "")
    products = {
        **computed,
        # the workflow plugin's API answers have no process message
        **({} if "prod_uris" in computed else {"prod_process_message": ""}),
        "session_id": answer.session_id,
        "job_id": job.job_id,
        "input_prod_list": job.scw_ids,
        **{k: v for k, v in visible.items() if k != "input_prod_list"},
    }
    return answer.reply("done", products, exit_status("done", comment=comment),
                        {"status": "done"})


class _Answer:
    """Builds the envelopes of one request."""

    def __init__(self, session_id: str, job_id: str, time_request: float, comment: str) -> None:
        self.session_id = session_id
        self.job_id = job_id
        self.time_request = time_request
        self.comment = comment

    def monitor(self, extra: dict[str, Any]) -> dict[str, Any]:
        return {"job_id": self.job_id, "session_id": self.session_id, **extra}

    def reply(self, query_status: str, products: dict, status: dict, monitor: dict,
              with_comment: bool = True, http_status: int = 200,
              status_code: int | None = None) -> Response:
        if with_comment and self.comment:
            status["comment"] = (status["comment"] + " " + self.comment).strip()
        body = envelope(query_status, products, status, self.monitor(monitor), self.session_id,
                        self.time_request, status_code)
        return json_response(body, http_status)

    def failed(self, products: dict, message: str, error_message: str,
               debug_message: str = "", monitor: dict | None = None) -> Response:
        status = exit_status("unknown", 1, message, error_message, debug_message)
        return self.reply("failed", products, status, {"status": "failed", **(monitor or {})})

    def not_authorized(self, message: str, debug_message: str) -> Response:
        status = exit_status("failed", 1, message, "", debug_message)
        return self.reply("failed", {}, status, {"status": "failed"}, with_comment=False,
                          http_status=403, status_code=403)

