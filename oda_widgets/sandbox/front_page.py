"""What the sandbox answers at its own address: it has no web front end, and says so.

A share link of a sandbox query (``job.share_url()``) points at the sandbox itself, as MMODA's
links point at MMODA's front end. Opened in a browser, it gets this plain-text page instead of a
404: what the link is, the query it carries, and how to run it again from a notebook. Plain text
(never HTML): the parameters are the link's own, whatever they hold.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["front_page_text"]


def front_page_text(url: str, parameters: Mapping[str, str]) -> str:
    """The page for a request of the sandbox's root, ``url`` with its ``parameters``."""
    lines = [
        "This is the oda_widgets sandbox dispatcher: simulated INTEGRAL data on this machine.",
        "It has no web front end, so a share link of a sandbox query opens no form here.",
        "",
    ]
    if parameters:
        lines += ["The query in this link:", ""]
        width = max(len(k) for k in parameters)
        lines += [f"  {k:<{width}}  {v[:200]}{' ...' if len(v) > 200 else ''}"
                  for k, v in sorted(parameters.items())]
        lines += [
            "",
            "To run it again, in a notebook:",
            "",
            "  from oda_widgets.widgets import QueryForm",
            f"  form = QueryForm.from_url({url!r})",
            "  form",
        ]
    else:
        lines += ["Its dispatcher API answers at /api/meta-data, /run_analysis and the other "
                  "routes oda_api uses."]
    return "\n".join(lines) + "\n"
