"""Helpers shared by the test tiers (on pytest's path through ``pythonpath`` in pyproject.toml)."""
