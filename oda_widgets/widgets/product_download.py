"""A product as the file a browser downloads: its FITS file (or its own bytes), and a spectrum
with its ARF and RMF as one zip of the three files XSPEC loads together.

The files are made by the product's own ``write_fits`` (the same files ``save()`` writes on the
kernel's disk), in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import io
import mimetypes
import tempfile
import zipfile
from pathlib import Path
from typing import Any

__all__ = ["download_file"]


def download_file(product: Any) -> tuple[str, bytes, str]:
    """``(file name, bytes, MIME type)`` of ``product`` for a browser download."""
    with tempfile.TemporaryDirectory(prefix="oda-widgets-download-") as folder:
        written = [Path(p) for p in product.write_fits(Path(folder))]
        if len(written) == 1:
            path = written[0]
            mime = ("application/fits" if path.suffix in (".fits", ".fit", ".fts")
                    else mimetypes.guess_type(path.name)[0] or "application/octet-stream")
            return path.name, path.read_bytes(), mime
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, arcname=path.name)
        return f"{product.name}.zip", buffer.getvalue(), "application/zip"
