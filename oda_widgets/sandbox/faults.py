"""Injected server faults, so clients can be tested against the failures real dispatchers show.

A fault plan is written as a short text, rules separated by commas::

    isgri_spectrum:failed            every isgri_spectrum request answers a failed job
    rate=0.2:http503                 a fifth of /run_analysis requests answer 503
    jemx_image:slow=3                jemx_image requests take 3 s longer
    isgri_image:rate=0.5:drop        half the isgri_image requests lose their connection
    all:rate=0.1:html_error          any endpoint, 10 %: an HTML error page
    isgri_lc:times=1:lock            the first isgri_lc request meets the dispatcher's
                                     "Failed to acquire lock for directory" error (HTTP 500)
    seed=7                           make the random choices repeatable

Each rule is ``[selector:]...[rate=P:][times=N:]kind[=argument]``; ``times=N`` lets a rule fire
at most N times (a fault that happens once, then the service recovers). The selector is a product
name (its ``/run_analysis`` requests), ``run_analysis`` (the default) or ``all`` (every dispatcher endpoint,
not ``/sandbox/faults``). Kinds: ``http500``, ``http503``, ``slow=S``, ``drop`` (close the
connection without answering), ``malformed_json``, ``html_error`` (an HTML 500 page), ``failed``
(the job fails, HTTP 200), ``lock`` (the dispatcher's 500 when two requests of one job race
for its scratch directory). Faults are off unless a plan is given.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

__all__ = ["Fault", "FaultPlan", "FaultSpecError", "KINDS"]

KINDS = ("http500", "http503", "slow", "drop", "malformed_json", "html_error", "failed", "lock")


class FaultSpecError(ValueError):
    """A fault plan text that cannot be read; the message says which part and why."""


@dataclass(frozen=True)
class Fault:
    """One rule: which requests, how often, what happens."""

    kind: str
    selector: str = "run_analysis"
    rate: float = 1.0
    seconds: float = 0.0
    times: int | None = None  # fires at most this many times (None: no limit)

    def matches(self, endpoint: str, product: str | None) -> bool:
        """Whether this rule concerns a request to ``endpoint`` for ``product``."""
        if self.selector == "all":
            return True
        if self.selector == "run_analysis":
            return endpoint == "run_analysis"
        return endpoint == "run_analysis" and product == self.selector


def _parse_rule(text: str) -> Fault:
    fields = [f.strip() for f in text.split(":")]
    if any(not f for f in fields):
        raise FaultSpecError(f"empty field in fault rule {text!r}")
    kind_field = fields[-1]
    kind, _, argument = kind_field.partition("=")
    if kind not in KINDS:
        raise FaultSpecError(f"unknown fault kind {kind!r} in {text!r}; use one of {', '.join(KINDS)}")
    seconds = 0.0
    if kind == "slow":
        try:
            seconds = float(argument)
        except ValueError:
            raise FaultSpecError(f"slow needs seconds, e.g. slow=3, not {kind_field!r}") from None
    elif argument:
        raise FaultSpecError(f"fault {kind!r} takes no argument (in {text!r})")
    selector, rate, times = "run_analysis", 1.0, None
    for field in fields[:-1]:
        if field.startswith("times="):
            try:
                times = int(field[6:])
            except ValueError:
                raise FaultSpecError(f"times must be a whole number, not {field!r}") from None
            if times < 1:
                raise FaultSpecError(f"times must be 1 or more, not {times}")
        elif field.startswith("rate="):
            try:
                rate = float(field[5:])
            except ValueError:
                raise FaultSpecError(f"rate must be a number between 0 and 1, not {field!r}") from None
            if not 0.0 <= rate <= 1.0:
                raise FaultSpecError(f"rate must be between 0 and 1, not {rate}")
        else:
            selector = field
    return Fault(kind=kind, selector=selector, rate=rate, seconds=seconds, times=times)


class FaultPlan:
    """The active faults of a sandbox; thread-safe, replaceable at run time.

    Parameters
    ----------
    spec : str or None
        The plan text (see the module documentation); None or "" means no faults.
    """

    def __init__(self, spec: str | None = None) -> None:
        self._lock = threading.Lock()
        self.set(spec)

    def set(self, spec: str | None) -> None:
        """Replace the plan. Raises :class:`FaultSpecError` and keeps the old plan if unreadable."""
        rules: list[Fault] = []
        seed: int | None = None
        for part in (spec or "").split(","):
            part = part.strip()
            if not part:
                continue
            if part.startswith("seed="):
                try:
                    seed = int(part[5:])
                except ValueError:
                    raise FaultSpecError(f"seed must be an integer, not {part!r}") from None
                continue
            rules.append(_parse_rule(part))
        with self._lock:
            self.spec = spec or ""
            self.rules = tuple(rules)
            self._fired = [0] * len(rules)
            self._random = random.Random(seed)

    def pick(self, endpoint: str, product: str | None = None) -> Fault | None:
        """The fault to apply to this request, if any (first matching rule that fires)."""
        with self._lock:
            for number, rule in enumerate(self.rules):
                if not rule.matches(endpoint, product):
                    continue
                if rule.times is not None and self._fired[number] >= rule.times:
                    continue
                # draw only for partial rates so that rate=1 rules leave the sequence alone
                if rule.rate >= 1.0 or self._random.random() < rule.rate:
                    self._fired[number] += 1
                    return rule
        return None
