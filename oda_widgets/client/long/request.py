"""Planning a long request: its science windows, its parts, and the record that finds them again.

What :meth:`Dispatcher.submit_long <oda_widgets.client.dispatcher.Dispatcher.submit_long>` does:
the parameters are checked once against the instrument's description; the science windows are
the given ``scw_list``, or those the platform's time system lists for T1/T2 around RA/DEC within
``radius`` (:mod:`.science_windows`); they are cut into parts (:mod:`.splitting`); each part is
the query with its own ``scw_list`` (and without T1/T2 and ``max_pointings``, which a list makes
meaningless and which would ask for roles); the request's key finds its record on disk
(:mod:`.store`), so the parts' jobs are found again rather than submitted twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import OdaError, ValidationError
from .long_job import LongJob, LongPart
from .science_windows import archive_science_windows
from .splitting import PUBLIC_POINTINGS, split_science_windows
from .store import LongRequestStore, request_key

if TYPE_CHECKING:
    from ..dispatcher import Dispatcher
    from ..jobs import Job

__all__ = ["long_jobs_again", "plan_parts", "submit_long"]

logger = logging.getLogger(__name__)

#: Left out of every part: a part's science windows are its list.
_NOT_IN_PARTS = ("scw_list", "max_pointings")
#: Also left out when the windows came from the time range.
_TIME_RANGE = ("T1", "T2", "T_format")


def plan_parts(
    dispatcher: Dispatcher,
    instrument: str,
    parameters: Mapping[str, Any],
    scw_list: Iterable[str] | str | None,
    per_job: int,
    by: str | None,
) -> tuple[list[list[str]], bool]:
    """The parts' science-window lists, and whether they came from the time range."""
    if scw_list is not None:
        return split_science_windows(scw_list, per_job, by), False
    missing = [name for name in ("T1", "T2", "RA", "DEC") if parameters.get(name) in (None, "")]
    if missing:
        raise ValidationError(
            "scw_list", f"a long request needs scw_list, or T1, T2, RA and DEC to list the "
            f"science windows; {', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing"
        )
    from astropy.time import Time

    t1, t2 = parameters["T1"], parameters["T2"]
    if str(parameters.get("T_format", "isot")).lower() == "mjd":
        t1, t2 = (Time(float(t), format="mjd", scale="utc") for t in (t1, t2))
    radius = parameters.get("radius")
    if radius in (None, ""):
        spec = dispatcher.describe(instrument)
        radius = next((p.default for p in spec.instrument.parameters if p.name == "radius"), 15.0)
    windows = archive_science_windows(dispatcher._transport, t1, t2, float(parameters["RA"]),
                                      float(parameters["DEC"]), float(radius))
    if not windows:
        raise ValidationError(
            "T1", f"no science window points within {float(radius):g} deg of RA "
            f"{float(parameters['RA']):g}, Dec {float(parameters['DEC']):g} between {t1} and {t2}: "
            "widen the radius or the time range"
        )
    return split_science_windows([w.scw_id for w in windows], per_job, by), True


