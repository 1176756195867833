"""Run by the unmodified oda_api 1.3.5's Python: one query, its products described as JSON.

usage: python odaapi_products.py REQUEST.json OUT.json

REQUEST holds ``url``, ``instrument``, ``product`` and ``parameters``; OUT gets ``{"names": [...],
"products": [described ...]}`` (see ``product_digest.py``), or ``{"error": "..."}`` when oda_api
could not get or decode the products. Nothing of oda_widgets is imported here.
"""

from __future__ import annotations

import json
import sys

from product_digest import described  # run as a script: its folder is on sys.path


def _described(name: str, product: object) -> dict:
    kind = type(product).__name__
    if kind in ("NumpyDataProduct", "LightCurveDataProduct", "ImageDataProduct"):
        units = [(unit.name, unit.data) for unit in product.data_unit]
        return described("fits", name, units)
    if kind == "ODAAstropyTable":
        return described("table", name, product.table)
    if kind == "PictureProduct":
        return described("picture", name, product.binary_data)
    if kind == "BinaryProduct":
        return described("binary", name, product.bin_data)
    if kind == "TextLikeProduct":
        return described("text", name, product.value)
    if isinstance(product, str | dict | list):  # text entries oda_api keeps raw
        return described("text", name, product)
    if kind == "ApiCatalog":
        return described("catalog", name, None)
    return {"name": name, "kind": f"unknown {kind}", "value": None}


def main() -> None:
    request = json.load(open(sys.argv[1]))
    from oda_api.api import DispatcherAPI

    try:
        disp = DispatcherAPI(url=request["url"])
        data = disp.get_product(instrument=request["instrument"], product=request["product"],
                                product_type="Real", **request["parameters"])
        out = {"names": list(data._n_list),
               "products": [_described(n, p) for n, p in
                                zip(data._n_list, data._p_list, strict=True)]}
    except Exception as exc:  # noqa: BLE001 - what oda_api raised is the answer
        out = {"error": f"{type(exc).__name__}: {exc}"}
    with open(sys.argv[2], "w") as handle:
        json.dump(out, handle)


if __name__ == "__main__":
    main()
