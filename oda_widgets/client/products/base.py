"""What every decoded product has: a name, its meta_data, and a way to FITS (or to a file)."""

from __future__ import annotations

import hashlib
import html
import warnings
from pathlib import Path
from typing import Any

from astropy.io import fits

from .announced import Announcement

__all__ = ["MAX_FILE_NAME_BYTES", "Product", "file_name", "output_path", "write_hdulist"]


class Product:
    """Base of every decoded dispatcher product.

    Attributes
    ----------
    name : str
        The item name oda_api's ``DataCollection`` gives this product (e.g.
        ``mosaic_image_0_mosaic``); also its key in :class:`~oda_widgets.client.products.product_set.ProductSet`.
    meta_data : dict
        The product's meta_data as the server sent it (decoded from JSON).
    server_name : str or None
        The product's own ``name`` field.
    meta_data_text : str or None
        The raw meta_data text when it was not JSON (``meta_data`` is then empty).
    announced : Announcement or None
        What the server says the product is (its ``prod_uris`` class, its output's label),
        when it says (dispatcher 1.3.6 with notebook workflows); ``uri`` and ``label`` read it.

    Every kind takes these as :class:`Product` does, after its own content:
    ``TableProduct(name, table, meta_data, server_name, meta_data_text)``.
    """

    #: Short word for the kind of product, shown in summaries.
    kind = "product"
    #: File name suffix :meth:`write_fits` uses when given a directory.
    suffix = ".fits"
    announced: Announcement | None = None

    def __init__(
        self,
        name: str,
        meta_data: dict[str, Any] | None = None,
        server_name: str | None = None,
        meta_data_text: str | None = None,
    ) -> None:
        self.name = name
        self.meta_data = dict(meta_data or {})
        self.server_name = server_name
        self.meta_data_text = meta_data_text

    @property
    def uri(self) -> str | None:
        """The ontology class the server gave this product (``prod_uris``), or ``None``."""
        return self.announced.uri if self.announced is not None else None

    @property
    def label(self) -> str | None:
        """The label the workflow gave this output (``extra_metadata``), or ``None``."""
        return self.announced.label if self.announced is not None else None

    @property
    def title(self) -> str:
        """What a view calls this product: its label, else its name."""
        return self.label or self.name

    def to_hdulist(self) -> fits.HDUList:
        """The product as a FITS ``HDUList``."""
        raise TypeError(f"{self.kind} product {self.name!r} has no FITS form; use write_fits()")

    def write_fits(self, path: str | Path, overwrite: bool = False) -> list[Path]:
        """Write the product to ``path`` (a file, or a directory to write ``<name><suffix>`` in).

        Returns
        -------
        list of Path
            The files written.
        """
        target = output_path(path, self.name, self.suffix)
        return [write_hdulist(self.to_hdulist(), target, overwrite)]

    def summary(self) -> str:
        """One line of plain text saying what this product holds."""
        return self.kind

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {self.summary()}>"

    def _repr_html_(self) -> str:
        return (
            f"<b>{html.escape(type(self).__name__)}</b> <code>{html.escape(self.name)}</code>: "
            f"{html.escape(self.summary())}"
        )


#: The longest file name written for a product (file systems allow 255 bytes; a spectrum's
#: companions add their own suffix). Longer product names are cut, with a digest of the whole
#: name, so that two long names never write the same file.
MAX_FILE_NAME_BYTES = 200


def file_name(name: str, suffix: str) -> str:
    """``<name><suffix>``, with ``name`` cut to fit :data:`MAX_FILE_NAME_BYTES` when needed."""
    whole = f"{name}{suffix}"
    if len(whole.encode()) <= MAX_FILE_NAME_BYTES:
        return whole
    digest = hashlib.sha1(name.encode()).hexdigest()[:10]  # a name's digest, not security
    room = MAX_FILE_NAME_BYTES - len(suffix.encode()) - len(digest) - 1
    cut = name.encode()[:room].decode("utf-8", "ignore")
    return f"{cut}_{digest}{suffix}"


def output_path(path: str | Path, name: str, suffix: str) -> Path:
    """``path`` itself, or ``path/<name><suffix>`` when ``path`` is an existing directory (an
    over-long name cut to a file name every file system takes, see :func:`file_name`)."""
    target = Path(path)
    if target.is_dir():
        target = target / file_name(name, suffix)
    return target


def write_hdulist(hdulist: fits.HDUList, target: Path, overwrite: bool) -> Path:
    """Write ``hdulist``, refusing to replace a file unless ``overwrite``, with a clear message."""
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # long meta keys become HIERARCH cards, which is what we want; astropy warns about it
        warnings.simplefilter("ignore", fits.verify.VerifyWarning)
        hdulist.writeto(target, overwrite=overwrite, output_verify="silentfix")
    return target


def write_bytes(data: bytes, target: Path, overwrite: bool) -> Path:
    """Write raw bytes with the same overwrite rule as :func:`write_hdulist`."""
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target
