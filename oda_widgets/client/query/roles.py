"""Roles a query's parameters play, found by name or by ontology class: the target, its sky
position, the time range and the energy band.

Descriptions name these parameters differently (``T1`` on most instruments, another name with the
``StartTime`` class elsewhere), so whatever acts on "the time range" or "the source" (name
resolution, ``set_time_range``, the pair checks) asks here which parameter it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

__all__ = ["ROLES", "Described", "find_role", "role_pair"]

ONTOLOGY = "http://odahub.io/ontology#"

#: Each role: the usual parameter name and the ontology class that also marks it.
ROLES: dict[str, tuple[str, str | None]] = {
    "target": ("src_name", "AstrophysicalObject"),
    "ra": ("RA", "PointOfInterestRA"),
    "dec": ("DEC", "PointOfInterestDEC"),
    "start": ("T1", "StartTime"),
    "stop": ("T2", "EndTime"),
    "energy_low": ("E1_keV", None),
    "energy_high": ("E2_keV", None),
}


class Described(Protocol):
    """What a role is read from: a parameter's description (its ontology URIs)."""

    @property
    def owl_uri(self) -> tuple[str, ...]: ...


def find_role(parameters: Mapping[str, Described], role: str) -> str | None:
    """The name of the parameter playing ``role`` among ``parameters`` (None if none does).

    Parameters
    ----------
    parameters : Mapping[str, ParameterSpec]
        The query's parameters by name.
    role : str
        One of :data:`ROLES` (``"target"``, ``"ra"``, ``"dec"``, ``"start"``, ``"stop"``,
        ``"energy_low"``, ``"energy_high"``).

    Returns
    -------
    str or None
        The parameter's name: the usual one when present, else the first whose ontology class
        marks the role.
    """
    name, uri = ROLES[role]
    if name in parameters:
        return name
    if uri is None:
        return None
    wanted = ONTOLOGY + uri
    return next(
        (key for key, spec in parameters.items()
         if any(str(u) == wanted for u in (getattr(spec, "owl_uri", ()) or ()))),
        None,
    )


def role_pair(parameters: Mapping[str, Described], first: str,
              second: str) -> tuple[str, str] | None:
    """The names of the two parameters playing ``first`` and ``second`` (None unless both do)."""
    low, high = find_role(parameters, first), find_role(parameters, second)
    return (low, high) if low is not None and high is not None else None
