"""The headless client users call: describe instruments, submit and follow jobs.

>>> disp = Dispatcher("sandbox")                                        # doctest: +SKIP
>>> job = disp.submit("isgri", "isgri_image", RA=255.98, DEC=-37.84)   # doctest: +SKIP
>>> products = job.result()                                            # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from .answers import JOB_ID_PATTERN
from .errors import DispatcherError, OdaError, RequestRejected, ValidationError
from .jobs import Job, JobBatch, JobEvent, JobStatus
from .poller import Poller, default_poller
from .query.apicode import api_code as _api_code
from .query.uploads import local_files, upload_files
from .query.wire import new_session_id, run_analysis_fields
from .registry import JobRegistry, RefusedRecord
from .transport.http import Transport
from .transport.redaction import scrub_token
from .transport.secret import SecretToken, as_secret
from .transport.sites import SANDBOX_ALIAS, resolve_url
from .transport.token import TokenInfo, decode_token, discover_token
from .transport.token_scope import SANDBOX_ISSUER, TokenScope, token_scope

if TYPE_CHECKING:
    from .long.long_job import LongJob
    from .query.spec import InstrumentSpec

__all__ = ["Dispatcher"]

logger = logging.getLogger(__name__)


class Dispatcher:
    """A connection to an ODA dispatcher.

    Parameters
    ----------
    url : str, optional
        The dispatcher's URL or one of oda_api's site aliases (``"production"``,
        ``"staging"``, ...); the production dispatcher when omitted.
    token : str, optional
        Your ODA token; when omitted it is discovered as oda_api does (``ODA_TOKEN``,
        ``./.oda-token``, ``~/.oda-token``, ``.oda_api_context``), for the ODA sites this client
        knows only (``"sandbox"`` discovers only the sandbox's own tokens); any other dispatcher
        gets one only when given here or with :meth:`set_token`, and plain http to another
        machine never (``ValidationError``). It is sent to the dispatcher and nowhere else:
        never shown, logged, saved, or written into generated code.
    session_id : str, optional
        The session the jobs belong to (a new one by default).
    registry : JobRegistry or path, optional
        Where jobs and products are kept (default ``$ODA_WIDGETS_HOME`` or ``~/.oda_widgets``);
        ``False`` keeps nothing on disk.
    poll_interval : float
        The shortest pause between two polls of a job (it grows to 5 s while nothing changes).
    poller : Poller, optional
        The poller following the jobs (by default one shared by every Dispatcher).
    timeout : float
        Seconds to wait for one HTTP answer.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        session_id: str | None = None,
        registry: JobRegistry | str | Path | None | bool = None,
        poll_interval: float = 1.0,
        poller: Poller | None = None,
        timeout: float = 120,
    ) -> None:
        secret = as_secret(token) if token is not None else None  # from here on, hidden
        del token  # the plain text leaves this frame
        self.token_notes: list[str] = []
        self.url: str = resolve_url(url)
        #: Where a token may go (client/transport/token_scope.py): only a known ODA site or the
        #: sandbox gets a discovered token; plain http to another machine gets none at all.
        self.token_scope: TokenScope = token_scope(
            self.url, sandbox=isinstance(url, str) and url.strip().lower() == SANDBOX_ALIAS
        )
        if secret is None:
            secret = self._discovered_token()
        elif secret and not self.token_scope.carries_tokens:
            raise ValidationError("token", self.token_scope.refusal())
        # A SecretToken: its repr and str never show it, so neither does any frame or log
        # holding it; its text is taken out only where a request is encoded (client/transport/http.py).
        self._token: SecretToken | None = secret or None
        self.token_info: TokenInfo | None = None
        if self._token:
            try:
                self.token_info = decode_token(self._token)
            except Exception as exc:  # a token we cannot read is still sent: the server decides
                self.token_notes.append(f"the token could not be decoded ({type(exc).__name__})")
        self.session_id: str = session_id or new_session_id()
        if registry is False:
            self.registry: JobRegistry | None = None
        elif isinstance(registry, JobRegistry):
            self.registry = registry
        else:
            self.registry = JobRegistry(None if registry is None or registry is True else registry)
        self.poll_interval = poll_interval
        self.timeout = timeout
        self._poller = poller or default_poller()
        self._transports: dict[str, Transport] = {}
        self._transport = self._transport_for(self.url)
        self._descriptions: dict[tuple[str, str | None], InstrumentSpec] = {}
        # Held weakly: a finished job the user no longer holds (and its decoded products) is
        # freed; the registry keeps it on disk, and running jobs are held by the poller.
        self._jobs: weakref.WeakValueDictionary[str, Job] = weakref.WeakValueDictionary()
        # The unfinished jobs, to stop in close(); each leaves when it finishes.
        self._followed: dict[int, Job] = {}
        self._lock = threading.Lock()

    # --- who and where --------------------------------------------------------------------------
    def _discovered_token(self) -> SecretToken | None:
        """The token found where oda_api looks, when this dispatcher may have it."""
        scope = self.token_scope
        if not scope.discovers:
            self.token_notes.append(f"no token discovered: {scope.notice()}")
            return None
        issuer = SANDBOX_ISSUER if scope.kind == "sandbox" else None
        found, source, notes = discover_token(issuer=issuer)
        token = as_secret(found)
        del found
        self.token_notes.extend(notes)
        if token:
            self.token_notes.append(f"token read from the {source}")
        elif scope.kind == "sandbox":
            self.token_notes.append(f"no sandbox token found: public access only ({scope.notice()})")
        else:
            self.token_notes.append("no token found: public access only")
        return token

    def _transport_for(self, url: str) -> Transport:
        transport = self._transports.get(url)
        if transport is None:
            transport = self._transports[url] = Transport(url, self.timeout)
        return transport

    def __repr__(self) -> str:
        info = self.token_info
        if info is not None:
            who = info.describe()
        elif self._token:
            who = "a token that could not be decoded"
        else:
            who = "no token"
        return f"<Dispatcher {self.url} ({who})>"

    def set_token(self, token: str | SecretToken | None) -> TokenInfo | None:
        """Use ``token`` for every later request (``None`` or ``""``: public access only).

        Parameters
        ----------
        token : str or None
            An ODA token, e.g. pasted from the MMODA web site.

        Returns
        -------
        TokenInfo or None
            Who the token belongs to and when it expires.

        Raises
        ------
        ValidationError
            If ``token`` is not a readable JWT; the message never contains the token, and the
            token in use is kept.
        """
        token = as_secret(token.strip() if isinstance(token, str) else token)  # hidden from here
        if token and not self.token_scope.carries_tokens:
            raise ValidationError("token", self.token_scope.refusal())
        info = decode_token(token) if token else None
        self._token = token
        self.token_info = info
        self._descriptions.clear()  # what an instrument offers may depend on the token's roles
        self.token_notes.append("token given in the session" if token else "token removed")
        return info

    # --- descriptions ---------------------------------------------------------------------------
    def instruments(self) -> list[str]:
        """The instruments this dispatcher offers (to this token's roles)."""
        return self._transport.instruments(self._token)

    def describe(self, instrument: str, product: str | None = None) -> InstrumentSpec:
        """The description of ``instrument`` (only ``product``'s parameters when given).

        Kept after the first call, per (instrument, product).
        """
        key = (instrument, product)
        spec = self._descriptions.get(key)
        if spec is None:
            from .query.spec import parse_instrument_description

            try:
                doc = self._transport.meta_data(instrument, product, self._token)
            except DispatcherError as exc:
                if product is None or exc.status_code != 500:
                    raise
                # the dispatcher answers an unknown product with a bare 500 page: say which
                # products there are instead (raises ValidationError when it is unknown)
                self.describe(instrument).product(product)
                raise
            spec = parse_instrument_description(doc)
            self._descriptions[key] = spec
        return spec

    def par_names(self, instrument: str, product: str | None = None) -> list[str]:
        """Every argument name the dispatcher accepts for ``product``."""
        return self._transport.par_names(instrument, product)

    def resolve_name(self, name: str) -> dict[str, Any]:
        """Coordinates of an astrophysical source name, from the dispatcher's resolver.

        Returns
        -------
        dict
            ``{"name", "RA", "DEC", "object_ids", "object_type", "message", ...}``.

        Raises
        ------
        RequestRejected
            When the dispatcher does not know the name or has no name resolver.
        Unauthorized
            When the dispatcher wants a token (with its role) for name resolution.
        """
        try:
            answer = self._transport.resolve_name(name, self._token)
        except DispatcherError as exc:
            if exc.status_code == 404:
                raise RequestRejected(
                    f"the dispatcher at {self.url} has no name resolver; give RA and DEC instead",
                    404,
                ) from None
            raise RequestRejected(
                f"the dispatcher at {self.url} could not resolve {name!r}: its name resolver is "
                f"missing or failing (HTTP {exc.status_code}); give RA and DEC instead",
                exc.status_code,
                exc.payload,
            ) from None
        if not isinstance(answer, dict) or answer.get("RA") is None or answer.get("DEC") is None:
            message = answer.get("message") if isinstance(answer, dict) else None
            raise RequestRejected(
                f"the dispatcher does not know the name {name!r}"
                + (f" ({message})" if message else "")
                + "; check the spelling or give RA and DEC instead",
                200,
                answer if isinstance(answer, dict) else None,
                parameter="src_name",
            )
        return answer

    # --- jobs -----------------------------------------------------------------------------------------
    def _call_token(self, given: Any) -> SecretToken | None:
        """The token of one call: the one given for it (checked as :meth:`set_token` checks),
        else the Dispatcher's."""
        token = as_secret(given)
        if token and not self.token_scope.carries_tokens:
            raise ValidationError("token", self.token_scope.refusal())
        return token or self._token

    def _prepare(
        self,
        instrument: str,
        product: str,
        query_type: str,
        parameters: Mapping[str, Any],
        validate: bool,
    ) -> tuple[Job, SecretToken | None]:
        values = dict(parameters)
        token = self._call_token(values.pop("token", None))
        if validate:
            spec = self.describe(instrument)
            spec.product(product)  # an unknown product: ValidationError naming the known ones
            validated = spec.validate(product, values)
            # Only what the user gave travels, as with oda_api: the server fills in the same
            # defaults itself, so the job gets the same job_id as the same query from oda_api.
            wire = {k: v for k, v in validated.items() if k in values and k != "token"}
        else:
            wire = values
        wire = self._upload(instrument, product, query_type, wire, token)
        job = Job(
            instrument,
            product,
            query_type,
            wire,
            url=self.url,
            session_id=self.session_id,
        )
        return job, token

    def _upload(
        self,
        instrument: str,
        product: str,
        query_type: str,
        wire: dict[str, Any],
        token: SecretToken | None,
    ) -> dict[str, Any]:
        """``wire`` with each local file uploaded and replaced by the dispatcher's URL of it
        (:mod:`~oda_widgets.client.query.uploads`); unchanged when it holds no file."""
        files = local_files(wire)
        if not files:
            return wire
        probe = Job(instrument, product, query_type, {}, url=self.url, session_id=self.session_id)
        fields = run_analysis_fields(probe, "new", token)
        fields.update(allow_unknown_args=True, dry_run=True)
        return {**wire, **upload_files(self._transport, fields, files)}

    def _follow(
        self,
        job: Job,
        token: SecretToken | None,
        query_status: str = "new",
        transport: Transport | None = None,
    ) -> None:
        with self._lock:
            self._followed[id(job)] = job
        job.add_listener(self._record)
        self._poller.follow(
            job,
            transport or self._transport,
            token=token,
            query_status=query_status,
            poll_interval=self.poll_interval,
            on_done=self._store_products if self.registry is not None else None,
        )

    def submit(
        self,
        instrument: str,
        product: str,
        query_type: str = "Real",
        *,
        validate: bool = True,
        **parameters: Any,
    ) -> Job:
        """Submit a query and return its :class:`Job` at once; it is followed in the background.

        Parameters
        ----------
        instrument, product : str
            What to ask for, as :meth:`describe` names them.
        query_type : str
            ``"Real"``, or ``"Dummy"`` for the dispatcher's canned test products.
        validate : bool
            Check every value against the instrument's description first (default). With
            ``False`` the values go to the dispatcher as given, and it is the one to refuse them.
        **parameters
            The query's parameters (``RA=83.63, DEC=22.01, T1=..., ...``). A file parameter
            (``FileReference``, ``POSIXPath``, ``FileURL``) also takes a file of the user's: a
            ``pathlib.Path``, bytes or a ``LocalFile``; it is uploaded first, as the dispatcher
            receives files, and the job carries the dispatcher's URL of it.

        Raises
        ------
        ValidationErrors
            Listing every refused value; nothing was sent.
        DispatcherError
            When a file could not be uploaded; the query was not submitted.
        """
        job, token = self._prepare(instrument, product, query_type, parameters, validate)
        self._follow(job, token)
        return job

    def submit_many(
        self, queries: Iterable[Mapping[str, Any]], *, validate: bool = True
    ) -> JobBatch:
        """Submit several queries; every one is validated before any is sent.

        Each mapping holds ``instrument``, ``product``, optionally ``query_type``, and the
        parameters (inline, or under a ``parameters`` key).
        """
        prepared = []
        for number, query in enumerate(queries):
            query = dict(query)
            try:
                instrument = query.pop("instrument")
                product = query.pop("product")
            except KeyError as exc:
                raise ValidationError(
                    None, f"query {number} has no {exc.args[0]!r}: give instrument and product"
                ) from None
            query_type = query.pop("query_type", "Real")
            parameters = dict(query.pop("parameters", None) or {})
            parameters.update(query)
            prepared.append(self._prepare(instrument, product, query_type, parameters, validate))
        for job, token in prepared:
            self._follow(job, token)
        return JobBatch(job for job, _ in prepared)

    def submit_long(
        self,
        instrument: str,
        product: str,
        query_type: str = "Real",
        *,
        scw_list: Iterable[str] | str | None = None,
        per_job: int = 50,
        by: str | None = None,
        validate: bool = True,
        max_attempts: int = 3,
        retry_delay: float = 2.0,
        **parameters: Any,
    ) -> LongJob:
        """Submit a request larger than one job takes, split into parts, followed as one job.

        The science windows (``scw_list``, or those the platform's time system lists for
        ``T1``/``T2`` around ``RA``/``DEC`` within ``radius``) are cut into parts of at most
        ``per_job`` windows (or by revolution); each part is one job. The returned
        :class:`~oda_widgets.client.long.long_job.LongJob` is followed like any job (a
        ``JobMonitor`` shows it as one row with its parts); its ``result()`` is the parts'
        products combined: light curves stitched, spectra summed with their responses, mosaics
        summed on one grid with their catalogs merged. A failed part is submitted again (up to
        ``max_attempts`` times); one that keeps failing is left out and named in
        ``result().missing``. Calling again with the same arguments (after a kernel restart,
        say) finds the same jobs through the registry instead of submitting them again.

        Parameters
        ----------
        instrument, product, query_type
            As for :meth:`submit` (e.g. ``"isgri"``, ``"isgri_lc"``).
        scw_list : list of str or comma-separated str, optional
            The science windows; without it, ``T1``, ``T2``, ``RA`` and ``DEC`` are needed.
        per_job : int
            The most science windows in one job: 50 without a role, 500 with
            ``unige-hpc-full`` (:func:`~oda_widgets.client.long.splitting.pointings_limit`).
        by : {None, "revolution"}
            ``"revolution"``: one job per INTEGRAL revolution (cut further past ``per_job``).
        validate : bool
            Check the parameters against the instrument's description first.
        max_attempts, retry_delay
            Submissions of a failing part at most, and the first pause before the next one
            (doubling), seconds.
        **parameters
            The query's other parameters, as for :meth:`submit`.

        Raises
        ------
        ValidationError
            A refused value, an instrument without science windows, or no window in the range.
        RequestRejected
            When T1/T2 are given and the dispatcher has no time system to list the windows.
        """
        from .long.request import submit_long

        return submit_long(self, instrument, product, query_type, scw_list=scw_list,
                           per_job=per_job, by=by, validate=validate, max_attempts=max_attempts,
                           retry_delay=retry_delay, **parameters)

    def _job_found_again(
        self,
        job_id: str,
        session_id: str,
        instrument: str,
        product: str,
        parameters: Mapping[str, Any],
        query_type: str,
    ) -> Job | None:
        """The job ``job_id`` as this client can have it again: still followed here, finished
        with its kept products, or re-attached while it runs; ``None`` when it failed or is
        unknown (to be submitted again)."""
        with self._lock:
            live = self._jobs.get(job_id)
        if live is not None and live.session_id == session_id and (
            live.status is not JobStatus.FAILED and live.status is not JobStatus.STOPPED
        ):
            return live
        registry = self.registry
        record = registry.get(job_id) if registry is not None else None
        if registry is not None and record is not None and record.session_id == session_id and \
                self._is_this_url(record.url):
            if record.status == JobStatus.FAILED.value:
                return None
            finished = registry.finished_job(record)
            if finished is not None:
                with self._lock:
                    self._jobs[job_id] = finished
                return finished
        elif record is None and self.registry is not None:
            return None  # never recorded here: nothing says it exists
        return self.reattach(job_id, session_id, instrument, product, dict(parameters),
                             query_type)

    def reattach(
        self,
        job_id: str,
        session_id: str,
        instrument: str | None = None,
        product: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        query_type: str | None = None,
    ) -> Job:
        """Follow again a job submitted earlier (by this or another client).

        What is not given is taken from the registry's record of the job. The parameters
        matter: when the job is ready the dispatcher builds its products from the request.
        The job is followed at this dispatcher's URL, with its token: a record made at another
        URL is not used (its job lives on another server, which must not see this token).
        """
        if not isinstance(job_id, str) or not JOB_ID_PATTERN.fullmatch(job_id):
            raise ValueError(
                f"{job_id!r} is not a job id (letters, digits, '_', '.', '-'; the dispatcher's "
                "are 16 hex digits)"
            )
        record = self.registry.get(job_id) if self.registry is not None else None
        if record is not None and (
            record.session_id != session_id or not self._is_this_url(record.url)
        ):
            record = None  # a record of another session or server: do not mix them
        instrument = instrument or (record.instrument if record else None)
        product = product or (record.product if record else None)
        if not instrument or not product:
            raise ValueError(
                f"no record of job {job_id} in session {session_id}: "
                "give instrument= and product= (and the parameters it was submitted with)"
            )
        if parameters is None:
            parameters = record.parameters if record else {}
        query_type = query_type or (record.query_type if record else "Real")
        url = self.url
        job = Job(
            instrument,
            product,
            query_type,
            {k: v for k, v in parameters.items() if k != "token"},
            url=url,
            session_id=session_id,
            job_id=job_id,
            status=JobStatus.SUBMITTED,
            submitted_at=record.submitted_at if record else None,
        )
        with self._lock:
            self._jobs[job_id] = job
        self._follow(job, self._token, "submitted", self._transport_for(url))
        return job

    def dry_run(self, instrument: str, product: str, **parameters: Any) -> dict[str, Any]:
        """Ask the dispatcher how it would read these parameters, without running anything.

        Returns
        -------
        dict
            ``instrument_parameters`` (the description, as ``/api/meta-data``),
            ``analysis_parameters`` (the values as the server would use them, token removed),
            ``job_id`` (the id the query would get) and ``comment``.

        Raises
        ------
        DispatcherError
            When the dispatcher does not support dry runs and ran the query instead.
        """
        values = dict(parameters)
        token = self._call_token(values.pop("token", None))
        files = local_files(values)  # sent as the dispatcher receives files: it answers their URLs
        probe = Job(
            instrument,
            product,
            values.pop("query_type", "Real"),
            {k: v for k, v in values.items() if k not in files},
            url=self.url,
            session_id=self.session_id,
        )
        fields = run_analysis_fields(probe, "new", token)
        fields.update(allow_unknown_args=True, dry_run=True)
        answer = self._transport.run_analysis(
            fields, files={k: (f.name, f.data) for k, f in files.items()} or None
        )
        answer = scrub_token(answer, token)
        exit_status = answer.get("exit_status") or {}
        products = answer.get("products") or {}
        monitor = answer.get("job_monitor") or {}
        if exit_status.get("message") != "dry-run" or "instrument_parameters" not in products:
            raise DispatcherError(
                f"the dispatcher at {self.url} does not support dry runs: it ran the query "
                f"instead (job {monitor.get('job_id')}, status {answer.get('query_status')})",
                200,
                answer,
            )
        analysis = {
            k: v for k, v in (products.get("analysis_parameters") or {}).items() if k != "token"
        }
        return {
            "instrument_parameters": products["instrument_parameters"],
            "analysis_parameters": analysis,
            "job_id": monitor.get("job_id"),
            "comment": exit_status.get("comment", ""),
        }

    def api_code(
        self, instrument: str, product: str, query_type: str = "Real", **parameters: Any
    ) -> str:
        """The oda_api code of this query (the token is read from the environment there)."""
        return _api_code(self.url, instrument, product, query_type, parameters)

    def jobs(self) -> list[Job]:
        """The registry's jobs made at this dispatcher's URL: finished ones with their kept
        products, running ones followed again, and each long request
        (:meth:`submit_long`) as one :class:`~oda_widgets.client.long.long_job.LongJob` over
        its parts.

        Records of jobs made at another URL are left out: following them again would send this
        dispatcher's token to that other server (an old sandbox port, say, now used by someone
        else). Use a Dispatcher of that URL, with its token, to list them. Without a registry,
        the jobs of this Dispatcher still running or still held elsewhere are listed.
        """
        if self.registry is None:
            with self._lock:
                return [job for job in list(self._jobs.values()) if job is not None]
        records, refused = self.registry.scan()
        result = []
        for record in records:
            if not self._is_this_url(record.url):
                continue
            with self._lock:
                live = self._jobs.get(record.job_id)
            if live is not None and live.session_id == record.session_id:
                result.append(live)
                continue
            finished = self.registry.finished_job(record)
            if finished is None:  # unfinished, or done without kept products: ask again
                finished = self.reattach(record.job_id, record.session_id, record.instrument,
                                         record.product, record.parameters, record.query_type)
            else:
                with self._lock:
                    self._jobs[record.job_id] = finished
            result.append(finished)
        # a file that is not a record is listed as such: a failed row that says why, never
        # an exception that hides every other job
        result.extend(_refused_record_job(item, self.url) for item in refused)
        from .long.request import long_jobs_again  # the long layer sits above the dispatcher

        return long_jobs_again(self, result)

    def _is_this_url(self, url: str) -> bool:
        return _normalised_url(url) == _normalised_url(self.url)

    # --- registry hooks (called from the poller's threads) -------------------------------------------
    def _record(self, event: JobEvent) -> None:
        job = event.job
        with self._lock:
            if job.job_id:
                self._jobs[job.job_id] = job
            if event.status.is_finished:
                self._followed.pop(id(job), None)
        if self.registry is not None:
            self.registry.save(job)

    def _store_products(self, job: Job, raw: dict[str, Any]) -> None:
        if self.registry is not None and job.job_id:
            self.registry.store_products(job.job_id, scrub_token(raw, self._token))

    def close(self) -> None:
        """Stop following this dispatcher's jobs and close its connections."""
        with self._lock:
            followed, self._followed = list(self._followed.values()), {}
        for job in followed:
            if not job.is_finished:
                job.cancel()
        for transport in self._transports.values():
            transport.close()

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _refused_record_job(refused: RefusedRecord, url: str) -> Job:
    """A failed job standing for a registry file that is not a valid record."""
    stem = refused.path.stem
    job_id = stem if JOB_ID_PATTERN.fullmatch(stem) and not stem.startswith(".") else "unreadable"
    error = OdaError(
        f"the kept job record {refused.path} is not valid ({refused.reason}); it is left out. "
        "Delete that file to stop seeing this row"
    )
    return Job.restored("(unreadable record)", "(unknown)", "Real", {}, url=url,
                        session_id="", job_id=job_id, submitted_at=0.0, finished_at=0.0,
                        error=error)


def _normalised_url(url: str) -> str:
    """``url`` with its scheme and host in lower case, the default port and trailing ``/`` off."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path.rstrip("/"), parts.query, ""))
