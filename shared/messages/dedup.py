"""The Dedup Durable Object: shard naming and the RPC payloads (the one place that knows them).

Sharding: one object per hash shard, the first `SHARD_HEX_DIGITS` hex digits of SHA-256(key), so the keys spread
over 16**2 = 256 objects (names `shard:00` .. `shard:ff`) and one key always lands on the same object, which is what
makes "first claim wins" hold: the object runs one call at a time.

RPC: `await stub.claim(ClaimRequest(...).model_dump())` returns a `ClaimReply` dict; `release` takes a
`ReleaseClaimRequest` dict and returns a `ReleaseClaimReply` dict. `now` is the caller's clock (epoch seconds): the
object keeps no clock of its own. A claim is in force while `now < expires_at` (`expires_at = claimed_at + ttl_s`).
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field

from shared.messages.timing import EpochSeconds

DEDUP_BINDING = "DEDUP"
SHARD_HEX_DIGITS = 2
MAX_KEY_CHARS = 512
MIN_TTL_S = 1.0
MAX_TTL_S = 24 * 3600.0


def shard_name(key: str) -> str:
    """The name of the Dedup object that owns `key` (use with `ns.idFromName`)."""
    return f"shard:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:SHARD_HEX_DIGITS]}"


class ClaimRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=MAX_KEY_CHARS, description="e.g. `queue:<message id>`")
    ttl_s: float = Field(ge=MIN_TTL_S, le=MAX_TTL_S, description="how long the claim stays in force")
    owner: str = Field(min_length=1, max_length=MAX_KEY_CHARS, description="who claims (worker, consumer, ...)")
    now: EpochSeconds


class ClaimReply(BaseModel):
    """The claim in force after the call: the caller's own (`first`) or the earlier one it collided with."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    first: bool
    claimed_at: float
    owner: str
    expires_at: float


class ReleaseClaimRequest(BaseModel):
    """Drop a claim early (e.g. its work failed and must be retried); only the claim's owner can."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=MAX_KEY_CHARS)
    owner: str = Field(min_length=1, max_length=MAX_KEY_CHARS)
    now: EpochSeconds


class ReleaseClaimReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    released: bool
    owner: str | None = None  # the owner of the claim in force when not released (None: no claim)
