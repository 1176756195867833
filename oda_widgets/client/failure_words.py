"""Known dispatcher failures in plain words, the server's own text kept beside them.

A job that fails answers with the backend's exception (``DDAException('scwlist empty')``) and a
debug text; what it means for the query, and what to change, is not in it. :func:`plain_failure`
reads the texts of an error and returns one sentence for the failures users meet most, or None
for the others (then the server's text is all there is to show).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["KNOWN_FAILURES", "plain_failure"]

#: (pattern over the error's texts, what it means and what to change).
KNOWN_FAILURES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"scwlist empty|no science windows? (were )?found|NoScWs", re.IGNORECASE),
     "No INTEGRAL pointings in this time range near these coordinates: widen T1-T2 or the "
     "radius, or give science windows."),
    (re.compile(r"time bin max value exceeded", re.IGNORECASE),
     "The light-curve bin is longer than the dispatcher allows: choose a shorter time bin."),
    (re.compile(r"token (provided )?is expired|expired token|signature has expired",
                re.IGNORECASE),
     "Your ODA token has expired: get a new one (the MMODA web site, your profile) and paste "
     "it into the token box."),
    (re.compile(r"it is needed to request > ?50 ScW", re.IGNORECASE),
     "More than 50 science windows need a token with the role unige-hpc-full: lower "
     "Max. pointings to 50, or ask the ODA team for the role."),
    (re.compile(r"it is needed to request > ?500 ScW", re.IGNORECASE),
     "More than 500 science windows need the role unige-hpc-extreme: split the query into "
     "shorter time ranges."),
)


def _texts(error: Any) -> list[str]:
    if isinstance(error, str):
        return [error]
    texts = [str(getattr(error, name, "") or "")
             for name in ("message", "error_message", "debug_message")]
    texts.append(str(error))
    return [t for t in texts if t]


def plain_failure(error: Any) -> str | None:
    """One sentence saying what a known failure means, or None when it is not a known one.

    Parameters
    ----------
    error : OdaError or str
        A failed job's error (its message, error text and debug text are read) or a text.

    Examples
    --------
    >>> plain_failure("DDAException('scwlist empty')")
    'No INTEGRAL pointings in this time range near these coordinates: widen T1-T2 or the radius, or give science windows.'
    """
    joined = "\n".join(_texts(error))
    for pattern, words in KNOWN_FAILURES:
        if pattern.search(joined):
            return words
    return None
