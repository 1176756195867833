"""Attacks of a hostile dispatcher, run against this tree and a named baseline tree side by side.

Each attack runs in its own Python process on loopback (the hostile server of
``tests/support/hostile_dispatcher.py`` in a thread of that process), with its address space
capped (``--memory``, 3 GiB by default: a refused allocation shows as MemoryError instead of
taking the machine) and a time limit (``--limit``, 60 s: an attack still running then is
reported as such). Figures per attack: wall seconds, the process's peak resident memory above
what its imports took (``ru_maxrss``), and what happened.

Run from the repository root, with a baseline tree made by ``git archive``::

    mkdir -p /tmp/baseline && git archive main | tar -x -C /tmp/baseline
    .venv/bin/python benchmarks/hostile.py --baseline /tmp/baseline
    .venv/bin/python benchmarks/hostile.py --only gzip_bomb,remote_ref
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PRELUDE = """
import base64, gzip, json, os, pickle, resource, sys, threading, time
sys.path[:0] = [{tree!r}, {benchmarks!r}]
import numpy as np
from harness import hostile_dispatcher
HostileDispatcher, description = hostile_dispatcher.HostileDispatcher, hostile_dispatcher.description
done_answer, gzip_bomb = hostile_dispatcher.done_answer, hostile_dispatcher.gzip_bomb
from oda_widgets.client import Dispatcher
from oda_widgets.client.products.product_set import decode_products
from oda_widgets.widgets.form import QueryForm

def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

START = rss_mib()

def report(outcome):
    print("RESULT " + json.dumps({{"outcome": str(outcome)[:160], "mib": rss_mib() - START}}),
          flush=True)

def outcome_of(call):
    try:
        value = call()
        return value
    except BaseException as exc:
        return f"{{type(exc).__name__}}: {{str(exc)[:100]}}"

evil = HostileDispatcher().__enter__()
evil.answer("/api/instr-list", ["evil"]); evil.answer("/instr-list", ["evil"])
evil.answer("/api/meta-data", description("evil", []))

def entries_form(entries):
    evil.answer("/api/meta-data", description("evil", entries))
    disp = Dispatcher(evil.url, token="", registry=False, timeout=300)
    return QueryForm(disp, instrument="evil", product="evil_image")

def structured(schema, value):
    return {{"name": "spec", "units": None, "value": value,
            "restrictions": {{"schema": schema, "is_optional": False}},
            "owl_uri": ["http://odahub.io/ontology#StructuredParameter"]}}

def numpy_unit(array, header=None, name="x"):
    return {{"binarys": base64.b64encode(pickle.dumps(array)).decode(), "hdu_type": "image",
            "header": header or {{}}, "name": name, "data": None, "dt": None,
            "units_dict": None, "meta_data": {{}}}}

LEGACY = {{"numpy_data_product_list": [{{"name": "x", "meta_data": "{{}}", "data_unit_list": [
    {{"data": "[[1], [2]]", "dt": "[('a', '<f8', (16000, 16000))]", "hdu_type": "bintable",
     "header": {{}}, "name": "x", "units_dict": None, "binarys": None, "meta_data": {{}}}}]}}]}}
