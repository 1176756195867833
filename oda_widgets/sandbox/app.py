"""The sandbox dispatcher's Flask application: the dispatcher's endpoints over simulated data.

Endpoints: ``/instr-list`` and ``/api/instr-list``, ``/api/meta-data`` (and ``/meta-data``),
``/api/par-names``, ``/run_analysis`` (GET and form POST), ``/resolve_name``, the platform's
science-window list ``/gw/timesystem/api/v1.0/scwlist/...`` (:mod:`.timesystem`), and the
sandbox-only ``/sandbox/faults`` (POST JSON ``{"spec": "..."}``; GET shows the plan; both need
the sandbox's secret in the ``Sandbox-Secret`` header) to change injected faults at run time.
Answers, status codes and error texts follow the real dispatcher; :mod:`.guards` keeps other web
sites from changing the sandbox's state.
"""

from __future__ import annotations

import random
import socket
import string
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, g, request

from . import arguments as args_mod
from .descriptions import InstrumentDescription, instruments
from .envelope import common_payload, error_body, json_response
from .errors import (
    APIError,
    InstrumentNotRecognized,
    InternalError,
    NoInstrumentSpecified,
)
from .faults import FaultPlan
from .generations import CURRENT, OLDER, generation_named
from .guards import SECRET_HEADER, foreign_site, has_secret
from .jobs import JobStore
from .resolver import resolve
from .runner import run_analysis as run
from .timesystem import scw_list_answer
from .tokens import requesting_user, verify_for_listing

__all__ = ["SandboxState", "create_app"]


@dataclass
class SandboxState:
    """Everything a sandbox app holds: its secret, clock, faults, jobs and instruments."""

    secret: str
    seconds_per_scw: float = 0.0
    generation: str = CURRENT
    faults: FaultPlan = field(default_factory=FaultPlan)
    jobs: JobStore = field(default_factory=JobStore)
    instruments: dict[str, InstrumentDescription] = field(default_factory=instruments)


def _new_session_id() -> str:
    return "".join(random.choices(string.ascii_uppercase + string.digits, k=16))


