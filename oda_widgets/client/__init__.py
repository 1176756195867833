"""The headless ODA client: descriptions, validation, jobs followed in the background, products.

It imports no widget library, so scripts and other tools can use it as they are::

    from oda_widgets.client import Dispatcher

    disp = Dispatcher("sandbox")
    job = disp.submit("isgri", "isgri_image", RA=83.63, DEC=22.01)
    products = job.result()

The facade (:mod:`.dispatcher`), the jobs (:mod:`.jobs`), the thread that follows them
(:mod:`.poller`, reading answers with :mod:`.answers`), the registry on disk (:mod:`.registry`)
and the errors (:mod:`.errors`) are here; the subpackages hold the rest by idea:
:mod:`.transport` (HTTP, sites, tokens, redaction), :mod:`.query` (descriptions, parameters,
wire encoding, generated code), :mod:`.products` (decoding and the product types) and
:mod:`.catalog` (the editable source catalog). Names are loaded on first use (the table is
:data:`oda_widgets._public.CLIENT`).
"""

from __future__ import annotations

from .._public import CLIENT, lazy_exports

__all__ = sorted(CLIENT)

__getattr__, __dir__ = lazy_exports(globals(), CLIENT)
