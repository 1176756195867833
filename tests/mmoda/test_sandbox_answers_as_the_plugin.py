"""The sandbox's notebook-workflow instrument answers as the real nb2workflow plugin does.

``gev_sky`` (the sandbox, in this process) and the peer's workflows (dispatcher 1.3.6 with the
plugin) are asked the same way, as oda_api asks, and their answers are compared field by field:
the envelope of a done answer, the keys of its products, ``prod_uris`` and ``extra_metadata``, each
kind of item against the peer's item of the same class (a light curve made by oda_api's
``from_arrays``, an image, a table, a picture, a text, a workflow parameter), and the
descriptions' parameter entries. Then unchanged oda_api 1.3.5 decodes the sandbox's answers.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from support.environments import odaapi_python
from support.json_shape import shape_differences

from oda_widgets.sandbox import start_sandbox

pytestmark = pytest.mark.mmoda

ODA = "http://odahub.io/ontology#"
SCRIPT = Path(__file__).resolve().parents[1] / "support" / "odaapi_products.py"
#: Free-form content compared by type only: a FITS header, units, a product's metadata.
FREE_FORM = ("header", "units_dict", "metadata", "analysis_parameters", "api_code", "value")


def _done(url: str, instrument: str, product: str) -> dict[str, Any]:
    """The done answer of a job, asked as oda_api asks (api, async, polled until done)."""
    params: dict[str, Any] = {
        "instrument": instrument, "product_type": product, "query_type": "Real",
        "query_status": "new", "session_id": "MMODATIERCOMPARE", "async_dispatcher": "True",
        "api": "True", "off_line": "False", "oda_api_version": "1.3.5",
    }
    deadline = time.monotonic() + 300
    while True:
        answer = requests.get(f"{url}/run_analysis", params=params, timeout=120).json()
        if answer["query_status"] in ("done", "failed"):
            assert answer["query_status"] == "done", answer["exit_status"]
            return answer
        assert time.monotonic() < deadline, f"{instrument}/{product} never finished"
        params.update(query_status=answer["query_status"], job_id=answer["job_monitor"]["job_id"])
        time.sleep(0.5)


def _collapsed(value: Any, key: str = "") -> Any:
    """``value`` with free-form content reduced to its type (as a key, which the shapes
    compare)."""
    if key in FREE_FORM:
        return {type(value).__name__: None}
    if isinstance(value, dict):
        return {k: _collapsed(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_collapsed(v) for v in value[:1]]
    return value


def _same_shape(ours: Any, theirs: Any, what: str) -> None:
    differences = shape_differences(_collapsed(ours), _collapsed(theirs))
    assert not differences, f"{what}:\n" + "\n".join(differences)


@pytest.fixture(scope="module")
def sandbox_url():
    server = start_sandbox(port=0, duration=0.05)
    yield server.url
    server.stop()


@pytest.fixture(scope="module")
def answers(sandbox_url, mmoda_url):
    return {
        "image": _done(sandbox_url, "gev_sky", "image"),
        "light_curve": _done(sandbox_url, "gev_sky", "light_curve"),
        "labelled": _done(mmoda_url, "nbexamples", "product_label"),
        "magic": _done(mmoda_url, "mmoda_derived", "magic_image_public_dl3"),
        "mag_curve": _done(mmoda_url, "nb2wtests", "lightcurve"),
        "commented": _done(mmoda_url, "example0", "lightcurve"),
    }


def test_a_done_answer_has_the_plugins_envelope_and_product_keys(answers):
    for ours in ("image", "light_curve"):
        answer = answers[ours]
        reference = answers["labelled"]
        assert answer.keys() == reference.keys()
        assert answer["exit_status"].keys() == reference["exit_status"].keys()
        assert answer["job_monitor"].keys() == reference["job_monitor"].keys()
        assert answer["products"].keys() == reference["products"].keys(), ours
        products = answer["products"]
        # prod_uris and extra_metadata: one entry per workflow output, in the same order
        assert list(products["prod_uris"]) == list(products["extra_metadata"])
        assert all(uri.startswith(ODA) for uri in products["prod_uris"].values())
        assert all(set(m) <= {"label", "description", "group"}
                   for m in products["extra_metadata"].values())
        assert products["progress_product_list"] == []


def test_each_kind_of_item_is_shaped_as_the_plugin_shapes_it(answers):
    ours_image, ours_curve = answers["image"]["products"], answers["light_curve"]["products"]
    labelled, magic = answers["labelled"]["products"], answers["magic"]["products"]
    mag_curve = answers["mag_curve"]["products"]

    # oda:LightCurve made by oda_api's from_arrays: PRIMARY and LC, a record array, TIME in d
    (curve,), (reference,) = ours_curve["numpy_data_product_list"], mag_curve[
        "numpy_data_product_list"]
    _same_shape(curve, reference, "light curve")
    for unit, other in zip(curve["data_unit_list"], reference["data_unit_list"], strict=True):
        assert (unit["name"], unit["hdu_type"]) == (other["name"], other["hdu_type"])
        assert (unit["units_dict"] or {}).get("TIME") == (other["units_dict"] or {}).get("TIME")
    assert curve["data_unit_list"][1]["dt"].startswith("(numpy.record, [('TIME', '<f8'), (")
    assert reference["data_unit_list"][1]["dt"].startswith("(numpy.record, [('TIME', '<f8'), (")
    assert curve["meta_data"] == reference["meta_data"] == "{}"
    assert ours_curve["prod_uris"]["lc"] == mag_curve["prod_uris"]["result"] == ODA + "LightCurve"

    # oda:Image: a FITS image as a NumpyDataProduct
    (image,), (other,) = ours_image["numpy_data_product_list"], magic["numpy_data_product_list"]
    _same_shape(image, other, "image")
    assert [u["hdu_type"] for u in image["data_unit_list"]] == ["primary"]

    # oda:ODAAstropyTable: ECSV text, its meta_data JSON twice over
    (table,), (other,) = (ours_image["astropy_table_product_ascii_list"],
                          labelled["astropy_table_product_ascii_list"])
    _same_shape(table, other, "table")
    assert table["binary"] is None and table["ascii"].startswith("# %ECSV")
    assert json.loads(json.loads(table["meta_data"])) == json.loads(json.loads(other["meta_data"]))

    # oda:ODAPictureProduct: URL-safe base64 and its type
    (picture,), (other,) = (ours_image["binary_image_product_list"],
                            magic["binary_image_product_list"])
    _same_shape(picture, other, "picture")
    assert not set("+/") & set(picture["b64data"]) and picture["img_type"] == "png"

    # texts: an ODATextProduct is {name, value}; a workflow parameter carries its class
    texts = {t["name"]: t for t in ours_image["text_product_list"]}
    references = {t["name"]: t for t in labelled["text_product_list"]}
    _same_shape(texts["summary"], references["dummy_ext"], "text")
    _same_shape(texts["n_detected"], references["other_int"], "workflow parameter")
    assert texts["n_detected"]["meta_data"]["uri"] == ours_image["prod_uris"]["n_detected"]


def test_a_workflow_comment_is_the_exit_status_comment_as_the_plugin_sends_it(answers):
    assert answers["commented"]["exit_status"]["comment"] == "TEST COMMENT"
    assert "comment" not in answers["commented"]["products"]["prod_uris"]
    comment = answers["light_curve"]["exit_status"]["comment"]
    assert "bins above 3 sigma" in comment
    assert "comment" not in answers["light_curve"]["products"]["prod_uris"]


def test_the_description_is_the_plugins(sandbox_url, mmoda_url):
    ours = requests.get(f"{sandbox_url}/api/meta-data", params={"instrument": "gev_sky"},
                        timeout=60).json()[0]
    theirs = requests.get(f"{mmoda_url}/api/meta-data",
                          params={"instrument": "mmoda_derived"}, timeout=60).json()[0]
    assert [list(block) if isinstance(block, dict) else None for block in ours[:2]] == [
        list(block) for block in theirs[:2]]
    source, reference = ours[2], theirs[2]
    assert [e.get("name", e.get("query_name")) for e in source] == [
        e.get("name", e.get("query_name")) for e in reference]
    for entry, other in zip(source, reference, strict=True):
        assert entry.keys() == other.keys(), entry
    assert ours[3] == [{"query_name": "instr_query"}] == theirs[3]
    # product parameters: the keys the plugin gives a parameter of the same class
    by_class = {tuple(e["owl_uri"]): e for block in theirs[4:] for e in block if "owl_uri" in e}
    for block in ours[4:]:
        assert list(block[0]) == ["query_name"] and list(block[1]) == ["product_name"]
        for entry in block[2:]:
            other = by_class[tuple(entry["owl_uri"])]
            assert entry.keys() == other.keys(), (entry, other)
            assert "is_optional" in entry["restrictions"]


def test_oda_api_decodes_the_sandbox_workflows(sandbox_url, tmp_path):
    kinds = {}
    for product in ("image", "light_curve"):
        request = tmp_path / f"{product}.json"
        out = tmp_path / f"{product}.out.json"
        request.write_text(json.dumps({"url": sandbox_url, "instrument": "gev_sky",
                                       "product": product, "parameters": {}}))
        subprocess.run([str(odaapi_python()), str(SCRIPT), str(request), str(out)],
                       check=True, timeout=600, capture_output=True)
        decoded = json.loads(out.read_text())
        assert "error" not in decoded, decoded
        kinds[product] = [p["kind"] for p in decoded["products"]]
    assert kinds == {"image": ["fits", "table", "picture", "text", "text"],
                     "light_curve": ["fits", "text"]}
