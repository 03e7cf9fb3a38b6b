"""The WarmupManager Durable Object: naming and the RPC payloads (plain dicts cross the RPC boundary).

One object per inbox, named by the inbox id (`env.WARMUP.idFromName(inbox_id)`). It holds the inbox's warmup plan
and today's counters; days are counted in the inbox's own IANA timezone and keyed by local date, so no reset cron
is needed.

RPC (every argument and reply is a plain dict; `now` is the caller's clock in epoch seconds, the object has none):

- `configure(ConfigureRequest)` → `StatusReply`-like dict of the new plan (`{"plan": ...}`)
- `reserve(ReserveRequest)` → `ReserveReply`: capacity held for `ttl_s` (default `plan.reservation_ttl_s`); the
  sender sends, then `commit`s (or `release`s) the token. An unconfirmed reservation expires by alarm and gives its
  capacity back. `granted` may be less than asked, or 0 (then `token` is None and `retry_at` says when to try again).
- `commit(TokenRequest)` → `TokenReply`: reserved → sent. Idempotent. `count` (optional) commits fewer than were
  granted and gives the rest back. A token that already expired is not counted (`outcome="expired"`): commit
  within the reservation's lifetime.
- `release(TokenRequest)` → `TokenReply`: gives the capacity back; a no-op after commit.
- `status(StatusRequest)` → `StatusReply`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.messages.timing import EpochSeconds

WARMUP_BINDING = "WARMUP"

DEFAULT_RAMP: tuple[int, ...] = (5, 10, 15, 18)  # per day, for weeks 1..4; week 5+ sends `target`
DEFAULT_TARGET = 20
DEFAULT_RESERVATION_TTL_S = 600.0
MAX_PER_DAY = 100_000


class WarmupPlan(BaseModel):
    """An inbox's warmup plan. `start_date` None: the plan starts on the inbox's first reservation (local date)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = Field(default="UTC", min_length=1, max_length=64)
    start_date: date | None = None
    warmup: bool = True  # False: `target` every day from the start
    ramp: tuple[int, ...] = Field(default=DEFAULT_RAMP, max_length=52)  # per-day volume of week 1, 2, ...
    target: int = Field(default=DEFAULT_TARGET, ge=0, le=MAX_PER_DAY)  # after the ramp (and the ceiling of it)
    daily_cap: int | None = Field(default=None, ge=0, le=MAX_PER_DAY)  # hard ceiling on any day's volume
    hourly_cap: int | None = Field(default=None, ge=0, le=MAX_PER_DAY)  # per local clock hour; None: no cap
    reservation_ttl_s: float = Field(default=DEFAULT_RESERVATION_TTL_S, gt=0, le=86_400)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @field_validator("ramp")
    @classmethod
    def _ramp(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(v < 0 or v > MAX_PER_DAY for v in value):
            raise ValueError(f"ramp volumes must be between 0 and {MAX_PER_DAY}")
        return value


class ConfigureRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    plan: WarmupPlan


class ReserveRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    count: int = Field(default=1, ge=0, le=MAX_PER_DAY)
    now: EpochSeconds
    ttl_s: float | None = Field(default=None, gt=0, le=86_400)  # None: the plan's reservation_ttl_s


class ReserveReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    token: str | None  # None when nothing was granted
    requested: int = Field(ge=0)
    granted: int = Field(ge=0)
    expires_at: float | None  # epoch seconds; None when nothing was granted
    date: str  # the inbox's local date the reservation counts against
    remaining_day: int = Field(ge=0)  # after this reservation
    remaining_hour: int | None  # after this reservation; None: no hourly cap
    limited_by: Literal["day", "hour"] | None  # what stopped a full grant (None: granted in full)
    retry_at: float | None  # when `limited_by` capacity comes back (next local hour / day); None if granted in full


class TokenRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    token: str = Field(min_length=1, max_length=64)
    count: int | None = Field(default=None, ge=0)  # commit only: how many were actually sent (<= granted)


TokenOutcome = Literal["committed", "already_committed", "released", "already_released", "expired", "unknown"]


class TokenReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    token: str
    outcome: TokenOutcome
    sent: int = Field(ge=0)  # how many this token counts as sent (after the call)


class StatusRequest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    now: EpochSeconds


class StatusReply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    plan: WarmupPlan
    configured: bool  # False: the default plan, never configured
    date: str  # today in the inbox's timezone
    day_index: int | None  # 0 on the start date; negative before it; None: not started yet (no start date)
    week: int | None  # 1-based warmup week; None before the start
    warming_up: bool  # still on the ramp
    day_limit: int
    sent: int
    reserved: int
    remaining_day: int
    hour_start: float  # epoch seconds of the current local clock hour
    hour_limit: int | None
    hour_sent: int
    hour_reserved: int
    remaining_hour: int | None
