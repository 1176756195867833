"""The browser tier's fixtures are the harness's (``tests/support/browser_harness.py``),
registered for every tier in ``tests/conftest.py``."""
