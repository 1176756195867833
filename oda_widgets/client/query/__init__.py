"""A query: what the dispatcher accepts, how it is encoded, and the same query elsewhere.

The instrument descriptions (:mod:`.spec`), each parameter's rules (:mod:`.parameter_spec`, and
a module per kind of parameter registered in :mod:`.kinds`), the wire encoding (:mod:`.wire`),
and the oda_api code (:mod:`.apicode`) and MMODA link (:mod:`.share`) of the same query.
"""

__all__: list[str] = []  # nothing at package level: import from the modules
