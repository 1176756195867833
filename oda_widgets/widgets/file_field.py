"""File parameters (``FileReference``, ``POSIXPath``, ``FileURL``): a URL or path typed, or a file
uploaded, as MMODA's web form offers both.

The text box takes a URL (or, for a ``POSIXPath``, a path on the service's side); the Upload
button takes a file from the user's computer, which the client uploads to the dispatcher when the
query is submitted (:mod:`oda_widgets.client.query.uploads`) and which the job then names by the
dispatcher's URL of it. From code, ``form.values = {"name": Path("data.fits")}`` (or bytes, or a
:class:`~oda_widgets.client.query.file_parameters.LocalFile`) chooses a file the same way.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..client.query.file_parameters import FileReferenceParameter, LocalFile
from .field_registry import register_field
from .fields import Field, _typing_box

__all__ = ["FileField"]

_TEXT_PLACEHOLDER = {
    "file_url": "a URL (https://...), or upload a file",
    "posix_path": "a URL or a path on the service, or upload a file",
    "file_reference": "a URL or a path, or upload a file",
}


@register_field("file_reference", "posix_path", "file_url")
class FileField(Field):
    """A text box for a URL or path, an Upload button, and the chosen file's name and size.

    ``file`` is the uploaded :class:`LocalFile` (None when the text box is used); Remove goes
    back to the text. The value handed to the dispatcher is the file, or the text.
    """

    spec: FileReferenceParameter

    def __init__(self, spec: Any) -> None:
        self.file: LocalFile | None = None
        self.upload = widgets.FileUpload(
            description="Upload a file", multiple=False, icon="upload",
            tooltip=f"choose a file to send as {spec.name}; it is uploaded when the query is "
            "submitted",
            layout=widgets.Layout(width="auto"),
        )
        self.upload.add_class("oda-upload")
        self.file_label = widgets.HTML("")
        self.file_label.add_class("oda-file-name")
        self.remove_button = widgets.Button(
            description="Remove", icon="times", tooltip="forget the file and use the text box",
            layout=widgets.Layout(width="auto", display="none"),
        )
        self.remove_button.add_class("oda-file-remove")
        super().__init__(spec)
        self.control.placeholder = self._placeholder()
        self.upload.observe(self._uploaded, names="value")
        self.remove_button.on_click(lambda _button: self.set_file(None))

    def _make_control(self) -> widgets.Widget:
        return _typing_box(widgets.Text, self.label)

    def _row(self) -> list[widgets.Widget]:
        return [self.control, self.upload, self.file_label, self.remove_button,
                self.units_label, self.message]

    def _placeholder(self) -> str:
        text = _TEXT_PLACEHOLDER.get(getattr(self.spec, "kind", ""), "text, or upload a file")
        if self.spec.default not in (None, ""):
            return f"{text}; empty: the default"
        return text

    # --- the file -----------------------------------------------------------------------------
    def _uploaded(self, change: Any) -> None:
        entries = change["new"]
        if not entries:
            return
        entry = entries[0]
        self.set_file(LocalFile(str(entry["name"]), bytes(entry["content"])))
        # the bytes now live in the field: the upload widget (its state is kept with the
        # notebook's widget state) lets go of them
        self.upload.value = ()

    def set_file(self, local: LocalFile | None) -> None:
        """Use ``local`` as the value (None: back to the text box)."""
        self.file = local
        self.control.disabled = local is not None
        self.remove_button.layout.display = None if local is not None else "none"
        self.file_label.value = (
            f'<span class="oda-file-chosen">⬆ {html.escape(str(local))}</span>'
            if local is not None else ""
        )
        self._changed()

    # --- values -------------------------------------------------------------------------------
    def set_value(self, value: Any) -> None:
        local = self.spec.local_file(value)
        if local is not None:
            self.control.value = ""
            self.set_file(local)
            return
        if getattr(self, "file", None) is not None:
            self.set_file(None)
        super().set_value(value)

    def query_value(self) -> Any:
        if self.file is not None:
            return self.file
        return super().query_value()

    def typed(self) -> Any:
        return self.query_value()
