"""HTTP to the dispatcher: one ``requests.Session``, every answer mapped to the error hierarchy.

The description calls (``/api/meta-data``, ``/api/instr-list``, ``/api/par-names``,
``/resolve_name``) are idempotent, so transient faults are retried here by urllib3's ``Retry``.
``/run_analysis`` is *not* retried here: the poller retries it per job, so that one job's
trouble never holds up the others.

``timeout`` is a deadline for the whole answer, retries included (see ``client/transport/deadline.py``),
not a limit on each socket read. The token travels as a :class:`~.secret.SecretToken` and its
text is taken out only in :meth:`Transport._exchange`, where the request is encoded: no frame of
a traceback raised for an answer holds it, and every text taken from an answer is scrubbed of it
(after an HTML page is reduced to text, so that entities and tags cannot hide it).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3
from urllib3.exceptions import ReadTimeoutError

from ..errors import (
    DispatcherError,
    DispatcherUnavailable,
    OdaError,
    RequestRejected,
    Unauthorized,
    UnsafePayload,
)
from ..products.budget import DecodeBudget, json_cost
from ..query.wire import encode_parameters, use_post
from .deadline import DeadlineAdapter, DeadlineRetry, answer_deadline
from .redaction import install_urllib3_redaction, scrub_text, scrub_token
from .secret import SecretToken, as_secret, reveal
from .status_requests import Answer, StatusRequests
from .token_scope import token_scope

__all__ = [
    "CLIENT_NAME",
    "TRANSIENT_STATUSES",
    "EXCERPT_CHARS",
    "text_excerpt",
    "parameter_named_in",
    "Transport",
]

logger = logging.getLogger(__name__)

CLIENT_NAME = "oda_widgets"
#: Bytes read off the socket at a time (each chunk charged to the answer's budget as it comes).
_CHUNK = 1 << 16
#: Bytes of a body read as text for an error's excerpt (an HTML page's text can sit deep in it).
_EXCERPT_SOURCE = 1 << 20
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


def text_excerpt(
    body: str, limit: int = EXCERPT_CHARS, token: str | SecretToken | None = None
) -> str:
    """A short plain-text excerpt of a server body (HTML pages reduced to their text).

    Tokens are scrubbed from the raw body, then again from its text (where ``&#46;`` has become
    a dot and the tags splitting a token are gone), before it is cut (a cut inside a token
    would leave part of it unrecognised).
    """
    body = scrub_text(body, token)
    if "<" in body and ">" in body:
        parser = _TextOfHtml()
        try:
            parser.feed(body)
            parser.close()
            body = " ".join(parser.parts)
        except Exception:  # a broken page: fall back to the raw text
            pass
    body = scrub_text(" ".join(body.split()), token)
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
        # the last guard of client/transport/token_scope.py's rule: whoever asks, no token
        # travels over plain http to another machine
        self.carries_tokens = token_scope(self.url).carries_tokens
        install_urllib3_redaction()  # urllib3 logs retried URLs, tokens included
        self.session = _session_for(self.url)
        self.session.headers.update(
            {
                # what oda_api sends; proxies in front of the dispatcher may honour them
                "Request-Timeout": str(int(timeout)),
                "Connection-Timeout": str(int(timeout)),
                "User-Agent": f"{CLIENT_NAME} (python-requests {requests.__version__})",
            }
        )
        retry = DeadlineRetry(
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
        self.session.mount(f"{self.url}/", DeadlineAdapter(max_retries=retry))
        self.session.mount(
            f"{self.url}/run_analysis", DeadlineAdapter(max_retries=0, pool_maxsize=16)
        )
        # run_analysis, the poller's many status requests, straight through urllib3 unless a
        # proxy applies (client/transport/status_requests.py says why)
        self._status_requests: StatusRequests | None = None
        if not self.session.proxies.get(urlsplit(self.url).scheme):
            # requests admits bytes as header values (sent as Latin-1); urllib3's calls want text
            headers = {k: v if isinstance(v, str) else v.decode("latin-1")
                       for k, v in self.session.headers.items()}
            self._status_requests = StatusRequests(headers, timeout, verify=self.session.verify)

    # --- the endpoints -------------------------------------------------------------------------
    def instruments(self, token: str | SecretToken | None = None) -> list[str]:
        """``/api/instr-list``: the instruments this token may use.

        Dispatchers up to 1.3.3 answer it directly and need some ``instrument`` argument (oda_api
        sends ``mock``); newer ones redirect to ``/instr-list``, which is followed.
        """
        params: dict[str, Any] = {"instrument": "mock"}
        token = as_secret(token)
        if token:
            params["token"] = token
        answer = self.get_json("/api/instr-list", params, allow_redirects=True)
        if not isinstance(answer, list):
            raise DispatcherError(
                f"the dispatcher's instrument list is not a list: {text_excerpt(str(answer))}"
            )
        return [str(name) for name in answer]

    def meta_data(
        self,
        instrument: str,
        product: str | None = None,
        token: str | SecretToken | None = None,
    ) -> Any:
        """``/api/meta-data``: the description of an instrument (and one of its products)."""
        params: dict[str, Any] = {"instrument": instrument}
        if product is not None:
            params["product_type"] = product
        token = as_secret(token)
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

    def resolve_name(self, name: str, token: str | SecretToken | None = None) -> Any:
        """``/resolve_name``: coordinates of a source name, by the dispatcher's resolver."""
        params: dict[str, Any] = {"name": name}
        token = as_secret(token)
        if token:
            params["token"] = token
        return self.get_json("/resolve_name", params)

    def run_analysis(
        self,
        params: Mapping[str, Any],
        budget: DecodeBudget | None = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> dict[str, Any]:
        """One ``/run_analysis`` request: submit or poll.

        ``params`` are wire values (see :func:`~oda_widgets.client.query.wire.encode_parameters`), the
        token as a :class:`~.secret.SecretToken`; the request is a form POST when it would be
        too long for a GET, as oda_api does. ``files`` (argument name to file name and content)
        make it a multipart POST whose file fields the dispatcher stores (its
        ``upload_files_request``). Redirects are not followed (a redirected dispatcher URL is an
        error to fix). The answer is read under ``budget`` (a fresh
        :class:`~oda_widgets.client.products.budget.DecodeBudget` by default): its bytes as they
        arrive, decompressed, then what its JSON will take, each refused
        (:class:`~oda_widgets.client.errors.UnsafePayload`) before it is held.

        Returns
        -------
        dict
            The answer's JSON envelope (``query_status``, ``products``, ``job_monitor``, ...).
        """
        token = as_secret(params.get("token"))
        url = f"{self.url}/run_analysis"
        logger.debug(
            "run_analysis %s instrument=%s product=%s query_status=%s job_id=%s",
            url,
            params.get("instrument"),
            params.get("product_type"),
            params.get("query_status"),
            params.get("job_id"),
        )
        response, body = self._send(url, params, token, wire=True, allow_redirects=False,
                                    budget=budget, files=files)
        answer = self._decode(response, body, token, sent=params, budget=budget)
        if not isinstance(answer, dict):
            raise DispatcherError(
                "the dispatcher answered run_analysis with JSON that is not an object: "
                + text_excerpt(str(answer), token=token)
            )
        return answer

    # --- plumbing ----------------------------------------------------------------------------------
    def get_json(
        self, path: str, params: Mapping[str, Any], *, allow_redirects: bool = True,
        budget: DecodeBudget | None = None,
    ) -> Any:
        """GET ``path`` with ``params``, decode the JSON answer or raise the matching error
        (the answer read under ``budget``, as :meth:`run_analysis` reads it)."""
        token = as_secret(params.get("token"))
        url = f"{self.url}{path}"
        logger.debug("GET %s %s", url, {k: v for k, v in params.items() if k != "token"})
        response, body = self._send(url, params, token, wire=False,
                                    allow_redirects=allow_redirects, budget=budget)
        return self._decode(response, body, token, sent=params, budget=budget)

    def _exchange(
        self,
        url: str,
        params: Mapping[str, Any],
        *,
        wire: bool,
        allow_redirects: bool,
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> Answer:
        """The only place the token's text is taken out: encode the request and send it.

        Whatever goes wrong here is raised again by :meth:`_send` from a frame without it.
        """
        plain = {
            k: reveal(v) if isinstance(v, SecretToken) else v
            for k, v in params.items()
            if k != "token" or self.carries_tokens
        }
        # streamed: the body is read in _send, under the answer's budget, never whole at once
        if not wire:
            return self.session.get(
                url, params=plain, timeout=self.timeout, allow_redirects=allow_redirects,
                stream=True,
            )
        encoded = encode_parameters(plain)
        if files:
            return self.session.post(
                url, data=encoded, files=dict(files), timeout=self.timeout,
                allow_redirects=allow_redirects, stream=True,
            )
        if self._status_requests is not None and not allow_redirects:
            return self._status_requests.send(url, encoded, post=use_post(plain))
        if use_post(plain):
            return self.session.post(
                url, data=encoded, timeout=self.timeout, allow_redirects=allow_redirects,
                stream=True,
            )
        return self.session.get(
            url, params=encoded, timeout=self.timeout, allow_redirects=allow_redirects,
            stream=True,
        )

    def _send(
        self,
        url: str,
        params: Mapping[str, Any],
        token: SecretToken | None,
        *,
        wire: bool,
        allow_redirects: bool,
        budget: DecodeBudget | None = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
    ) -> tuple[Answer, _Body]:
        where = _url_for_logs(url)
        with answer_deadline(self.timeout) as deadline:
            try:
                response = self._exchange(
                    url, params, wire=wire, allow_redirects=allow_redirects, files=files
                )
                return response, _read_body(response, budget, where)
            except (requests.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError) as exc:
                if isinstance(exc, urllib3.exceptions.NewConnectionError):
                    # urllib3 files a refused connection under its connect timeouts
                    error: OdaError = _unreachable(where)
                else:
                    error = DispatcherUnavailable(
                        f"could not connect to the dispatcher at {where} within "
                        f"{self.timeout:g} s (connect timeout); check the URL and your network, "
                        "or try again later"
                    )
                reason = _scrubbed(exc, token)
            except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
                if deadline.expired or _is_read_timeout(exc):
                    error = DispatcherUnavailable(
                        f"the dispatcher at {where} did not send its whole answer within "
                        f"{self.timeout:g} s (read timeout; the time counts for the whole "
                        "answer, retries included); it may be overloaded, try again later"
                    )
                elif isinstance(exc, requests.exceptions.RetryError):
                    error = DispatcherUnavailable(
                        f"the dispatcher at {where} kept answering with a gateway error "
                        "(502/503/504); it may be restarting, try again in a few minutes"
                    )
                elif isinstance(exc, requests.ConnectionError | urllib3.exceptions.ProtocolError):
                    error = _unreachable(where)
                else:
                    error = DispatcherError(f"the request to {where} failed: {type(exc).__name__}")
                reason = _scrubbed(exc, token)
        # Raised outside the except clause on purpose: the low-level exception names the full
        # request URL (with the token of a GET) and its traceback holds _exchange's frame, so it
        # must not ride along as __context__.
        error.__cause__ = reason
        raise error

    def _decode(
        self,
        response: Answer,
        body: _Body,
        token: SecretToken | None,
        sent: Mapping[str, Any] | None,
        budget: DecodeBudget | None = None,
    ) -> Any:
        status = response.status_code
        where = _url_for_logs(response.url or "")
        logger.debug("answer %s from %s", status, where)
        # only scrubbed text from here on: the errors below keep this frame in their traceback
        payload, is_json, plain = _read_answer(response, body, token, where, budget)

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
            raise Unauthorized(message or plain or "not authorized", 403, details, debug_message=debug)
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
                f"{message or 'no details given'}",
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
        if self._status_requests is not None:
            self._status_requests.close()

    def __repr__(self) -> str:
        return f"<Transport {self.url}>"


def _session_for(url: str) -> requests.Session:
    """A session with the environment's settings for ``url`` read once, not at every request.

    With ``trust_env`` on, requests reads every proxy variable (and walks the whole environment
    for them) at each request: about a third of the CPU a status request costs. The settings are
    the same for one dispatcher URL, so they are read here, once: the proxies that apply to it
    (``no_proxy`` honoured) and a CA bundle named by ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``.
    ``.netrc`` credentials, which requests would also add, are not: dispatchers take a token.
    """
    session = requests.Session()
    session.trust_env = False
    session.proxies.update(requests.utils.get_environ_proxies(url))
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    return session


def _unreachable(where: str) -> DispatcherUnavailable:
    return DispatcherUnavailable(
        f"could not reach the dispatcher at {where} (connection failed or was dropped); check "
        "the URL and your network, or try again later"
    )


def _first_text(mapping: Any, *keys: str) -> str:
    if not isinstance(mapping, Mapping):
        return ""
    for key in keys:
        value = mapping.get(key)
        if value not in (None, ""):
            return str(value)
    return ""


class _Body(bytearray):
    """An answer's raw bytes, which may echo the token: shown by no traceback printer (their
    repr is their size), so the frames that hold them may appear in any traceback."""

    def __repr__(self) -> str:
        return f"<answer body of {len(self)} bytes>"


def _read_body(
    response: Answer, budget: DecodeBudget | None, where: str
) -> _Body:
    """The answer's body, decompressed, read chunk by chunk under ``budget``: a gzip bomb is
    refused at the first chunk past it, and the connection dropped."""
    budget = budget if budget is not None else DecodeBudget()
    body = _Body()
    try:
        for chunk in response.iter_content(_CHUNK):
            # each byte held, and the two json.loads will make of it (see budget.json_cost):
            # a body that could never be parsed within the budget stops arriving at once
            budget.charge(3 * len(chunk), f"the answer of {where} (after decompression)")
            body += chunk
    except UnsafePayload:
        response.close()  # nothing more is read: the rest of a bomb stays on the wire
        raise
    return body


def _read_answer(
    response: Answer,
    body: _Body,
    token: SecretToken | None,
    where: str,
    budget: DecodeBudget | None,
) -> tuple[Any, bool, str]:
    """The answer's JSON (scrubbed), whether it was JSON, and a scrubbed plain-text excerpt.

    What ``json.loads`` would build is charged to the budget first. The raw body lives only in
    this frame and the caller's, which hold no error raised about it.
    """
    budget = budget if budget is not None else DecodeBudget()
    # the text itself was charged (three times its size) while it arrived
    budget.charge(json_cost(body) - 2 * len(body), f"the JSON of the answer of {where}")
    try:
        payload: Any = json.loads(body) if body else None
        is_json = bool(body)
    except ValueError:
        payload, is_json = None, False
    except RecursionError:
        raise DispatcherError(
            f"the dispatcher at {where} answered with JSON nested too deeply to read; "
            "no dispatcher answer is shaped like that",
            response.status_code,
        ) from None
    except MemoryError:
        raise DispatcherError(
            f"the dispatcher at {where} answered with more data than this machine's memory "
            f"holds ({len(body)} bytes)",
            response.status_code,
        ) from None
    try:
        payload = scrub_token(payload, token) if is_json else None
    except RecursionError:
        raise DispatcherError(
            f"the dispatcher at {where} answered with JSON nested too deeply to read",
            response.status_code,
        ) from None
    # the excerpt is for errors only: a JSON answer of 200 (every status answer) needs none
    wanted = body and (response.status_code != 200 or not is_json)
    plain = text_excerpt(_text_head(body, response.encoding), token=token) if wanted else ""
    return payload, is_json, plain


def _text_head(body: bytearray, encoding: str | None) -> str:
    """The start of a body as text, enough for an excerpt (the whole body of a page)."""
    head = bytes(body[:_EXCERPT_SOURCE])
    try:
        return head.decode(encoding or "utf-8", errors="replace")
    except LookupError:  # an encoding Python does not know
        return head.decode("utf-8", errors="replace")


def _is_read_timeout(exc: BaseException) -> bool:
    """Whether a requests error comes from a read timeout (urllib3 wraps it a few ways)."""
    seen: list[BaseException] = [exc]
    while seen:
        current = seen.pop()
        if isinstance(current, requests.ReadTimeout | ReadTimeoutError | TimeoutError):
            return True
        for inner in (*getattr(current, "args", ()), getattr(current, "reason", None)):
            if isinstance(inner, BaseException) and len(seen) < 8:
                seen.append(inner)
    return False


def _scrubbed(exc: Exception, token: SecretToken | None) -> OdaError:
    """The low-level error as text without the token (its message may hold the request URL)."""
    return OdaError(f"{type(exc).__name__}: {scrub_token(str(exc), token)}")
