"""The two generations of the dispatcher the sandbox can speak, named by the version they are.

``1.3.6`` (the current source, and what today's platform runs) describes each query as a list of
entries with restrictions and ontology URIs and decodes JSON lists and ``"\\x00"`` (None) from
a request; ``1.3.3`` (the newest release on PyPI) describes each query as JSON *text* and reads
every argument as text. The client names them the same way
(:mod:`oda_widgets.client.query.generations`), but the sandbox imports nothing of the client.
"""

from __future__ import annotations

__all__ = ["CURRENT", "GENERATIONS", "OLDER", "generation_named"]

#: The current generation: queries as lists with restrictions and ontology URIs.
CURRENT = "1.3.6"
#: The older generation: queries as JSON text, every argument read as text.
OLDER = "1.3.3"
#: Every generation the sandbox speaks.
GENERATIONS = (CURRENT, OLDER)

#: Other names a user may give a generation: ``current`` was the sandbox's name for 1.3.6.
_ALIASES = {"current": CURRENT}


def generation_named(name: str) -> str:
    """The generation called ``name`` (``"1.3.6"``, ``"1.3.3"``, or ``"current"`` for 1.3.6).

    Raises
    ------
    ValueError
        For any other name.
    """
    generation = _ALIASES.get(name, name)
    if generation not in GENERATIONS:
        raise ValueError(f"the sandbox speaks generation {CURRENT!r} (also called 'current') "
                         f"or {OLDER!r}, not {name!r}")
    return generation
