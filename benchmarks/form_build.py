"""How long QueryForm takes to build from a description, per sandbox instrument.

Baseline: the same number of plain ``ipywidgets.Text`` boxes (one per parameter, no parsing, no
validation), i.e. the least a generated form could cost. The form's figure includes parsing the
``/api/meta-data`` document, building every field and checking every default; it excludes HTTP.

Run: ``.venv/bin/python benchmarks/form_build.py [repeats]``
"""

from __future__ import annotations

import sys
from typing import Any

import ipywidgets as widgets
from timing import median_ms  # benchmarks/timing.py, beside this script

from oda_widgets.client.dispatcher import Dispatcher
from oda_widgets.client.query.spec import parse_instrument_description
from oda_widgets.sandbox import descriptions
from oda_widgets.widgets import QueryForm


class DescribedDispatcher(Dispatcher):
    """A Dispatcher answering its two description requests from the sandbox's documents."""

    def __init__(self, documents: dict[str, Any]) -> None:
        super().__init__(url="http://127.0.0.1:9", token="", registry=False)
        self._documents = documents

    def instruments(self) -> list[str]:
        return list(self._documents)

    def describe(self, instrument: str, product: str | None = None) -> Any:
        return parse_instrument_description(self._documents[instrument])


def main(repeats: int = 15) -> None:
    documents = {name: [d.describe()] for name, d in descriptions.instruments().items()}
    dispatcher = DescribedDispatcher(documents)
    QueryForm(dispatcher)  # warm-up: imports (astropy.time, jsonschema) happen once per process
    print(f"QueryForm build time, median of {repeats} (ms); baseline: plain Text widgets")
    print(f"{'instrument':<10} {'product':<16} {'fields':>6} {'form ms':>8} {'baseline':>8} {'ratio':>6}")
    for instrument in documents:
        spec = parse_instrument_description(documents[instrument])
        for product in spec.products:
            form = QueryForm(dispatcher, instrument=instrument, product=product)
            count = len(form.fields)
            built = median_ms(lambda i=instrument, p=product: QueryForm(dispatcher, i, p), repeats)
            plain = median_ms(lambda n=count: [widgets.Text(description=str(k)) for k in range(n)],
                              repeats)
            print(f"{instrument:<10} {product:<16} {count:>6} {built:>8.1f} {plain:>8.1f} "
                  f"{built / plain:>6.1f}")
    dispatcher.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
