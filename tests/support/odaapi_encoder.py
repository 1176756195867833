"""FITS files encoded by oda_api itself, the library the dispatcher's plugins encode products with.

``NumpyDataProduct.from_fits_file(path, name=..., meta_data=...).encode()`` runs in the unmodified
oda_api 1.3.5 environment (``$ODA_WIDGETS_ODAAPI_PYTHON``, else ``.venv-odaapi`` at the repository
root), in a subprocess; its JSON comes back as it would after HTTP. Tests skip, saying why, when
that environment is absent.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from support.environments import odaapi_python

REPO = Path(__file__).resolve().parents[2]

_ENCODE = """
import json, sys
from oda_api.data_products import NumpyDataProduct

encoded = []
for path, name, meta_data in json.load(sys.stdin):
    product = NumpyDataProduct.from_fits_file(path, name=name, meta_data=meta_data)
    encoded.append(product.encode(to_json=True))
json.dump(encoded, sys.stdout)
"""


def encode_with_odaapi(*files: tuple[Path, str | None, dict[str, Any] | None]) -> list[dict]:
    """Each ``(path, name, meta_data)`` as oda_api encodes it: a NumpyDataProduct dict."""
    request = [[str(path), name or "", meta or {}] for path, name, meta in files]
    done = subprocess.run([str(odaapi_python()), "-c", _ENCODE], input=json.dumps(request),
                          capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"oda_api could not encode {request}: {done.stderr[-2000:]}")
    return [json.loads(text) for text in json.loads(done.stdout)]
