"""Token-bucket maths: pure, with time injected as epoch seconds (no clock is read here).

A bucket holds at most `capacity` tokens and gains `refill_per_s` tokens per second, continuously (fractional tokens
are kept). A request for `n` tokens is granted when the bucket holds `n`; otherwise it is refused with the exact
number of seconds after which it would be granted (`retry_after_s`). A missing bucket is a full one, so a store only
needs to keep buckets that are not full (`full_at` says when a stored bucket can be forgotten).

Time never runs backwards for a bucket: a `now` earlier than the bucket's last update (clock skew between callers)
refills nothing and is accounted for in `retry_after_s`.

Float rounding: epoch seconds near 1.7e9 are spaced about 0.24 µs apart, so `now + retry_after_s` can land a hair
before the exact instant. A request is therefore granted when it is short by at most `EPSILON` tokens plus what
`TIME_SLACK_S` (1 µs) of refill would bring: waiting exactly `retry_after_s` is always enough, and no request is
ever granted more than a microsecond early.

A request for 0 tokens is a probe: granted when at least one whole token is available, and it takes nothing.

Daily and monthly quotas (at the end) cap the tokens granted per UTC day and per UTC calendar month on top of a
bucket; the day and the month are computed from the given `now`, never from a clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

EPSILON = 1e-9  # tokens
TIME_SLACK_S = 1e-6


@dataclass(frozen=True, slots=True)
class BucketLimit:
    capacity: float
    refill_per_s: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.capacity) and self.capacity >= 1):
            raise ValueError(f"bucket capacity must be a finite number >= 1, got {self.capacity!r}")
        if not (math.isfinite(self.refill_per_s) and self.refill_per_s > 0):
            raise ValueError(f"bucket refill rate must be a finite number > 0, got {self.refill_per_s!r}")


@dataclass(frozen=True, slots=True)
class BucketState:
    tokens: float
    updated_at: float  # epoch seconds of the last refill


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    remaining: int  # whole tokens left after this request
    retry_after_s: float  # 0 when allowed; otherwise the exact wait until the same request would be granted

    @property
    def retry_after_header(self) -> int:
        """`Retry-After` in whole seconds: rounded up, and never below 1."""
        return max(1, math.ceil(self.retry_after_s - EPSILON))


def level(state: BucketState | None, limit: BucketLimit, now: float) -> BucketState:
    """The bucket as of `now`: refilled for the time elapsed and capped at capacity. A missing bucket is full."""
    if state is None:
        return BucketState(limit.capacity, now)
    tokens = min(limit.capacity, state.tokens)  # the capacity may have been lowered since the bucket was stored
    if now <= state.updated_at:
        return BucketState(tokens, state.updated_at)
    return BucketState(min(limit.capacity, tokens + (now - state.updated_at) * limit.refill_per_s), now)


def take(
    state: BucketState | None, limit: BucketLimit, now: float, tokens: int = 1
) -> tuple[BucketState, RateDecision]:
    """Try to take `tokens` at `now`. Returns the bucket to store and the decision."""
    if tokens < 0 or tokens > limit.capacity:
        raise ValueError(f"cannot take {tokens} tokens from a bucket of capacity {limit.capacity}")
    current = level(state, limit, now)
    needed = max(tokens, 1)
    if current.tokens + EPSILON + limit.refill_per_s * TIME_SLACK_S >= needed:
        after = BucketState(max(0.0, current.tokens - tokens), current.updated_at)
        return after, RateDecision(True, _whole(after.tokens), 0.0)
    wait = (needed - current.tokens) / limit.refill_per_s + max(0.0, current.updated_at - now)
    return current, RateDecision(False, _whole(current.tokens), wait)


def full_at(state: BucketState, limit: BucketLimit) -> float:
    """When the bucket will be full again (and equivalent to no bucket at all)."""
    return state.updated_at + max(0.0, limit.capacity - state.tokens) / limit.refill_per_s


def _whole(tokens: float) -> int:
    return max(0, math.floor(tokens + EPSILON))


# -- daily quotas ------------------------------------------------------------------------------------------------
# A quota counts the tokens granted per UTC day. Days are numbered from the epoch (`utc_day`), so a counter keyed by
# the day needs no reset: the next day simply starts a new counter. Epoch seconds have no leap seconds, so a UTC day
# is always exactly `SECONDS_PER_DAY` long and midnight is an exact multiple of it.

SECONDS_PER_DAY = 86_400


def utc_day(now: float) -> int:
    """The UTC day `now` falls in, as days since 1970-01-01."""
    return int(now // SECONDS_PER_DAY)


def utc_date(day: int) -> str:
    """The ISO date (`YYYY-MM-DD`) of a `utc_day` number."""
    return (date(1970, 1, 1) + timedelta(days=day)).isoformat()


def next_utc_midnight(now: float) -> float:
    """Epoch seconds of the first UTC midnight after `now` (the next day's start; `now` itself if it is midnight
    is still today's start, so this is always later)."""
    return float((utc_day(now) + 1) * SECONDS_PER_DAY)


def quota_allows(used: int, quota: int, tokens: int) -> bool:
    """Whether a day that has used `used` of `quota` can grant `tokens` more (a probe, 0 tokens, needs one left)."""
    return used + max(tokens, 1) <= quota


def utc_month(now: float) -> str:
    """The UTC calendar month `now` falls in, as `YYYY-MM` (the month of its `utc_day`, so the two always agree)."""
    return utc_date(utc_day(now))[:7]


def next_utc_month_start(now: float) -> float:
    """Epoch seconds of the first midnight of the UTC month after `now`'s (always later than `now`)."""
    current = date(1970, 1, 1) + timedelta(days=utc_day(now))
    start = date(current.year + 1, 1, 1) if current.month == 12 else date(current.year, current.month + 1, 1)
    return float((start - date(1970, 1, 1)).days * SECONDS_PER_DAY)
