"""A picture product as a browser should get it: at most a screen's size, its pixels budgeted.

A picture product is a file the server made (PNG, JPEG, GIF). Sent to the browser as it is, a
50000 x 50000 PNG of a few megabytes asks the browser for gigabytes, and decoding it in the
kernel would do the same there. So the picture's size is read from its header first (Pillow
reads no pixel for that), its decoded pixels are charged to a
:class:`~oda_widgets.client.products.budget.DecodeBudget`, and what is shown is a copy of at
most :data:`MAX_DISPLAY_SIDE` pixels a side (JPEGs are decoded at a reduced scale directly).
The product keeps the original bytes: saving writes them unchanged.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from ..errors import UnsafePayload
from .budget import DecodeBudget, size_text

__all__ = ["MAX_DISPLAY_SIDE", "DisplayImage", "display_image"]

#: The longest side, in pixels, of a picture as it is shown.
MAX_DISPLAY_SIDE = 2048


@dataclass(frozen=True)
class DisplayImage:
    """What to show for a picture.

    Attributes
    ----------
    data : bytes or None
        The image to show (``None`` when it cannot be shown: see ``note``).
    format : str
        ``'png'``, ``'jpeg'`` or ``'gif'`` (the format of ``data``).
    width, height : int
        The size of ``data``.
    original : tuple of int
        The picture's own size (width, height).
    note : str
        What was done: ``"shown at 2048 x 1024 of 8192 x 4096 pixels"``, or why it is not shown.
    """

    data: bytes | None
    format: str
    width: int
    height: int
    original: tuple[int, int]
    note: str = ""


def display_image(data: bytes, img_type: str, budget: DecodeBudget | None = None,
                  max_side: int = MAX_DISPLAY_SIDE) -> DisplayImage:
    """The picture ``data`` (of ``img_type``) reduced to ``max_side`` pixels a side for display.

    Never raises for a picture that cannot be shown: its :class:`DisplayImage` has no data and
    a note saying why (too large for the budget, unreadable).
    """
    from PIL import Image

    budget = budget if budget is not None else DecodeBudget()
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, beyond its own pixel limits: our budget decides first
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
    except Image.DecompressionBombError as exc:
        return DisplayImage(None, img_type, 0, 0, (0, 0),
                            f"not shown: {exc.args[0] if exc.args else 'too many pixels'}; "
                            "the original is kept (save it to open it elsewhere)")
    except (OSError, ValueError, SyntaxError) as exc:  # Pillow's "cannot identify image"
        return DisplayImage(None, img_type, 0, 0, (0, 0), f"not shown: unreadable ({exc})")
    if width <= max_side and height <= max_side and img_type in ("png", "jpeg", "gif"):
        return DisplayImage(data, img_type, width, height, (width, height))
    scale = min(max_side / max(width, 1), max_side / max(height, 1), 1.0)
    shown = (max(1, round(width * scale)), max(1, round(height * scale)))
    try:
        if image.format == "JPEG":
            image.draft("RGB", shown)  # decode at 1/2, 1/4 or 1/8 of the size directly
        decoded = image.size[0] * image.size[1] * max(len(image.getbands()), 1)
        budget.charge(decoded, f"the pixels of a {width} x {height} picture")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.thumbnail(shown)
        out = io.BytesIO()
        fmt = "JPEG" if image.format == "JPEG" or image.mode == "CMYK" else "PNG"
        (image.convert("RGB") if fmt == "JPEG" else image).save(out, fmt)
    except UnsafePayload as refused:
        return DisplayImage(None, img_type, 0, 0, (width, height),
                            f"not shown: {width} x {height} pixels would take "
                            f"{size_text(width * height * 4)} to decode ({refused}); "
                            "the original is kept (save it to open it elsewhere)")
    except (OSError, ValueError, MemoryError) as exc:
        return DisplayImage(None, img_type, 0, 0, (width, height), f"not shown: {exc}")
    return DisplayImage(out.getvalue(), fmt.lower(), image.size[0], image.size[1],
                        (width, height),
                        f"shown at {image.size[0]} x {image.size[1]} of {width} x {height} pixels")
