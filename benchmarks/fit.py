"""Seconds per spectral fit, per model, with and without errors.

Ours: ``Spectrum.fit(model, (20, 300), 0.01)`` on a decoded product, i.e. everything a click on
Fit costs in the kernel: the PHA read by Sherpa, the model built, the normalisation started from
the data, the fit, and the errors (covariance by default, or Sherpa's confidence method). The
ARF and RMF are read once per product and kept: the first fit's extra cost is printed apart.

Baseline: Sherpa's own session (``sherpa.astro.ui``), as a user writes it by hand with the same
files written by ``Spectrum.write_fits``: data loaded once (``load_pha(..., use_errors=True)``,
``notice(20, 300)``, ``set_syserror(0.01, fractional=True)``), then ``fit()`` and ``covar()``
timed. Its models are Sherpa's built-ins: ``powlaw1d``; ``powlaw1d * exp`` with the exponential
evaluated at the bins' low edges (``integrate=False``) for the cut-off power law; ``bpl1d``.

Each model is fitted to a spectrum it describes (a poor fit's figures would mean little): the
power law to the sandbox's ISGRI spectrum of the Crab (2017, ten science windows); the cut-off
power law (index 1.5, 120 keV) and the broken power law (1.8, 60 keV, 2.6) to spectra folded
through the real ISGRI RMF of ``../shared/data`` with Poisson noise. "first" is the first fit of a
product, which reads its ARF and RMF.

Run: ``.venv/bin/python benchmarks/fit.py [repeats]`` (about a minute for the default 15).
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from timing import median_ms  # benchmarks/timing.py, beside this script

BAND = (20.0, 300.0)
SYSTEMATIC = 0.01


def sandbox_crab() -> Any:
    """The Crab's spectrum product as the client decodes it from the sandbox's answer."""
    from oda_widgets.client.products.product_set import decode_products
    from oda_widgets.sandbox.simulate import make_products
    from oda_widgets.sandbox.simulate.pointings import science_windows

    params = dict(RA=83.5, DEC=22.0, T1="2017-01-01T00:00:00", T2="2017-12-31T23:59:59",
                  E1_keV=20.0, E2_keV=80.0, selected_catalog=None,
                  catalog_selected_objects=None, src_name="Crab")
    scws = science_windows(params["T1"], params["T2"], params["RA"], params["DEC"], 10.0, 10,
                           None)
    answer = make_products("isgri", "isgri_spectrum", params, scws)
    return decode_products(answer, product="isgri_spectrum", instrument="isgri").spectra["Crab"]


def real_rmf_spectrum(model: str) -> Any | None:
    """A spectrum of ``model`` folded through the real ISGRI RMF (flat ARF), Poisson noise."""
    from harness import simulated_spectra  # benchmarks/harness.py: the tests' simulated spectra

    ISGRI_RMF, Simulator = simulated_spectra.ISGRI_RMF, simulated_spectra.Simulator
    bknpower, cutoffpl = simulated_spectra.bknpower, simulated_spectra.cutoffpl

    if not ISGRI_RMF.exists():
        return None
    if model == "cutoffpl":
        return Simulator().spectrum(lambda e: cutoffpl(e, 1.5, 120.0, 0.5), 2e4, 1, True)
    return Simulator().spectrum(lambda e: bknpower(e, 1.8, 60.0, 2.6, 1.0), 2e4, 1, True)


def session_fit(ui: Any, model: str, do_covar: bool) -> None:
    if model == "powerlaw":
        ui.set_source(ui.powlaw1d.p)
        ui.get_model_component("p").gamma = 2.0
        ui.get_model_component("p").ampl = 1.0
    elif model == "cutoffpl":
        ui.set_source(ui.powlaw1d.p * ui.exp.c)
        p, c = ui.get_model_component("p"), ui.get_model_component("c")
        p.gamma, p.ampl = 1.5, 1.0
        c.integrate = False
        c.offset, c.coeff, c.ampl = 0.0, -0.01, 1.0
        c.offset.freeze()
        c.ampl.freeze()
    else:
        ui.set_source(ui.bpl1d.b)
        b = ui.get_model_component("b")
        b.gamma1, b.gamma2, b.eb, b.ampl = 2.0, 2.2, 100.0, 1.0
    ui.fit()
    if do_covar:
        ui.covar()


def bench(model: str, title: str, spectrum: Any, repeats: int) -> None:
    from sherpa.astro import ui

    with tempfile.TemporaryDirectory() as folder:
        pha_path = spectrum.write_fits(Path(folder) / "spectrum.fits")[0]
        ui.clean()
        ui.load_pha(str(pha_path), use_errors=True)
        ui.set_analysis("energy")
        ui.notice(*BAND)
        ui.set_syserror(SYSTEMATIC, fractional=True)
        ui.set_stat("chi2")
        ui.set_method("levmar")
        start = time.perf_counter()
        spectrum.fit(model, BAND, SYSTEMATIC)  # the first fit reads the ARF and RMF once
        first = (time.perf_counter() - start) * 1000
        ours = median_ms(lambda: spectrum.fit(model, BAND, SYSTEMATIC, errors=None), repeats)
        ours_cov = median_ms(lambda: spectrum.fit(model, BAND, SYSTEMATIC), repeats)
        ours_conf = median_ms(lambda: spectrum.fit(model, BAND, SYSTEMATIC, errors="confidence"),
                              max(3, repeats // 3))
        base = median_ms(lambda: session_fit(ui, model, False), repeats)
        base_cov = median_ms(lambda: session_fit(ui, model, True), repeats)
    result = spectrum.fit(model, BAND, SYSTEMATIC)
    print(f"{model:<9} {first:6.0f} {ours:9.1f} {ours_cov:8.1f} {ours_conf:8.1f} {base:12.1f} "
          f"{base_cov:8.1f} {ours / base:10.2f} {ours_cov / base_cov:13.2f}   {title}")
    best = ", ".join(f"{k} {v:.4g}" for k, v in result.best.items() if k != "norm")
    print(f"{'':<9} ({best}; {result.statistic_text()})")


def main(repeats: int = 15) -> None:
    from sherpa.astro import ui

    ui.set_conf_opt("sigma", 1)
    for name in ("sherpa", "sherpa.astro.ui.utils", "sherpa.ui.utils", "sherpa.fit"):
        logging.getLogger(name).setLevel(logging.ERROR)
    print(f"Spectral fit, {BAND[0]:g}-{BAND[1]:g} keV, systematic {SYSTEMATIC}, chi2, "
          f"Levenberg-Marquardt; median of {repeats}")
    print("baseline: Sherpa's own session (load_pha once, then fit/covar) with its built-in "
          "models")
    print(f"\n{'model':<9} {'first':>6} {'ours fit':>9} {'+covar':>8} {'+conf':>8} "
          f"{'session fit':>12} {'+covar':>8} {'ratio fit':>10} {'ratio +covar':>13}   "
          "spectrum (median ms)")
    bench("powerlaw", "sandbox ISGRI Crab, 2017, 10 science windows", sandbox_crab(), repeats)
    for model in ("cutoffpl", "bknpower"):
        spectrum = real_rmf_spectrum(model)
        if spectrum is None:
            print(f"{model:<9} (real ISGRI RMF not found in ../shared/data: skipped)")
            continue
        bench(model, "folded through the real ISGRI RMF, flat ARF", spectrum, repeats)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
