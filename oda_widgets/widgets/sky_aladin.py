"""SkyAladin: an ``ipyaladin.Aladin`` that works offline, one view's state its own.

ipyaladin 0.8.1 imports Aladin Lite from a CDN each time a view is shown, and keeps its queue of
calls made before the view is ready, and its event callbacks, on the class: every view shares
them, and a second view replays the first one's queued calls. This subclass

- loads its front end from the package (``oda_widgets/_front_ends/sky_aladin.js``, built by
  ``scripts/build_front_ends.py``: ipyaladin's own front end with Aladin Lite from npm bundled in,
  plus ``js/sky_aladin.js`` and the CSS of both), so nothing is fetched at run time; the widget's
  state carries only its loader, the bundle is served once per page and cached
  (``widgets/front_end_loader.py``);
- gives each view its own call queue (emptied once replayed) and its own callbacks (each event's
  in an ``ipywidgets.CallbackDispatcher``, as ``Button.on_click`` keeps them);
- holds the image shown and its looks as synced state (``_image``, its FITS bytes a binary
  buffer, and ``_looks``): a front end draws the mosaic as soon as it renders, without asking
  the kernel first (a busy kernel answers a request only after the cell it runs), and a second
  display or a reload gets the current image and cuts;
- adds the messages the sky view needs (sources updated in place, clicks) and the traits the
  front end reports back (``drawn``, ``start_error``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import traitlets
from ipyaladin import Aladin
from ipyaladin.utils.call_store import CallStore
from ipywidgets import CallbackDispatcher

from .front_end_loader import FrontEndCode, loader_module
from .front_ends import FrontEndMissing, built_file

__all__ = ["FrontEndMissing", "SkyAladin", "bundle_path"]

logger = logging.getLogger(__name__)

_REBUILD = ("run scripts/setup, or `python scripts/build_front_ends.py` in a checkout (both "
            "need npm), or reinstall oda_widgets")


def bundle_path() -> Path:
    """The built front end, or :class:`FrontEndMissing` saying how to build it."""
    bundle = built_file("sky_aladin")
    from ipyaladin.__about__ import __version__ as installed

    versions = bundle.parent / "VERSIONS.json"
    built = json.loads(versions.read_text()).get("ipyaladin") if versions.is_file() else None
    if built != installed:
        # the bundle holds ipyaladin's front end: it must match ipyaladin's Python side
        raise FrontEndMissing(
            f"the sky view's front end was built with ipyaladin {built}, but ipyaladin "
            f"{installed} is installed; {_REBUILD}"
        )
    return bundle


class _OnceCallStore(CallStore):
    """A call queue that forgets the calls it has replayed (ipyaladin's keeps them forever)."""

    calls: list[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]]

    def run_all(self) -> None:
        calls = self.calls
        self.calls = []
        for func, args, kwargs in calls:
            func(*args, **kwargs)


