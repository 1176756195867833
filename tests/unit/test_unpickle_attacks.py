"""Hostile pickles that name only admitted globals are refused with a clear error, each decoded
in a child process: a crash (object pointers read from server bytes) fails the test instead of
killing the suite, and a class patched by the payload is seen in the child after decoding."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.hostile_pickles import ATTACKS

pytestmark = pytest.mark.unit

TESTS = Path(__file__).resolve().parents[1]
REPO = TESTS.parent

_CHILD = """
import sys
import numpy as np
from astropy.io import fits
from oda_widgets.client.errors import OdaError, UnsafePayload
from oda_widgets.client.products.unpickle import safe_loads
from support import hostile_pickles

init_before = fits.Column.__dict__.get("__init__")
payload = hostile_pickles.ATTACKS[sys.argv[1]]()
try:
    decoded = safe_loads(payload)
except UnsafePayload as refused:
    outcome = f"refused: {refused}"
except OdaError as other:
    outcome = f"other OdaError {type(other).__name__}: {other}"
else:
    # touch it as a viewer would: an object read from server bytes crashes here
    outcome = f"decoded: {decoded!r:.200} {np.asarray(decoded).tolist()!r:.200}"
patched = fits.Column.__dict__.get("__init__") is not init_before
if not patched:
    fits.Column(name="X", format="D", array=np.zeros(2))  # the class still works
print(outcome)
print("column patched" if patched else "column intact")
"""


def _run_child(name: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(TESTS), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-c", _CHILD, name],
        capture_output=True, text=True, timeout=300, env=env, cwd=REPO,
    )


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_a_hostile_pickle_is_refused_and_the_process_survives(name):
    child = _run_child(name)
    assert child.returncode == 0, (
        f"decoding {name} killed the process (exit {child.returncode}): {child.stderr[-2000:]}"
    )
    outcome, patched = child.stdout.strip().splitlines()[-2:]
    assert outcome.startswith("refused: refused to decode a product"), outcome
    assert patched == "column intact"


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("recarray_of_objects_over_bytes", "calls numpy.rec.recarray directly"),
        ("object_array_state_of_raw_bytes", "Python objects from raw bytes"),
        ("object_array_with_a_shorter_list", "1000 objects but gives 1 values"),
        ("build_on_column_class_with_slot_state", "on the class astropy.io.fits.column.Column"),
        ("huge_state_with_no_data", "4.0 GiB"),
        ("huge_start_of_a_reconstruction", "with no data in it"),
    ],
)
def test_the_refusal_says_what_the_pickle_tried(name, words):
    outcome = _run_child(name).stdout
    assert words in outcome, outcome


_LIMIT_CHILD = """
import pickle, numpy as np
from oda_widgets.client.products import budget, unpickle
from oda_widgets.client.errors import UnsafePayload
payload = pickle.dumps(np.zeros((512, 512)))  # 2 MiB
try:
    unpickle.safe_loads(payload, max_bytes=1 << 20)
except UnsafePayload as refused:
    print("per call:", refused)
budget.MAX_DECODED_BYTES = 1 << 20
try:
    unpickle.safe_loads(payload)
except UnsafePayload as refused:
    print("module:", refused)
budget.MAX_DECODED_BYTES = 4 << 20
print("raised:", unpickle.safe_loads(payload).shape)
"""


def test_the_size_limit_is_adjustable():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    child = subprocess.run([sys.executable, "-c", _LIMIT_CHILD], capture_output=True, text=True,
                           timeout=300, env=env, cwd=REPO)
    assert child.returncode == 0, child.stderr[-2000:]
    lines = child.stdout.splitlines()
    assert lines[0].startswith("per call:") and "MAX_DECODED_BYTES" in lines[0]
    assert lines[1].startswith("module:") and "2.0 MiB" in lines[1]
    assert lines[2] == "raised: (512, 512)"


_MEMORY_CHILD = """
import pickle, resource
import numpy as np
from oda_widgets.client.errors import UnsafePayload
from oda_widgets.client.products.unpickle import safe_loads
# a sound 48 MiB array; protocol 2 carries its bytes as text, so rebuilding it takes twice that
payload = pickle.dumps(np.ones(48 << 20, dtype="u1"), protocol=2)
with open("/proc/self/statm") as statm:
    in_use = int(statm.read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (in_use + (64 << 20), resource.RLIM_INFINITY))
try:
    safe_loads(payload)
except UnsafePayload as refused:
    print("refused:", refused)
else:
    print("decoded")
"""


def test_running_out_of_memory_while_decoding_is_an_oda_error():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    child = subprocess.run([sys.executable, "-c", _MEMORY_CHILD], capture_output=True, text=True,
                           timeout=300, env=env, cwd=REPO)
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.startswith("refused:") and "ran out of memory" in child.stdout, child.stdout


@pytest.mark.parametrize("dt", ["[" * 100_000, "-" * 100_000 + "1", "(" * 5000 + ")" * 5000])
def test_a_dtype_text_nested_too_deeply_is_a_decode_error(dt):
    # the legacy JSON-array form of a NumpyDataUnit carries its dtype as text: Python's parser
    # gives up on deep nesting with RecursionError or MemoryError, which must not escape
    from oda_widgets.client.errors import ProductDecodeError
    from oda_widgets.client.products.product_set import decode_products

    unit = {"data": "[1, 2]", "dt": dt, "name": "X", "header": {}, "binarys": None,
            "meta_data": {}, "hdu_type": "image", "units_dict": None}
    products = {"numpy_data_product_list": [{"data_unit_list": [unit], "name": "x",
                                             "meta_data": "{}"}]}
    with pytest.raises(ProductDecodeError, match="not understood") as caught:
        decode_products(products)
    assert len(str(caught.value)) < 1000  # the hostile text is not repeated in full
