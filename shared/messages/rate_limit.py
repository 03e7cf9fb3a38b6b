"""The RateLimiter Durable Object: key classes, shard naming and the RPC payloads (the one place that knows them).

Sharding: one object per (key class, hash shard). The shard is the first `SHARD_HEX_DIGITS` hex digits of
SHA-256(key), so each key class spreads over 16**2 = 256 objects: no single object becomes the bottleneck for all
API traffic, while one key always lands on the same object (its bucket lives there). Names look like `ip:3f`,
`api_key:a0`. Changing `SHARD_HEX_DIGITS` moves keys to new objects (their buckets start full once).

RPC: `await stub.acquire(AcquireRequest(...).model_dump())` returns an `AcquireReply` dict. `now` is the caller's
clock (epoch seconds): the object keeps no clock of its own, so tests drive it with an injected one, and a caller
whose clock lags the bucket's last update simply gets no refill (see `shared.domain.token_bucket`).
`await stub.status(StatusRequest(...).model_dump())` returns a `StatusReply` dict: for each (key, key class) asked,
the whole tokens available at `now`, the bucket's capacity and refill rate, and today's quota use (UTC day). The
client (`shared.adapters.rate_limit`) groups the keys by shard, so every key sent to one object lives there.

Key classes and their limits: `api_key` and `ip` come from `Settings.rate_limits()` (env `RATE_LIMIT_*`). External
providers are key classes named `provider:<name>`, one bucket per key (usually one key per account, e.g. "default"),
with the defaults of `PROVIDER_LIMITS` below — the one place they are written down:

| key class                   | capacity | refill      | daily quota (UTC day) | why                                   |
|-----------------------------|----------|-------------|-----------------------|---------------------------------------|
| `provider:brave`            | 1        | 1 / s       | none                  | Brave Search free plan: 1 query/s     |
| `provider:google_cse`       | 5        | 1 / s       | 100                   | Custom Search JSON API free tier      |
| `provider:millionverifier`  | 10       | 5 / s       | none                  | polite burst for single-email checks  |
| `provider:xai`              | 5        | 0.5 / s     | none                  | 30 requests/min: a cautious tier      |
| `provider:anthropic`        | 5        | 0.8 / s     | none                  | 48/min, under the first tier's 50 RPM |
| `provider:openai`           | 5        | 0.5 / s     | none                  | 30/min: fits Groq's free tier too     |
| `provider:workers_ai`       | 10       | 4 / s       | none                  | 240/min, under the 300/min LLM limit  |
| `provider:xai:tokens`       | 60,000   | 1,000 / s   | 2,000,000             | 60k tokens/min, 2M/day                |
| `provider:anthropic:tokens` | 40,000   | 666 / s     | 1,000,000             | 40k tokens/min (first tier), 1M/day   |
| `provider:openai:tokens`    | 60,000   | 1,000 / s   | 2,000,000             | 60k tokens/min, 2M/day                |
| `provider:workers_ai:tokens`| 100,000  | 1,600 / s   | 5,000,000             | 100k tokens/min, 5M/day               |

The AI provider classes count requests (one token per completion) and, in their `:tokens` classes, LLM tokens: the
gateway takes the prompt's estimated size plus its `max_tokens` before each call (an upper bound, never refunded), so
neither a minute's nor a day's token budget can be overrun. It never waits for either: it tries the next provider
instead (`shared.service_layer.composition.gateway`).

Deployments override or add provider classes with the env var `RATE_LIMIT_PROVIDERS` (JSON object: key class →
`{"capacity", "refill_per_s", "daily_quota"}`; omitted fields keep the default; `"daily_quota": null` removes a quota),
parsed by `provider_limits()`. A daily quota counts the tokens granted per UTC day, keyed by the date (no reset
cron); when it is used up, `acquire` is denied with `retry_after_s` = the seconds until the next UTC midnight (or the
bucket's wait, if longer), and a denied acquire consumes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.token_bucket import BucketLimit
from shared.messages.timing import EpochSeconds

RATE_LIMITER_BINDING = "RATE_LIMITER"
PROVIDER_LIMITS_VAR = "RATE_LIMIT_PROVIDERS"
SHARD_HEX_DIGITS = 2
MAX_STATUS_KEYS = 256  # keys per `status` call to one object (the client splits larger requests)
KEY_CLASS_PATTERN = r"^[a-z0-9_.:-]+$"


class KeyClass(StrEnum):
    API_KEY = "api_key"  # one bucket per authenticated key (its id; "bootstrap" for the API_KEY secret)
    IP = "ip"  # one bucket per client address (IPv6: per /64)
    PROVIDER_BRAVE = "provider:brave"  # Brave Search API
    PROVIDER_GOOGLE_CSE = "provider:google_cse"  # Google Custom Search JSON API
    PROVIDER_MILLIONVERIFIER = "provider:millionverifier"  # MillionVerifier email verification
    PROVIDER_XAI = "provider:xai"  # xAI Grok chat completions
    PROVIDER_ANTHROPIC = "provider:anthropic"  # Anthropic Messages API
    PROVIDER_OPENAI = "provider:openai"  # any OpenAI-compatible endpoint (AI Gateway, OpenAI, Groq, self-hosted)
    PROVIDER_WORKERS_AI = "provider:workers_ai"  # the Workers AI binding
    PROVIDER_XAI_TOKENS = "provider:xai:tokens"  # LLM tokens (prompt + completion) of each AI provider
    PROVIDER_ANTHROPIC_TOKENS = "provider:anthropic:tokens"
    PROVIDER_OPENAI_TOKENS = "provider:openai:tokens"
    PROVIDER_WORKERS_AI_TOKENS = "provider:workers_ai:tokens"


@dataclass(frozen=True, slots=True)
class ClassLimit:
    """The limits of one key class: a token bucket, and optionally a cap on the tokens granted per UTC day."""

    bucket: BucketLimit
    daily_quota: int | None = None

    def __post_init__(self) -> None:
        if self.daily_quota is not None and (isinstance(self.daily_quota, bool) or self.daily_quota < 1):
            raise ValueError(f"a daily quota must be a whole number >= 1, got {self.daily_quota!r}")


PROVIDER_LIMITS: Mapping[str, ClassLimit] = {
    KeyClass.PROVIDER_BRAVE: ClassLimit(BucketLimit(capacity=1, refill_per_s=1.0)),
    KeyClass.PROVIDER_GOOGLE_CSE: ClassLimit(BucketLimit(capacity=5, refill_per_s=1.0), daily_quota=100),
    KeyClass.PROVIDER_MILLIONVERIFIER: ClassLimit(BucketLimit(capacity=10, refill_per_s=5.0)),
    KeyClass.PROVIDER_XAI: ClassLimit(BucketLimit(capacity=5, refill_per_s=0.5)),
    KeyClass.PROVIDER_ANTHROPIC: ClassLimit(BucketLimit(capacity=5, refill_per_s=0.8)),
    KeyClass.PROVIDER_OPENAI: ClassLimit(BucketLimit(capacity=5, refill_per_s=0.5)),
    KeyClass.PROVIDER_WORKERS_AI: ClassLimit(BucketLimit(capacity=10, refill_per_s=4.0)),
    KeyClass.PROVIDER_XAI_TOKENS: ClassLimit(BucketLimit(capacity=60_000, refill_per_s=1_000.0), daily_quota=2_000_000),
    KeyClass.PROVIDER_ANTHROPIC_TOKENS: ClassLimit(
        BucketLimit(capacity=40_000, refill_per_s=666.0), daily_quota=1_000_000
    ),
    KeyClass.PROVIDER_OPENAI_TOKENS: ClassLimit(
        BucketLimit(capacity=60_000, refill_per_s=1_000.0), daily_quota=2_000_000
    ),
    KeyClass.PROVIDER_WORKERS_AI_TOKENS: ClassLimit(
        BucketLimit(capacity=100_000, refill_per_s=1_600.0), daily_quota=5_000_000
    ),
}


def provider_limits(overrides: str | None = None) -> dict[str, ClassLimit]:
    """`PROVIDER_LIMITS` with the `RATE_LIMIT_PROVIDERS` JSON applied (see the module docstring). Raises ValueError
    on malformed JSON, a class name that is not `provider:<name>`, or an invalid limit."""
    limits = {str(k): v for k, v in PROVIDER_LIMITS.items()}
    if overrides is None or not str(overrides).strip():
        return limits
    try:
        parsed: Any = json.loads(str(overrides))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{PROVIDER_LIMITS_VAR} is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise ValueError(f"{PROVIDER_LIMITS_VAR} must be a JSON object of key class -> limits")
    for name, fields in parsed.items():
        if not (isinstance(name, str) and name.startswith("provider:") and _valid_class(name)):
            raise ValueError(f"{PROVIDER_LIMITS_VAR}: {name!r} is not a provider key class (provider:<name>)")
        if not isinstance(fields, dict) or set(fields) - {"capacity", "refill_per_s", "daily_quota"}:
            raise ValueError(f"{PROVIDER_LIMITS_VAR}: {name} takes capacity, refill_per_s and daily_quota")
        base = limits.get(name, ClassLimit(BucketLimit(capacity=1, refill_per_s=1.0)))
        try:
            bucket = BucketLimit(
                float(fields.get("capacity", base.bucket.capacity)),
                float(fields.get("refill_per_s", base.bucket.refill_per_s)),
            )
            quota = fields.get("daily_quota", base.daily_quota)
            if quota is not None and (not isinstance(quota, int) or isinstance(quota, bool)):
                raise ValueError(f"daily_quota must be a whole number or null, got {quota!r}")
            limits[name] = replace(base, bucket=bucket, daily_quota=quota)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{PROVIDER_LIMITS_VAR}: {name}: {exc}") from exc
    return limits


def _valid_class(name: str) -> bool:
    return 1 <= len(name) <= 64 and re.fullmatch(KEY_CLASS_PATTERN, name) is not None


def shard_name(key_class: str, key: str) -> str:
    return f"{key_class}:{hashlib.sha256(key.encode('utf-8')).hexdigest()[:SHARD_HEX_DIGITS]}"


class AcquireRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=512)
    key_class: str = Field(min_length=1, max_length=64, pattern=KEY_CLASS_PATTERN)
    tokens: int = Field(default=1, ge=0, le=1_000_000)
    now: EpochSeconds


class AcquireReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    allowed: bool
    remaining: int = Field(ge=0)
    retry_after_s: float = Field(ge=0)


class StatusKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=512)
    key_class: str = Field(min_length=1, max_length=64, pattern=KEY_CLASS_PATTERN)


class StatusRequest(BaseModel):
    """Read-only: asks one shard object about keys that live in it (nothing is written, no bucket is created)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    keys: list[StatusKey] = Field(max_length=MAX_STATUS_KEYS)
    now: EpochSeconds


class KeyStatus(BaseModel):
    """One key's limits as of `now`: `available` whole tokens (a never-used or swept key is full), the bucket, and
    today's quota (UTC `quota_day`; `daily_quota`/`quota_remaining`/`quota_resets_at` are null without a quota)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    key_class: str
    available: int = Field(ge=0)
    tokens: float = Field(ge=0)  # the exact (fractional) bucket level
    capacity: float
    refill_per_s: float
    full_in_s: float = Field(ge=0)  # seconds until the bucket is full again
    quota_day: str  # YYYY-MM-DD, UTC
    quota_used: int = Field(ge=0)
    daily_quota: int | None = None
    quota_remaining: int | None = None
    quota_resets_at: float | None = None  # epoch seconds of the next UTC midnight


class StatusReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    items: list[KeyStatus]  # in the order asked
