"""HTTP to the dispatcher: one ``requests.Session``, every answer mapped to the error hierarchy.

The description calls (``/api/meta-data``, ``/api/instr-list``, ``/api/par-names``,
``/resolve_name``) are idempotent, so transient faults are retried here by urllib3's ``Retry``.
``/run_analysis`` is *not* retried here: the poller retries it per job, so that one job's
trouble never holds up the others.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import (
    DispatcherError,
    DispatcherUnavailable,
    OdaError,
    RequestRejected,
    Unauthorized,
)
from .log_redaction import install_urllib3_redaction
from .redact import scrub_token
from .wire import encode_parameters, use_post

logger = logging.getLogger(__name__)

CLIENT_NAME = "oda_widgets"
TRANSIENT_STATUSES = (502, 503, 504)
EXCERPT_CHARS = 400

# "Parameter RA wrong value a. could not convert ..." / "Non-optional parameter X is set to None"
_PARAMETER_IN_MESSAGE = (
    re.compile(r"\bParameter (?P<name>[A-Za-z_][\w\-\[\]]*) wrong value"),
    re.compile(r"\bNon-optional parameter (?P<name>[A-Za-z_][\w\-\[\]]*) is set to None"),
    re.compile(r"\bWrong value for boolean parameter (?P<name>[A-Za-z_][\w\-\[\]]*)"),
    re.compile(r"\bWrong value of structured parameter (?P<name>[A-Za-z_][\w\-\[\]]*)"),
    re.compile(r"^(?P<name>[A-Za-z_]\w*) value is restricted to"),
)
# "... parsing angle 'a'": older servers do not name the parameter, only the value
_QUOTED_VALUE = re.compile(r"'([^']*)'")


class _TextOfHtml(HTMLParser):
    """Collects the visible text of an HTML page (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def text_excerpt(body: str, limit: int = EXCERPT_CHARS) -> str:
    """A short plain-text excerpt of a server body (HTML pages reduced to their text)."""
    if "<" in body and ">" in body:
        parser = _TextOfHtml()
        try:
            parser.feed(body)
            parser.close()
            body = " ".join(parser.parts)
        except Exception:  # a broken page: fall back to the raw text
            pass
    body = " ".join(body.split())
    return body if len(body) <= limit else body[: limit - 1] + "…"


def parameter_named_in(message: str, sent: Mapping[str, Any] | None = None) -> str | None:
    """The parameter a 400 message complains about, when it can be told.

    Current dispatchers write ``"Parameter RA wrong value a. ..."``. Older ones only quote the
    value (``"... parsing angle 'a'"``): then the parameter is the one sent with that value, when
    exactly one was.
    """
    for pattern in _PARAMETER_IN_MESSAGE:
        match = pattern.search(message)
        if match:
            return match.group("name")
    if sent:
        quoted = set(_QUOTED_VALUE.findall(message))
        matches = [
            name
            for name, value in sent.items()
            if name != "token" and isinstance(value, (str, int, float)) and str(value) in quoted
        ]
        if len(matches) == 1:
            return matches[0]
    return None


def _url_for_logs(url: str) -> str:
    """The URL without its query string (which may hold the token)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class Transport:
    """HTTP access to one dispatcher.

    Parameters
    ----------
    url : str
        The dispatcher's base URL (``.../dispatch-data``), without a trailing slash.
    timeout : float
        Seconds to wait for an answer (120, as oda_api).
    retries : int
        How many times the idempotent description calls are retried on transient faults.
    backoff_factor : float
        urllib3's backoff between those retries (0.5 s, 1 s, 2 s, ...).
    """

    def __init__(
        self, url: str, timeout: float = 120, *, retries: int = 4, backoff_factor: float = 0.5
    ) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        install_urllib3_redaction()  # urllib3 logs retried URLs, tokens included
        self.session = requests.Session()
        self.session.headers.update(
            {
                # what oda_api sends; proxies in front of the dispatcher may honour them
                "Request-Timeout": str(int(timeout)),
                "Connection-Timeout": str(int(timeout)),
                "User-Agent": f"{CLIENT_NAME} (python-requests {requests.__version__})",
            }
        )
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff_factor,
            status_forcelist=TRANSIENT_STATUSES,
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,  # the last 50x comes back as an answer and is mapped below
            respect_retry_after_header=True,
        )
        # requests picks the adapter with the longest matching prefix: run_analysis gets one
        # without retries (the poller retries it per job), everything else the retrying one.
        self.session.mount(f"{self.url}/", HTTPAdapter(max_retries=retry))
        self.session.mount(f"{self.url}/run_analysis", HTTPAdapter(max_retries=0, pool_maxsize=16))

    # --- the endpoints -------------------------------------------------------------------------
    def instruments(self, token: str | None = None) -> list[str]:
        """``/api/instr-list``: the instruments this token may use.

        Dispatchers up to 1.3.3 answer it directly and need some ``instrument`` argument (oda_api
        sends ``mock``); newer ones redirect to ``/instr-list``, which is followed.
        """
        params = {"instrument": "mock"}
        if token:
            params["token"] = token
        answer = self.get_json("/api/instr-list", params, allow_redirects=True)
        if not isinstance(answer, list):
            raise DispatcherError(
                f"the dispatcher's instrument list is not a list: {text_excerpt(str(answer))}"
            )
        return [str(name) for name in answer]

    def meta_data(
        self, instrument: str, product: str | None = None, token: str | None = None
    ) -> Any:
        """``/api/meta-data``: the description of an instrument (and one of its products)."""
        params: dict[str, Any] = {"instrument": instrument}
        if product is not None:
            params["product_type"] = product
        if token:
            params["token"] = token
        return self.get_json("/api/meta-data", params)

    def par_names(self, instrument: str, product: str | None = None) -> list[str]:
        """``/api/par-names``: every argument name the product accepts."""
        params: dict[str, Any] = {"instrument": instrument}
        if product is not None:
            params["product_type"] = product
        answer = self.get_json("/api/par-names", params)
        if not isinstance(answer, list):
            raise DispatcherError(
                f"the dispatcher's parameter names are not a list: {text_excerpt(str(answer))}"
            )
        return [str(n) for n in answer]

    def resolve_name(self, name: str, token: str | None = None) -> Any:
        """``/resolve_name``: coordinates of a source name, by the dispatcher's resolver."""
        params: dict[str, Any] = {"name": name}
        if token:
            params["token"] = token
        return self.get_json("/resolve_name", params)

    def run_analysis(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """One ``/run_analysis`` request: submit or poll.

        ``params`` are wire values (see :func:`~oda_widgets.client.wire.encode_parameters`); the
        request is a form POST when it would be too long for a GET, as oda_api does.
        Redirects are not followed (a redirected dispatcher URL is an error to fix).

        Returns
        -------
        dict
            The answer's JSON envelope (``query_status``, ``products``, ``job_monitor``, ...).
        """
        token = params.get("token")
        encoded = encode_parameters(params)
        method = "POST" if use_post(params) else "GET"
        url = f"{self.url}/run_analysis"
        kwargs: dict[str, Any] = {"data": encoded} if method == "POST" else {"params": encoded}
        logger.debug(
            "%s %s instrument=%s product=%s query_status=%s job_id=%s",
            method,
            url,
            params.get("instrument"),
            params.get("product_type"),
            params.get("query_status"),
            params.get("job_id"),
        )
        response = self._send(method, url, token, allow_redirects=False, **kwargs)
        answer = self._decode(response, token, sent=params)
        if not isinstance(answer, dict):
            raise DispatcherError(
                "the dispatcher answered run_analysis with JSON that is not an object: "
                + text_excerpt(str(scrub_token(answer, token)))
            )
        return answer

    # --- plumbing ----------------------------------------------------------------------------------
    def get_json(
        self, path: str, params: Mapping[str, Any], *, allow_redirects: bool = True
    ) -> Any:
        """GET ``path`` with ``params``, decode the JSON answer or raise the matching error."""
        token = params.get("token")
        url = f"{self.url}{path}"
        logger.debug("GET %s %s", url, {k: v for k, v in params.items() if k != "token"})
        response = self._send(
            "GET", url, token, params=dict(params), allow_redirects=allow_redirects
        )
        return self._decode(response, token, sent=params)

    def _send(self, method: str, url: str, token: str | None, **kwargs: Any) -> requests.Response:
        where = _url_for_logs(url)
        try:
            return self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            error: OdaError = DispatcherUnavailable(
                f"the dispatcher at {where} did not answer within {self.timeout} s"
            )
            reason = _scrubbed(exc, token)
        except requests.exceptions.RetryError as exc:
            error = DispatcherUnavailable(
                f"the dispatcher at {where} kept answering with a gateway error "
                "(502/503/504); it may be restarting, try again in a few minutes"
            )
            reason = _scrubbed(exc, token)
        except requests.ConnectionError as exc:
            error = DispatcherUnavailable(
                f"could not reach the dispatcher at {where} (connection failed or was dropped); "
                "check the URL and your network, or try again later"
            )
            reason = _scrubbed(exc, token)
        except requests.RequestException as exc:
            error = DispatcherError(f"the request to {where} failed: {type(exc).__name__}")
            reason = _scrubbed(exc, token)
        # Raised outside the except clause on purpose: the low-level exception names the full
        # request URL (with the token of a GET), so it must not ride along as __context__.
        error.__cause__ = reason
        raise error

    def _decode(
        self, response: requests.Response, token: str | None, sent: Mapping[str, Any] | None
    ) -> Any:
        status = response.status_code
        where = _url_for_logs(response.url or "")
        logger.debug("answer %s from %s", status, where)
        body = response.text
        try:
            payload: Any = json.loads(body)
            is_json = True
        except ValueError:
            payload, is_json = None, False
        if is_json:
            payload = scrub_token(payload, token)
        # scrubbed before it is cut: a cut inside the token would leave part of it unrecognised
        plain = text_excerpt(scrub_token(body, token)) if body else ""

        if status == 200:
            if not is_json:
                raise DispatcherError(
                    f"the dispatcher at {where} answered with something that is not JSON: "
                    + (plain or "(an empty body)"),
                    status,
                )
            return payload

        details = payload if isinstance(payload, dict) else {}
        if status == 400:
            message = _first_text(details, "error_message", "error") or plain or "bad request"
            message = scrub_token(message, token)
            raise RequestRejected(
                message, 400, details, parameter=parameter_named_in(message, sent)
            )
        if status == 403:
            exit_status = details.get("exit_status") if isinstance(details, dict) else None
            if isinstance(exit_status, dict):  # the failed envelope of a role check
                message = _first_text(exit_status, "message", "error_message")
                debug = _first_text(exit_status, "debug_message")
            else:
                message = _first_text(details, "error_message", "error")
                debug = _first_text(details, "debug_message")
            message = message or plain or "not authorized"
            raise Unauthorized(
                scrub_token(message, token), 403, details, debug_message=scrub_token(debug, token)
            )
        if status in TRANSIENT_STATUSES:
            raise DispatcherUnavailable(
                f"the dispatcher at {where} is unavailable (HTTP {status})"
                + (f": {plain}" if plain else "")
                + "; try again in a few minutes",
                status,
                details,
            )
        if status == 500:
            message = _first_text(details, "error_message", "message", "error") or plain
            raise DispatcherError(
                f"the dispatcher failed with an internal error (HTTP 500): "
                f"{scrub_token(message, token) or 'no details given'}",
                status,
                details,
            )
        if 300 <= status < 400:
            location = _url_for_logs(response.headers.get("Location", ""))
            raise DispatcherError(
                f"the dispatcher at {where} redirects to {location or 'another address'}: "
                "use that URL for the Dispatcher",
                status,
                details,
            )
        raise DispatcherError(
            f"the dispatcher at {where} answered HTTP {status}" + (f": {plain}" if plain else ""),
            status,
            details,
        )

    def close(self) -> None:
        """Close the connections."""
        self.session.close()

    def __repr__(self) -> str:
        return f"<Transport {self.url}>"


def _first_text(mapping: Any, *keys: str) -> str:
    if not isinstance(mapping, Mapping):
        return ""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


def _scrubbed(exc: Exception, token: str | None) -> OdaError:
    """The low-level error as text without the token (its message may hold the request URL)."""
    return OdaError(f"{type(exc).__name__}: {scrub_token(str(exc), token)}")
