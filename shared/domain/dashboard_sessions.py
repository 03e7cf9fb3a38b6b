"""Dashboard sessions (pure rules): the cookie token and its hash, expiry, CSRF comparison, safe redirects.

A person signs in with an API key and gets a session: the cookie `jengu_session` carries a random token
(`format_token` of 32 random bytes drawn by the caller); only its SHA-256 is stored, so a leaked table opens no
session. Each session has its own CSRF token, which every state-changing form posts back.

A session ends at the first of: logout (revoked), 12 hours without a request (`IDLE_TIMEOUT`, measured from
`last_seen_at`, which is written at most once per `TOUCH_INTERVAL`), 7 days after sign-in (`ABSOLUTE_LIFETIME`,
`expires_at`), or the revocation of the API key it was opened with (checked on every request by the caller).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

COOKIE_NAME = "jengu_session"
TOKEN_BYTES = 32
IDLE_TIMEOUT = timedelta(hours=12)
ABSOLUTE_LIFETIME = timedelta(days=7)
TOUCH_INTERVAL = timedelta(minutes=1)
MAX_USER_AGENT = 300
DEFAULT_NEXT = "/app/"
_TOKEN_LENGTH = 43  # 32 bytes, URL-safe base64 without padding
_MAX_NEXT = 2000


@dataclass(frozen=True, slots=True)
class StoredSession:
    """One row of `dashboard_sessions` (the token itself is never stored)."""

    token_hash: str
    api_key_id: str
    csrf: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None = None
    user_agent: str | None = None

    def active_at(self, now: datetime) -> bool:
        """Not revoked, within its absolute lifetime and used within the idle timeout."""
        return self.revoked_at is None and now < self.expires_at and now < self.last_seen_at + IDLE_TIMEOUT

    def due_for_touch(self, now: datetime) -> bool:
        return now - self.last_seen_at >= TOUCH_INTERVAL

    def seen(self, now: datetime) -> StoredSession:
        return replace(self, last_seen_at=now)


def format_token(secret: bytes) -> str:
    """The cookie value (or CSRF token) for `secret` random bytes."""
    if len(secret) < 16:
        raise ValueError("a session token needs at least 16 random bytes")
    return base64.urlsafe_b64encode(secret).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(value: str | None) -> bool:
    """Cheap shape check before any lookup (a cookie of ours is 43 URL-safe base64 characters)."""
    if not value or len(value) != _TOKEN_LENGTH:
        return False
    return all(c.isascii() and (c.isalnum() or c in "-_") for c in value)


def new_session(
    token: str, *, api_key_id: str, csrf: str, now: datetime, user_agent: str | None = None
) -> StoredSession:
    agent = (user_agent or "").strip()[:MAX_USER_AGENT] or None
    return StoredSession(
        token_hash=hash_token(token), api_key_id=api_key_id, csrf=csrf, created_at=now,
        expires_at=now + ABSOLUTE_LIFETIME, last_seen_at=now, user_agent=agent,
    )  # fmt: skip


def csrf_matches(expected: str, presented: str | None) -> bool:
    """Constant-time comparison; an absent or empty token never matches."""
    if not presented or not expected:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))


def safe_next(value: str | None, default: str = DEFAULT_NEXT) -> str:
    """`value` when it is a path on this site (`/app/prospects?q=x`), else `default`: no scheme, no host, no
    protocol-relative `//host` or `/\\host` (browsers read a backslash as a slash), no control characters."""
    if not value or len(value) > _MAX_NEXT or not value.startswith("/"):
        return default
    if value.startswith(("//", "/\\")) or "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def cross_site(*, origin: str | None, sec_fetch_site: str | None, own_origin: str) -> bool:
    """Whether a state-changing request comes from another site: a browser's `Sec-Fetch-Site` other than
    same-origin (or `none`, a person's own navigation), or an `Origin` that is not ours (`null` included)."""
    site = (sec_fetch_site or "").strip().lower()
    if site and site not in ("same-origin", "none"):
        return True
    if origin is None:
        return False
    return origin.strip().rstrip("/").lower() != own_origin.rstrip("/").lower()
