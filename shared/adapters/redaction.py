"""Keeping credentials out of error details and logs: a vendor's error text may echo our key, whole, URL-encoded or
partly masked, so `redact` removes the secret in every form and any 8-character piece of it."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

WINDOW = 8


def redact(text: str, secret: str | None) -> str:
    """`text` without the secret (plain or URL-encoded) nor any 8-character piece of it."""
    if not secret:
        return text
    for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
        text = text.replace(form, "[redacted]")
    for start in range(max(0, len(secret) - WINDOW + 1)):
        piece = secret[start : start + WINDOW]
        if piece in text:
            text = text.replace(piece, "[redacted]")
    return text
