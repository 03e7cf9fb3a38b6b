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
with the defaults of `PROVIDER_LIMITS` below — the one place they are written down (plan figures checked 2026):

| key class                    | capacity | refill    | per UTC day | per UTC month | why                         |
|------------------------------|----------|-----------|-------------|---------------|-----------------------------|
| `provider:brave`             | 1        | 1 / s     | none        | 1,000         | Brave Search plan [1]       |
| `provider:google_cse`        | 5        | 1 / s     | 100         | none          | Custom Search JSON API [2]  |
| `provider:searxng`           | 2        | 2 / s     | none        | none          | self-hosted: polite to it   |
| `provider:millionverifier`   | 10       | 5 / s     | none        | none          | polite single checks [3]    |
| `provider:zerobounce`        | 10       | 5 / s     | none        | none          | polite; allows far more [4] |
| `provider:xai`               | 5        | 0.5 / s   | none        | none          | 30 requests/min: cautious   |
| `provider:anthropic`         | 5        | 0.8 / s   | none        | none          | 48/min, under tier 1's 50   |
| `provider:openai`            | 5        | 0.5 / s   | none        | none          | 30/min: fits Groq's free    |
| `provider:workers_ai`        | 10       | 4 / s     | none        | none          | 240/min, under 300/min      |
| `provider:xai:tokens`        | 60,000   | 1,000 / s | 2,000,000   | none          | 60k tokens/min, 2M/day      |
| `provider:anthropic:tokens`  | 40,000   | 666 / s   | 1,000,000   | none          | 40k tokens/min, 1M/day      |
| `provider:openai:tokens`     | 60,000   | 1,000 / s | 2,000,000   | none          | 60k tokens/min, 2M/day      |
| `provider:workers_ai:tokens` | 100,000  | 1,600 / s | 5,000,000   | none          | 100k tokens/min, 5M/day     |

