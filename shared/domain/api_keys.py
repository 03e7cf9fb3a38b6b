"""API keys: their format, how they are hashed and displayed, scopes, and who a request acts as (`Principal`).

A key is `jengu_<43 url-safe base64 characters>` (32 random bytes). Only its SHA-256 (hex) is stored, so a leaked
database leaks no usable key; the plaintext is shown once, when the key is created. The first `PREFIX_LENGTH`
characters are kept in clear to tell keys apart in listings.

Scopes are a JSON list stored with the key: `"*"` grants everything, `"admin"` grants the key-management routes; a
key with no scopes may use every non-admin route. The `API_KEY` secret (the bootstrap key) acts with `"*"`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

KEY_PREFIX = "jengu_"
SECRET_BYTES = 32
PREFIX_LENGTH = 12
MAX_KEY_LENGTH = 200  # anything longer is not one of ours: refused without a lookup
ALL_SCOPES = "*"
ADMIN_SCOPE = "admin"
KNOWN_SCOPES = frozenset({ALL_SCOPES, ADMIN_SCOPE})
BOOTSTRAP_KEY_ID = "bootstrap"
TOUCH_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often per key


class ApiKey(BaseModel):
    """A stored key as listings show it: never the secret, never its hash."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who an authenticated request acts as."""

    key_id: str
    name: str
    scopes: tuple[str, ...]

    def allows(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes


BOOTSTRAP_PRINCIPAL = Principal(key_id=BOOTSTRAP_KEY_ID, name="bootstrap (API_KEY secret)", scopes=(ALL_SCOPES,))


def format_key(secret: bytes) -> str:
    """The plaintext key for `secret` random bytes."""
    if len(secret) < 16:
        raise ValueError("an API key needs at least 16 random bytes")
    return KEY_PREFIX + base64.urlsafe_b64encode(secret).rstrip(b"=").decode("ascii")


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def display_prefix(plaintext: str) -> str:
    return plaintext[:PREFIX_LENGTH]


def looks_like_key(presented: str) -> bool:
    """Cheap shape check before any lookup: our prefix, a sane length, URL-safe base64 characters only."""
    if not presented.startswith(KEY_PREFIX) or not (len(KEY_PREFIX) + 16 <= len(presented) <= MAX_KEY_LENGTH):
        return False
    body = presented[len(KEY_PREFIX) :]
    return all(c.isascii() and (c.isalnum() or c in "-_") for c in body)


def due_for_touch(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at `now` should be written to `last_used_at` (at most once per `TOUCH_INTERVAL`)."""
    return last_used_at is None or now - last_used_at >= TOUCH_INTERVAL
