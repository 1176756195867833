"""A local ODA dispatcher with a simulated INTEGRAL sky, for demos, classes and tests.

It speaks the dispatcher's protocol, so oda_api and this project's client both work against it::

    from oda_widgets.sandbox import start_sandbox

    with start_sandbox() as sandbox:
        print(sandbox.url)

It imports nothing from :mod:`oda_widgets.client` or :mod:`oda_widgets.widgets`: it is the other
end of the wire.
"""

from .server import SandboxServer, start_sandbox

__all__ = ["SandboxServer", "start_sandbox"]
