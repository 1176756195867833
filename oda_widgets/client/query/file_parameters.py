"""File parameters (server classes ``FileReference``, ``POSIXPath``, ``FileURL``) and local files.

A file parameter takes text (a URL, or a path the service reads) or a file of the user's: a
:class:`LocalFile`, a path (``pathlib.Path``) or bytes. A local file is uploaded the way the
dispatcher receives files (``run_analysis`` as a multipart POST whose file field is named after
the parameter, ``io_helper.upload_files_request``): the dispatcher stores it under its MD5 and
gives the parameter its own download URL (``.../download_file?file_list=<md5>&_is_mmoda_url=True
&return_archive=False``), which the notebook service downloads. The client uploads before it
submits (:mod:`oda_widgets.client.query.uploads`), so a job carries that URL: its code, its share
link and its record name the file as the server has it.

Text is checked as the platform checks it: the notebook service (nb2workflow) refuses an empty
text for any file parameter, and text that is not a URL for a ``FileURL``
(``validators.url(value, simple_host=True)``); the dispatcher itself accepts any text.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .kinds import register_kind
from .parameter_spec import ONTOLOGY, wire_text
from .text_parameters import StringParameter

__all__ = [
    "LocalFile",
    "FileReferenceParameter",
    "POSIXPathParameter",
    "FileURLParameter",
    "size_text",
    "is_url",
]


def size_text(size: int) -> str:
    """A size in bytes for people: ``12 bytes``, ``3.4 kB``, ``1.2 MB``."""
    if size < 1000:
        return f"{size} byte{'' if size == 1 else 's'}"
    scaled = float(size)
    for unit in ("kB", "MB", "GB"):
        scaled /= 1000
        if scaled < 1000 or unit == "GB":
            return f"{scaled:.1f} {unit}"
    raise AssertionError("unreachable")


@dataclass(frozen=True, repr=False, eq=True)
class LocalFile:
    """A file of the user's, to be uploaded as the value of a file parameter.

    Parameters
    ----------
    name : str
        The file name sent with it (the dispatcher keeps it only while storing the file).
    data : bytes
        Its content.
    """

    name: str
    data: bytes

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> LocalFile:
        """The file at ``path`` (OSError when it cannot be read)."""
        path = Path(path).expanduser()
        return cls(path.name, path.read_bytes())

    @property
    def size(self) -> int:
        """Its size in bytes."""
        return len(self.data)

    @property
    def md5(self) -> str:
        """The MD5 of its content: the name the dispatcher stores it under."""
        return hashlib.md5(self.data, usedforsecurity=False).hexdigest()

    def __repr__(self) -> str:
        return f"LocalFile({self.name!r}, {self.size} bytes)"

    def __str__(self) -> str:
        return f"{self.name} ({size_text(self.size)})"


def is_url(text: str) -> bool:
    """Whether the notebook service reads ``text`` as a URL (``validators.url``, simple hosts
    such as ``localhost`` allowed), as it does before downloading a file parameter."""
    import validators

    return bool(validators.url(text, simple_host=True))


@register_kind("file_reference", owl_uris=(ONTOLOGY + "FileReference",))
class FileReferenceParameter(StringParameter):
    """A file, given by reference (server class ``FileReference``): text, or a local file to upload.

    ``validate`` returns a :class:`LocalFile` for a local file (uploaded on submission), else the
    stripped text.
    """

    #: What the text of this kind names, for hints.
    _text_names = "a URL or a path the service can read"

    def local_file(self, value: Any) -> LocalFile | None:
        """``value`` as a :class:`LocalFile` when it is one, a path object or bytes; else None.

        Raises ValidationError when the path cannot be read.
        """
        if isinstance(value, LocalFile):
            return value
        if isinstance(value, bytes | bytearray | memoryview):
            return LocalFile(self.name or "upload", bytes(value))
        if isinstance(value, os.PathLike):
            try:
                return LocalFile.read(value)
            except OSError as exc:
                raise self.error(
                    f"The file {os.fspath(value)} for {self.name} cannot be read: "
                    f"{exc.strerror or exc}",
                    hint="Give the path of a file that exists, or its URL as text.",
                ) from None
        return None

    def validate(self, value: Any, values: Mapping[str, Any] | None = None) -> Any:
        local = self.local_file(value)
        if local is not None:
            return local
        return super().validate(value, values)

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        text = wire_text(value)
        if text == "":
            raise self.error(
                f"Empty string is not a valid value of FileReference parameter {self.name}",
                hint=f"Give {self._text_names}, upload a file, or leave it out to use the default.",
            )
        return text

    def preview(self, wire: Any) -> str:
        if isinstance(wire, LocalFile):
            return f"{wire}: uploaded to the dispatcher when the query is submitted"
        return ""


@register_kind("posix_path", owl_uris=(ONTOLOGY + "POSIXPath",))
class POSIXPathParameter(FileReferenceParameter):
    """A file the service opens by path (server class ``POSIXPath``): a URL it downloads first
    (an uploaded file becomes the dispatcher's URL of it), or a path on the service's side."""


@register_kind("file_url", owl_uris=(ONTOLOGY + "FileURL",))
class FileURLParameter(FileReferenceParameter):
    """A file given by its URL (server class ``FileURL``); an uploaded file becomes the
    dispatcher's URL of it. Text that is not a URL is refused, as the notebook service refuses it."""

    _text_names = "a URL (https://...)"

    def _convert(self, value: Any, values: Mapping[str, Any]) -> Any:
        text = super()._convert(value, values)
        if not is_url(text):
            raise self.error(
                f'Parameter {self.name} value "{text}" can not be interpreted as FileURL.',
                hint="Give the file's full URL (https://host/path/file.fits), or upload the file.",
            )
        return text
