"""What the server says each product is: ``prod_uris`` and ``extra_metadata``, paired with the items.

Dispatcher 1.3.6 with the notebook-workflow plugin sends, beside the product lists, two maps keyed
by the workflow's output names (``lcurve``, ``atable`` ...): ``prod_uris`` (the output's ontology
class, ``http://odahub.io/ontology#LightCurve``) and ``extra_metadata`` (its ``label``,
``description`` and ``group``). The items on the wire carry their own names (``lcname``,
``myname``), not the output names, so the two are paired the way the plugin filled them: it
walks its outputs in order, appending each to the list its class goes in and writing its
``prod_uris`` entry, so the n-th output of a list's classes is that list's n-th item. A list
whose count disagrees with the announced outputs is paired by name only (text items carry the
output name), never by guess. Older dispatchers send neither map: every item is unannounced and
the decoders fall back on names and EXTNAMEs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ODA",
    "LIGHT_CURVE",
    "SPECTRUM",
    "IMAGE",
    "NUMPY",
    "TABLE",
    "PICTURE",
    "TEXT",
    "BINARY",
    "PARAMETER",
    "COMMENT",
    "Announcement",
    "Announcements",
    "short_uri",
]

ODA = "http://odahub.io/ontology#"
LIGHT_CURVE = ODA + "LightCurve"
SPECTRUM = ODA + "Spectrum"
IMAGE = ODA + "Image"
NUMPY = ODA + "NumpyDataProduct"
TABLE = ODA + "ODAAstropyTable"
PICTURE = ODA + "ODAPictureProduct"
TEXT = ODA + "ODATextProduct"
BINARY = ODA + "ODABinaryProduct"
PARAMETER = ODA + "WorkflowParameter"
#: Never an item: the plugin sends a comment output as the answer's ``exit_status`` comment.
COMMENT = ODA + "WorkflowResultComment"

#: The wire list each product class goes in (the plugin's ``process_product_method``).
_LIST_OF = {
    LIGHT_CURVE: "numpy_data_product_list",
    SPECTRUM: "numpy_data_product_list",
    IMAGE: "numpy_data_product_list",
    NUMPY: "numpy_data_product_list",
    TABLE: "astropy_table_product_ascii_list",
    PICTURE: "binary_image_product_list",
    TEXT: "text_product_list",
    BINARY: "binary_data_product_list",
}


def short_uri(uri: str | None) -> str | None:
    """``oda:LightCurve`` for ``http://odahub.io/ontology#LightCurve`` (others unchanged)."""
    if uri is None:
        return None
    return "oda:" + uri[len(ODA):] if uri.startswith(ODA) else uri


def _wire_list(uri: Any) -> str | None:
    """The list an output of class ``uri`` is sent in (``None``: the progress list)."""
    if not isinstance(uri, str):
        return None  # the plugin's progress product has no class
    # any other class is a workflow parameter (oda:Integer, oda:AstrophysicalObject ...),
    # sent as a text item with its uri in meta_data
    return _LIST_OF.get(uri, "text_product_list")


@dataclass(frozen=True)
class Announcement:
    """One workflow output as the server announces it.

    Attributes
    ----------
    output : str
        The workflow's output name (the key of ``prod_uris``).
    uri : str or None
        Its ontology class.
    label, description, group : str or None
        Its ``extra_metadata``.
    """

    output: str
    uri: str | None
    label: str | None = None
    description: str | None = None
    group: str | None = None

    @property
    def short_uri(self) -> str | None:
        """The class as ``oda:LightCurve``."""
        return short_uri(self.uri)

    @property
    def is_parameter(self) -> bool:
        """Whether the output is a workflow parameter (a value, not a product)."""
        return self.uri is not None and self.uri not in _LIST_OF


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class Announcements:
    """The announced outputs of one answer, by the wire list they went in.

    Parameters
    ----------
    products : mapping
        The answer's ``products`` (``prod_uris`` and ``extra_metadata`` read when present).
    """

    def __init__(self, products: Mapping[str, Any]) -> None:
        uris = products.get("prod_uris")
        metadata = products.get("extra_metadata")
        uris = uris if isinstance(uris, Mapping) else {}
        metadata = metadata if isinstance(metadata, Mapping) else {}
        self.by_list: dict[str, list[Announcement]] = {}
        for output, uri in uris.items():
            about = metadata.get(output)
            about = about if isinstance(about, Mapping) else {}
            announcement = Announcement(
                str(output), uri if isinstance(uri, str) else None,
                _text(about.get("label")), _text(about.get("description")),
                _text(about.get("group")),
            )
            wire = _wire_list(uri)
            if wire is not None:
                self.by_list.setdefault(wire, []).append(announcement)

    def __bool__(self) -> bool:
        return bool(self.by_list)

    def pair(self, wire_list: str, items: list[Any]) -> list[Announcement | None]:
        """The announcement of each of ``items`` (the encoded entries of ``wire_list``).

        By position when the list holds as many items as outputs were announced for it,
        otherwise by name (an item's ``name`` equal to an output name); ``None`` where neither.
        """
        announced = self.by_list.get(wire_list, [])
        if len(announced) == len(items):
            return list(announced)
        by_output = {a.output: a for a in announced}
        paired: list[Announcement | None] = []
        for item in items:
            name = item.get("name") if isinstance(item, Mapping) else None
            paired.append(by_output.get(name) if isinstance(name, str) else None)
        return paired
