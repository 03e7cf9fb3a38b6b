"""RateLimiter Durable Object through the local runtime: a provider's daily quota (UTC day), `status`, and the
client adapter's shard routing, driven by the runtime's ManualClock (no sleeping)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.adapters.rate_limit import DurableObjectRateLimiter
from shared.messages.rate_limit import RATE_LIMITER_BINDING, shard_name
from tests.e2e.conftest import ROOT

CSE = "provider:google_cse"
PROVIDERS = '{"provider:google_cse": {"capacity": 5, "refill_per_s": 1, "daily_quota": 3}}'


@pytest.fixture
async def runtime(tmp_path: Path, clock: ManualClock, dev_vars: Path) -> AsyncIterator[LocalRuntime]:
    rt = LocalRuntime(
        ROOT,
        state_dir=tmp_path / "state",
        clock=clock,
        dev_vars=dev_vars,
        smtp_sink_port=0,
        extra_vars={"RATE_LIMIT_PROVIDERS": PROVIDERS},
    )
    await rt.start()
    try:
        yield rt
    finally:
        await rt.close()


class _Clock:
    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock.now(), tz=UTC)


def next_midnight(clock: ManualClock) -> datetime:
    today = datetime.fromtimestamp(clock.now(), tz=UTC).date()
    return datetime.combine(today + timedelta(days=1), time(0), tzinfo=UTC)


async def test_a_provider_quota_of_3_per_day_resets_at_utc_midnight(runtime: LocalRuntime, clock: ManualClock) -> None:
    limiter = DurableObjectRateLimiter(runtime.env, _Clock(clock))
    decisions = []
    for _ in range(4):
        decisions.append(await limiter.acquire("default", CSE))
        clock.advance(2)  # the bucket (5 at 1/s) is never the limit here
    assert [d.allowed for d in decisions] == [True, True, True, False]
    midnight = next_midnight(clock)
    denied = decisions[-1]
    assert denied.retry_after_s == pytest.approx(midnight.timestamp() - (clock.now() - 2))

    [status] = await limiter.status([("default", CSE)])
    assert (status.quota_used, status.daily_quota, status.quota_remaining, status.available) == (3, 3, 0, 0)
    assert (status.capacity, status.refill_per_s, status.quota_resets_at) == (5, 1, midnight.timestamp())

    clock.advance(3600)
    assert not (await limiter.acquire("default", CSE)).allowed  # still today
    clock.set(midnight)
    assert (await limiter.acquire("default", CSE)).allowed
    [status] = await limiter.status([("default", CSE)])
    assert (status.quota_day, status.quota_used, status.quota_remaining) == (midnight.date().isoformat(), 1, 2)


async def test_status_groups_keys_by_shard_and_keeps_the_order(runtime: LocalRuntime, clock: ManualClock) -> None:
    limiter = DurableObjectRateLimiter(runtime.env, _Clock(clock))
    keys = [(f"203.0.113.{n}", "ip") for n in range(40)] + [("default", CSE), ("default", "provider:brave")]
    for _ in range(2):
        assert (await limiter.acquire("203.0.113.7", "ip")).allowed
    statuses = await limiter.status(keys)
    assert [(s.key, s.key_class) for s in statuses] == keys
    by_key = {s.key: s for s in statuses}
    assert by_key["203.0.113.7"].available == 58 and by_key["203.0.113.8"].available == 60  # settings: 60 at 1/s
    assert statuses[-1].daily_quota is None and statuses[-2].daily_quota == 3

    # each bucket lives in its shard object, which answers `status` over RPC
    namespace = getattr(runtime.env, RATE_LIMITER_BINDING)
    stub = namespace.get(namespace.idFromName(shard_name("ip", "203.0.113.7")))
    reply = await stub.status({"keys": [{"key": "203.0.113.7", "key_class": "ip"}], "now": clock.now()})
    assert reply["items"][0]["available"] == 58


async def test_quota_counters_are_swept_after_their_day(runtime: LocalRuntime, clock: ManualClock) -> None:
    limiter = DurableObjectRateLimiter(runtime.env, _Clock(clock))
    assert (await limiter.acquire("default", CSE)).allowed
    namespace = getattr(runtime.env, RATE_LIMITER_BINDING)
    shard = namespace.peek(namespace.idFromName(shard_name(CSE, "default")))
    assert len(await shard.ctx.storage.list({"prefix": "quota:"})) == 1
    clock.set(next_midnight(clock).timestamp() + 7200)
    while await namespace.run_due_alarms():
        pass
    assert await shard.ctx.storage.list({"prefix": "quota:"}) == {}


async def test_a_reported_exhaustion_holds_across_callers_until_the_month_resets(
    runtime: LocalRuntime, clock: ManualClock
) -> None:
    one, other = (
        DurableObjectRateLimiter(runtime.env, _Clock(clock)),
        DurableObjectRateLimiter(runtime.env, _Clock(clock)),
    )
    searxng = "provider:searxng"  # no quota of its own: the provider's refusal is the only limit
    assert (await one.acquire("default", searxng)).allowed
    await one.exhaust("default", searxng, "month")
    refused = await other.acquire("default", searxng)  # another caller (isolate) asks the same object
    today = datetime.fromtimestamp(clock.now(), tz=UTC).date()
    first = datetime(today.year + today.month // 12, today.month % 12 + 1, 1, tzinfo=UTC)
    assert not refused.allowed and refused.retry_after_s == pytest.approx(first.timestamp() - clock.now())
    [status] = await other.status([("default", searxng)])
    assert (status.exhausted_until, status.available) == (first.timestamp(), 0)
    [brave] = await other.status([("default", "provider:brave")])
    assert (brave.monthly_quota, brave.month_used, brave.month_resets_at) == (1000, 0, first.timestamp())
    clock.set(first)
    assert (await other.acquire("default", searxng)).allowed
