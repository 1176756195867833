"""The browser tier's fixtures: the harness of ``tests/support/browser_harness.py``."""

from support.browser_harness import browser, browser_dir, jupyterlab, lab, sandbox

__all__ = ["browser", "browser_dir", "jupyterlab", "lab", "sandbox"]
