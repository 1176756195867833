"""The client's verdict on every request of the captured 1.3.6 exchanges is the server's.

Each ``run_analysis`` request in ``../shared/data/dispatcher-1.3.6/*.exchange.json`` was answered
by a real 1.3.6 dispatcher; the client, reading that server's description, must accept what it
accepted and refuse what it refused, quoting its words. (The same rules against the 1.3.3
dispatcher run live, input by input, in ``tests/peer/test_validation_agrees_with_server.py``.)
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from support import shared

from oda_widgets.client.errors import ValidationError
from oda_widgets.client.query.generations import CURRENT
from oda_widgets.client.query.parameter_parsing import parameter_from_description
from oda_widgets.client.query.spec import parse_instrument_description

pytestmark = [pytest.mark.unit, pytest.mark.shared]

CAPTURES = shared.CAPTURES_136
DESCRIPTION = CAPTURES / "api_meta-data_instrument=empty.json"
#: What the captured empty-async instrument adds to the described empty one (its 1.3.6 entry).
SCW_LIST = {"name": "scw_list", "units": None, "value": [], "restrictions": {"is_optional": True},
            "owl_uri": ["http://odahub.io/ontology#InputProdList"]}
#: Request fields that are not parameters of a query.
BOOKKEEPING = {"instrument", "product_type", "query_type", "off_line", "query_status", "session_id",
               "api", "oda_api_version", "job_id", "token", "dry_run", "allow_unknown_args",
               "return_progress"}


def captured_requests() -> list[tuple[str, dict, int, str | None]]:
    found = []
    for path in sorted(CAPTURES.glob("*.exchange.json")):
        for number, exchange in enumerate(json.loads(path.read_text())):
            if "run_analysis" not in exchange["url"]:
                continue
            fields: dict[str, list[str]] = {}
            text = urlsplit(exchange["url"]).query + "&" + (exchange.get("body") or "")
            for key, value in parse_qsl(text, keep_blank_values=True):
                fields.setdefault(key, []).append(value)
            if fields.get("query_status", ["new"]) != ["new"]:
                continue  # polls re-send what the first request had
            answer = exchange["resp"] if isinstance(exchange["resp"], dict) else {}
            # long values were stored shortened ("...<1548 chars total>"): not the real input
            values = {k: v if len(v) > 1 else v[0] for k, v in fields.items()
                      if k not in BOOKKEEPING and not any("chars total>" in x for x in v)}
            if not values:
                continue  # a request with no parameter: nothing to check
            found.append((f"{path.name}[{number}]", values, exchange["status"],
                          answer.get("error_message")))
    return found


@pytest.fixture(scope="module")
def spec():
    return parse_instrument_description(json.loads(DESCRIPTION.read_text()))


def test_the_captures_are_of_the_current_generation(spec):
    assert spec.generation == CURRENT
    statuses = [status for *_, status, _message in captured_requests()]
    assert len(statuses) >= 4 and 400 in statuses


@pytest.mark.parametrize("capture", captured_requests(), ids=lambda c: c[0] if isinstance(c, tuple) else "")
def test_each_captured_request_gets_the_servers_verdict(spec, capture):
    _name, values, status, server_message = capture
    parameters = {p.name: p for product in spec.products for p in spec.parameters(product)}
    parameters["scw_list"] = parameter_from_description(SCW_LIST)
    refusals = []
    checked = 0
    for key, value in values.items():
        if key not in parameters:
            continue  # not a parameter of these instruments (the server says it is not used)
        checked += 1
        try:
            parameters[key].validate(value, values)
        except ValidationError as err:
            refusals.append(err.message)
    assert checked, values
    if status == 200:
        assert refusals == []
    else:
        assert status == 400 and refusals, values
        assert any(server_message in message for message in refusals), (server_message, refusals)
