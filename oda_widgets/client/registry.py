"""Jobs and finished products on disk, so that a kernel restart loses nothing.

The registry writes a record of every job (:class:`JobRecord`), keeps the products of done ones,
and rebuilds a finished job from its record (:meth:`JobRegistry.finished_job`).

Layout under the root (``$ODA_WIDGETS_HOME`` or ``~/.oda_widgets``)::

    jobs/<job_id>.json              what was asked, where, and how it went (never the token)
    products/<job_id>.json.gz       the dispatcher's raw ``products`` of a done job (token removed)

Products are kept as the dispatcher sent them and decoded again on load through
:func:`~oda_widgets.client.products.product_set.decode_products`, so the cache is guarded by the same
safe decoder as the network.
"""

from __future__ import annotations

import builtins
import gzip
import json
import logging
import math
import os
import tempfile
import time
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import errors as _errors
from .answers import JOB_ID_PATTERN
from .errors import OdaError, ProductDecodeError, ValidationError
from .jobs import Job, JobStatus
from .products.budget import DecodeBudget, json_cost
from .transport.redaction import scrub_token
from .transport.sites import validate_url

if TYPE_CHECKING:
    from .products.product_set import ProductSet

__all__ = [
    "HOME_VARIABLE",
    "MAX_RECORD_BYTES",
    "default_root",
    "JobRecord",
    "RefusedRecord",
    "JobRegistry",
]

logger = logging.getLogger(__name__)

HOME_VARIABLE = "ODA_WIDGETS_HOME"


def default_root() -> Path:
    """``$ODA_WIDGETS_HOME``, or ``~/.oda_widgets``."""
    configured = os.environ.get(HOME_VARIABLE)
    return Path(configured).expanduser() if configured else Path.home() / ".oda_widgets"


@dataclass
class JobRecord:
    """What the registry knows about one job."""

    job_id: str
    session_id: str
    url: str
    instrument: str
    product: str
    query_type: str = "Real"
    parameters: dict[str, Any] = field(default_factory=dict)
    status: str = JobStatus.SUBMITTED.value
    submitted_at: float = 0.0
    finished_at: float | None = None
    updated_at: float = 0.0
    error: str | None = None
    error_type: str | None = None

    @classmethod
    def of_job(cls, job: Job) -> JobRecord:
        """The record of a job as it is now (its parameters without any token)."""
        if not job.job_id:
            raise ValueError("a job without a job_id cannot be recorded")
        error = job.error
        return cls(
            job_id=job.job_id,
            session_id=job.session_id,
            url=job.url,
            instrument=job.instrument,
            product=job.product,
            query_type=job.query_type,
            parameters=_without_token(job.parameters),
            status=job.status.value,
            submitted_at=job.submitted_at,
            finished_at=job.finished_at,
            updated_at=time.time(),
            error=scrub_token(str(error)) if error is not None else None,
            error_type=type(error).__name__ if error is not None else None,
        )

    @classmethod
    def from_json(cls, doc: Any) -> JobRecord:
        """Read a record written by :meth:`to_json` (unknown keys ignored), checking every field.

        Raises
        ------
        ValueError
            Naming the first field that is not what this client writes: a record is a JSON
            object, ids are plain ids (:data:`~.answers.JOB_ID_PATTERN`), the URL a dispatcher
            URL, times numbers, texts and parameters of bounded size.
        """
        if not isinstance(doc, Mapping):
            raise ValueError(f"the record is a JSON {type(doc).__name__}, not an object")
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in doc.items() if k in known}
        for required in ("job_id", "session_id", "url", "instrument", "product"):
            if not isinstance(values.get(required), str):
                raise ValueError(f"the record has no {required}")
        _check_record(values)
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON-ready dict."""
        return asdict(self)


#: The largest record file read (a record is a few hundred bytes; its parameters may hold a
#: catalog of a few thousand sources).
MAX_RECORD_BYTES = 4 << 20
#: The longest instrument, product, query type or error type name a record may hold.
_MAX_NAME = 200
_STATUSES = {status.value for status in JobStatus}


def _check_record(values: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first field of a record that is not as this client writes it."""
    for key in ("job_id", "session_id"):
        if not JOB_ID_PATTERN.fullmatch(values[key]) or values[key].startswith("."):
            raise ValueError(f"its {key} {values[key][:40]!r} is not an id")
    try:
        validate_url(values["url"])
    except ValidationError as exc:
        raise ValueError(f"its url is not a dispatcher URL ({exc.message})") from None
    for key in ("instrument", "product", "query_type", "error_type"):
        value = values.get(key)
        if value is None and key in ("query_type", "error_type"):
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > _MAX_NAME:
            raise ValueError(f"its {key} is not a name of at most {_MAX_NAME} characters")
    if "status" in values and values["status"] not in _STATUSES:
        raise ValueError(f"its status {str(values['status'])[:40]!r} is not a job status")
    for key in ("submitted_at", "finished_at", "updated_at"):
        value = values.get(key)
        if value is None and key == "finished_at":
            continue
        if key in values and (isinstance(value, bool) or not isinstance(value, int | float)
                              or not math.isfinite(value)):
            raise ValueError(f"its {key} is {type(value).__name__} {str(value)[:40]!r}, not "
                             "a time in seconds")
    if "parameters" in values and not isinstance(values["parameters"], Mapping):
        raise ValueError("its parameters are not an object")
    error = values.get("error")
    if error is not None and not isinstance(error, str):
        raise ValueError("its error is not text")


