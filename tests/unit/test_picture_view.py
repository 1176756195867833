"""PictureView and the picture's header: bytes shown as they came, scaled, full size on demand."""

from __future__ import annotations

import io

import numpy as np
import pytest

from oda_widgets.client.products.kinds import PictureProduct
from oda_widgets.sandbox.simulate.gev_sky import png_bytes
from oda_widgets.widgets.picture_view import PictureView

pytestmark = pytest.mark.unit


def _png(width: int, height: int) -> bytes:
    return png_bytes(np.zeros((height, width, 3), dtype=np.uint8))


def _jpeg(width: int, height: int) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


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
    jpeg = PictureView(PictureProduct("j", _jpeg(20, 10)))
    assert jpeg.image.format == "jpeg" and "20 x 10 px" in jpeg.caption.value
    with pytest.raises(TypeError, match="picture product"):
        PictureView(b"\x89PNG")


def test_a_large_picture_goes_to_the_browser_reduced_and_is_saved_whole(tmp_path):
    picture = PictureProduct("big", _png(4000, 1000))
    view = PictureView(picture)
    assert view.image.format == "png" and view.image.value != picture.data
    assert "4000 x 1000 px" in view.caption.value and "shown at 2048 x 512" in view.caption.value
    assert "shown at 2048 x 512" in view.status   # why it looks smaller, for code too
    assert PictureView(PictureProduct("small", _png(64, 32))).status == ""
    (saved,) = picture.write_fits(tmp_path)
    assert saved.read_bytes() == picture.data


def test_a_picture_that_cannot_be_read_says_so():
    view = PictureView(PictureProduct("broken", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40))
    assert view.image.value == b"" and "not shown" in view.caption.value
