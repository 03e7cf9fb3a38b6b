"""Keyset pagination cursors: opaque to clients, tamper-evident, never OFFSET.

A cursor encodes the sort key of the last row a page returned. It is URL-safe base64 of JSON plus a short checksum,
so a forged or truncated cursor is rejected (`ValidationFailed`) instead of silently returning the wrong page.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from shared.domain.errors import ValidationFailed

_CHECK_BYTES = 6


def _check(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=_CHECK_BYTES, person=b"jengu-cursor").digest()


def encode_cursor(key: list[Any]) -> str:
    data = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(_check(data) + data).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        check, data = raw[:_CHECK_BYTES], raw[_CHECK_BYTES:]
        if len(cursor) > 512 or check != _check(data):
            raise ValueError("checksum")
        key = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("invalid cursor") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise ValidationFailed("invalid cursor")
    return key
