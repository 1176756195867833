"""PictureView and the picture's header: bytes shown as they came, scaled, full size on demand."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from oda_widgets.client.products.kinds import PictureProduct
from oda_widgets.client.products.picture_size import picture_size
from oda_widgets.sandbox.simulate.gev_sky import png_bytes
from oda_widgets.widgets.picture_view import PictureView

pytestmark = pytest.mark.unit


def _png(width: int, height: int) -> bytes:
    return png_bytes(np.zeros((height, width, 3), dtype=np.uint8))


def _jpeg_header(width: int, height: int) -> bytes:
    """The first segments of a baseline JPEG: SOI, an APP0 (JFIF), then SOF0 with the size."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    return (b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
            + b"\xff\xc0" + struct.pack(">H", len(sof0) + 2) + sof0 + b"\xff\xd9")


def test_the_size_is_read_from_the_header_of_each_type():
    assert picture_size(_png(640, 480)) == (640, 480)
    assert picture_size(_jpeg_header(1024, 768)) == (1024, 768)
    assert picture_size(b"GIF89a" + struct.pack("<HH", 33, 17) + b"\x00" * 8) == (33, 17)
    assert picture_size(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert picture_size(b"\xff\xd8\xff\xe0\x00") is None  # cut short
    assert picture_size(b"\x89PNG\r\n\x1a\n") is None


def test_a_picture_is_shown_no_wider_than_the_view_then_pixel_for_pixel():
    picture = PictureProduct("plot_0", _png(640, 480))
    view = PictureView(picture)
    assert view.image.value == picture.data and view.image.format == "png"
    assert view.caption.value.startswith("PNG, 640 x 480 px, ")
    assert view.image.layout.max_width == "100%" and view.image.layout.height == "auto"
    changes = []
    view.observe(changes.append, names="full_size")
    view.toggle.value = True
    assert view.full_size and changes
    assert view.image.layout.max_width == "none" and view.toggle.description == "Fit to view"
    view.full_size = False
    assert not view.toggle.value and view.image.layout.max_width == "100%"


def test_svg_and_jpeg_go_to_the_browser_as_images_and_anything_else_is_refused():
    svg = PictureView(PictureProduct("s", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>"))
    assert svg.image.format == "svg+xml" and svg.caption.value.startswith("SVG, ")
    jpeg = PictureView(PictureProduct("j", _jpeg_header(20, 10)))
    assert jpeg.image.format == "jpeg" and "20 x 10 px" in jpeg.caption.value
    with pytest.raises(TypeError, match="picture product"):
        PictureView(b"\x89PNG")
