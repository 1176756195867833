"""A query: the instrument descriptions, each parameter's rules, the wire encoding, and the
oda_api code and MMODA link of the same query."""
