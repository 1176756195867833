"""PictureView: a picture product (PNG, JPEG, GIF, SVG) scaled to the view, full size on demand.

An ``ipywidgets.Image`` shown by an ``<img>`` (an SVG there runs no script). What goes to the
browser is the picture's display copy (:meth:`PictureProduct.display_image`: at most 2048 pixels
a side, its pixels budgeted; an SVG as it came); the product keeps the original for saving. By
default the picture is no wider than the view; "Full size" shows it pixel for pixel in a frame
that scrolls. A picture that cannot be shown says why, and is still saved whole.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from ..client.products.kinds import PictureProduct

__all__ = ["PictureView"]

#: ipywidgets.Image's format for each picture type.
_FORMATS = {"png": "png", "jpeg": "jpeg", "gif": "gif", "svg": "svg+xml"}


def _size_text(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.1f} kB" if n >= 1e3 else f"{n} B"


class PictureView(widgets.VBox):
    """A picture product, scaled to fit, with a "Full size" toggle.

    Parameters
    ----------
    picture : PictureProduct
        A picture of a job (``products.lcpic_2``).

    Attributes
    ----------
    full_size : bool
        Whether the picture is shown pixel for pixel (observable, settable).
    image : ipywidgets.Image
        The picture itself.
    status : str
        What the caption says beyond the format and size: why the picture is shown reduced or
        cannot be shown; ``""`` when it is shown as it came (synced).
    """

    full_size = traitlets.Bool(False)
    status = traitlets.Unicode("").tag(sync=True)

    def __init__(self, picture: PictureProduct, **kwargs: Any) -> None:
        if not isinstance(picture, PictureProduct):
            raise TypeError(f"PictureView shows a picture product, not {type(picture).__name__}")
        super().__init__(**kwargs)
        self.picture = picture
        if picture.img_type == "svg":
            shown_data, shown_format, note = picture.data, "svg", ""
            size = None
        else:
            shown = picture.display_image()
            shown_data, shown_format, note = shown.data or b"", shown.format, shown.note
            size = shown.original if shown.data is not None else None
        self.image = widgets.Image(value=shown_data, format=_FORMATS[shown_format])
        self.image.add_class("oda-picture-image")
        self.frame = widgets.Box([self.image], layout=widgets.Layout(overflow="auto",
                                                                     max_width="100%"))
        self.frame.add_class("oda-picture-frame")
        self.toggle = widgets.ToggleButton(
            value=False, description="Full size", icon="expand",
            tooltip="show the picture pixel for pixel (scroll to see all of it)",
            layout=widgets.Layout(width="auto"),
        )
        self.toggle.add_class("oda-picture-full-size")
        words = [picture.img_type.upper()]
        if size is not None:
            words.append(f"{size[0]} x {size[1]} px")
        words.append(_size_text(len(picture.data)))
        if note:
            words.append(note)
        self.status = note
        self.caption = widgets.Label(", ".join(words))
        self.caption.add_class("oda-picture-caption")
        self.toggle.observe(lambda c: setattr(self, "full_size", c["new"]), names="value")
        self.children = [self.frame, widgets.HBox([self.toggle, self.caption],
                                                  layout=widgets.Layout(align_items="center"))]
        self.add_class("oda-picture")
        self._fit()

    @traitlets.observe("full_size")
    def _full_size_changed(self, change: Any) -> None:
        self.toggle.value = change["new"]
        self._fit()

    def _fit(self) -> None:
        layout = self.image.layout
        if self.full_size:
            layout.max_width, layout.width, layout.height = "none", "auto", "auto"
            self.frame.layout.max_height = "80vh"
            self.toggle.description, self.toggle.icon = "Fit to view", "compress"
        else:
            # no wider than the view, never blown up beyond its pixels, proportions kept
            layout.max_width, layout.width, layout.height = "100%", "auto", "auto"
            self.frame.layout.max_height = None
            self.toggle.description, self.toggle.icon = "Full size", "expand"

    def __repr__(self) -> str:
        return f"PictureView({self.picture.name}: {self.caption.value})"
