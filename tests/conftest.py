"""Settings shared by every test tier."""

from __future__ import annotations

from hypothesis import settings

# No per-example deadline: hypothesis's 200 ms default is a wall-clock limit in disguise, and on
# a loaded CI machine a slow example would fail for the machine's sake, not the code's.
settings.register_profile("oda_widgets", deadline=None)
settings.load_profile("oda_widgets")
