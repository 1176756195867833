"""A finished job's products: the dispatcher's encodings decoded into astropy-native types.

Decoding includes the restricted unpickling of pickled arrays and tables (:mod:`.unpickle`,
:mod:`.pickle_rules`); :mod:`.product_set` is the entry point.
"""

__all__: list[str] = []  # nothing at package level: import from the modules