def submit_long(
    dispatcher: Dispatcher,
    instrument: str,
    product: str,
    query_type: str = "Real",
    *,
    scw_list: Iterable[str] | str | None = None,
    per_job: int = PUBLIC_POINTINGS,
    by: str | None = None,
    validate: bool = True,
    max_attempts: int = 3,
    retry_delay: float = 2.0,
    **parameters: Any,
) -> LongJob:
    """Plan and start a long request (see :meth:`Dispatcher.submit_long`)."""
    values = {k: v for k, v in parameters.items() if k != "token"}
    if validate:
        spec = dispatcher.describe(instrument)
        spec.product(product)
        if not any(p.name == "scw_list" for p in spec.parameters(product)):
            raise ValidationError(
                "scw_list", f"{instrument} takes no science-window list, so its requests cannot "
                "be split: submit it as one job (Dispatcher.submit)"
            )
        probe = dict(values, scw_list=list(scw_list) if scw_list is not None and
                     not isinstance(scw_list, str) else scw_list)
        probe.pop("max_pointings", None)
        checked = spec.validate(product, {k: v for k, v in probe.items() if v is not None})
        values = {k: checked[k] for k in values if k in checked and k != "max_pointings"}
        if scw_list is not None:
            scw_list = checked.get("scw_list", scw_list)
    parts, from_time = plan_parts(dispatcher, instrument, values, scw_list, per_job, by)
    dropped = _NOT_IN_PARTS + (_TIME_RANGE if from_time else ())
    common = {k: v for k, v in values.items() if k not in dropped}
    key = request_key(dispatcher.url, instrument, product, query_type, common, parts)
    registry = dispatcher.registry
    store = LongRequestStore(registry.root) if registry is not None else None
    previous = store.get(key) if store is not None else None
    shown = dict(common)
    if from_time:
        shown.update({k: values[k] for k in _TIME_RANGE if k in values})
    shown["scw_list"] = [scw for part in parts for scw in part]

    def again() -> LongJob:
        return submit_long(dispatcher, instrument, product, query_type, scw_list=scw_list,
                           per_job=per_job, by=by, validate=validate, max_attempts=max_attempts,
                           retry_delay=retry_delay, **parameters)

    job = LongJob(
        dispatcher, instrument, product, query_type, shown,
        [LongPart(i, part, dict(common, scw_list=part)) for i, part in enumerate(parts)],
        key=key, store=store, again=again, max_attempts=max_attempts, retry_delay=retry_delay,
    )
    return job.start(previous)


def long_jobs_again(dispatcher: Dispatcher, listed: Sequence[Job]) -> list[Job]:
    """``listed`` (the registry's jobs) with each recorded long request's parts as one row.

    A request whose record names every part's job gets a :class:`LongJob` over those jobs, in
    place of its parts, started without submitting anything (its combined products are made
    again once every part is done). Records of other dispatchers, older records without their
    parameters, and requests with a part not among ``listed`` leave the parts as they are.
    """
    registry = dispatcher.registry
    if registry is None:
        return list(listed)
    store = LongRequestStore(registry.root)
    by_id = {job.job_id: job for job in listed if job.job_id}
    taken: set[str] = set()
    requests: list[Job] = []
    for key in store.keys():
        record = store.get(key)
        if record is None or not dispatcher._is_this_url(str(record.get("url") or "")):
            continue
        recorded = record["parts"]
        common = record.get("parameters")
        if not recorded or not isinstance(common, dict) or not all(
            isinstance(p, dict) and p.get("job_id") in by_id and isinstance(p.get("scw_list"),
                                                                             list)
            for p in recorded
        ):
            continue
        try:
            requests.append(_long_job_of(dispatcher, store, key, record, common))
        except (TypeError, ValueError, KeyError, OdaError) as exc:  # a damaged record: its parts
            logger.warning("listing long request %s by its parts: %s", key, exc)  # stay rows
            continue
        taken.update(p["job_id"] for p in recorded)
    return [job for job in listed if job.job_id not in taken] + requests


def _long_job_of(
    dispatcher: Dispatcher,
    store: LongRequestStore,
    key: str,
    record: Mapping[str, Any],
    common: Mapping[str, Any],
) -> LongJob:
    instrument, product = str(record["instrument"]), str(record["product"])
    query_type = str(record.get("query_type") or "Real")
    windows = [[str(scw) for scw in p["scw_list"]] for p in record["parts"]]
    shown = record.get("shown")
    shown = dict(shown) if isinstance(shown, dict) else dict(
        common, scw_list=[scw for part in windows for scw in part])
    max_attempts = int(record.get("max_attempts") or 3)
    retry_delay = float(record.get("retry_delay") or 2.0)

    def build() -> LongJob:
        return LongJob(
            dispatcher, instrument, product, query_type, shown,
            [LongPart(i, part, dict(common, scw_list=part)) for i, part in enumerate(windows)],
            key=key, store=store, again=again, max_attempts=max_attempts,
            retry_delay=retry_delay,
        )

    def again() -> LongJob:  # Retry: done parts taken as they are, the others submitted
        return build().start(store.get(key))

    return build().start(record, submit=False)
