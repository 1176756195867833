"""PageActions: what the kernel asks the page to do, which no widget trait can: bring an element
into view, and download bytes as a file in the browser.

A hidden anywidget (``js/page_actions.js``). A new tab of the Explorer is scrolled into view
through it, and a results view's Save buttons download products to the user's own machine (the
kernel may run far away, on Binder or a cluster) instead of writing them on the server's disk.
"""

from __future__ import annotations

from itertools import count
from typing import Any

import anywidget
import traitlets

from .front_ends import front_end_file

__all__ = ["PageActions"]


class PageActions(anywidget.AnyWidget):
    """A hidden widget that scrolls and downloads in the page showing it.

    Attributes
    ----------
    done : list of dict
        What the front end reported, last first: ``{"action", "serial", "done"}``.
    """

    _esm = front_end_file("page_actions.js").read_text(encoding="utf-8")

    done = traitlets.List(traitlets.Dict(), help="what the page did, last first")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._serials = count(1)
        self.on_msg(self._reported)

    def scroll_into_view(self, target: str, within: str) -> int:
        """Scroll the element ``target`` (a CSS selector) inside the closest ``within``
        ancestor of this widget into view; returns the request's serial number."""
        serial = next(self._serials)
        self.send({"action": "scroll", "target": target, "within": within, "serial": serial})
        return serial

    def download(self, name: str, data: bytes, mime: str = "application/octet-stream") -> int:
        """Save ``data`` as the file ``name`` in the browser; returns the request's serial."""
        serial = next(self._serials)
        self.send({"action": "download", "name": name, "mime": mime, "serial": serial},
                  buffers=[bytes(data)])
        return serial

    def _reported(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "done":
            entry = {k: content.get(k) for k in ("action", "serial", "done")}
            self.done = [entry, *self.done[:19]]
