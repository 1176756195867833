"""Run by the local MMODA peer's own Python (its venv holds the real dispatcher 1.3.6): each case
builds one of the dispatcher's parameter classes, writes its description entry as
``/api/meta-data`` would (``reprJSONifiable``), and sets each input on a fresh instance the way a
request reaches it, answering what the dispatcher does with it.

Input: JSON on stdin, ``{"cases": [{"class": "Energy", "kwargs": {...}, "inputs": ["50", ...]}]}``;
each input is the text of a request field. Output: JSON on stdout, per case ``{"description":
[...], "verdicts": [{"accepted": bool, "value": ..., "message": ...}]}``.

The request reading is the dispatcher's (``DispatcherQuery.set_args``,
``flask_app/dispatcher_query.py:898-927``): ``"\\x00"`` is None, JSON text of an object or a
list is that object or list, any other text stays text; then ``Parameter.set_par`` reads it.
"""

from __future__ import annotations

import json
import logging
import sys

logging.disable(logging.CRITICAL)

from cdci_data_analysis.analysis import parameters  # noqa: E402 - after silencing its logs
from cdci_data_analysis.analysis.exceptions import RequestNotUnderstood  # noqa: E402


def read_request_field(text: str):
    if text == "\x00":
        return None
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError:
        return text
    return decoded if isinstance(decoded, dict | list) else text


def verdict(cls, kwargs: dict, text: str) -> dict:
    parameter = cls(**kwargs)
    try:
        value = parameter.set_par(read_request_field(text))
    except RequestNotUnderstood as exc:
        return {"accepted": False, "message": str(getattr(exc, "message", exc))}
    except Exception as exc:  # noqa: BLE001 - the dispatcher answers these with an error too
        return {"accepted": False, "message": f"{type(exc).__name__}: {exc}"}
    return {"accepted": True, "value": value}


def main() -> None:
    request = json.load(sys.stdin)
    results = []
    out = sys.stdout
    sys.stdout = sys.stderr  # the dispatcher's exceptions print as they are made
    for case in request["cases"]:
        cls = getattr(parameters, case["class"])
        kwargs = case["kwargs"]
        results.append({
            "description": cls(**kwargs).reprJSONifiable(),
            "verdicts": [verdict(cls, kwargs, text) for text in case["inputs"]],
        })
    json.dump({"results": results}, out, default=lambda o: o.item() if hasattr(o, "item") else str(o))


if __name__ == "__main__":
    main()
