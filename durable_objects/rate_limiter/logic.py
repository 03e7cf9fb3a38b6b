"""RateLimiter logic: token buckets per key, persisted in the object's storage. Pure: a storage port, no clock.

Each object is one shard of one key class (see `shared.messages.rate_limit`) and holds the buckets of the keys that
hash to it, one storage entry per key: `bucket:<key_class>:<key>` → `{"tokens", "updated_at", "full_at"}`. Time is
the caller's `now`; the limits come from configuration (`Settings.rate_limits()`), injected here.

Storage stays bounded: a full bucket is the same as no bucket, so a sweep deletes every bucket that is full by the
sweep's time. The first write schedules a sweep alarm `SWEEP_INTERVAL_S` ahead (stored under `sweep:at`, which
is also the time the sweep uses, so the alarm needs no clock either: a bucket full by then is surely full when the
alarm fires). A sweep that leaves buckets behind schedules the next one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Protocol

from shared.domain.token_bucket import BucketLimit, BucketState, full_at, take
from shared.messages.rate_limit import AcquireReply, AcquireRequest

BUCKET_PREFIX = "bucket:"
SWEEP_KEY = "sweep:at"
SWEEP_INTERVAL_S = 3600.0
LIST_PAGE = 512
DELETE_BATCH = 128  # Durable Object storage takes at most 128 keys per call


class Storage(Protocol):
    """The part of `ctx.storage` this logic uses."""

    async def get(self, key: str) -> Any: ...

    async def put(self, key: str, value: Any) -> None: ...

    async def delete(self, keys: list[str]) -> Any: ...

    async def list(self, options: dict[str, Any]) -> Mapping[str, Any]: ...

    async def getAlarm(self) -> float | None: ...

    async def setAlarm(self, scheduled_time: float) -> None: ...


def bucket_key(key_class: str, key: str) -> str:
    return f"{BUCKET_PREFIX}{key_class}:{key}"


def _plain(value: Any) -> Any:
    """A JS value from storage as Python (production may hand over a proxy; locally it is already plain)."""
    to_py = getattr(value, "to_py", None)
    return to_py() if callable(to_py) else value


def _decode(value: Any) -> BucketState | None:
    value = _plain(value)
    if not isinstance(value, Mapping):
        return None
    try:
        return BucketState(float(value["tokens"]), float(value["updated_at"]))
    except (KeyError, TypeError, ValueError):
        return None  # an unreadable bucket is treated as full


class RateLimiterLogic:
    def __init__(
        self, storage: Storage, limits: Mapping[str, BucketLimit], *, sweep_interval_s: float = SWEEP_INTERVAL_S
    ) -> None:
        self._storage = storage
        self._limits = dict(limits)
        self._sweep_interval_s = sweep_interval_s
        self._sweep_scheduled: bool | None = None  # None: not known yet in this instance

    def limit_for(self, key_class: str) -> BucketLimit:
        limit = self._limits.get(key_class)
        if limit is None:
            raise ValueError(f"unknown rate-limit key class {key_class!r}")
        return limit

    async def acquire(self, request: AcquireRequest) -> AcquireReply:
        limit = self.limit_for(request.key_class)
        key = bucket_key(request.key_class, request.key)
        before = _decode(await self._storage.get(key))
        after, decision = take(before, limit, request.now, request.tokens)
        if decision.allowed and request.tokens > 0:
            await self._storage.put(
                key, {"tokens": after.tokens, "updated_at": after.updated_at, "full_at": full_at(after, limit)}
            )
            await self._ensure_sweep(request.now)
        return AcquireReply(
            allowed=decision.allowed, remaining=decision.remaining, retry_after_s=decision.retry_after_s
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

    async def sweep(self) -> int:
        """The alarm: delete every bucket that is full by the scheduled sweep time; returns how many went."""
        self._sweep_scheduled = False
        at = _plain(await self._storage.get(SWEEP_KEY))
        if not isinstance(at, (int, float)):
            return 0
        expired: list[str] = []
        remaining = 0
        start_after: str | None = None
        while True:
            options: dict[str, Any] = {"prefix": BUCKET_PREFIX, "limit": LIST_PAGE}
            if start_after is not None:
                options["startAfter"] = start_after
            page = dict(_plain(await self._storage.list(options)))
            for name, raw in page.items():
                value = _plain(raw)
                done = value.get("full_at") if isinstance(value, Mapping) else None
                if not isinstance(done, (int, float)) or done <= at:
                    expired.append(name)
                else:
                    remaining += 1
            if len(page) < LIST_PAGE:
                break
            start_after = max(page)
        for i in range(0, len(expired), DELETE_BATCH):
            await self._storage.delete(expired[i : i + DELETE_BATCH])
        if remaining:
            await self._schedule_sweep(float(at) + self._sweep_interval_s)
            self._sweep_scheduled = True
        return len(expired)
