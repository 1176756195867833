"""An unchanged oda_api 1.3.5 and our client get the same products from the same query.

For every product of the peer's workflow instruments and of the dispatcher's synchronous test
instrument, the description's defaults are sent by both clients (oda_api in its own environment,
``$ODA_WIDGETS_ODAAPI_PYTHON``, inside the namespace). Where both get products, they agree on
the names, the kinds and the values (every FITS unit and column, every table, picture, binary
and text, by digests of their values: ``support/product_digest.py``; ``example0/dummy_echo``
echoes each request's own session and time, so only its keys are compared). Where the job fails on the
server, both fail. oda_api may fail alone only where it cannot decode what the server sent
(``nbexamples/product_label``: oda_api 1.3.5 refuses the JPEG that puremagic names ``.jfif``,
the peer's README, workaround 3).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.environments import odaapi_python
from support.product_digest import described

from oda_widgets.client.catalog.source_catalog import Catalog
from oda_widgets.client.jobs import JobStatus
from oda_widgets.client.products.kinds import (
    BinaryProduct,
    NumpyProduct,
    PictureProduct,
    TableProduct,
    TextProduct,
)

pytestmark = pytest.mark.mmoda

SCRIPT = Path(__file__).resolve().parents[1] / "support" / "odaapi_products.py"

#: The instruments compared: the workflow plugin's, and the dispatcher's own synchronous one
#: (its asynchronous test instruments wait for a backend callback that never comes here).
INSTRUMENTS = ("nbexamples", "nb2wtests", "mmoda_derived", "example0", "empty")
#: Where oda_api 1.3.5 fails to decode what our client reads, and why.
ODAAPI_CANNOT_DECODE = {("nbexamples", "product_label"): "Provided data is not an image"}
#: Products whose value echoes the request itself (its session, its time): compared by keys.
ECHOES_THE_REQUEST = {("example0", "dummy_echo")}
#: Products both must get (a peer where these fail is broken, not a pass).
MUST_COMPLETE = {
    ("nbexamples", "paramout"), ("nbexamples", "structured"), ("nbexamples", "optional_par"),
    ("nbexamples", "product_label"), ("nb2wtests", "lightcurve"),
    ("mmoda_derived", "magic_image_public_dl3"), ("example0", "table"), ("example0", "image"),
    ("example0", "lightcurve"), ("example0", "ascii_binary"),
}


def _ours(name: str, product: Any) -> dict[str, Any]:
    if isinstance(product, NumpyProduct):
        return described("fits", name, [(hdu.name, hdu.data) for hdu in product.hdulist])
    if isinstance(product, TableProduct):
        return described("table", name, product.table)
    if isinstance(product, PictureProduct):
        return described("picture", name, product.data)
    if isinstance(product, BinaryProduct):
        return described("binary", name, product.data)
    if isinstance(product, TextProduct):
        return described("text", name, product.value)
    if isinstance(product, Catalog):
        return described("catalog", name, None)
    return {"name": name, "kind": f"unknown {type(product).__name__}", "value": None}


def _odaapi(url: str, instrument: str, product: str, parameters: dict[str, Any],
            work: Path) -> dict[str, Any]:
    request = work / f"{instrument}-{product}.json"
    out = work / f"{instrument}-{product}.out.json"
    request.write_text(json.dumps({"url": url, "instrument": instrument, "product": product,
                                   "parameters": parameters}))
    done = subprocess.run([str(odaapi_python()), str(SCRIPT), str(request), str(out)],
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0 or not out.exists():
        raise AssertionError(f"the oda_api run broke: {done.stderr[-2000:]}")
    return json.loads(out.read_text())


@pytest.mark.parametrize("instrument", INSTRUMENTS)
def test_oda_api_and_our_client_get_the_same_products(mmoda, mmoda_url, instrument, tmp_path):
    spec = mmoda.describe(instrument)
    differences: list[str] = []
    compared: set[tuple[str, str]] = set()
    for product in spec.products:
        parameters = spec.defaults(product)
        job = mmoda.submit(instrument, product, validate=False, **parameters)
        status = job.wait(timeout=300)
        theirs = _odaapi(mmoda_url, instrument, product, parameters, tmp_path)
        where = f"{instrument}/{product}"
        if status is not JobStatus.DONE:
            if "error" not in theirs:
                differences.append(f"{where}: oda_api got products, our job is {status}: "
                                   f"{job.error}")
            continue
        if "error" in theirs:
            expected = ODAAPI_CANNOT_DECODE.get((instrument, product))
            if expected is None or expected not in theirs["error"]:
                differences.append(f"{where}: ours done, oda_api failed: {theirs['error']}")
            else:
                compared.add((instrument, product))
            continue
        products = job.result()
        ours = [_ours(name, item) for name, item in products.items()]
        if products.names != theirs["names"]:
            differences.append(f"{where}: names {products.names} != oda_api's {theirs['names']}")
        for mine, its in zip(ours, theirs["products"], strict=False):
            if (instrument, product) in ECHOES_THE_REQUEST:
                mine, its = ({**d, "value": sorted(d["value"])} for d in (mine, its))
            if mine != its:
                differences.append(f"{where}: {mine['name']} differs:\n  ours    {mine}\n"
                                   f"  oda_api {its}")
        compared.add((instrument, product))
    assert not differences, "\n".join(differences)
    wanted = {pair for pair in MUST_COMPLETE if pair[0] == instrument}
    assert wanted <= compared, f"never compared: {sorted(wanted - compared)}"
