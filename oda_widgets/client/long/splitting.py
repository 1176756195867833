"""How a long science-window list is cut into parts no larger than one job takes.

The INTEGRAL plugin lets one job take at most 50 science windows, 500 with the
``unige-hpc-full`` role and any number with ``unige-hpc-extreme`` (its ``check_query_roles``);
:func:`pointings_limit` says which applies to a token's roles. A list is cut either into parts
of nearly equal size (``per_job`` at most: 120 windows make 40 + 40 + 40, not 50 + 50 + 20), or
revolution by revolution (``by="revolution"``, a revolution larger than ``per_job`` cut
further), as the ODA team's own wrapper does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from ..query.product_list_parameter import SCIENCE_WINDOW_ID

__all__ = [
    "BY_CHOICES",
    "PUBLIC_POINTINGS",
    "pointings_limit",
    "revolution_of",
    "sorted_science_windows",
    "split_science_windows",
]

#: Science windows one job may take without a role (``max_pointings`` and ``scw_list``).
PUBLIC_POINTINGS = 50
#: With the ``unige-hpc-full`` role.
FULL_POINTINGS = 500
#: The ways a list is cut: ``None`` (by count) or ``"revolution"``.
BY_CHOICES = (None, "revolution")


def pointings_limit(roles: Iterable[str] = ()) -> int | None:
    """The most science windows one job may take with these roles (``None``: no limit)."""
    roles = set(roles or ())
    if "unige-hpc-extreme" in roles:
        return None
    if "unige-hpc-full" in roles:
        return FULL_POINTINGS
    return PUBLIC_POINTINGS


def revolution_of(scw_id: str) -> int:
    """The revolution of a science window (its first four digits)."""
    return int(scw_id.strip()[:4])


def sorted_science_windows(scw_list: Iterable[str] | str) -> list[str]:
    """The ids in time order (the id begins with revolution and pointing), each once.

    Raises
    ------
    ValueError
        For an id that is not of the form ``RRRRPPPPSSSF.VVV``, naming it.
    """
    if isinstance(scw_list, str):
        scw_list = [s for s in scw_list.replace(" ", ",").split(",") if s]
    ids = [str(s).strip() for s in scw_list if str(s).strip()]
    wrong = [s for s in ids if not SCIENCE_WINDOW_ID.fullmatch(s)]
    if wrong:
        raise ValueError(
            f"{wrong[:3]} {'is not a science window id' if len(wrong) == 1 else 'are not science window ids'}"
            " (12 digits and a version, like 066500220010.001)"
        )
    return sorted(set(ids))


def _even_chunks(items: Sequence[str], per_job: int) -> list[list[str]]:
    if not items:
        return []
    count = math.ceil(len(items) / per_job)
    base, extra = divmod(len(items), count)
    chunks, start = [], 0
    for k in range(count):
        size = base + (1 if k < extra else 0)
        chunks.append(list(items[start : start + size]))
        start += size
    return chunks


def split_science_windows(
    scw_list: Iterable[str] | str, per_job: int = PUBLIC_POINTINGS, by: str | None = None
) -> list[list[str]]:
    """Cut a science-window list into parts of at most ``per_job`` windows, in time order.

    Parameters
    ----------
    scw_list : iterable of str, or comma-separated str
        The science windows (repeats are taken once).
    per_job : int
        The most windows in one part.
    by : {None, "revolution"}
        ``None``: parts of nearly equal size; ``"revolution"``: one revolution per part (a
        revolution larger than ``per_job`` in nearly equal parts).

    Returns
    -------
    list of list of str
        The parts, in time order.
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be None or 'revolution', not {by!r}")
    if not isinstance(per_job, int) or per_job < 1:
        raise ValueError(f"per_job must be a whole number of science windows, 1 or more, "
                         f"not {per_job!r}")
    ids = sorted_science_windows(scw_list)
    if by is None:
        return _even_chunks(ids, per_job)
    revolutions: dict[int, list[str]] = {}
    for scw in ids:
        revolutions.setdefault(revolution_of(scw), []).append(scw)
    parts: list[list[str]] = []
    for revolution in sorted(revolutions):
        parts.extend(_even_chunks(revolutions[revolution], per_job))
    return parts
