"""The MMODA web URL of a query (its "Share" link), and the query read back from such a URL.

The dispatcher itself makes this link for its e-mails: the frontend's address (the dispatcher's
URL without its ``dispatch-data`` tail) followed by the request's parameters in sorted order,
without ``token``, ``session_id``, ``job_id`` or parameters left empty, ``scw_list`` joined by
commas, with ``instrument``, ``product_type``, ``query_type``, ``query_status=new`` and
``use_scws``. Opening it in MMODA fills the form and runs the query again. A dispatcher not
served under ``dispatch-data`` (a local one, such as the sandbox) is its own frontend address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["SharedQuery", "share_url", "read_share_url"]

_TAIL = "/dispatch-data"
#: What a share link never carries: secrets and the bookkeeping of one request.
_NEVER = {"token", "session_id", "job_id", "query_status", "use_scws", "api", "off_line",
          "oda_api_version", "client-name", "instrument", "product_type", "query_type"}


def _frontend(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith(_TAIL):
        path = path[: -len(_TAIL)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def share_url(url: str, instrument: str, product: str, query_type: str = "Real",
              parameters: Mapping[str, Any] | None = None) -> str:
    """The MMODA web URL that fills MMODA's form with this query and runs it again.

    Parameters
    ----------
    url : str
        The dispatcher's URL (``.../dispatch-data`` for MMODA).
    instrument, product, query_type : str
        The query.
    parameters : mapping
        Its parameters as put on the wire (a token among them is dropped).

    Returns
    -------
    str
        E.g. ``https://www.astro.unige.ch/mmoda?DEC=...&RA=...&instrument=isgri&...``.
    """
    params = {k: _text(v) for k, v in (parameters or {}).items()
              if k not in _NEVER and v is not None and _text(v) != ""}
    params.update(instrument=instrument, product_type=product, query_type=query_type,
                  query_status="new", use_scws="form_list" if params.get("scw_list") else "no")
    return f"{_frontend(url)}?{urlencode(sorted(params.items()))}"


@dataclass
class SharedQuery:
    """A query read from a share URL: where to send it, and what."""

    dispatcher_url: str
    instrument: str
    product: str
    query_type: str = "Real"
    parameters: dict[str, str] = field(default_factory=dict)


def read_share_url(url: str) -> SharedQuery:
    """Read back a URL made by :func:`share_url` (or by MMODA's own "Share" button).

    Raises
    ------
    ValueError
        If the URL names no ``instrument`` or no ``product_type``.
    """
    parts = urlsplit(str(url).strip())
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"{url!r} is not a web address; paste the whole MMODA share URL "
                         "(https://.../mmoda?instrument=...&product_type=...)")
    items = dict(parse_qsl(parts.query, keep_blank_values=False))
    missing = [k for k in ("instrument", "product_type") if not items.get(k)]
    if missing:
        raise ValueError(f"the URL names no {' and no '.join(missing)}: a share URL carries "
                         "the query as ...?instrument=isgri&product_type=isgri_image&...")
    path = parts.path.rstrip("/")
    # MMODA's frontend lives at .../mmoda and its dispatcher under it; a local dispatcher
    # (the sandbox) is its own frontend
    dispatcher_path = path + _TAIL if path.endswith("/mmoda") else path
    dispatcher = urlunsplit((parts.scheme, parts.netloc, dispatcher_path, "", ""))
    return SharedQuery(
        dispatcher_url=dispatcher,
        instrument=items["instrument"],
        product=items["product_type"],
        query_type=items.get("query_type") or "Real",
        parameters={k: v for k, v in items.items() if k not in _NEVER},
    )
