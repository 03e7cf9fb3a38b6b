"""RateLimiter logic: per-key-class limits, daily quotas per UTC day and `status`, over a fake storage and an
injected `now` (no clock is read)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_objects.rate_limiter.logic import QUOTA_KEEP_S, QUOTA_PREFIX, RateLimiterLogic, quota_key
from durable_objects.rate_limiter.shell import class_limits
from shared.domain.token_bucket import (
    EPSILON,
    TIME_SLACK_S,
    BucketLimit,
    next_utc_midnight,
    utc_date,
    utc_day,
)
from shared.messages.rate_limit import (
    PROVIDER_LIMITS,
    AcquireRequest,
    ClassLimit,
    KeyClass,
    StatusKey,
    StatusRequest,
    provider_limits,
    shard_name,
)
from tests.unit.test_token_bucket import FakeStorage

CSE = "provider:google_cse"
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=UTC).timestamp()
MIDNIGHT = datetime(2026, 1, 6, tzinfo=UTC).timestamp()


def req(now: float, tokens: int = 1, key: str = "default", key_class: str = CSE) -> AcquireRequest:
    return AcquireRequest(key=key, key_class=key_class, tokens=tokens, now=now)


def logic_with(
    storage: FakeStorage, quota: int | None = 3, capacity: float = 10, rate: float = 1.0
) -> RateLimiterLogic:
    return RateLimiterLogic(storage, {CSE: ClassLimit(BucketLimit(capacity, rate), quota), "ip": BucketLimit(5, 1)})


# -- the day maths -------------------------------------------------------------------------------------------------


def test_utc_days_are_keyed_by_date_and_end_at_midnight() -> None:
    assert utc_date(utc_day(NOON)) == "2026-01-05"
    assert next_utc_midnight(NOON) == MIDNIGHT
    assert utc_date(utc_day(MIDNIGHT)) == "2026-01-06"  # midnight starts the new day
    assert next_utc_midnight(MIDNIGHT) == MIDNIGHT + 86_400
    assert utc_date(utc_day(MIDNIGHT - 1e-3)) == "2026-01-05"


# -- defaults and configuration -------------------------------------------------------------------------------------


def test_provider_defaults_are_documented_classes() -> None:
    assert PROVIDER_LIMITS[KeyClass.PROVIDER_GOOGLE_CSE] == ClassLimit(BucketLimit(5, 1.0), daily_quota=100)
    assert PROVIDER_LIMITS[KeyClass.PROVIDER_BRAVE].daily_quota is None
    assert KeyClass.PROVIDER_MILLIONVERIFIER in PROVIDER_LIMITS
    assert shard_name(KeyClass.PROVIDER_BRAVE, "default").startswith("provider:brave:")


def test_provider_overrides_from_json() -> None:
    limits = provider_limits('{"provider:google_cse": {"daily_quota": 3}, "provider:new": {"capacity": 2}}')
    assert limits[CSE] == ClassLimit(BucketLimit(5, 1.0), daily_quota=3)
    assert limits["provider:new"] == ClassLimit(BucketLimit(2, 1.0))
    assert provider_limits('{"provider:google_cse": {"daily_quota": null}}')[CSE].daily_quota is None
    assert provider_limits("") == provider_limits(None) == dict(PROVIDER_LIMITS)


@pytest.mark.parametrize(
    "raw",
    ["nope", "[]", '{"ip": {}}', '{"provider:x": {"cap": 1}}', '{"provider:x": {"daily_quota": 0}}',
     '{"provider:x": {"daily_quota": 1.5}}', '{"provider:x": {"capacity": 0}}', '{"provider:X": {}}'],
)  # fmt: skip
def test_bad_provider_overrides_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        provider_limits(raw)


def test_the_shell_merges_settings_and_providers() -> None:
    class Env:
        RATE_LIMIT_IP_CAPACITY = "7"
        RATE_LIMIT_PROVIDERS = '{"provider:brave": {"daily_quota": 50}}'

    limits = class_limits(Env())
    assert limits["ip"] == BucketLimit(7, 1.0)
    assert limits["provider:brave"] == ClassLimit(BucketLimit(1, 1.0), daily_quota=50, monthly_quota=1_000)
    assert limits[CSE] == PROVIDER_LIMITS[CSE]


# -- quotas -------------------------------------------------------------------------------------------------------


async def test_quota_exhaustion_denies_until_utc_midnight_then_resets() -> None:
    storage = FakeStorage()
    logic = logic_with(storage, quota=3)
    replies = [await logic.acquire(req(NOON + i)) for i in range(3)]
    assert [r.allowed for r in replies] == [True] * 3
    assert [r.remaining for r in replies] == [2, 1, 0]  # the quota, not the bucket (10), is the tighter limit
    denied = await logic.acquire(req(NOON + 10))
    assert (denied.allowed, denied.remaining) == (False, 0)
    assert denied.retry_after_s == MIDNIGHT - (NOON + 10)
    assert storage.data[quota_key(utc_day(NOON), CSE, "default")] == 3
    late = await logic.acquire(req(MIDNIGHT - 0.001))
    assert not late.allowed and late.retry_after_s == pytest.approx(0.001, abs=1e-6)
    assert (await logic.acquire(req(MIDNIGHT))).allowed  # a new UTC day: a new counter, no reset needed
    assert storage.data[quota_key(utc_day(MIDNIGHT), CSE, "default")] == 1
    assert (await logic.acquire(req(MIDNIGHT, key="other", tokens=3))).allowed  # quotas are per key


async def test_a_denied_acquire_consumes_nothing() -> None:
    storage = FakeStorage()
    logic = logic_with(storage, quota=5, capacity=2, rate=0.5)
    assert (await logic.acquire(req(NOON, tokens=2))).allowed
    before = dict(storage.data)
    puts = storage.puts
    refused = await logic.acquire(req(NOON))  # the bucket is empty: the quota must not be charged
    assert not refused.allowed and refused.retry_after_s == pytest.approx(2.0)
    assert (storage.data, storage.puts) == (before, puts)
    assert (await logic.acquire(req(NOON + 2))).allowed
    assert (await logic.acquire(req(NOON + 6, tokens=2))).allowed  # 2 + 1 + 2 = 5 used
    before = dict(storage.data)
    over = await logic.acquire(req(NOON + 100))  # the quota is used up: the bucket must not be charged
    assert not over.allowed and over.retry_after_s == MIDNIGHT - (NOON + 100)
    assert storage.data == before


async def test_a_request_above_the_remaining_quota_is_denied_whole() -> None:
    logic = logic_with(FakeStorage(), quota=3)
    assert (await logic.acquire(req(NOON, tokens=2))).allowed
    refused = await logic.acquire(req(NOON, tokens=2))
    assert not refused.allowed and refused.retry_after_s == MIDNIGHT - NOON
    assert (await logic.acquire(req(NOON, tokens=1))).allowed


async def test_probes_respect_the_quota_and_take_nothing() -> None:
    storage = FakeStorage()
    logic = logic_with(storage, quota=1)
    assert (await logic.acquire(req(NOON, tokens=0))).allowed and not storage.data
    assert (await logic.acquire(req(NOON))).allowed
    probe = await logic.acquire(req(NOON, tokens=0))
    assert not probe.allowed and probe.retry_after_s == MIDNIGHT - NOON


async def test_more_tokens_than_the_quota_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="daily quota"):
        await logic_with(FakeStorage(), quota=3).acquire(req(NOON, tokens=4))


async def test_classes_without_a_quota_keep_no_counter() -> None:
    storage = FakeStorage()
    logic = logic_with(storage, quota=None)
    for _ in range(10):
        assert (await logic.acquire(req(NOON))).allowed
    assert not [k for k in storage.data if k.startswith(QUOTA_PREFIX)]


async def test_the_sweep_deletes_counters_of_past_days_only() -> None:
    storage = FakeStorage()
    logic = RateLimiterLogic(storage, {CSE: ClassLimit(BucketLimit(10, 1.0), 100)}, sweep_interval_s=3600)
    for n in range(600):  # more than one list page
        await logic.acquire(req(MIDNIGHT - 7200, key=f"k{n}"))
    assert storage.data["sweep:at"] == MIDNIGHT - 3600
    storage.alarm = None
    assert await logic.sweep() == 600  # the buckets are full again; today's counters stay
    assert len([k for k in storage.data if k.startswith(QUOTA_PREFIX)]) == 600
    assert storage.alarm == MIDNIGHT * 1000  # counters left behind keep the sweep going
    storage.alarm = None
    await logic.acquire(req(MIDNIGHT + 10, key="k0"))  # a new day's counter for one key
    assert await logic.sweep() == 0  # at midnight: yesterday's counters are kept for the grace, k0 still refills
    assert storage.alarm == (MIDNIGHT + QUOTA_KEEP_S) * 1000
    storage.alarm = None
    assert await logic.sweep() == 601  # an hour later: yesterday's 600 counters and k0's (full) bucket
    assert [k for k in storage.data if k.startswith(QUOTA_PREFIX)] == [quota_key(utc_day(MIDNIGHT), CSE, "k0")]
    sweeps = 0
    while storage.alarm is not None:  # today's counter goes once today is over, then the sweeping stops
        storage.alarm = None
        await logic.sweep()
        sweeps += 1
    assert not [k for k in storage.data if k.startswith(QUOTA_PREFIX)]
    assert storage.data["sweep:at"] == MIDNIGHT + 86_400 + QUOTA_KEEP_S and sweeps == 24


# -- status -------------------------------------------------------------------------------------------------------


async def test_status_reports_tokens_capacity_refill_and_quota() -> None:
    storage = FakeStorage()
    logic = logic_with(storage, quota=3, capacity=10, rate=0.5)
    await logic.acquire(req(NOON, tokens=2))
    await logic.acquire(req(NOON, tokens=3, key_class="ip", key="1.2.3.4"))
    puts = storage.puts
    reply = await logic.status(
        StatusRequest(
            keys=[
                StatusKey(key="default", key_class=CSE),
                StatusKey(key="1.2.3.4", key_class="ip"),
                StatusKey(key="never-used", key_class=CSE),
            ],
            now=NOON + 3,
        )
    )
    assert storage.puts == puts  # read only
    cse, ip, fresh = reply.items
    assert (cse.key, cse.key_class, cse.capacity, cse.refill_per_s) == ("default", CSE, 10, 0.5)
    assert cse.tokens == pytest.approx(9.5) and cse.available == 1  # 9 whole tokens, but only 1 left today
    assert (cse.quota_day, cse.quota_used, cse.daily_quota, cse.quota_remaining) == ("2026-01-05", 2, 3, 1)
    assert cse.quota_resets_at == MIDNIGHT and cse.full_in_s == pytest.approx(1.0)
    assert (ip.available, ip.tokens, ip.capacity, ip.refill_per_s) == (5, 5, 5, 1)
    assert (ip.daily_quota, ip.quota_remaining, ip.quota_resets_at, ip.quota_used) == (None, None, None, 0)
    assert (fresh.available, fresh.quota_used, fresh.quota_remaining, fresh.full_in_s) == (3, 0, 3, 0)
    tomorrow = await logic.status(StatusRequest(keys=[StatusKey(key="default", key_class=CSE)], now=MIDNIGHT))
    assert (tomorrow.items[0].quota_day, tomorrow.items[0].quota_used) == ("2026-01-06", 0)


async def test_status_of_an_unknown_class_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown rate-limit key class"):
        await logic_with(FakeStorage()).status(StatusRequest(keys=[StatusKey(key="a", key_class="nope")], now=NOON))


# -- property: never more than the bucket allows, never more than the day's quota ----------------------------------


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=20),
    rate=st.floats(min_value=0.001, max_value=50, allow_nan=False, allow_infinity=False),
    quota=st.integers(min_value=1, max_value=40),
    start=st.floats(min_value=0, max_value=86_400, allow_nan=False),
    steps=st.lists(
        st.tuples(
            st.one_of(st.floats(min_value=0, max_value=5, allow_nan=False), st.sampled_from([3600.0, 40_000.0])),
            st.integers(min_value=0, max_value=4),
        ),
        max_size=120,
    ),
)
async def test_never_grants_more_than_the_bucket_or_the_daily_quota(
    capacity: int, rate: float, quota: int, start: float, steps: list[tuple[float, int]]
) -> None:
    storage = FakeStorage()
    logic = RateLimiterLogic(storage, {CSE: ClassLimit(BucketLimit(capacity, rate), quota)}, sweep_interval_s=5000)
    t0 = NOON - 43_200 + start
    now, granted = t0, 0
    per_day: dict[int, int] = {}
    for dt, tokens in steps:
        now += dt
        tokens = min(tokens, capacity, quota)
        if storage.alarm is not None and storage.alarm <= now * 1000:  # the sweep alarm fires on time
            storage.alarm = None
            await logic.sweep()
        reply = await logic.acquire(req(now, tokens=tokens))
        if reply.allowed:
            granted += tokens
            per_day[utc_day(now)] = per_day.get(utc_day(now), 0) + tokens
        else:
            assert reply.retry_after_s > 0
            if per_day.get(utc_day(now), 0) + max(tokens, 1) > quota:
                assert reply.retry_after_s >= next_utc_midnight(now) - now
        slack = (EPSILON + rate * TIME_SLACK_S) * len(steps)
        assert granted <= capacity + rate * (now - t0) + slack + 1e-6
        assert all(used <= quota for used in per_day.values())
