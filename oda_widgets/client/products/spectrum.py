"""Spectra: a PHA with its ARF and RMF, written as three OGIP files XSPEC loads unchanged.

The dispatcher sends a source's spectrum, effective area and response as three separate
products whose meta_data ``product`` is ``isgri_spectrum``/``isgri_arf``/``isgri_rmf`` (or the
``jemx_`` ones) and whose ``src_name`` is the source. They are grouped here by source.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from astropy.io import fits

from ..errors import OdaError
from .base import output_path, write_hdulist
from .kinds import NumpyProduct

if TYPE_CHECKING:  # for the annotation only: fitting is loaded when a fit runs
    from ...analysis.spectral_fit import SpectralFit

__all__ = ["Spectrum", "spectral_role"]


def spectral_role(hdulist: fits.HDUList, meta_data: dict[str, Any]) -> str | None:
    """``'spectrum'``, ``'arf'`` or ``'rmf'`` for a part of a spectrum, else ``None``.

    From meta_data ``product`` (``*_spectrum``, ``*_arf``, ``*_rmf``), else from the OGIP
    HDUCLAS keywords.
    """
    product = str(meta_data.get("product") or "").lower()
    for suffix, role in (("_spectrum", "spectrum"), ("_arf", "arf"), ("_rmf", "rmf")):
        if product.endswith(suffix):
            return role
    classes = [
        (
            str(h.header.get("HDUCLAS1", "")).strip().upper(),
            str(h.header.get("HDUCLAS2", "")).strip().upper(),
        )
        for h in hdulist[1:]
    ]
    if any(c1 == "SPECTRUM" for c1, _ in classes):
        return "spectrum"
    if any(c2 == "RSP_MATRIX" for _, c2 in classes):
        return "rmf"
    if any(c1 == "RESPONSE" and c2 == "SPECRESP" for c1, c2 in classes):
        return "arf"
    return None


def spectrum_hdu_index(hdulist: fits.HDUList) -> int:
    """Index of the PHA table: HDUCLAS1 SPECTRUM, else EXTNAME SPECTRUM/*-SPE, else first table."""
    tables = [i for i, h in enumerate(hdulist) if isinstance(h, fits.BinTableHDU)]
    for i in tables:
        if str(hdulist[i].header.get("HDUCLAS1", "")).strip().upper() == "SPECTRUM":
            return i
    for i in tables:
        name = (hdulist[i].name or "").upper()
        if name == "SPECTRUM" or name.endswith("-SPE"):
            return i
    if not tables:
        raise ValueError("the spectrum product holds no table")
    return tables[0]


class Spectrum(NumpyProduct):
    """A source spectrum with its responses.

    Attributes
    ----------
    source : str or None
        The source (meta_data ``src_name``).
    pha : astropy.io.fits.HDUList
        The spectrum (PHA).
    arf, rmf : astropy.io.fits.HDUList or None
        Its effective area and redistribution matrix, when the server sent them.
    arf_product, rmf_product : NumpyProduct or None
        The products they came from (items of the product set in their own right).
    """

    kind = "spectrum"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        src = self.meta_data.get("src_name")
        self.source: str | None = str(src) if src else None
        self.arf_product: NumpyProduct | None = None
        self.rmf_product: NumpyProduct | None = None

    @property
    def pha(self) -> fits.HDUList:
        return self.hdulist

    @property
    def arf(self) -> fits.HDUList | None:
        return self.arf_product.hdulist if self.arf_product is not None else None

    @property
    def rmf(self) -> fits.HDUList | None:
        return self.rmf_product.hdulist if self.rmf_product is not None else None

    def pha_for_files(
        self, arf_name: str | None, rmf_name: str | None, systematic: float = 0.0
    ) -> fits.HDUList:
        """A copy of the PHA pointing at response files ``rmf_name``/``arf_name``, with
        ``SYS_ERR`` set to ``systematic`` (fraction of the rate) and the OGIP keywords XSPEC
        needs present."""
        copy = fits.HDUList([hdu.copy() for hdu in self.hdulist])
        index = spectrum_hdu_index(copy)
        hdu = copy[index]
        header = hdu.header
        header["RESPFILE"] = rmf_name or "NONE"
        header["ANCRFILE"] = arf_name or "NONE"
        columns = [n.upper() for n in hdu.columns.names]
        if "SYS_ERR" in columns:
            hdu.data[hdu.columns.names[columns.index("SYS_ERR")]][:] = systematic
            header.remove("SYS_ERR", ignore_missing=True)
        else:
            header["SYS_ERR"] = (float(systematic), "fractional systematic error")
        for key, value in (
            ("BACKFILE", "NONE"),
            ("CORRFILE", "NONE"),
            ("CORRSCAL", 1.0),
            ("AREASCAL", 1.0),
            ("BACKSCAL", 1.0),
            ("POISSERR", "STAT_ERR" not in columns),
        ):
            if key not in header:
                header[key] = value
        return copy

    def write_fits(
        self, path: str | Path, overwrite: bool = False, systematic: float = 0.0
    ) -> list[Path]:
        """Write PHA, ARF and RMF as files next to each other.

        Parameters
        ----------
        path : str or Path
            The PHA file, or a directory to write ``<name>.fits`` in; the ARF and RMF go beside
            it as ``<stem>_arf.fits`` and ``<stem>_rmf.fits``.
        overwrite : bool
            Replace existing files.
        systematic : float
            Fractional systematic error written as SYS_ERR.

        Returns
        -------
        list of Path
            PHA first, then the ARF and RMF that exist.
        """
        pha_path = output_path(path, self.name, ".fits")
        arf_path = pha_path.with_name(pha_path.stem + "_arf.fits") if self.arf else None
        rmf_path = pha_path.with_name(pha_path.stem + "_rmf.fits") if self.rmf else None
        targets = [p for p in (pha_path, arf_path, rmf_path) if p is not None]
        existing = [p for p in targets if p.exists()]
        if existing and not overwrite:
            raise FileExistsError(f"{existing[0]} exists; pass overwrite=True to replace it")
        pha = self.pha_for_files(
            arf_path.name if arf_path else None, rmf_path.name if rmf_path else None, systematic
        )
        written = [write_hdulist(pha, pha_path, overwrite)]
        if arf_path is not None and self.arf is not None:
            written.append(write_hdulist(self.arf, arf_path, overwrite))
        if rmf_path is not None and self.rmf is not None:
            written.append(write_hdulist(self.rmf, rmf_path, overwrite))
        return written

    def fit(
        self,
        model: str = "powerlaw",
        energy_range: tuple[float, float] | None = None,
        systematic: float | None = None,
        **options: Any,
    ) -> SpectralFit:
        """Fit an XSPEC-named model folded through this spectrum's ARF and RMF.

        A thin front to :func:`oda_widgets.analysis.spectral_fit.fit_spectrum`, found as the
        package's ``oda_widgets.spectral_fit`` entry point (the client sits below the analysis
        layer and does not import it; see there for
        ``statistic``, ``start``, ``freeze`` and ``errors``); it needs the ``fit`` extra
        (``pip install 'oda_widgets[fit]'``).

        Parameters
        ----------
        model : str
            ``"powerlaw"``, ``"cutoffpl"`` or ``"bknpower"``.
        energy_range : (float, float), optional
            keV, e.g. ``(20, 300)``; all channels of good quality by default.
        systematic : float, optional
            Fractional systematic error (``SYS_ERR``), e.g. 0.01; the PHA's own by default.

        Returns
        -------
        oda_widgets.analysis.spectral_fit.SpectralFit
            ``values``, ``statistic``, ``dof``, ``flux(e1, e2)``, ``summary()``.
        """
        return _fitting()(self, model, energy_range, systematic, **options)

    def summary(self) -> str:
        parts = (
            ["PHA"] + (["ARF"] if self.arf_product else []) + (["RMF"] if self.rmf_product else [])
        )
        return f"{self.source or 'unknown source'}: " + " + ".join(parts)


def _fitting() -> Callable[..., SpectralFit]:
    """The analysis layer's ``fit_spectrum``, as the installed package declares it."""
    from importlib.metadata import entry_points

    found = entry_points(group="oda_widgets.spectral_fit", name="fit_spectrum")
    if not found:
        raise OdaError(
            "spectral fitting is not installed with this oda_widgets (its package metadata "
            "names no oda_widgets.spectral_fit entry point): reinstall it, "
            "pip install 'oda_widgets[fit]'"
        )
    fit_spectrum: Callable[..., SpectralFit] = next(iter(found)).load()
    return fit_spectrum
