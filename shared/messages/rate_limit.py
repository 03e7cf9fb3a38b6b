"""The RateLimiter Durable Object: key classes, shard naming and the RPC payloads (the one place that knows them).

Sharding: one object per (key class, hash shard). The shard is the first `SHARD_HEX_DIGITS` hex digits of
SHA-256(key), so each key class spreads over 16**2 = 256 objects: no single object becomes the bottleneck for all
API traffic, while one key always lands on the same object (its bucket lives there). Names look like `ip:3f`,
`api_key:a0`. Changing `SHARD_HEX_DIGITS` moves keys to new objects (their buckets start full once).

RPC: `await stub.acquire(AcquireRequest(...).model_dump())` returns an `AcquireReply` dict. `now` is the caller's
clock (epoch seconds): the object keeps no clock of its own, so tests drive it with an injected one, and a caller
whose clock lags the bucket's last update simply gets no refill (see `shared.domain.token_bucket`).
"""

from __future__ import annotations

import hashlib
import math
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

RATE_LIMITER_BINDING = "RATE_LIMITER"
SHARD_HEX_DIGITS = 2


class KeyClass(StrEnum):
    API_KEY = "api_key"  # one bucket per authenticated key (its id; "bootstrap" for the API_KEY secret)
    IP = "ip"  # one bucket per client address (IPv6: per /64)


def shard_name(key_class: str, key: str) -> str:
    return f"{key_class}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:SHARD_HEX_DIGITS]}"


class AcquireRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=512)
    key_class: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    tokens: int = Field(default=1, ge=0, le=1_000_000)
    now: float

    @field_validator("now")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("now must be a finite number of epoch seconds")
        return value


class AcquireReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    allowed: bool
    remaining: int = Field(ge=0)
    retry_after_s: float = Field(ge=0)