[1] Brave's Search plan (api-dashboard.search.brave.com; pricing as described at apidog.com/blog/brave-api-key, Sept
    2026): $5 per 1,000 requests with $5 of free credit a month, i.e. 1,000 free requests (50 requests/s allowed;
    1/s here, the old free plan's limit). The legacy free "Data for Search" plan allowed 1 query/s and 2,000 a month:
    an account still on it sets `{"provider:brave": {"monthly_quota": 2000}}`. Brave counts its month as a window of
    its own (`X-RateLimit-Policy: ...;w=2592000`), not a calendar month: a 429 there is reported with `exhaust`.
[2] developers.google.com/custom-search/v1/overview: 100 queries/day free, then $5 per 1,000 up to 10k/day (closed to
    new customers; existing ones until 2027-01-01). Google's day is Pacific time, ours UTC: `exhaust(..., "day")`
    after its 429 covers the hours in between.
[3] help.millionverifier.com (refund for risky emails): 1 credit per ok/invalid/disposable answer; unknown and
    catch-all answers cost nothing. No per-second limit is published; credits are prepaid (no monthly quota).
[4] zerobounce.net/docs/api-dashboard/api-rate-limits: /v2/validate allows 80,000 requests per 10 s; 1 credit per
    validation, none for an `unknown` answer; the free plan refills 100 credits a month.
No `provider:llm_*` class is needed for enrichment: its LLM calls go through the AI gateway and its classes above.

Tokens are credits. `acquire(key, key_class, tokens)` takes what the call costs: one token per request for the search
APIs (a Brave or Google query = 1, a SearXNG query = 1), one per verified address for the verifiers (a
MillionVerifier or ZeroBounce check = 1 credit; take it before the call, since the refund of unknown answers is the
provider's, not ours). The AI provider classes count requests (one token per completion) and, in their `:tokens`
classes, LLM tokens: the gateway takes the prompt's estimated size plus its `max_tokens` before each call (an upper
bound, never refunded), so neither a minute's nor a day's token budget can be overrun. It never waits for either: it
tries the next provider instead (`shared.service_layer.composition.gateway`).

Deployments override or add provider classes with the env var `RATE_LIMIT_PROVIDERS` (JSON object: key class →
`{"capacity", "refill_per_s", "daily_quota", "monthly_quota"}`; omitted fields keep the default; a quota of `null`
removes it), parsed by `provider_limits()`. A daily quota counts the tokens granted per UTC day, a monthly quota per
UTC calendar month, each keyed by its date (no reset cron); an acquire is granted only when the bucket, the day and
the month all allow it, and a denial consumes nothing. Denied for a quota, `retry_after_s` runs to the first reset
that frees it: the next UTC midnight, or the first midnight of the next UTC month (or the bucket's wait, if longer).

Provider-reported exhaustion: `await stub.exhaust(ExhaustRequest(...).model_dump())` marks (key, key class) used up for
the current UTC day or month — a 429 "quota exceeded", a 402 "no credits left" — whether or not the class has a quota
for that period, so every later acquire, from any isolate, is denied until that period resets.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.domain.token_bucket import BucketLimit
from shared.messages.timing import EpochSeconds

RATE_LIMITER_BINDING = "RATE_LIMITER"
PROVIDER_LIMITS_VAR = "RATE_LIMIT_PROVIDERS"
SHARD_HEX_DIGITS = 2
MAX_STATUS_KEYS = 256  # keys per `status` call to one object (the client splits larger requests)
KEY_CLASS_PATTERN = r"^[a-z0-9_.:-]+$"
QUOTA_FIELDS = ("daily_quota", "monthly_quota")
ExhaustPeriod = Literal["day", "month"]


class KeyClass(StrEnum):
    API_KEY = "api_key"  # one bucket per authenticated key (its id; "bootstrap" for the API_KEY secret)
    IP = "ip"  # one bucket per client address (IPv6: per /64)
    PROVIDER_BRAVE = "provider:brave"  # Brave Search API
    PROVIDER_GOOGLE_CSE = "provider:google_cse"  # Google Custom Search JSON API
    PROVIDER_SEARXNG = "provider:searxng"  # a self-hosted SearXNG instance (format=json)
    PROVIDER_MILLIONVERIFIER = "provider:millionverifier"  # MillionVerifier email verification
    PROVIDER_ZEROBOUNCE = "provider:zerobounce"  # ZeroBounce email validation
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
    """The limits of one key class: a token bucket, and optionally caps on the tokens granted per UTC day and per
    UTC calendar month."""

    bucket: BucketLimit
    daily_quota: int | None = None
    monthly_quota: int | None = None

    def __post_init__(self) -> None:
        for name in QUOTA_FIELDS:
            quota = getattr(self, name)
            if quota is not None and (not isinstance(quota, int) or isinstance(quota, bool) or quota < 1):
                raise ValueError(f"{name} must be a whole number >= 1, got {quota!r}")


PROVIDER_LIMITS: Mapping[str, ClassLimit] = {
    KeyClass.PROVIDER_BRAVE: ClassLimit(BucketLimit(capacity=1, refill_per_s=1.0), monthly_quota=1_000),
    KeyClass.PROVIDER_GOOGLE_CSE: ClassLimit(BucketLimit(capacity=5, refill_per_s=1.0), daily_quota=100),
    KeyClass.PROVIDER_SEARXNG: ClassLimit(BucketLimit(capacity=2, refill_per_s=2.0)),
    KeyClass.PROVIDER_MILLIONVERIFIER: ClassLimit(BucketLimit(capacity=10, refill_per_s=5.0)),
    KeyClass.PROVIDER_ZEROBOUNCE: ClassLimit(BucketLimit(capacity=10, refill_per_s=5.0)),
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
        if not isinstance(fields, dict) or set(fields) - {"capacity", "refill_per_s", *QUOTA_FIELDS}:
            raise ValueError(f"{PROVIDER_LIMITS_VAR}: {name} takes capacity, refill_per_s, daily_quota, monthly_quota")
        base = limits.get(name, ClassLimit(BucketLimit(capacity=1, refill_per_s=1.0)))
        try:
            bucket = BucketLimit(
                float(fields.get("capacity", base.bucket.capacity)),
                float(fields.get("refill_per_s", base.bucket.refill_per_s)),
            )
            quotas = {field: fields.get(field, getattr(base, field)) for field in QUOTA_FIELDS}
            limits[name] = replace(base, bucket=bucket, **quotas)  # ClassLimit checks the quotas
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


class ExhaustRequest(BaseModel):
    """The provider said `key`'s quota or credits are used up for the current UTC `period` (see the module doc)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=512)
    key_class: str = Field(min_length=1, max_length=64, pattern=KEY_CLASS_PATTERN)
    period: ExhaustPeriod
    now: EpochSeconds


class ExhaustReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    exhausted_until: float  # epoch seconds of the reset that ends it (the next UTC midnight or month start)


class KeyStatus(BaseModel):
    """One key's limits as of `now`: `available` whole tokens (a never-used or swept key is full), the bucket,
    today's quota (UTC `quota_day`; `daily_quota`/`quota_remaining`/`quota_resets_at` are null without a quota), this
    month's (UTC `quota_month`; `monthly_quota`/`month_remaining`/`month_resets_at` null without one), and
    `exhausted_until` when the provider reported the day or the month used up (`available` and the remainders are 0
    until then)."""

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
    quota_month: str = ""  # YYYY-MM, UTC
    month_used: int = Field(default=0, ge=0)
    monthly_quota: int | None = None
    month_remaining: int | None = None
    month_resets_at: float | None = None  # epoch seconds of the first midnight of the next UTC month
    exhausted_until: float | None = None  # a provider-reported exhaustion ends at this reset


class StatusReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    items: list[KeyStatus]  # in the order asked
