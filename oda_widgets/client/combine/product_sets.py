"""The products of a request's parts made one product set: each kind combined its own way.

Light curves are stitched and spectra summed, source by source (a source some parts do not see
is combined from the parts that do); mosaics are summed and their catalogs merged. Products of
other kinds (text, pictures) are the first part's. What could not be combined is said in
:attr:`CombinedProducts.notes`, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..catalog.source_catalog import Catalog
from ..products.base import Product
from ..products.kinds import NumpyProduct
from ..products.light_curve import LightCurve
from ..products.product_set import ProductSet
from ..products.sky_image import SkyImage
from ..products.spectrum import Spectrum
from .catalogs import merge_catalogs
from .light_curves import stitch_light_curves
from .mosaics import sum_mosaics
from .spectra import sum_spectra

__all__ = ["CombinedProducts", "combine_product_sets"]


class CombinedProducts(ProductSet):
    """A product set made from several parts' product sets.

    Attributes
    ----------
    parts : list of str
        What each combined part was (its label, e.g. the job id).
    missing : list of str
        The parts that brought nothing (failed), with why.
    notes : list of str
        What a reader should know: sources seen by some parts only, products kept from one part.
    """

    def __init__(self, items: list[Product], *, parts: Sequence[str],
                 missing: Sequence[str] = (), notes: Sequence[str] = (),
                 analysis_parameters: dict[str, Any] | None = None) -> None:
        super().__init__(items, analysis_parameters=analysis_parameters)
        self.parts = list(parts)
        self.missing = list(missing)
        self.notes = list(notes)

    @property
    def complete(self) -> bool:
        """True when every part contributed."""
        return not self.missing

    def summary(self) -> str:
        """One line: how many parts were combined and what is missing."""
        text = f"combined from {len(self.parts)} parts"
        if self.missing:
            text += f"; missing {len(self.missing)}: " + "; ".join(self.missing)
        return text

    def __repr__(self) -> str:
        lines = [super().__repr__(), f"  ({self.summary()})"]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def _by_source(sets: Sequence[ProductSet], attribute: str) -> dict[str, list[tuple[int, Any]]]:
    found: dict[str, list[tuple[int, Any]]] = {}
    for index, products in enumerate(sets):
        for source, item in getattr(products, attribute).items():
            found.setdefault(source, []).append((index, item))
    return found


def combine_product_sets(
    sets: Sequence[ProductSet],
    *,
    instrument: str | None = None,
    labels: Sequence[str] | None = None,
    missing: Sequence[str] = (),
) -> CombinedProducts:
    """Combine the product sets of a request's parts (in part order).

    Parameters
    ----------
    sets : sequence of ProductSet
        The parts that finished, in the request's order.
    instrument : str, optional
        Whose PSF decides which catalog entries are one source.
    labels : sequence of str, optional
        A label per part (its job id), kept in the stitched light curves' ``PARTS`` table.
    missing : sequence of str
        The parts that failed, each said in words, kept in the result.

    Raises
    ------
    ValueError
        When no part finished, or the parts cannot be combined (their reason).
    """
    if not sets:
        raise ValueError("no part finished: there is nothing to combine"
                         + (" (" + "; ".join(missing) + ")" if missing else ""))
    labels = list(labels) if labels is not None else [f"part {i + 1}" for i in range(len(sets))]
    notes: list[str] = []
    combined: dict[int, Product] = {}  # id of the first part's item -> its combination
    extra: list[Product] = []
    total = len(sets)

    def seen_by(parts: list[tuple[int, Any]], source: str, what: str) -> None:
        if len(parts) < total:
            notes.append(f"{source}: {what} of {len(parts)} of the {total} parts (the others "
                         "did not extract it)")

    for source, parts in _by_source(sets, "light_curves").items():
        stitched = stitch_light_curves([lc for _, lc in parts],
                                       labels=[labels[i] for i, _ in parts])
        combined[id(parts[0][1])] = stitched
        seen_by(parts, source, "light curves")
    for source, parts in _by_source(sets, "spectra").items():
        summed = sum_spectra([s for _, s in parts])
        first = parts[0][1]
        combined[id(first)] = summed
        for response, attr in ((first.arf_product, "arf_product"),
                               (first.rmf_product, "rmf_product")):
            if response is not None:
                combined[id(response)] = getattr(summed, attr)
        seen_by(parts, source, "spectra")
    images = [(i, s.image) for i, s in enumerate(sets) if s.image is not None]
    mosaic = None
    if images:
        mosaic = sum_mosaics([image for _, image in images])
        combined[id(images[0][1])] = mosaic
    catalogs = [(i, s.catalog) for i, s in enumerate(sets) if s.catalog is not None]
    if catalogs:
        combined[id(catalogs[0][1])] = merge_catalogs(
            [c for _, c in catalogs], instrument=instrument, image=mosaic)

    # the items in the order of the part that has the most of them, combined ones in place
    template_index = max(range(total), key=lambda i: len(sets[i]))
    order: list[Product] = []
    placed: set[int] = set()
    for index in [template_index] + [i for i in range(total) if i != template_index]:
        for item in sets[index].values():
            key = id(item)
            if key in combined and key not in placed:
                order.append(combined[key])
                placed.add(key)
            elif index == template_index and not _is_combined_kind(item):
                extra.append(item)
                order.append(item)
    # combined items whose first part was not the template: found through their first part
    for key, item in combined.items():
        if key not in placed:
            order.append(item)
            placed.add(key)
    kept = [item for item in extra if not isinstance(item, NumpyProduct) or item.kind not in
            ("ARF", "RMF")]
    if kept:
        notes.append("kept from one part only: " + ", ".join(item.name for item in kept))
    names: set[str] = set()
    unique = []
    for item in order:
        if item.name in names:
            continue
        names.add(item.name)
        unique.append(item)
    parameters = dict(sets[template_index].analysis_parameters)
    parameters.pop("scw_list", None)
    return CombinedProducts(unique, parts=labels, missing=missing, notes=notes,
                            analysis_parameters=parameters)


def _is_combined_kind(item: Product) -> bool:
    if isinstance(item, LightCurve | Spectrum | SkyImage | Catalog):
        return True
    return isinstance(item, NumpyProduct) and item.kind in ("ARF", "RMF")
