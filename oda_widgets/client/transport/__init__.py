"""Talking to a dispatcher: HTTP with retries and deadlines, which site, the token, redaction."""

__all__: list[str] = []  # nothing at package level: import from the modules