def create_app(
    secret: str,
    *,
    seconds_per_scw: float = 0.0,
    generation: str = CURRENT,
    faults: str | None = None,
) -> Flask:
    """Build a sandbox dispatcher application.

    Parameters
    ----------
    secret : str
        The HS256 secret tokens must be signed with.
    seconds_per_scw : float
        Simulated analysis time of one science window (0: jobs complete at once, though still
        through ``submitted`` and ``ready``).
    generation : {"1.3.6", "1.3.3"}
        Which dispatcher generation to speak (see :mod:`oda_widgets.sandbox.generations`;
        ``"current"`` is still read as 1.3.6).
    faults : str or None
        A fault plan (see :mod:`oda_widgets.sandbox.faults`).
    """
    generation = generation_named(generation)
    app = Flask("oda_widgets.sandbox")
    state = SandboxState(
        secret=secret,
        seconds_per_scw=seconds_per_scw,
        generation=generation,
        faults=FaultPlan(faults),
    )
    app.extensions["oda_widgets_sandbox"] = state

    def base_url() -> str:
        return request.host_url.rstrip("/")

    def payload() -> dict[str, Any]:
        return common_payload(base_url(), state.generation, list(state.instruments))

    @app.errorhandler(APIError)
    def refused(error: APIError) -> Response:
        return json_response(error_body(error, payload()), error.status_code)

    # -- who may change the state -------------------------------------------------------------
    @app.before_request
    def guard() -> Response | None:
        if request.path.startswith("/sandbox/"):
            if not has_secret(request.headers, state.secret):
                return json_response({"error_message": (
                    f"the sandbox's control routes need its secret in the {SECRET_HEADER} "
                    "header (printed when the sandbox starts)")}, 403)
            return None
        if request.path.rstrip("/").endswith("/run_analysis"):
            sender = foreign_site(request.headers, base_url())
            token = request.values.get("token")
            if sender is not None and not (request.method == "POST" and token):
                return json_response({"error_message": (
                    f"the sandbox refuses requests that another web site ({sender}) makes a "
                    "browser send: run queries from Python (oda_api, oda_widgets), or POST them "
                    "with a token")}, 403)
        return None

    # -- faults -----------------------------------------------------------------------------
    @app.before_request
    def inject_fault() -> Response | None:
        endpoint = (request.path.strip("/").split("/")[-1] or "")
        if request.path.startswith("/sandbox/"):
            return None
        product = request.values.get("product_type")
        fault = state.faults.pick(endpoint, product)
        g.fault = fault
        if fault is None:
            return None
        if fault.kind == "slow":
            time.sleep(fault.seconds)
            return None
        if fault.kind == "http500":
            body = {"message": "request not valid",
                    "error_message": "sandbox fault: internal server error", **payload()}
            return json_response(body, 500)
        if fault.kind == "lock":
            # the dispatcher's own words when it cannot lock the job's scratch directory
            scratch = (f"scratch_sid_{request.values.get('session_id')}"
                       f"_jid_{request.values.get('job_id')}")
            error = InternalError(f'Failed to acquire lock for directory "{scratch}" creation '
                                  "after 6 attempts.")
            return json_response(error_body(error, payload()), 500)
        if fault.kind == "http503":
            return Response("Service Unavailable (sandbox fault)", 503, mimetype="text/plain")
        if fault.kind == "html_error":
            return Response(
                "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
                "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and "
                "was unable to complete your request.</p>\n",
                500, mimetype="text/html",
            )
        if fault.kind == "drop":
            connection = request.environ.get("werkzeug.socket")
            if isinstance(connection, socket.socket):
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                connection.close()
            return Response("", 500)
        return None

    @app.after_request
    def corruptjson_response(response: Response) -> Response:
        fault = g.get("fault")
        if fault is not None and fault.kind == "malformed_json":
            body = response.get_data()
            response.set_data(body[: max(1, len(body) // 2)])
            response.mimetype = "application/json"
        return response

    @app.route("/")
    def front_page() -> Response:
        """A share link of a sandbox query lands here: no web front end, said in words."""
        from .front_page import front_page_text

        text = front_page_text(request.url, request.args.to_dict())
        return Response(text, 200, mimetype="text/plain")

    @app.route("/sandbox/faults", methods=["GET", "POST"])
    def set_faults() -> Response:
        """Sandbox only: the fault plan; POST ``{"spec": "..."}`` replaces it."""
        if request.method == "POST":
            spec = (request.get_json(silent=True) or {}).get("spec", "")
            try:
                state.faults.set(spec)
            except ValueError as e:
                return json_response({"error_message": str(e)}, 400)
        return json_response({"spec": state.faults.spec})

    # -- instruments --------------------------------------------------------------------------
    def instrument_named(arguments: dict[str, Any]) -> InstrumentDescription:
        if "instrument" not in arguments or arguments["instrument"] is None:
            raise NoInstrumentSpecified(f"have parameters: {list(arguments)} ")
        name = arguments["instrument"]
        if name not in state.instruments:
            raise InstrumentNotRecognized(
                f'instrument: "{name}", known: {list(state.instruments)}'
            )
        return state.instruments[name]

    def listed_instruments() -> Response:
        return json_response(list(state.instruments))

    @app.route("/api/instr-list")
    def api_instr_list() -> Response:
        if state.generation == CURRENT:
            target = "/instr-list"
            if request.query_string:
                target += "?" + request.query_string.decode()
            return Response("", 302, headers={"Location": target})
        arguments = args_mod.read_arguments(request.values)
        requesting_user(request.values, state.secret)
        arguments.setdefault("session_id", _new_session_id())
        if "instrument" not in arguments:
            raise NoInstrumentSpecified(f"have parameters: {list(arguments)} ")
        return listed_instruments()

    @app.route("/instr-list")
    def instr_list() -> Response:
        if state.generation == OLDER:
            return Response("Not Found", 404, mimetype="text/plain")
        token = request.args.get("token")
        if token is not None:
            refusal = verify_for_listing(token, state.secret)
            if refusal is not None:
                return Response(refusal, 403, mimetype="text/html")
        return listed_instruments()

    def described_instrument() -> tuple[InstrumentDescription, str | None]:
        arguments = args_mod.read_arguments(request.values)
        requesting_user(request.values, state.secret)
        arguments.setdefault("session_id", _new_session_id())
        instrument = instrument_named(arguments)
        product = arguments.get("product_type")
        if product is not None and product not in instrument.products:
            # the dispatcher fails with an unhandled exception: Flask's HTML 500 page
            return instrument, "\x00unknown"
        return instrument, product

    def unknown_product_page() -> Response:
        return Response(
            "<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n"
            "<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was "
            "unable to complete your request. Either the server is overloaded or there is an "
            "error in the application.</p>\n",
            500, mimetype="text/html",
        )

    @app.route("/api/meta-data")
    @app.route("/meta-data")
    def meta_data() -> Response:
        instrument, product = described_instrument()
        if product == "\x00unknown":
            return unknown_product_page()
        return json_response([instrument.describe(product, state.generation)])

    @app.route("/api/par-names")
    def par_names() -> Response:
        instrument, product = described_instrument()
        if product == "\x00unknown":
            return unknown_product_page()
        names = instrument.argument_names(product, state.generation)
        return json_response([n for n in names if n != "user_catalog"])

    # -- name resolution -----------------------------------------------------------------------
    @app.route("/resolve_name")
    def resolve_name() -> Response:
        return json_response(resolve(request.values.get("name"), base_url()))

    # -- the platform's time system ------------------------------------------------------------
    @app.route("/gw/timesystem/api/v1.0/scwlist/<kind>/<t1>/<t2>")
    def scw_list(kind: str, t1: str, t2: str) -> Response:
        body, status = scw_list_answer(kind, t1, t2, request.args)
        return json_response(body, status)

    # -- run_analysis --------------------------------------------------------------------------
    @app.route("/run_analysis", methods=["GET", "POST"])
    def run_analysis() -> Response:
        return run(state, request, base_url(), time.time(), g.get("fault"))

    return app

