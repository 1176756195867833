"""The general product kinds: FITS data, tables, raw bytes, pictures and text values."""

from __future__ import annotations

import html
import io
import json
from pathlib import Path
from typing import Any

from astropy.io import fits
from astropy.table import Table

from ..errors import ProductDecodeError
from .base import Product, output_path, write_bytes
from .picture_display import DisplayImage, display_image

__all__ = [
    "read_ecsv",
    "NumpyProduct",
    "TableProduct",
    "BinaryProduct",
    "PictureProduct",
    "TextProduct",
    "picture_type",
]


class NumpyProduct(Product):
    """A NumpyDataProduct: FITS HDUs (``hdulist``) with their headers restored.

    Attributes
    ----------
    hdulist : astropy.io.fits.HDUList
        Primary HDU first; each further data unit an extension.
    """

    kind = "FITS data"

    def __init__(self, name: str, hdulist: fits.HDUList, *about: Any, **named: Any) -> None:
        super().__init__(name, *about, **named)
        self.hdulist = hdulist

    def to_hdulist(self) -> fits.HDUList:
        return self.hdulist

    def __getitem__(self, key: int | str) -> Any:
        """An HDU by position or EXTNAME."""
        return self.hdulist[key]

    def summary(self) -> str:
        parts = []
        for hdu in self.hdulist:
            if hdu.data is None:
                continue
            shape = "x".join(str(n) for n in getattr(hdu.data, "shape", ()))
            parts.append(f"{hdu.name} {shape}")
        return ", ".join(parts) or "no data"


class TableProduct(Product):
    """An astropy table product (``astropy_table_product_ascii_list`` / ``..._binary_list``)."""

    kind = "table"

    def __init__(self, name: str, table: Table, *about: Any, **named: Any) -> None:
        super().__init__(name, *about, **named)
        self.table = table

    def to_hdulist(self) -> fits.HDUList:
        table = self.table.copy(copy_data=False)
        # FITS headers hold scalars only; nested meta would make astropy refuse the table
        table.meta = {
            k: v for k, v in self.table.meta.items() if isinstance(v, str | int | float | bool)
        }
        hdu = fits.table_to_hdu(table)
        hdu.name = (self.server_name or "TABLE")[:68]
        return fits.HDUList([fits.PrimaryHDU(), hdu])

    def summary(self) -> str:
        return f"{len(self.table)} rows x {len(self.table.colnames)} columns"


def _looks_like_fits(data: bytes) -> bool:
    return data[:9] == b"SIMPLE  ="


class BinaryProduct(Product):
    """Raw bytes (``binary_data_product_list``), md5-checked when the server sent one."""

    kind = "binary"
    suffix = ".bin"

    def __init__(self, name: str, data: bytes, server_name: str | None = None) -> None:
        super().__init__(name, {}, server_name)
        self.data = data
        if _looks_like_fits(data):
            self.suffix = ".fits"
        elif (img_type := picture_type(data)) is not None:
            # a picture sent as plain bytes keeps its type in the file name
            self.suffix = "." + ("jpg" if img_type == "jpeg" else img_type)

    def to_hdulist(self) -> fits.HDUList:
        """The bytes read as FITS, when they are a FITS file."""
        if not _looks_like_fits(self.data):
            raise TypeError(f"binary product {self.name!r} is not a FITS file")
        return fits.HDUList.fromstring(self.data)

    def write_fits(self, path: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the bytes unchanged (to ``path``, or ``path/<name>.bin`` for a directory)."""
        return [write_bytes(self.data, output_path(path, self.name, self.suffix), overwrite)]

    def summary(self) -> str:
        return f"{len(self.data)} bytes"


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
)


def picture_type(data: bytes) -> str | None:
    """``'png'``, ``'jpeg'``, ``'gif'`` or ``'svg'`` from the bytes themselves, else ``None``."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "svg"
    return None


class PictureProduct(Product):
    """An image file (``binary_image_product_list``); its type is read from its bytes."""

    kind = "picture"

    def __init__(
        self, name: str, data: bytes, *about: Any, filename: str | None = None, **named: Any
    ) -> None:
        super().__init__(name, *about, **named)
        img_type = picture_type(data)
        if img_type is None:
            raise ProductDecodeError(name, "its data is not a PNG, JPEG, GIF or SVG image")
        self.data = data
        self.img_type = img_type
        self.filename = filename
        self.suffix = "." + ("jpg" if img_type == "jpeg" else img_type)

    def write_fits(self, path: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the image file unchanged (to ``path``, or ``path/<name>.<type>``)."""
        return [write_bytes(self.data, output_path(path, self.name, self.suffix), overwrite)]

    def display_image(self) -> DisplayImage:
        """The picture as it is shown: at most 2048 pixels a side, its pixels budgeted (the
        original bytes, kept in :attr:`data`, are what :meth:`write_fits` saves)."""
        shown = getattr(self, "_shown", None)
        if shown is None:
            shown = self._shown = display_image(self.data, self.img_type)
        return shown

    def _repr_png_(self) -> bytes | None:
        shown = self.display_image() if self.img_type != "svg" else None
        return shown.data if shown is not None and shown.format == "png" else None

    def _repr_jpeg_(self) -> bytes | None:
        shown = self.display_image() if self.img_type != "svg" else None
        return shown.data if shown is not None and shown.format == "jpeg" else None

    def summary(self) -> str:
        return f"{self.img_type} image, {len(self.data)} bytes"


class TextProduct(Product):
    """A text-like value (``text_product_list``): a string or any JSON value."""

    kind = "text"
    suffix = ".txt"

    def __init__(self, name: str, value: Any, *about: Any, **named: Any) -> None:
        super().__init__(name, *about, **named)
        self.value = value

    def text(self) -> str:
        """The value as text (JSON for anything that is not a string)."""
        return self.value if isinstance(self.value, str) else json.dumps(self.value)

    def write_fits(self, path: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the value as UTF-8 text (to ``path``, or ``path/<name>.txt``)."""
        return [
            write_bytes(self.text().encode(), output_path(path, self.name, self.suffix), overwrite)
        ]

    def summary(self) -> str:
        text = self.text()
        return text if len(text) <= 60 else text[:57] + "..."

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(self.name)}</code>: <pre>{html.escape(self.text())}</pre>"


def read_ecsv(text: str, what: str) -> Table:
    """An astropy Table from ECSV (or other astropy-readable ASCII) text."""
    from astropy.io import ascii as astropy_ascii

    try:
        return astropy_ascii.read(io.StringIO(text), format="ecsv")
    except Exception:
        try:
            # lines, not the text itself: a one-line string would be taken for a file name
            return astropy_ascii.read(text.splitlines())
        except Exception as exc:
            raise ProductDecodeError(what, f"its table text is not readable ({exc})") from None
