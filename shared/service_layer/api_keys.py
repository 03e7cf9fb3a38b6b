"""API keys: create one (the plaintext is returned once), revoke one, and authenticate a presented bearer key.

Authentication accepts the `API_KEY` secret (the bootstrap key, compared in constant time) and stored keys, found
by the SHA-256 of what was presented (an index lookup on a hash of 256 random bits: its timing reveals nothing
usable about any key). Revoked keys are refused. A stored
key's `last_used_at` is written at most once a minute, so a busy key costs no write per request, and a failure of
that bookkeeping write never fails the request.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterable

from shared.domain.api_keys import (
    BOOTSTRAP_PRINCIPAL,
    KNOWN_SCOPES,
    SECRET_BYTES,
    TOUCH_INTERVAL,
    ApiKey,
    Principal,
    display_prefix,
    due_for_touch,
    format_key,
    hash_key,
    looks_like_key,
)
from shared.domain.errors import NotFound, ValidationFailed
from shared.observability.log import Logger
from shared.ports.api_keys import ApiKeyRepository
from shared.ports.runtime import Clock, IdFactory

MAX_NAME_LENGTH = 100


async def create_api_key(
    name: str,
    scopes: Iterable[str] = (),
    *,
    api_keys: ApiKeyRepository,
    clock: Clock,
    ids: IdFactory,
    log: Logger,
    token_bytes: Callable[[int], bytes] = secrets.token_bytes,
) -> tuple[ApiKey, str]:
    """Store a new key; returns it and its plaintext (shown to the caller once, never stored)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(f"a key name must have 1 to {MAX_NAME_LENGTH} characters")
    wanted = tuple(dict.fromkeys(scopes))
    unknown = sorted(set(wanted) - KNOWN_SCOPES)
    if unknown:
        raise ValidationFailed(f"unknown scopes: {', '.join(unknown)}", details={"known": sorted(KNOWN_SCOPES)})
    plaintext = format_key(token_bytes(SECRET_BYTES))
    key = ApiKey(id=ids.new_id(), name=name, prefix=display_prefix(plaintext), scopes=wanted, created_at=clock.now())
    await api_keys.add(key, hash_key(plaintext))
    log.info("api key created", api_key_id=key.id, prefix=key.prefix, scopes=list(key.scopes))
    return key, plaintext


async def revoke_api_key(key_id: str, *, api_keys: ApiKeyRepository, clock: Clock, log: Logger) -> ApiKey:
    """Revoke a stored key (idempotent: revoking a revoked key changes nothing). Unknown ids are NotFound."""
    key = await api_keys.get(key_id)
    if key is None:
        raise NotFound(f"api key {key_id} does not exist")
    if not key.revoked and await api_keys.revoke(key_id, clock.now()):
        log.info("api key revoked", api_key_id=key_id, prefix=key.prefix)
    revoked = await api_keys.get(key_id)
    assert revoked is not None
    return revoked


async def authenticate(
    presented: str,
    *,
    bootstrap_key: str | None,
    api_keys: ApiKeyRepository,
    clock: Clock,
    log: Logger,
) -> Principal | None:
    """Who `presented` is, or None when it is no valid key (without saying why: callers answer one 401)."""
    if bootstrap_key and hmac.compare_digest(presented.encode("utf-8"), bootstrap_key.encode("utf-8")):
        return BOOTSTRAP_PRINCIPAL
    if not looks_like_key(presented):
        return None
    digest = hash_key(presented)
    key = await api_keys.find_by_hash(digest)
    if key is None or key.revoked:
        return None
    now = clock.now()
    if due_for_touch(key.last_used_at, now):
        try:
            await api_keys.touch(key.id, now, not_since=now - TOUCH_INTERVAL)
        except Exception as exc:  # bookkeeping only: never fail a request over it
            log.warning("api key last_used_at not recorded", api_key_id=key.id, error=f"{type(exc).__name__}: {exc}")
    return Principal(key_id=key.id, name=key.name, scopes=key.scopes)
