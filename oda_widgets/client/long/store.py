"""Long requests on disk: which jobs a request's parts are, so a new call finds them again.

A long request is keyed by a hash of what it asks (dispatcher URL, instrument, product, query
type, parameters, and the science windows of each part): the same call after a kernel restart
has the same key, and its record names the parts' job and session ids, which the job registry
(:mod:`oda_widgets.client.registry`) knows how to bring back. Records live beside the registry's::

    long/<key>.json     the request and, per part, its science windows, job id, session id and
                        how many times it was submitted (never the token)
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..transport.redaction import scrub_token

__all__ = ["LongRequestStore", "request_key"]

logger = logging.getLogger(__name__)


def request_key(
    url: str,
    instrument: str,
    product: str,
    query_type: str,
    parameters: Mapping[str, Any],
    parts: Sequence[Sequence[str]],
) -> str:
    """The key of a long request: the same for the same question, whatever the session."""
    text = json.dumps(
        {"url": url.rstrip("/"), "instrument": instrument, "product": product,
         "query_type": query_type,
         "parameters": {k: v for k, v in parameters.items() if k != "token"},
         "parts": [list(p) for p in parts]},
        sort_keys=True, default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class LongRequestStore:
    """The records of long requests under ``root/long``.

    Parameters
    ----------
    root : path
        The job registry's folder.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.folder = Path(root) / "long"

    def _path(self, key: str) -> Path:
        if not (isinstance(key, str) and len(key) == 32 and all(c in "0123456789abcdef"
                                                               for c in key)):
            raise ValueError(f"{key!r} is not a long request key")
        return self.folder / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The record of ``key``, or ``None`` (also when unreadable, which is logged)."""
        path = self._path(key)
        if not path.exists():
            return None
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            logger.warning("skipping the unreadable long request record %s: %s", path, exc)
            return None
        if not isinstance(doc, dict) or not isinstance(doc.get("parts"), list):
            logger.warning("skipping the long request record %s: not a record", path)
            return None
        return doc

    def save(self, key: str, record: Mapping[str, Any]) -> None:
        """Write ``record`` (token removed), atomically."""
        payload = json.dumps(scrub_token(dict(record)), indent=1, sort_keys=True).encode()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def keys(self) -> list[str]:
        """Every recorded request's key."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))