"""

#: name -> (what it is, the attack's code; ``report(...)`` says what happened)
ATTACKS: dict[str, tuple[str, str]] = {
    "share_link_token": ("share link to an unknown host: requests carrying the token", """
        outcome_of(lambda: QueryForm.from_url(f"{evil.url}/mmoda?instrument=evil&product_type=evil_image"))
        report(f"{len(evil.tokens_received())} requests carried the user's token")
    """),
    "sandbox_real_token": ("Dispatcher('sandbox') with a production token", """
        os.environ["ODA_WIDGETS_SANDBOX_URL"] = evil.url
        outcome_of(lambda: Dispatcher("sandbox", registry=False).instruments())
        report(f"{len(evil.tokens_received())} requests carried the production token")
    """),
    "gzip_bomb": ("run_analysis answer: 6 MB of gzip, 6 GiB inflated", """
        evil.answer("/run_analysis", gzip_bomb(6 << 30), Content_Encoding="gzip",
                    Content_Type="application/json")
        disp = Dispatcher(evil.url, token="", registry=False, timeout=300)
        job = disp.submit("x", "image", validate=False)
        status = outcome_of(lambda: job.wait(300))
        report(f"{status}: {type(job.error).__name__}")
    """),
    "legacy_json_unit": ("legacy JSON data unit, 2 rows of 2 GB dtype (about 500 bytes)", """
        report(outcome_of(lambda: decode_products(LEGACY)))
    """),
    "catalog_dtype": ("catalog column described as <U500000000 (about 600 bytes)", """
        catalog = {"catalog": {"cat_column_list": [[0, 1], ["a", "b"], [1.0, 2.0], [4.0, 5.0]],
            "cat_column_names": ["meta_ID", "src_names", "ra", "dec"],
            "cat_column_descr": [["meta_ID", "<i8"], ["src_names", "<U500000000"],
                                 ["ra", "<f8"], ["dec", "<f8"]],
            "cat_lat_name": "dec", "cat_lon_name": "ra", "cat_frame": "fk5",
            "cat_coord_units": "deg"}}
        report(outcome_of(lambda: decode_products(catalog)))
    """),
    "registry_bomb": ("kernel start with a kept bomb (a few hundred bytes) and a good job", """
        import tempfile
        from oda_widgets.client.registry import JobRecord, JobRegistry
        root = tempfile.mkdtemp()
        registry = JobRegistry(root)
        url = "http://127.0.0.1:9"
        for job_id, products in (("00000000000000b0", LEGACY), ("00000000000000f1", {
                "numpy_data_product_list": [{"name": "m", "meta_data": "{}",
                                             "data_unit_list": [numpy_unit(np.ones(4))]}]})):
            registry.save_record(JobRecord(job_id, "SESSION0SESSION0", url, "isgri",
                                           "isgri_image", status="done", submitted_at=1.0))
            registry.store_products(job_id, products)
        jobs = outcome_of(lambda: Dispatcher(url, token="", registry=root).jobs())
        report(jobs if isinstance(jobs, str) else f"{len(jobs)} jobs listed: "
               + ", ".join(j.status.value for j in jobs))
    """),
    "remote_ref": ("StructuredParameter schema with a remote $ref (the URL answers in 300 s)", """
        evil.answer("/schema.json", lambda p: (time.sleep(300), {"type": "object"})[1])
        form = outcome_of(lambda: entries_form([structured({"$ref": f"{evil.url}/schema.json"}, {"a": 1})]))
        report(form if isinstance(form, str) else f"form built; schema fetched "
               f"{len(evil.requests_to('/schema.json'))} times")
    """),
    "catastrophic_pattern": ("schema pattern ^(a|a)*$ on a default of 64 'a' and a '!'", """
        schema = {"type": "object", "properties": {"s": {"type": "string", "pattern": "^(a|a)*$"}}}
        form = outcome_of(lambda: entries_form([structured(schema, {"s": "a" * 64 + "!"})]))
        report(form if isinstance(form, str) else "form built: " + str(form.fields["spec"].error))
    """),
    "ten_thousand_parameters": ("a product of 10 000 parameters", """
        many = [{"name": f"p{i}", "units": "str", "value": "x", "restrictions": {},
                 "owl_uri": ["http://odahub.io/ontology#String"]} for i in range(10_000)]
        form = outcome_of(lambda: entries_form(many))
        report(form if isinstance(form, str) else f"{len(form.fields)} fields; "
               + form.status_text[:80])
    """),
    "bookkeeping_names": ("parameters named instrument, job_id, dry_run; then Submit", """
        evil.answer("/run_analysis", done_answer({}))
        entries = [{"name": n, "units": "str", "value": v, "restrictions": {},
                    "owl_uri": ["http://odahub.io/ontology#String"]}
                   for n, v in (("instrument", "other"), ("job_id", "0000000000000bad"),
                                ("dry_run", "True"))]
        form = outcome_of(lambda: entries_form(entries))
        job = outcome_of(lambda: form.submit()) if not isinstance(form, str) else form
        sent = evil.requests_to("/run_analysis")
        report(job if isinstance(job, str) else "submitted; sent job_id/dry_run: "
               + str([k for k in ("job_id", "dry_run") if sent and k in sent[0].params]))
    """),
    "malformed_entry": ("a parameter whose name is a list", """
        evil.answer("/api/meta-data", description("evil", [{"name": ["RA"], "value": 1}]))
        report(outcome_of(lambda: Dispatcher(evil.url, token="", registry=False).describe("evil")))
    """),
    "header_cards": ("a FITS data unit with 40 000 header cards", """
        from oda_widgets.client.products.fits_units import hdu_from_data_unit
        hdu = outcome_of(lambda: hdu_from_data_unit(numpy_unit(np.zeros((4, 4)),
                                                              {f"K{i}": i for i in range(40000)})))
        report(hdu if isinstance(hdu, str) else f"{len(hdu.header)} cards")
    """),
    "duplicates_200k": ("duplicate check of 200 000 sources", """
        from astropy import units as u
        from astropy.coordinates import SkyCoord
        from oda_widgets.client.catalog.checks import duplicate_pairs
        rng = np.random.default_rng(1)
        sky = SkyCoord(rng.uniform(0, 360, 200000) * u.deg,
                       np.degrees(np.arcsin(rng.uniform(-1, 1, 200000))) * u.deg)
        pairs = outcome_of(lambda: duplicate_pairs(sky))
        report(pairs if isinstance(pairs, str) else f"{len(pairs)} pairs")
    """),
    "duplicates_180deg": ("duplicate check of 6000 sources with ERR_RAD = 180 deg", """
        from astropy import units as u
        from astropy.coordinates import SkyCoord
        from oda_widgets.client.catalog.checks import duplicate_pairs
        rng = np.random.default_rng(1)
        sky = SkyCoord(rng.uniform(0, 360, 6000) * u.deg,
                       np.degrees(np.arcsin(rng.uniform(-1, 1, 6000))) * u.deg)
        pairs = outcome_of(lambda: duplicate_pairs(sky, [180.0] * 6000))
        report(pairs if isinstance(pairs, str) else f"{len(pairs)} pairs")
    """),
    "bad_registry_records": ("registry: a JSON list, a text time, '../' id, bad port, deep nesting", """
        import tempfile
        from oda_widgets.client.registry import JobRecord
        root = tempfile.mkdtemp(); os.makedirs(f"{root}/jobs")
        url = "http://127.0.0.1:9"
        good = JobRecord("0000000000000001", "SESSION0SESSION0", url, "isgri", "isgri_image",
                         status="failed", submitted_at=1.0, error="x").to_json()
        bad = [[good], good | {"submitted_at": "yesterday"}, good | {"job_id": "../../x"},
               good | {"url": "http://127.0.0.1:99999"}, "[" * 100000 + "]" * 100000]
        for i, doc in enumerate(bad):
            with open(f"{root}/jobs/00000000000000a{i}.json", "w") as f:
                f.write(doc if isinstance(doc, str) else json.dumps(doc))
        with open(f"{root}/jobs/0000000000000001.json", "w") as f:
            f.write(json.dumps(good))
        jobs = outcome_of(lambda: Dispatcher(url, token="", registry=root).jobs())
        report(jobs if isinstance(jobs, str) else f"{len(jobs)} rows, "
               f"{sum(j.instrument == 'isgri' for j in jobs)} valid job(s) listed")
    """),
    "nan_api_code": ("RA='nan' in the form's oda_api code, run", """
        from oda_widgets.client.query.apicode import api_code
        code = api_code("https://example.org", "isgri", "isgri_image", "Real", {"RA": float("nan")})
        part = code[code.index("par_dict = "):code.index('par_dict["token"]')]
        report(outcome_of(lambda: (exec(part, {}), "the code runs")[1]))
    """),
    "names_in_files": ("names with U+2028 (ECSV) and non-ASCII (FITS), saved and read back", """
        import tempfile
        from oda_widgets.client.catalog.source_catalog import Catalog
        cat = Catalog.from_dispatcher({"cat_column_list": [[0, 1], ["A\\u2028B", "S\\u00e9rsic"],
            [1.0, 2.0], [3.0, 4.0]], "cat_column_names": ["meta_ID", "src_names", "ra", "dec"],
            "cat_lat_name": "dec", "cat_lon_name": "ra", "cat_frame": "fk5",
            "cat_coord_units": "deg"})
        folder = tempfile.mkdtemp()
        out = []
        for suffix in ("ecsv", "fits"):
            back = outcome_of(lambda: list(Catalog.read(cat.save(f"{folder}/c.{suffix}")).names))
            out.append(f"{suffix}: {back if isinstance(back, str) else 'read back'}")
        report("; ".join(out))
    """),
    "long_product_name": ("15 products, one named with 400 characters, write_fits", """
        import tempfile
        products = decode_products({"numpy_data_product_list": [
            {"name": ("n" * 400 if i == 7 else f"p{i}"), "meta_data": "{}",
             "data_unit_list": [numpy_unit(np.zeros((2, 2)))]} for i in range(15)]})
        folder = tempfile.mkdtemp()
        outcome = outcome_of(lambda: products.write_fits(folder))
        report(f"{len(os.listdir(folder))} of 15 files written"
               + ("" if not isinstance(outcome, str) else f"; {outcome[:60]}"))
    """),
    "huge_picture": ("a PNG declaring 50000 x 50000 pixels: what goes to the browser", """
        import struct, zlib
        from oda_widgets.client.products.kinds import PictureProduct
        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        png = (b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 0, 0, 0, 0))
               + chunk(b"IDAT", zlib.compress(b"\\0" * 50001 * 4)) + chunk(b"IEND", b""))
        shown = PictureProduct("p", png)._repr_png_()
        report("nothing (a note says why)" if shown is None else
               f"the {len(shown)}-byte file declaring 50000 x 50000 pixels, as it is")
    """),
    "sandbox_routes": ("sandbox: /sandbox/faults without secret, cross-site GET", """
        import requests
        from oda_widgets.sandbox import start_sandbox
        with start_sandbox(port=0) as sb:
            faults = requests.post(f"{sb.url}/sandbox/faults", json={"spec": "http503"}).status_code
            job = requests.get(f"{sb.url}/run_analysis", params={"instrument": "isgri",
                "product_type": "isgri_image", "query_type": "Real", "query_status": "new",
                "scw_list": "066500220010.001"}, headers={"Sec-Fetch-Site": "cross-site",
                "Origin": "https://evil.example"}).status_code
        report(f"faults changed without secret: HTTP {faults}; cross-site job: HTTP {job}")
    """),
    "spi_acs_week": ("sandbox: a 7-day SPI-ACS light curve in 50 ms bins", """
        import requests
        from oda_widgets.sandbox import start_sandbox
        with start_sandbox(port=0) as sb:
            answer = outcome_of(lambda: requests.get(f"{sb.url}/run_analysis", params={
                "instrument": "spi_acs", "product_type": "spi_acs_lc", "query_type": "Real",
                "query_status": "new", "T1": "2020-01-01T00:00:00",
                "T2": "2020-01-08T00:00:00", "time_bin": "0.05"}, timeout=300))
        report(answer if isinstance(answer, str) else
               f"HTTP {answer.status_code}: {answer.text[:90]}")
    """),
}


def run_attack(tree: Path, name: str, memory: int, limit: float) -> dict:
    """One attack in a fresh process against ``tree``."""
    code = PRELUDE.format(tree=str(tree), benchmarks=str(REPO / "benchmarks"))
    code += textwrap.dedent(ATTACKS[name][1])
    code += "\nos._exit(0)\n"  # the hostile server's threads must not keep the process
    home = tempfile.mkdtemp(prefix="hostile-")
    real = _production_like_token()
    env = dict(os.environ, HOME=home, ODA_WIDGETS_HOME=f"{home}/widgets", ODA_TOKEN=real,
               PYTHONPATH=str(tree), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    env.pop("ODA_WIDGETS_SANDBOX_URL", None)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=limit, cwd=home, env=env, preexec_fn=cap)
    except subprocess.TimeoutExpired:
        return {"seconds": limit, "mib": None, "outcome": f"still running after {limit:g} s"}
    seconds = time.monotonic() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"seconds": seconds, "mib": None, "outcome": f"crashed: {tail[:120]}"}
    result = json.loads(lines[-1][len("RESULT "):])
    return {"seconds": seconds, **result}


def _production_like_token() -> str:
    import jwt

    return jwt.encode({"sub": "ada@example.org", "roles": "general",
                       "exp": int(time.time()) + 86400},
                      "a-throwaway-secret-of-32-bytes-or-more", algorithm="HS256")


def _cell(result: dict) -> str:
    mib = "" if result["mib"] is None else f", +{result['mib']:.0f} MiB"
    return f"{result['seconds']:.1f} s{mib}: {result['outcome']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a baseline tree (git archive main)")
    parser.add_argument("--only", default="", help="comma-separated attack names")
    parser.add_argument("--memory", type=int, default=3 << 30, help="address-space cap, bytes")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per attack")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    names = [n for n in args.only.split(",") if n] or list(ATTACKS)
    figures = {}
    for name in names:
        row = {"attack": ATTACKS[name][0]}
        if args.baseline:
            row["baseline"] = run_attack(args.baseline, name, args.memory, args.limit)
        row["this tree"] = run_attack(REPO, name, args.memory, args.limit)
        figures[name] = row
        print(f"## {name}: {row['attack']}")
        if args.baseline:
            print(f"   baseline : {_cell(row['baseline'])}")
        print(f"   this tree: {_cell(row['this tree'])}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
