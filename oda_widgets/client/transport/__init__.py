"""Talking to a dispatcher: HTTP with retries and deadlines, which site, the token, redaction."""
