"""RateLimiter logic: token buckets per key, persisted in the object's storage. Pure: a storage port, no clock.

Each object is one shard of one key class (see `shared.messages.rate_limit`) and holds the buckets of the keys that
hash to it, one storage entry per key: `bucket:<key_class>:<key>` → `{"tokens", "updated_at", "full_at"}`. Time is
the caller's `now`; the limits come from configuration (`Settings.rate_limits()`), injected here.

Storage stays bounded: a full bucket is the same as no bucket, so a sweep deletes every bucket that is full by the
sweep's time. The first write schedules a sweep alarm `SWEEP_INTERVAL_S` ahead (stored under `sweep:at`, which
is also the time the sweep uses, so the alarm needs no clock either: a bucket full by then is surely full when the
alarm fires). A sweep that leaves entries behind schedules the next one.

Quotas (key classes whose `ClassLimit.daily_quota` / `monthly_quota` is set, e.g. `provider:google_cse`,
`provider:brave`): one counter per key and UTC day, `quota:<YYYY-MM-DD>:<key_class>:<key>`, and one per key and UTC
month, `quota:m:<YYYY-MM>:<key_class>:<key>` → tokens granted in that period. The date in the name is the reset: a
new period reads a missing counter (0), so no cron is needed. An acquire is granted only when the bucket, the day and
the month all allow it; a denial writes nothing.

Provider-reported exhaustion (`exhaust`): a marker `exhausted:<day|month>:<date>:<key_class>:<key>` → the caller's
`now`, for any class (with or without a quota for the period); while the current day's or month's marker exists,
every acquire of that key is denied until the period's reset. Markers are rare, so the object keeps the set of
marker names in memory (listed once per instance; a Durable Object is a single instance, so every write to its
storage goes through it): an acquire of a class without quotas reads no storage beyond its bucket.

The sweep deletes counters and markers of periods that ended `QUOTA_KEEP_S` (a grace for lagging clocks) before its
time; any left keeps it going hourly: at most two days and two months of them exist per key.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from typing import Any

from durable_objects.rate_limiter.names import (
    BUCKET_PREFIX,
    MARKER_PREFIX,
    QUOTA_PREFIX,
    bucket_key,
    is_monthly,
    marker_key,
    month_quota_key,
    period_of,
    period_reset,
    quota_key,
)
from durable_objects.storage import Storage
from shared.domain.token_bucket import (
    EPSILON,
    BucketLimit,
    BucketState,
    full_at,
    level,
    next_utc_midnight,
    next_utc_month_start,
    quota_allows,
    take,
    utc_date,
    utc_day,
    utc_month,
)
from shared.messages.rate_limit import (
    AcquireReply,
    AcquireRequest,
    ClassLimit,
    ExhaustReply,
    ExhaustRequest,
    KeyStatus,
    StatusReply,
    StatusRequest,
)

QUOTA_KEEP_S = 3600.0
SWEEP_KEY = "sweep:at"
SWEEP_INTERVAL_S = 3600.0
LIST_PAGE = 512
DELETE_BATCH = 128  # Durable Object storage takes at most 128 keys per call


def _decode(value: Any) -> BucketState | None:
    if not isinstance(value, Mapping):
        return None
    try:
        return BucketState(float(value["tokens"]), float(value["updated_at"]))
    except (KeyError, TypeError, ValueError):
        return None  # an unreadable bucket is treated as full


class RateLimiterLogic:
    def __init__(
        self,
        storage: Storage,
        limits: Mapping[str, BucketLimit | ClassLimit],
        *,
        sweep_interval_s: float = SWEEP_INTERVAL_S,
    ) -> None:
        """`limits`: per key class, a bare `BucketLimit` (no quota) or a `ClassLimit` (bucket + optional quotas)."""
        self._storage = storage
        self._limits = {k: v if isinstance(v, ClassLimit) else ClassLimit(v) for k, v in limits.items()}
        self._sweep_interval_s = sweep_interval_s
        self._sweep_scheduled: bool | None = None  # None: not known yet in this instance
        self._markers: set[str] | None = None  # the stored marker names; None: not listed yet in this instance

    def limit_for(self, key_class: str) -> BucketLimit:
        return self.class_limit(key_class).bucket

    def class_limit(self, key_class: str) -> ClassLimit:
        limit = self._limits.get(key_class)
        if limit is None:
            raise ValueError(f"unknown rate-limit key class {key_class!r}")
        return limit

    async def acquire(self, request: AcquireRequest) -> AcquireReply:
        limits = self.class_limit(request.key_class)
        now, tokens = request.now, request.tokens
        for name, quota in (("daily", limits.daily_quota), ("monthly", limits.monthly_quota)):
            if quota is not None and tokens > quota:
                raise ValueError(f"cannot take {tokens} tokens under a {name} quota of {quota}")
        key = bucket_key(request.key_class, request.key)
        before = _decode(await self._storage.get(key))
        after, decision = take(before, limits.bucket, now, tokens)

        waits: list[float] = []  # the resets that must pass before this request can be granted
        exhausted_until = await self._exhausted_until(request.key_class, request.key, now)
        if exhausted_until is not None:
            waits.append(exhausted_until - now)
        counters: list[tuple[str, int, int]] = []  # (storage key, used, quota)
        for quota, counter, reset in (
            (limits.daily_quota, quota_key(utc_day(now), request.key_class, request.key), next_utc_midnight),
            (limits.monthly_quota, month_quota_key(now, request.key_class, request.key), next_utc_month_start),
        ):
            if quota is None:
                continue
            used = _count(await self._storage.get(counter))
            counters.append((counter, used, quota))
            if not quota_allows(used, quota, tokens):
                waits.append(reset(now) - now)
        if waits:  # used up: nothing is taken from the bucket either
            return AcquireReply(allowed=False, remaining=0, retry_after_s=max(*waits, decision.retry_after_s))
        left = min([decision.remaining, *(quota - used for _, used, quota in counters)])
        if not decision.allowed:
            return AcquireReply(allowed=False, remaining=left, retry_after_s=decision.retry_after_s)
        if tokens > 0:
            await self._put_bucket(key, after, limits.bucket)
            for counter, used, _ in counters:
                await self._storage.put(counter, used + tokens)
            await self._ensure_sweep(now)
            left = min([decision.remaining, *(quota - used - tokens for _, used, quota in counters)])
        return AcquireReply(allowed=True, remaining=left, retry_after_s=0.0)

    async def exhaust(self, request: ExhaustRequest) -> ExhaustReply:
        """Mark `key` used up for the current UTC day or month (idempotent: the first report's time is kept)."""
        self.class_limit(request.key_class)  # an unknown class is an error here too
        name = marker_key(request.period, request.now, request.key_class, request.key)
        markers = await self._marker_names()
        if name not in markers:
            await self._storage.put(name, request.now)
            markers.add(name)
            await self._ensure_sweep(request.now)
        return ExhaustReply(exhausted_until=period_reset(request.period, request.now))

    async def status(self, request: StatusRequest) -> StatusReply:
        """Each key's bucket, today's and this month's quota, and any exhaustion, as of `request.now`. Reads only."""
        now = request.now
        items: list[KeyStatus] = []
        for asked in request.keys:
            limits = self.class_limit(asked.key_class)
            daily, monthly = limits.daily_quota, limits.monthly_quota
            current = level(
                _decode(await self._storage.get(bucket_key(asked.key_class, asked.key))), limits.bucket, now
            )
            exhausted_until = await self._exhausted_until(asked.key_class, asked.key, now)
            day_used = month_used = 0
            if daily is not None:
                day_used = _count(await self._storage.get(quota_key(utc_day(now), asked.key_class, asked.key)))
            if monthly is not None:
                month_used = _count(await self._storage.get(month_quota_key(now, asked.key_class, asked.key)))
            day_left = None if daily is None else (0 if exhausted_until else max(0, daily - day_used))
            month_left = None if monthly is None else (0 if exhausted_until else max(0, monthly - month_used))
            whole = 0 if exhausted_until else max(0, math.floor(current.tokens + EPSILON))
            items.append(
                KeyStatus(
                    key=asked.key,
                    key_class=asked.key_class,
                    available=min([whole, *(left for left in (day_left, month_left) if left is not None)]),
                    tokens=max(0.0, current.tokens),
                    capacity=limits.bucket.capacity,
                    refill_per_s=limits.bucket.refill_per_s,
                    full_in_s=max(0.0, full_at(current, limits.bucket) - now),
                    quota_day=utc_date(utc_day(now)),
                    quota_used=day_used,
                    daily_quota=daily,
                    quota_remaining=day_left,
                    quota_resets_at=None if daily is None else next_utc_midnight(now),
                    quota_month=utc_month(now),
                    month_used=month_used,
                    monthly_quota=monthly,
                    month_remaining=month_left,
                    month_resets_at=None if monthly is None else next_utc_month_start(now),
                    exhausted_until=exhausted_until,
                )
            )
        return StatusReply(items=items)

    async def _marker_names(self) -> set[str]:
        if self._markers is None:
            self._markers = {name async for name, _ in self._entries(MARKER_PREFIX)}
        return self._markers

    async def _exhausted_until(self, key_class: str, key: str, now: float) -> float | None:
        """The latest reset among the current day's and month's markers of `key`, or None when neither is set."""
        markers = await self._marker_names()
        if not markers:
            return None
        resets = [
            period_reset(period, now)
            for period in ("day", "month")
            if marker_key(period, now, key_class, key) in markers
        ]
        return max(resets) if resets else None

    async def _put_bucket(self, key: str, state: BucketState, limit: BucketLimit) -> None:
        await self._storage.put(
            key, {"tokens": state.tokens, "updated_at": state.updated_at, "full_at": full_at(state, limit)}
        )

    async def _ensure_sweep(self, now: float) -> None:
        if self._sweep_scheduled:
            return
        if await self._storage.getAlarm() is None:
            await self._schedule_sweep(now + self._sweep_interval_s)
        self._sweep_scheduled = True

    async def _schedule_sweep(self, at: float) -> None:
        await self._storage.put(SWEEP_KEY, at)
        await self._storage.setAlarm(math.ceil(at * 1000))

    async def _entries(self, prefix: str) -> AsyncIterator[tuple[str, Any]]:
        """Every stored entry under `prefix`, listed a page at a time."""
        start_after: str | None = None
        while True:
            options: dict[str, Any] = {"prefix": prefix, "limit": LIST_PAGE}
            if start_after is not None:
                options["startAfter"] = start_after
            page = dict(await self._storage.list(options))
            for item in page.items():
                yield item
            if len(page) < LIST_PAGE:
                return
            start_after = max(page)

    async def sweep(self) -> int:
        """The alarm: delete every bucket that is full by the scheduled sweep time and every quota counter and
        exhaustion marker of a day or month that ended (`QUOTA_KEEP_S` grace) by then; returns how many went."""
        self._sweep_scheduled = False
        at = await self._storage.get(SWEEP_KEY)
        if not isinstance(at, (int, float)):
            return 0
        expired: list[str] = []
        remaining = 0
        async for name, value in self._entries(BUCKET_PREFIX):
            done = value.get("full_at") if isinstance(value, Mapping) else None
            if not isinstance(done, (int, float)) or done <= at:
                expired.append(name)
            else:
                remaining += 1
        kept_day = utc_date(utc_day(float(at) - QUOTA_KEEP_S))  # counters of earlier days are done
        kept_month = utc_month(float(at) - QUOTA_KEEP_S)  # and those of earlier months
        for prefix in (QUOTA_PREFIX, MARKER_PREFIX):
            async for name, _ in self._entries(prefix):
                if period_of(name) < (kept_month if is_monthly(name) else kept_day):
                    expired.append(name)
                else:
                    remaining += 1
        for i in range(0, len(expired), DELETE_BATCH):
            await self._storage.delete(expired[i : i + DELETE_BATCH])
        if self._markers is not None:
            self._markers.difference_update(expired)
        if remaining:
            await self._schedule_sweep(float(at) + self._sweep_interval_s)
            self._sweep_scheduled = True
        return len(expired)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0
    return max(0, int(value))
