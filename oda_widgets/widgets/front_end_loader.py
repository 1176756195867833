"""Front ends loaded once per page: each widget's ``_esm`` is a loader, not the code.

A widget's ``_esm`` travels in its state, to every page, for every view: for the sky view that
was its 2.8 MB bundle, sent again for each image tab and never cached by the browser. Here a
widget class sets ``_esm = loader_module("sky_aladin")`` instead: ``js/front_end_loader.js``,
which imports the module from where Jupyter serves it (``widgets/front_ends.py``: a file named by
its content hash, cached by the browser), or, where it is not served, asks the kernel for it
once per page. :class:`FrontEndCode` is the kernel's side of that request. A
:class:`FrontEndPreload`, made and never displayed, has the page load a front end before any view
of it is shown (the sky's module and Aladin Lite's start-up take a while on a page's first view).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

import anywidget

from .front_ends import front_end_file, served_file, served_files

__all__ = ["FrontEndCode", "FrontEndPreload", "loader_module"]

logger = logging.getLogger(__name__)

#: The message a loader sends when the page does not serve its module.
CODE_REQUEST = "oda_front_end_code"


@cache
def loader_module(name: str) -> str:
    """The ES module that loads the served front end ``name`` (``"sky_aladin"`` ...).

    A few kilobytes whatever the front end's size; the same text for every widget of a kind.
    """
    served = served_file(name)
    constants = {"name": served.name, "file": served.file_name, "digest": served.digest}
    text = front_end_file("front_end_loader.js").read_text(encoding="utf-8")
    # the file's comments explain it to its readers; every widget's state need not carry them
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return f"const FRONT_END = {json.dumps(constants)};\n{body}\n"


class FrontEndCode:
    """Mixin for an anywidget whose ``_esm`` is a :func:`loader_module`: answers its loader's
    request for the code (a page where the module is not served), with the module's bytes as
    one binary buffer. Put it before the widget's base class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_msg(self._send_front_end_code)  # type: ignore[attr-defined]

    def _send_front_end_code(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if not isinstance(content, dict) or content.get("event_type") != CODE_REQUEST:
            return
        wanted = content.get("file")
        # only a module of ours, by its served name: never a path the page chose
        served = next((s for s in served_files() if s.file_name == wanted), None)
        if served is None:
            logger.warning("a front end asked for %r, which this kernel does not have "
                           "(the page and the kernel run different versions)", wanted)
            self.send({"oda_front_end": wanted,  # type: ignore[attr-defined]
                       "error": "this kernel runs another version of oda_widgets: "
                                "restart the kernel or reinstall oda_widgets"})
            return
        self.send({"oda_front_end": wanted},  # type: ignore[attr-defined]
                  buffers=[served.path.read_bytes()])


class FrontEndPreload(FrontEndCode, anywidget.AnyWidget):
    """A widget that is never displayed: its model, made in every page that follows the kernel,
    loads and initializes the front end ``name`` (a :func:`loader_module`) there and then, so a
    view of that kind shown later renders at once. Close it with the widget that made it.

    Parameters
    ----------
    name : str
        The served front end (``"sky_aladin"`` ...).
    """

    def __init__(self, name: str) -> None:
        self.front_end = name
        self._esm = loader_module(name)
        super().__init__()
