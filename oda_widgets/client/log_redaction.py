"""Keep tokens out of the HTTP library's log records.

The description calls (``/api/meta-data`` ...) send the token in the query string of a GET, as
the dispatcher expects. When such a request is retried, urllib3 logs the full request URL
(``WARNING Retrying (...) ... /api/meta-data?instrument=isgri&token=eyJ...``, and at DEBUG
``Incremented Retry for (url=...)`` and every request line). A filter on urllib3's loggers
replaces every ``token=`` value and anything that looks like a JWT before a record reaches any
handler.
"""

from __future__ import annotations

import logging
import threading

from .redact import scrub_url_text

#: Where urllib3 logs request URLs. A logger's filters see only the records logged to that very
#: logger (not those its children propagate), so each one gets the filter.
URLLIB3_LOGGERS = (
    "urllib3",
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "urllib3.connection",
    "urllib3.poolmanager",
    "urllib3.response",
)

_install_lock = threading.Lock()


class TokenRedactingFilter(logging.Filter):
    """Rewrites a record's message without tokens; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: scrub the parts
            record.msg = scrub_url_text(str(record.msg))
            if isinstance(record.args, tuple):
                record.args = tuple(scrub_url_text(str(arg)) for arg in record.args)
            return True
        # The message is formatted here once, so arguments whose repr holds a URL (exceptions,
        # Retry objects) are covered as well as plain strings.
        record.msg = scrub_url_text(text)
        record.args = ()
        return True


def install_urllib3_redaction() -> None:
    """Put a :class:`TokenRedactingFilter` on urllib3's loggers (once; later calls do nothing)."""
    with _install_lock:
        for name in URLLIB3_LOGGERS:
            target = logging.getLogger(name)
            if not any(isinstance(f, TokenRedactingFilter) for f in target.filters):
                target.addFilter(TokenRedactingFilter())