@dataclass(frozen=True)
class RefusedRecord:
    """A file of the registry that is not a job record this client can use, and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path.name}: {self.reason}"


def _without_token(parameters: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in scrub_token(dict(parameters)).items() if k != "token"}


class JobRegistry:
    """Jobs and their products on disk.

    Parameters
    ----------
    root : path, optional
        The folder to keep them in (default: ``$ODA_WIDGETS_HOME`` or ``~/.oda_widgets``).
    """

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_root()
        self.jobs_dir = self.root / "jobs"
        self.products_dir = self.root / "products"

    # --- paths --------------------------------------------------------------------------------
    def _job_path(self, job_id: str) -> Path:
        return self.jobs_dir / f"{_checked_id(job_id)}.json"

    def _products_path(self, job_id: str) -> Path:
        return self.products_dir / f"{_checked_id(job_id)}.json.gz"

    # --- jobs ---------------------------------------------------------------------------------
    def save(self, job: Job) -> JobRecord | None:
        """Record ``job`` as it is now; jobs not yet known to the server are not recorded."""
        if not job.job_id:
            return None
        if job.status is JobStatus.STOPPED:
            # stopping only ends the following here: the record keeps its last server status
            return self.get(job.job_id)
        record = JobRecord.of_job(job)
        self.save_record(record)
        return record

    def save_record(self, record: JobRecord) -> None:
        """Write one record (atomically: a reader never sees half a file)."""
        doc = record.to_json()
        doc["parameters"] = _without_token(doc.get("parameters") or {})
        payload = json.dumps(scrub_token(doc), indent=1, sort_keys=True).encode()
        _write_atomically(self._job_path(record.job_id), payload)

    def get(self, job_id: str) -> JobRecord | None:
        """The record of ``job_id``, or ``None`` (also when the file is unreadable)."""
        path = self._job_path(job_id)
        if not path.exists():
            return None
        return self._read(path)

    def list(self) -> list[JobRecord]:
        """Every valid record, oldest submission first; the others are skipped (warned, and
        listed by :meth:`refused`)."""
        return self.scan()[0]

    # builtins.list below: within the class body, `list` is the method above
    def refused(self) -> builtins.list[RefusedRecord]:
        """The files of the registry that are not valid job records, and why each is refused."""
        return self.scan()[1]

    def scan(self) -> tuple[builtins.list[JobRecord], builtins.list[RefusedRecord]]:
        """The valid records (oldest submission first) and the refused files, each read once:
        one bad file never keeps the others from being listed."""
        if not self.jobs_dir.is_dir():
            return [], []
        records: builtins.list[JobRecord] = []
        refused: builtins.list[RefusedRecord] = []
        for path in sorted(self.jobs_dir.glob("*.json")):
            try:
                record = self._read_checked(path)
            except ValueError as exc:
                logger.warning("skipping the job record %s: %s", path, exc)
                refused.append(RefusedRecord(path, str(exc)))
                continue
            records.append(record)
        records.sort(key=lambda r: r.submitted_at)
        return records, refused

    def drop(self, job_id: str) -> bool:
        """Forget a job and its products; True if there was anything to remove."""
        removed = False
        for path in (self._job_path(job_id), self._products_path(job_id)):
            try:
                path.unlink()
                removed = True
            except FileNotFoundError:
                pass
        return removed

    def finished_job(self, record: JobRecord) -> Job | None:
        """The job of a record that finished, rebuilt as it ended (:meth:`Job.restored`).

        A done job comes back with its kept products, decoded only when first asked for (by
        the safe decoder, under a fresh :class:`~.products.budget.DecodeBudget`): listing jobs
        decodes nothing, and a product file that is refused then turns that job, and only it,
        ``FAILED`` with the reason. A failed one comes back with an error of the class and
        message it failed with.

        Returns
        -------
        Job or None
            ``None`` when there is nothing finished to rebuild: the job was still running when
            last recorded, or its products are not kept. The dispatcher can be asked about it
            again (:meth:`Dispatcher.reattach
            <oda_widgets.client.dispatcher.Dispatcher.reattach>`).
        """
        if record.status == JobStatus.DONE.value:
            if not self.has_products(record.job_id):
                return None
            job_id, product, instrument = record.job_id, record.product, record.instrument

            def load() -> ProductSet:
                products = self.load_products(job_id, product=product, instrument=instrument)
                if products is None:
                    raise ProductDecodeError(
                        product, "its kept file is gone or unreadable; ask the dispatcher "
                        "again with Dispatcher.reattach(job_id, session_id)")
                return products

            outcome: dict[str, Any] = {"load_products": load}
        elif record.status == JobStatus.FAILED.value:
            outcome = {"error": _error_of_record(record)}
        else:
            return None
        return Job.restored(
            record.instrument,
            record.product,
            record.query_type,
            record.parameters,
            url=record.url,
            session_id=record.session_id,
            job_id=record.job_id,
            submitted_at=record.submitted_at,
            finished_at=record.finished_at or record.updated_at,
            **outcome,
        )

    def _read(self, path: Path) -> JobRecord | None:
        try:
            return self._read_checked(path)
        except ValueError as exc:
            logger.warning("skipping the unreadable job record %s: %s", path, exc)
            return None

    def _read_checked(self, path: Path) -> JobRecord:
        """The record in ``path``; ValueError saying why it is not one."""
        try:
            size = path.stat().st_size
            if size > MAX_RECORD_BYTES:
                raise ValueError(f"it holds {size} bytes, more than a record ({MAX_RECORD_BYTES})")
            doc = json.loads(path.read_bytes())
        except OSError as exc:
            raise ValueError(f"it cannot be read ({type(exc).__name__})") from None
        except RecursionError:
            raise ValueError("its JSON is nested too deeply to be a record") from None
        except ValueError as exc:
            raise ValueError(f"it is not JSON ({exc})") from None
        try:
            record = JobRecord.from_json(doc)
        except (TypeError, RecursionError) as exc:
            raise ValueError(f"it is not a job record ({type(exc).__name__})") from None
        if record.job_id != path.stem:
            raise ValueError(f"it names job {record.job_id!r}, not the job of its file name")
        return record

    # --- products -----------------------------------------------------------------------------
    def store_products(self, job_id: str, products: Mapping[str, Any]) -> Path:
        """Keep the raw ``products`` of a done job (token removed), gzip-compressed JSON."""
        clean = scrub_token(dict(products))
        payload = gzip.compress(json.dumps(clean).encode(), compresslevel=6)
        path = self._products_path(job_id)
        _write_atomically(path, payload)
        return path

    def has_products(self, job_id: str) -> bool:
        """True if products of ``job_id`` are kept."""
        return self._products_path(job_id).exists()

    def raw_products(
        self, job_id: str, budget: DecodeBudget | None = None
    ) -> dict[str, Any] | None:
        """The kept raw products of ``job_id`` (``None`` if absent or unreadable), decompressed
        and parsed under ``budget``: a file that inflates past it is refused while it is read.

        Raises
        ------
        UnsafePayload
            If the file would take more memory than the budget holds.
        """
        path = self._products_path(job_id)
        if not path.exists():
            return None
        budget = budget if budget is not None else DecodeBudget()
        text = bytearray()
        try:
            with gzip.open(path, "rb") as handle:
                while chunk := handle.read(1 << 16):
                    budget.charge(len(chunk), f"the kept products of job {job_id}")
                    text += chunk
            budget.charge(json_cost(text), f"the JSON of the kept products of job {job_id}")
            doc = json.loads(text)
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            logger.warning("skipping the unreadable products file %s: %s", path, exc)
            return None
        except RecursionError:
            logger.warning("skipping the products file %s: nested too deeply", path)
            return None
        if not isinstance(doc, dict):
            logger.warning("skipping the products file %s: not a JSON object", path)
            return None
        return doc

    def load_products(
        self, job_id: str, *, product: str | None = None, instrument: str | None = None
    ) -> ProductSet | None:
        """The kept products of ``job_id``, read and decoded by the safe decoder under one
        budget (``None`` if absent).

        Raises
        ------
        UnsafePayload
            If the file holds something the decoder refuses (it was tampered with), or more
            than the budget holds.
        ProductDecodeError
            If it holds a malformed product.
        """
        budget = DecodeBudget()
        raw = self.raw_products(job_id, budget)
        if raw is None:
            return None
        from .products.product_set import decode_products

        if product is None and instrument is None:
            record = self.get(job_id)
            product = record.product if record else None
            instrument = record.instrument if record else None
        try:
            return decode_products(raw, product=product, instrument=instrument, budget=budget)
        except OdaError:
            raise
        except (MemoryError, RecursionError, ValueError, TypeError, KeyError) as exc:
            raise ProductDecodeError(product or job_id,
                                     f"its kept file is malformed ({type(exc).__name__})") from None

    def __repr__(self) -> str:
        return f"<JobRegistry {self.root}>"


def _error_of_record(record: JobRecord) -> OdaError:
    """The error a recorded job failed with: its class again when the client has it (with the
    recorded message), a plain :class:`OdaError` otherwise."""
    message = record.error or "the job failed"
    cls = getattr(_errors, record.error_type or "", None)
    if isinstance(cls, type) and issubclass(cls, OdaError):
        try:
            return cls(message)
        except TypeError:  # a class whose constructor needs more than a message
            pass
    return OdaError(message)


def _checked_id(job_id: str) -> str:
    # job ids are 16 hex characters; refuse anything that could leave the folder
    if not isinstance(job_id, str) or not JOB_ID_PATTERN.fullmatch(job_id) or job_id.startswith("."):
        raise ValueError(f"{job_id!r} is not a job id")
    return job_id


def _write_atomically(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
