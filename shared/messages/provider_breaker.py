"""The ProviderBreaker Durable Object: naming, the breaker's settings and the RPC payloads (plain dicts cross RPC).

One object per external provider, named `provider:<name>` (`breaker_name("xai")` → `provider:xai`), so every isolate
that calls the provider sees one circuit: the state lives in the object's storage, not in any isolate's memory.
Every call carries the caller's clock as `now` (epoch seconds); the object keeps no clock and sets no alarm: an open
circuit whose cool-down has passed becomes half-open on the next call that looks at it.

RPC (each takes one request dict and returns one reply dict):

- `allow(NowRequest)` → `AllowReply`: may the caller call the provider now? Closed: yes. Open: no, `retry_at` is the
  end of the cool-down. Half-open: the first caller is handed the single probe (the call claims it atomically: the
  object runs one call at a time), later callers are refused with `retry_at` = when an unreported probe is given
  again (`probe_timeout_s` after it was handed out).
- `record(RecordRequest)` → `StatusReply`: the outcome of a call (`success` or `failure`).
- `status(NowRequest)` → `StatusReply`: the circuit as of `now` (reads only, claims nothing).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.messages.timing import EpochSeconds

PROVIDER_BREAKER_BINDING = "PROVIDER_BREAKER"
BREAKER_PREFIX = "provider:"

BreakerState = Literal["closed", "open", "half_open"]
Outcome = Literal["success", "failure"]


def breaker_name(provider: str) -> str:
    """The object (and circuit) name of a provider: `provider:<name>`, the same as its rate-limit key class."""
    return provider if provider.startswith(BREAKER_PREFIX) else f"{BREAKER_PREFIX}{provider}"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BreakerConfig(_Model):
    failure_threshold: int = Field(default=3, ge=1, le=1000)  # consecutive failures that open the circuit
    cooldown_s: float = Field(default=60.0, gt=0, le=86400)  # the first open's cool-down
    max_cooldown_s: float = Field(default=900.0, gt=0, le=86400)  # each re-open doubles the cool-down up to this
    probe_timeout_s: float = Field(default=120.0, gt=0, le=3600)  # an unreported probe is handed out again after it

    @model_validator(mode="after")
    def _cooldowns_ordered(self) -> BreakerConfig:
        if self.max_cooldown_s < self.cooldown_s:
            raise ValueError("max_cooldown_s must be at least cooldown_s")
        return self


class NowRequest(_Model):
    now: EpochSeconds


class RecordRequest(_Model):
    outcome: Outcome
    now: EpochSeconds


class AllowReply(_Model):
    allowed: bool
    state: BreakerState
    retry_at: float | None = None  # when a refused caller may ask again (None when allowed)


class StatusReply(_Model):
    state: BreakerState  # as of `now` (an open circuit past its cool-down reads half_open)
    consecutive_failures: int = Field(ge=0)
    opens: int = Field(ge=0)  # opens since the circuit last closed (the cool-down doubles with each)
    cooldown_s: float | None = None  # the current open's cool-down
    opened_at: float | None = None
    half_open_at: float | None = None  # when the cool-down ends
    probe_at: float | None = None  # when the half-open probe was handed out
    retry_at: float | None = None  # when a caller refused now may ask again
    config: BreakerConfig
