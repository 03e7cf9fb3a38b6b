"""RateLimiter logic: token buckets per key, persisted in the object's storage. Pure: a storage port, no clock.

Each object is one shard of one key class (see `shared.messages.rate_limit`) and holds the buckets of the keys that
hash to it, one storage entry per key: `bucket:<key_class>:<key>` → `{"tokens", "updated_at", "full_at"}`. Time is
the caller's `now`; the limits come from configuration (`Settings.rate_limits()`), injected here.

Storage stays bounded: a full bucket is the same as no bucket, so a sweep deletes every bucket that is full by the
sweep's time. The first write schedules a sweep alarm `SWEEP_INTERVAL_S` ahead (stored under `sweep:at`, which
is also the time the sweep uses, so the alarm needs no clock either: a bucket full by then is surely full when the
alarm fires). A sweep that leaves buckets behind schedules the next one.

Daily quotas (key classes whose `ClassLimit.daily_quota` is set, e.g. `provider:google_cse`): one counter per key and
UTC day, `quota:<YYYY-MM-DD>:<key_class>:<key>` → tokens granted that day. The date in the name is the reset: a new
day reads a missing counter (0), so no cron is needed. An acquire is granted only when both the bucket and the
quota allow it; a denial writes nothing. The sweep deletes counters of days that ended more than `QUOTA_KEEP_S`
before the sweep time (the grace keeps a lagging caller's clock from finding yesterday's counter gone), and any
counter left keeps the sweep going, so at most two days of counters exist per key.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from typing import Any

from durable_objects.storage import Storage
from shared.domain.token_bucket import (
    EPSILON,
    BucketLimit,
    BucketState,
    full_at,
    level,
    next_utc_midnight,
    quota_allows,
    take,
    utc_date,
    utc_day,
)
from shared.messages.rate_limit import (
    AcquireReply,
    AcquireRequest,
    ClassLimit,
    KeyStatus,
    StatusReply,
    StatusRequest,
)

BUCKET_PREFIX = "bucket:"
QUOTA_PREFIX = "quota:"
QUOTA_KEEP_S = 3600.0
SWEEP_KEY = "sweep:at"
SWEEP_INTERVAL_S = 3600.0
LIST_PAGE = 512
DELETE_BATCH = 128  # Durable Object storage takes at most 128 keys per call


def bucket_key(key_class: str, key: str) -> str:
    return f"{BUCKET_PREFIX}{key_class}:{key}"


def quota_key(day: int, key_class: str, key: str) -> str:
    return f"{QUOTA_PREFIX}{utc_date(day)}:{key_class}:{key}"


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
        """`limits`: per key class, a bare `BucketLimit` (no quota) or a `ClassLimit` (bucket + optional quota)."""
        self._storage = storage
        self._limits = {k: v if isinstance(v, ClassLimit) else ClassLimit(v) for k, v in limits.items()}
        self._sweep_interval_s = sweep_interval_s
        self._sweep_scheduled: bool | None = None  # None: not known yet in this instance

    def limit_for(self, key_class: str) -> BucketLimit:
        return self.class_limit(key_class).bucket

    def class_limit(self, key_class: str) -> ClassLimit:
        limit = self._limits.get(key_class)
        if limit is None:
            raise ValueError(f"unknown rate-limit key class {key_class!r}")
        return limit

    async def acquire(self, request: AcquireRequest) -> AcquireReply:
        limits = self.class_limit(request.key_class)
        limit, quota = limits.bucket, limits.daily_quota
        if quota is not None and request.tokens > quota:
            raise ValueError(f"cannot take {request.tokens} tokens under a daily quota of {quota}")
        key = bucket_key(request.key_class, request.key)
        before = _decode(await self._storage.get(key))
        after, decision = take(before, limit, request.now, request.tokens)
        if quota is None:
            if decision.allowed and request.tokens > 0:
                await self._put_bucket(key, after, limit)
                await self._ensure_sweep(request.now)
            return AcquireReply(
                allowed=decision.allowed, remaining=decision.remaining, retry_after_s=decision.retry_after_s
            )

        day = utc_day(request.now)
        counter = quota_key(day, request.key_class, request.key)
        used = _count(await self._storage.get(counter))
        if not quota_allows(used, quota, request.tokens):  # used up today: nothing is taken from the bucket either
            wait = max(next_utc_midnight(request.now) - request.now, decision.retry_after_s)
            return AcquireReply(allowed=False, remaining=0, retry_after_s=wait)
        if not decision.allowed:
            return AcquireReply(
                allowed=False, remaining=min(decision.remaining, quota - used), retry_after_s=decision.retry_after_s
            )
        if request.tokens > 0:
            used += request.tokens
            await self._put_bucket(key, after, limit)
            await self._storage.put(counter, used)
            await self._ensure_sweep(request.now)
        return AcquireReply(allowed=True, remaining=min(decision.remaining, quota - used), retry_after_s=0.0)

    async def status(self, request: StatusRequest) -> StatusReply:
        """Each key's bucket and today's quota as of `request.now`. Reads only."""
        day = utc_day(request.now)
        items: list[KeyStatus] = []
        for asked in request.keys:
            limits = self.class_limit(asked.key_class)
            limit, quota = limits.bucket, limits.daily_quota
            stored = _decode(await self._storage.get(bucket_key(asked.key_class, asked.key)))
            current = level(stored, limit, request.now)
            used = 0
            if quota is not None:
                used = _count(await self._storage.get(quota_key(day, asked.key_class, asked.key)))
            whole = max(0, math.floor(current.tokens + EPSILON))
            items.append(
                KeyStatus(
                    key=asked.key,
                    key_class=asked.key_class,
                    available=whole if quota is None else min(whole, max(0, quota - used)),
                    tokens=max(0.0, current.tokens),
                    capacity=limit.capacity,
                    refill_per_s=limit.refill_per_s,
                    full_in_s=max(0.0, full_at(current, limit) - request.now),
                    quota_day=utc_date(day),
                    quota_used=used,
                    daily_quota=quota,
                    quota_remaining=None if quota is None else max(0, quota - used),
                    quota_resets_at=None if quota is None else next_utc_midnight(request.now),
                )
            )
        return StatusReply(items=items)

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
        """The alarm: delete every bucket that is full by the scheduled sweep time and every quota counter of a day
        that ended (`QUOTA_KEEP_S` grace) by then; returns how many entries went."""
        self._sweep_scheduled = False
        at = await self._storage.get(SWEEP_KEY)
        if not isinstance(at, (int, float)):
            return 0
        expired: list[str] = []
        remaining = 0
        async for name, raw in self._entries(BUCKET_PREFIX):
            value = raw
            done = value.get("full_at") if isinstance(value, Mapping) else None
            if not isinstance(done, (int, float)) or done <= at:
                expired.append(name)
            else:
                remaining += 1
        oldest_kept = utc_date(utc_day(float(at) - QUOTA_KEEP_S))  # counters of earlier days are done
        async for name, _ in self._entries(QUOTA_PREFIX):
            if name[len(QUOTA_PREFIX) : len(QUOTA_PREFIX) + 10] < oldest_kept:
                expired.append(name)
            else:
                remaining += 1
        for i in range(0, len(expired), DELETE_BATCH):
            await self._storage.delete(expired[i : i + DELETE_BATCH])
        if remaining:
            await self._schedule_sweep(float(at) + self._sweep_interval_s)
            self._sweep_scheduled = True
        return len(expired)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0
    return max(0, int(value))
