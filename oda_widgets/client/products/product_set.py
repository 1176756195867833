"""Decode a finished job's ``products`` into astropy-native objects, named as oda_api names them.

:func:`decode_products` reads every product key the dispatcher sends (except the
gravitational-wave ones), in oda_api's order, which fixes the numbering in the item names
(``mosaic_image_0_mosaic``, ``dispatcher_catalog_1`` ...). Pickled arrays go through the
restricted unpickler; nothing server-sent is ever evaluated.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypedDict

from ..catalog.source_catalog import Catalog
from ..errors import ProductDecodeError
from ..transport.redaction import scrub_token
from .announced import IMAGE, LIGHT_CURVE, SPECTRUM, Announcement, Announcements
from .base import Product, output_path
from .budget import DecodeBudget, json_cost
from .decoding import b64_bytes, check_md5, item_name, parse_meta_data
from .fits_units import hdulist_from_data_units, unpickle_product
from .kinds import BinaryProduct, NumpyProduct, PictureProduct, TableProduct, TextProduct, read_ecsv
from .light_curve import LightCurve, light_curve_hdu
from .sky_image import SkyImage, is_sky_image
from .spectrum import Spectrum, spectral_role

__all__ = [
    "Product",
    "NumpyProduct",
    "SkyImage",
    "LightCurve",
    "Spectrum",
    "TableProduct",
    "BinaryProduct",
    "PictureProduct",
    "TextProduct",
    "Catalog",
    "ProductSet",
    "ProductDecodeError",
    "decode_products",
]

#: Keys of ``products`` this module decodes, in oda_api's order.
DECODED_KEYS = (
    "numpy_data_product",
    "numpy_data_product_list",
    "binary_data_product_list",
    "catalog",
    "astropy_table_product_ascii_list",
    "astropy_table_product_binary_list",
    "binary_image_product_list",
    "text_product_list",
)


def _scrub(obj: Any) -> Any:
    """Remove tokens (server answers echo the user's token in parameters and api_code)."""
    return scrub_token(obj)


class _About(TypedDict):
    """What every product keeps of the server's own description (its keyword arguments)."""

    meta_data: dict[str, Any]
    server_name: str | None
    meta_data_text: str | None


class _Decoder:
    """Walks the product keys in order, numbering items as oda_api does."""

    def __init__(self, product: str | None, instrument: str | None, budget: DecodeBudget) -> None:
        self.product = product
        self.instrument = instrument
        self.budget = budget
        self.items: list[Product] = []

    def json(self, text: str, where: str) -> Any:
        """JSON text inside the answer, read once the budget holds what it builds."""
        self.budget.charge(json_cost(text), f"the JSON text of {where}")
        return json.loads(text)

    def name(self, own: str | None, meta: dict[str, Any] | None) -> str:
        return item_name(
            len(self.items), own, meta, product=self.product, instrument=self.instrument
        )

    def add(self, item: Product | Catalog, announced: Announcement | None = None) -> None:
        if announced is not None and isinstance(item, Product):
            item.announced = announced
            if announced.is_parameter and isinstance(item, TextProduct):
                item.kind = "workflow parameter"
        self.items.append(item)

    def numpy_product(self, encoded: Any, where: str,
                      announced: Announcement | None = None) -> None:
        if encoded is None:
            encoded = {"data_unit_list": [], "name": None, "meta_data": {}}
        if isinstance(encoded, str):
            encoded = self.json(encoded, where)
        if not isinstance(encoded, dict) or "data_unit_list" not in encoded:
            raise ProductDecodeError(where, "it is not a NumpyDataProduct (no data_unit_list)")
        own = encoded.get("name")
        meta, meta_text = parse_meta_data(encoded.get("meta_data"))
        name = self.name(own, meta)
        hdulist = hdulist_from_data_units(encoded["data_unit_list"], name, self.budget)
        args = (name, hdulist)
        about: _About = {"meta_data": meta, "server_name": own, "meta_data_text": meta_text}
        item: Product
        # what the server says the product is comes first; names and EXTNAMEs otherwise
        uri = announced.uri if announced is not None else None
        role = spectral_role(hdulist, meta)
        lc_hdu = light_curve_hdu(hdulist, meta, self.product, announced=uri == LIGHT_CURVE)
        if uri == LIGHT_CURVE and lc_hdu is not None:
            item = LightCurve(*args, hdu=lc_hdu, **about)
        elif uri == IMAGE and is_sky_image(hdulist, meta):
            item = SkyImage(*args, **about)
        elif uri in (LIGHT_CURVE, IMAGE, SPECTRUM) and role != "spectrum":
            item = NumpyProduct(*args, **about)  # no table or sky image to show it as
        elif role == "spectrum":
            item = Spectrum(*args, **about)
        elif role in ("arf", "rmf"):
            item = NumpyProduct(*args, **about)
            item.kind = role.upper()
        elif lc_hdu is not None:
            item = LightCurve(*args, hdu=lc_hdu, **about)
        elif is_sky_image(hdulist, meta):
            item = SkyImage(*args, **about)
        else:
            item = NumpyProduct(*args, **about)
        self.add(item, announced)

    def binary(self, encoded: Any, where: str, announced: Announcement | None = None) -> None:
        if isinstance(encoded, str):
            # a bare base64 string: the legacy BinaryData encoding (no name, no md5)
            data = b64_bytes(encoded, where, self.budget)
            self.add(BinaryProduct(self.name(None, None), data), announced)
            return
        if not isinstance(encoded, dict) or "data" not in encoded:
            raise ProductDecodeError(where, "it is neither a BinaryProduct nor base64 text")
        own = encoded.get("name")
        own = None if own in (None, "None") else str(own)
        label = own or where
        data = b64_bytes(encoded["data"], label, self.budget)
        check_md5(data, encoded.get("md5"), label)
        self.add(BinaryProduct(self.name(own, None), data, server_name=own), announced)

    def catalog(self, encoded: Any) -> None:
        name = self.name("dispatcher_catalog", None)
        self.items.append(Catalog.from_dispatcher(encoded, name=name, budget=self.budget))

    def table(self, encoded: Any, where: str, binary: bool,
              announced: Announcement | None = None) -> None:
        if isinstance(encoded, str):
            encoded = self.json(encoded, where)
        if not isinstance(encoded, dict):
            raise ProductDecodeError(where, "it is not an astropy table product")
        own = encoded.get("name")
        meta, meta_text = parse_meta_data(encoded.get("meta_data"))
        name = self.name(own, meta)
        if binary:
            table = unpickle_product(
                b64_bytes(encoded.get("binary") or "", name, self.budget), name, self.budget
            )
            from astropy.table import Table

            if not isinstance(table, Table):
                raise ProductDecodeError(name, f"it holds a {type(table).__name__}, not a table")
        else:
            text = encoded.get("ascii") or ""
            # astropy's reader holds the lines, the parsed columns and the table at once
            self.budget.charge(4 * len(text) if isinstance(text, str) else 0, f"the table {name}")
            table = read_ecsv(text, name)
        self.add(TableProduct(name, table, meta_data=meta, server_name=own,
                              meta_data_text=meta_text), announced)

    def picture(self, encoded: Any, where: str, announced: Announcement | None = None) -> None:
        if isinstance(encoded, str):
            encoded = self.json(encoded, where)
        if not isinstance(encoded, dict) or "b64data" not in encoded:
            raise ProductDecodeError(where, "it is not a picture product (no b64data)")
        own = encoded.get("name")
        # oda_api keeps a picture's metadata under another attribute, so no name suffix from it
        name = self.name(own, None)
        data = b64_bytes(encoded["b64data"], name, self.budget)
        metadata = encoded.get("metadata") if isinstance(encoded.get("metadata"), dict) else {}
        self.add(PictureProduct(name, data, metadata, own, filename=encoded.get("filename")),
                 announced)

    def texts(self, encoded_list: list[Any], announced: list[Announcement | None]) -> None:
        parsed: list[dict[str, Any]] = []
        for encoded in encoded_list:
            try:
                value = self.json(encoded, "a text product") if isinstance(encoded, str) else encoded
                if not isinstance(value, dict) or "value" not in value:
                    raise KeyError("value")
                parsed.append(value)
            except (ValueError, KeyError):
                break
        if len(parsed) < len(encoded_list):
            # as oda_api: when one entry is not a text product, all are kept as raw values
            for raw, about in zip(encoded_list, announced, strict=True):
                self.add(TextProduct(self.name(None, None), raw), about)
            return
        for value, about in zip(parsed, announced, strict=True):
            own = value.get("name")
            meta = value.get("meta_data") if isinstance(value.get("meta_data"), dict) else {}
            self.add(TextProduct(self.name(own, meta), value["value"], meta_data=meta,
                                 server_name=own), about)


def _as_list(value: Any, key: str, budget: DecodeBudget) -> list[Any]:
    if isinstance(value, str):
        budget.charge(json_cost(value), f"the JSON text of {key}")
        value = json.loads(value)
    if not isinstance(value, list):
        raise ProductDecodeError(key, "expected a list of products")
    return value


def decode_products(
    products: Mapping[str, Any],
    *,
    product: str | None = None,
    instrument: str | None = None,
    budget: DecodeBudget | None = None,
) -> ProductSet:
    """Decode the ``products`` of a ``done`` answer.

    Parameters
    ----------
    products : dict
        The answer's ``products`` (a whole answer holding ``products`` is accepted too).
    product, instrument : str, optional
        The requested product and instrument; unnamed products are named after them, as
        oda_api's ``get_product(product=..., instrument=...)`` does.
    budget : DecodeBudget, optional
        The memory budget of the answer (the one its body was read under); a fresh one of
        :data:`.budget.MAX_DECODED_BYTES` by default. Every decode path charges it first.

    Returns
    -------
    ProductSet

    Raises
    ------
    UnsafePayload
        A pickled array asked for anything but NumPy/astropy reconstruction, or decoding would
        take more memory than the budget holds.
    ProductDecodeError
        A product is corrupt (bad base64, md5 mismatch, malformed structure).
    """
    if "products" in products and isinstance(products.get("products"), Mapping):
        products = products["products"]
    decoder = _Decoder(product, instrument, budget if budget is not None else DecodeBudget())
    announcements = Announcements(products)

    def listed(key: str, what: str) -> list[tuple[int, Any, Announcement | None]]:
        encoded = _as_list(products[key], what, decoder.budget)
        return list(zip(range(len(encoded)), encoded, announcements.pair(key, encoded),
                        strict=True))

    if "numpy_data_product" in products:
        # as oda_api: the single product, when the key is there, and the list is not read
        decoder.numpy_product(products["numpy_data_product"], "numpy_data_product")
    elif "numpy_data_product_list" in products:
        for i, encoded, about in listed("numpy_data_product_list", "numpy list"):
            decoder.numpy_product(encoded, f"numpy_data_product_list[{i}]", about)
    if "binary_data_product_list" in products:
        for i, encoded, about in listed("binary_data_product_list", "binaries"):
            decoder.binary(encoded, f"binary_data_product_list[{i}]", about)
    if products.get("catalog") is not None:
        decoder.catalog(products["catalog"])
    for key, binary in (
        ("astropy_table_product_ascii_list", False),
        ("astropy_table_product_binary_list", True),
    ):
        if key in products:
            for i, encoded, about in listed(key, key):
                decoder.table(encoded, f"{key}[{i}]", binary, about)
    if "binary_image_product_list" in products:
        for i, encoded, about in listed("binary_image_product_list", "images"):
            decoder.picture(encoded, f"binary_image_product_list[{i}]", about)
    if "text_product_list" in products:
        texts = listed("text_product_list", "text_product_list")
        decoder.texts([encoded for _, encoded, _ in texts], [about for _, _, about in texts])
    return ProductSet(
        decoder.items,
        analysis_parameters=products.get("analysis_parameters"),
        api_code=products.get("api_code"),
        extras={k: v for k, v in products.items() if k not in DECODED_KEYS},
    )


def _planned_files(item: Product, directory: Path) -> list[Path]:
    """The files ``item.write_fits(directory)`` writes."""
    main = output_path(directory, item.name, item.suffix)
    if isinstance(item, Spectrum):
        return [main, *(main.with_name(f"{main.stem}_{part}.fits") for part in ("arf", "rmf"))]
    return [main]


def _link_spectra(items: list[Product]) -> dict[str, Spectrum]:
    """Attach each source's ARF and RMF products to its spectrum."""
    spectra: dict[str, Spectrum] = {}
    for item in items:
        if isinstance(item, Spectrum):
            spectra.setdefault(item.source or item.name, item)
    for item in items:
        if isinstance(item, NumpyProduct) and item.kind in ("ARF", "RMF"):
            source = str(item.meta_data.get("src_name") or "")
            target = spectra.get(source) if source else None
            if target is None and len(spectra) == 1:
                target = next(iter(spectra.values()))
            if target is None:
                continue
            if item.kind == "ARF" and target.arf_product is None:
                target.arf_product = item
            elif item.kind == "RMF" and target.rmf_product is None:
                target.rmf_product = item
    return spectra


class ProductSet(Mapping[str, Product]):
    """A job's decoded products: a read-only mapping of oda_api item names to products.

    Attributes
    ----------
    image : SkyImage or None
        The first sky image.
    catalog : Catalog or None
        The dispatcher's source catalog.
    light_curves : dict
        Light curves by source name.
    spectra : dict
        Spectra (with their ARF and RMF) by source name.
    analysis_parameters : dict
        The parameters the dispatcher used, tokens removed.
    api_code : str or None
        The server's oda_api code for this query, tokens removed.
    notes : list of str
        What the server wrote about the finished job beside its products: the ``exit_status``
        comment (a workflow's ``oda:WorkflowResultComment`` output, or the dispatcher's note on
        arguments it did not use) and warning.

    Products are also attributes: ``products.mosaic_image_0_mosaic``.
    """

    def __init__(
        self,
        items: list[Product],
        analysis_parameters: dict[str, Any] | None = None,
        api_code: str | None = None,
        extras: dict[str, Any] | None = None,
    ) -> None:
        self._items = {item.name: item for item in items}
        self.analysis_parameters: dict[str, Any] = _scrub(dict(analysis_parameters or {}))
        self.api_code: str | None = _scrub(api_code) if api_code is not None else None
        self.extras: dict[str, Any] = _scrub(
            {
                k: v
                for k, v in (extras or {}).items()
                if k not in ("analysis_parameters", "api_code")
            }
        )
        self.spectra: dict[str, Spectrum] = _link_spectra(items)
        self.light_curves: dict[str, LightCurve] = {}
        for item in items:
            if isinstance(item, LightCurve):
                self.light_curves.setdefault(item.source or item.name, item)
        status = self.extras.get("exit_status")
        status = status if isinstance(status, Mapping) else {}
        self.notes: list[str] = [str(status[key]).strip() for key in ("comment", "warning")
                                 if isinstance(status.get(key), str) and status[key].strip()]
        self.image: SkyImage | None = next((i for i in items if isinstance(i, SkyImage)), None)
        self.catalog: Catalog | None = next((i for i in items if isinstance(i, Catalog)), None)

    # Mapping
    def __getitem__(self, name: str) -> Product:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __getattr__(self, name: str) -> Product:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(
                f"no product named {name!r}; the products are: {', '.join(self._items) or 'none'}"
            ) from None

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._items))

    @property
    def names(self) -> list[str]:
        """Item names in order (oda_api's ``DataCollection._n_list``)."""
        return list(self._items)

    def as_list(self) -> list[dict[str, Any]]:
        """``[{'ID', 'prod_name', 'meta_data'}, ...]`` like oda_api's ``as_list()``."""
        return [
            {"ID": i, "prod_name": name, "meta_data": item.meta_data}
            for i, (name, item) in enumerate(self._items.items())
        ]

    def write_fits(self, directory: str | Path, overwrite: bool = False) -> list[Path]:
        """Write every product into ``directory`` (created if needed), one file per product
        (three for a spectrum: PHA, ARF, RMF); returns the files written."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        attached = {
            id(part)
            for spectrum in self.spectra.values()
            for part in (spectrum.arf_product, spectrum.rmf_product)
            if part is not None
        }
        items = [item for item in self._items.values() if id(item) not in attached]
        if not overwrite:
            # every file checked before any is written: a refusal never leaves half a set
            existing = [path for item in items for path in _planned_files(item, target)
                        if path.exists()]
            if existing:
                raise FileExistsError(
                    f"{existing[0]} exists (and {len(existing) - 1} more); nothing was written: "
                    "pass overwrite=True to replace them, or choose another folder"
                )
        written: list[Path] = []
        for item in items:
            written.extend(item.write_fits(target, overwrite=overwrite))
        return written

    def __repr__(self) -> str:
        lines = [f"<ProductSet of {len(self)} products>"]
        lines += [f"  {name}: {item.kind}, {item.summary()}"
                  + (f" ({item.label!r})" if getattr(item, "label", None) else "")
                  for name, item in self._items.items()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(item.kind)}</td>"
            f"<td>{html.escape(item.summary())}</td></tr>"
            for name, item in self._items.items()
        )
        return (
            f"<div><b>{len(self)} products</b><table><tr><th>name</th><th>kind</th>"
            f"<th>content</th></tr>{rows}</table></div>"
        )