class SkyAladin(FrontEndCode, Aladin):
    """``ipyaladin.Aladin`` with Aladin Lite served from the package and per-view state.

    Everything ipyaladin offers works on it (``add_fits``, ``add_table``, ``target``, ``fov``,
    ``set_listener`` ...). The sky view talks to it through :meth:`show_image`,
    :meth:`set_looks`, :meth:`send_sources` and the callbacks of :meth:`on_ready`,
    :meth:`on_source_clicked` and :meth:`on_image_drawn`.
    """

    drawn = traitlets.List(traitlets.Unicode(), help="Names of the sources Aladin Lite holds "
                           "now, reported by the front end after each redraw.").tag(sync=True)
    start_error = traitlets.Unicode("", help="Why Aladin Lite could not start, in words "
                                    "(empty while it runs).").tag(sync=True)
    _image = traitlets.Dict(help="the image shown: name, framing (ra, dec, width_deg, "
                            "height_deg, psf_deg) and serial").tag(sync=True)
    _image_fits = traitlets.Bytes(b"", help="the image shown, one HDU as a FITS file (a binary "
                                  "buffer)").tag(sync=True)
    _looks = traitlets.Dict(help="colour map, stretch and cuts of the image shown"
                            ).tag(sync=True)
    _redraw = traitlets.Dict(help="serial, duration (ms) and moment (epoch ms) of the last "
                             "overlay redraw, measured by the front end").tag(sync=True)

    # No survey by default: Aladin Lite's default one (DSS) is an online service. ipyaladin
    # calls setImageSurvey at render for any survey value but None; and an empty list of
    # surveys in the start options makes Aladin Lite start with no base layer at all.
    survey = traitlets.Unicode(None, allow_none=True, help="An all-sky survey (HiPS) under "
                               "the image (online only); None: a plain background."
                               ).tag(sync=True, init_option=True)

    @traitlets.validate("_init_options")
    def _no_default_survey(self, proposal: dict[str, Any]) -> dict[str, Any]:
        options = dict(proposal["value"])
        if options.get("survey") is None:
            options["survey"] = []
        return options

    def __init__(self, **options: Any) -> None:
        # per view, before ipyaladin's __init__ registers its load observer on self._call_store
        self._call_store = _OnceCallStore()
        self.listener_callback: dict[str, Callable[..., Any]] = {}
        # events, as Button.on_click keeps them: a failing callback is logged, the others run
        self._ready_events = CallbackDispatcher()
        self._click_events = CallbackDispatcher()
        self._image_events = CallbackDispatcher()
        self.image_drawn: dict[str, Any] | None = None
        # anywidget turns these instance values into the synced _esm/_css traits of this view:
        # the loader of the bundle (a few kB), not the bundle, which is served once per page and
        # puts ipyaladin's CSS and ours in the page itself (no CSS in each view's state)
        bundle_path()
        self._esm = loader_module("sky_aladin")
        self._css = ""
        # no start-up ping to Aladin Lite's logger (online only)
        options.setdefault("log", False)
        super().__init__(**options)
        self.on_msg(self._handle_sky_message)

    # -- what the kernel sends --------------------------------------------------------------
    def show_image(self, image: dict[str, Any], fits_bytes: bytes, looks: dict[str, Any]) -> None:
        """Show a FITS image (one HDU) as the base layer, with its looks (``image`` and
        ``looks`` as in ``js/sky_aladin.js``); one state update, drawn by every front end."""
        self.image_drawn = None
        serial = int(self._image.get("serial", 0)) + 1
        with self.hold_sync():
            self._looks = dict(looks)
            self._image_fits = fits_bytes
            self._image = {**image, "serial": serial}

    def set_looks(self, looks: dict[str, Any]) -> None:
        """New colour map, stretch and cuts for the image shown (the image is not sent again)."""
        self._looks = dict(looks)

    def send_frame(self, message: dict[str, Any]) -> None:
        """Centre the view and fit an extent (``ra``, ``dec``, ``width_deg``, ``height_deg``)."""
        self.send({"oda": "frame", **message})

    def send_sources(self, message: dict[str, Any]) -> None:
        """Replace the sources drawn (one Aladin Lite catalog, updated in place)."""
        self.send({"oda": "sources", **message})

    # -- what the front end reports ---------------------------------------------------------
    def on_ready(self, callback: Callable[[], None], remove: bool = False) -> None:
        """Call ``callback()`` each time a front end has rendered this view and can draw
        (``remove=True`` unregisters it)."""
        self._ready_events.register_callback(callback, remove=remove)

    def on_source_clicked(self, callback: Callable[[int], None], remove: bool = False) -> None:
        """Call ``callback(meta_id)`` when a source is clicked on the sky (``remove=True``
        unregisters it)."""
        self._click_events.register_callback(callback, remove=remove)

    def on_image_drawn(
        self, callback: Callable[[dict[str, Any]], None], remove: bool = False
    ) -> None:
        """Call ``callback({"name", "ms", "at"})`` when the front end has drawn an image
        (``ms`` from the message's arrival, ``at`` the browser's clock in epoch ms;
        ``remove=True`` unregisters it)."""
        self._image_events.register_callback(callback, remove=remove)

    def _handle_sky_message(self, _widget: Any, message: Any, _buffers: Any) -> None:
        if not isinstance(message, dict):
            return
        kind = message.get("event_type")
        if kind == "oda_ready":
            self._ready_events()
        elif kind == "oda_source_clicked" and message.get("id") is not None:
            self._click_events(int(message["id"]))
        elif kind == "oda_image_drawn":
            self.image_drawn = {k: message.get(k) for k in ("name", "ms", "at")}
            self._image_events(self.image_drawn)
        elif kind == "oda_image_failed":
            logger.warning("the sky view could not draw %s: %s", message.get("name"),
                           message.get("error"))
