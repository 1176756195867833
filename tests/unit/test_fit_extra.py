"""Without the fit extra, fitting says how to get it; the client never loads analysis by itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]

# A None entry in sys.modules makes `import sherpa` raise ImportError in that process only: the
# shared environment keeps its Sherpa
_WITHOUT_SHERPA = "import sys\nsys.modules['sherpa'] = None\n"


def _run(code: str) -> Any:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(REPO / "tests")]))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_fit_without_sherpa_names_the_extra_and_the_build_packages():
    out = _run(_WITHOUT_SHERPA + textwrap.dedent("""
        import json
        import numpy as np
        from support.simulated_spectra import pha_hdulist, spectrum_product
        from oda_widgets.analysis.fit_extra import FitUnavailable, fitting_available
        spectrum = spectrum_product(pha_hdulist(np.ones(256), 100.0, True), None, None)
        try:
            spectrum.fit(model="cutoffpl", energy_range=(20, 300), systematic=0.01)
        except FitUnavailable as exc:
            print(json.dumps({"message": str(exc), "import_error": isinstance(exc, ImportError),
                              "available": fitting_available()}))
    """))
    assert "pip install 'oda_widgets[fit]'" in out["message"]
    assert "apt-get install bison flex libfftw3-dev" in out["message"]
    assert out["import_error"] and out["available"] is False


def test_importing_the_client_loads_neither_analysis_nor_sherpa():
    out = _run(textwrap.dedent("""
        import json, sys
        import oda_widgets.client
        from oda_widgets.client.products.spectrum import Spectrum
        print(json.dumps([m for m in sys.modules
                          if m.startswith(("oda_widgets.analysis", "sherpa"))]))
    """))
    assert out == []


@pytest.mark.shared
def test_the_fit_button_without_sherpa_says_how_to_get_it_and_the_spectrum_still_draws():
    out = _run(_WITHOUT_SHERPA + textwrap.dedent("""
        import json
        from support.simulated_spectra import Simulator, cutoffpl
        import oda_widgets as ow
        sim = Simulator()
        view = ow.SpectrumView({"Crab": sim.spectrum(lambda e: cutoffpl(e, 2.0, 300.0, 9.0),
                                                     1e4, 1, True)})
        points = len(view._marks["Crab"].points.x)
        view.fit_button.click()
        print(json.dumps({"status": view.status, "fits": len(view.fits), "points": points}))
    """))
    assert "pip install 'oda_widgets[fit]'" in out["status"]
    assert out["fits"] == 0 and out["points"] > 100
