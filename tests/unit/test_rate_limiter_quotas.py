"""RateLimiter monthly quotas, provider-reported exhaustion and their status, over a fake storage and an injected
`now`: month rollover (December → January, leap February), day and month together, markers per period, the sweep
keeping storage bounded, the `RATE_LIMIT_PROVIDERS` parsing, and a property: no quota is ever overrun."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_objects.rate_limiter.logic import MARKER_PREFIX, QUOTA_PREFIX, RateLimiterLogic, month_quota_key
from durable_objects.rate_limiter.names import marker_key
from shared.adapters.rate_limit import UnlimitedRateLimiter
from shared.domain.token_bucket import BucketLimit, next_utc_midnight, next_utc_month_start, utc_day, utc_month
from shared.messages.rate_limit import (
    PROVIDER_LIMITS,
    AcquireRequest,
    ClassLimit,
    ExhaustRequest,
    KeyClass,
    StatusKey,
    StatusRequest,
    provider_limits,
)
from tests.fakes import FakeDurableStorage, FakeRateLimiter, FixedClock

BRAVE = "provider:brave"
CSE = "provider:google_cse"
SEARXNG = "provider:searxng"
MV = "provider:millionverifier"
ACCOUNT = "default"


def ts(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> float:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp()


def req(now: float, tokens: int = 1, key_class: str = BRAVE, key: str = ACCOUNT) -> AcquireRequest:
    return AcquireRequest(key=key, key_class=key_class, tokens=tokens, now=now)


def exhaust(now: float, period: str, key_class: str = SEARXNG, key: str = ACCOUNT) -> ExhaustRequest:
    return ExhaustRequest(key=key, key_class=key_class, period=period, now=now)  # type: ignore[arg-type]


def logic(
    storage: FakeDurableStorage, daily: int | None = None, monthly: int | None = 3, **kwargs: float
) -> RateLimiterLogic:
    limits = {
        BRAVE: ClassLimit(BucketLimit(10, 1.0), daily_quota=daily, monthly_quota=monthly),
        CSE: ClassLimit(BucketLimit(5, 1.0), daily_quota=100),
        SEARXNG: ClassLimit(BucketLimit(2, 2.0)),
    }
    return RateLimiterLogic(storage, limits, **kwargs)


# -- the month maths -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "month", "next_start"),
    [
        (ts(2026, 12, 31, 23, 59, 59), "2026-12", ts(2027, 1, 1)),  # December rolls over into the next year
        (ts(2027, 1, 1), "2027-01", ts(2027, 2, 1)),  # the first midnight starts the month
        (ts(2026, 2, 28, 12), "2026-02", ts(2026, 3, 1)),  # 28 days
        (ts(2028, 2, 29, 23, 30), "2028-02", ts(2028, 3, 1)),  # leap year: the 29th is still February
        (ts(2026, 3, 1) - 1e-3, "2026-02", ts(2026, 3, 1)),
    ],
)
def test_utc_months_end_at_the_first_midnight_of_the_next(now: float, month: str, next_start: float) -> None:
    assert utc_month(now) == month
    assert next_utc_month_start(now) == next_start > now


# -- monthly quotas ------------------------------------------------------------------------------------------------


async def test_month_quota_denies_until_the_new_year_then_resets() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, monthly=3)
    start = ts(2026, 12, 30, 18)
    assert [(await limiter.acquire(req(start + 3600 * i))).remaining for i in range(3)] == [2, 1, 0]
    denied = await limiter.acquire(req(ts(2026, 12, 31, 23, 59)))
    assert (denied.allowed, denied.remaining, denied.retry_after_s) == (False, 0, 60.0)  # not the next midnight's day
    assert storage.data[month_quota_key(start, BRAVE, ACCOUNT)] == 3
    assert (await limiter.acquire(req(ts(2027, 1, 1), tokens=3))).allowed  # January: a new counter, no reset cron
    assert storage.data["quota:m:2027-01:provider:brave:default"] == 3
    assert (await limiter.acquire(req(ts(2027, 1, 1, 12), key="agency-eu"))).allowed  # quotas are per key


async def test_leap_february_counts_the_29th_and_resets_on_march_1() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, monthly=2)
    assert (await limiter.acquire(req(ts(2028, 2, 1, 9)))).allowed
    assert (await limiter.acquire(req(ts(2028, 2, 29, 8)))).allowed
    denied = await limiter.acquire(req(ts(2028, 2, 29, 22)))
    assert not denied.allowed and denied.retry_after_s == 2 * 3600
    assert (await limiter.acquire(req(ts(2028, 3, 1)))).allowed
    assert sorted(k for k in storage.data if k.startswith("quota:m:")) == [
        "quota:m:2028-02:provider:brave:default",
        "quota:m:2028-03:provider:brave:default",
    ]


async def test_day_and_month_both_have_to_allow() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, daily=2, monthly=5)
    day1 = ts(2026, 4, 28, 9)
    assert [(await limiter.acquire(req(day1 + i))).remaining for i in range(2)] == [1, 0]  # the day is tighter
    by_day = await limiter.acquire(req(day1 + 10))
    assert not by_day.allowed and by_day.retry_after_s == next_utc_midnight(day1) - (day1 + 10)
    day2 = day1 + 86_400
    assert [(await limiter.acquire(req(day2 + i))).remaining for i in range(2)] == [1, 0]
    day3 = day2 + 86_400
    before = dict(storage.data)
    two = await limiter.acquire(req(day3, tokens=2))  # the day has 2 left, the month only 1: the month decides
    assert not two.allowed and two.retry_after_s == ts(2026, 5, 1) - day3
    assert storage.data == before  # a denial charges neither counter nor the bucket
    last = await limiter.acquire(req(day3))
    assert (last.allowed, last.remaining) == (True, 0)
    by_month = await limiter.acquire(req(day3 + 60))
    assert not by_month.allowed and by_month.retry_after_s == ts(2026, 5, 1) - (day3 + 60)  # past the midnights
    assert (await limiter.acquire(req(ts(2026, 5, 1)))).allowed


async def test_a_bucket_denial_reports_the_tightest_remaining_and_charges_nothing() -> None:
    storage = FakeDurableStorage()
    limiter = RateLimiterLogic(storage, {BRAVE: ClassLimit(BucketLimit(1, 1.0), monthly_quota=1_000)})
    now = ts(2026, 6, 15, 10)
    assert (await limiter.acquire(req(now))).allowed
    puts = storage.puts
    refused = await limiter.acquire(req(now + 0.25))
    assert (refused.allowed, refused.retry_after_s) == (False, 0.75)
    assert storage.puts == puts and storage.data[month_quota_key(now, BRAVE, ACCOUNT)] == 1


async def test_more_tokens_than_the_monthly_quota_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="monthly quota"):
        await logic(FakeDurableStorage(), monthly=3).acquire(req(ts(2026, 1, 5), tokens=4))


async def test_probes_respect_the_month_and_take_nothing() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, monthly=1)
    now = ts(2026, 9, 30, 20)
    assert (await limiter.acquire(req(now, tokens=0))).allowed and not storage.data
    assert (await limiter.acquire(req(now))).allowed
    probe = await limiter.acquire(req(now, tokens=0))
    assert not probe.allowed and probe.retry_after_s == ts(2026, 10, 1) - now


# -- provider-reported exhaustion ----------------------------------------------------------------------------------


async def test_a_day_exhaustion_stops_a_class_without_quotas_until_midnight() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage)
    now = ts(2026, 3, 10, 14, 30)
    assert (await limiter.acquire(req(now, key_class=SEARXNG))).allowed
    reply = await limiter.exhaust(exhaust(now + 1, "day"))
    assert reply.exhausted_until == ts(2026, 3, 11)
    assert storage.data[marker_key("day", now, SEARXNG, ACCOUNT)] == now + 1
    denied = await limiter.acquire(req(now + 60, key_class=SEARXNG))
    assert (denied.allowed, denied.remaining, denied.retry_after_s) == (False, 0, ts(2026, 3, 11) - (now + 60))
    assert (await limiter.acquire(req(now, key_class=SEARXNG, key="self-hosted-2"))).allowed  # per key
    fresh = logic(storage)  # another instance (an evicted object comes back): the marker is in storage
    assert not (await fresh.acquire(req(now + 120, key_class=SEARXNG))).allowed
    assert (await fresh.acquire(req(ts(2026, 3, 11), key_class=SEARXNG))).allowed


async def test_a_month_exhaustion_outlasts_the_day_and_charges_nothing() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage)
    now = ts(2026, 11, 20, 7)
    assert (await limiter.acquire(req(now, key_class=CSE))).allowed  # a daily quota, no monthly one
    await limiter.exhaust(exhaust(now, "month", key_class=CSE))
    before = dict(storage.data)
    for later in (now + 5, ts(2026, 11, 21, 9), ts(2026, 11, 30, 23)):
        refused = await limiter.acquire(req(later, key_class=CSE))
        assert not refused.allowed and refused.retry_after_s == ts(2026, 12, 1) - later
    assert storage.data == before
    assert (await limiter.acquire(req(ts(2026, 12, 1), key_class=CSE))).allowed


async def test_exhaustion_is_idempotent_and_the_later_reset_wins() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage)
    now = ts(2026, 8, 12, 10)
    await limiter.exhaust(exhaust(now, "day"))
    await limiter.exhaust(exhaust(now + 900, "day"))  # a retrying caller reports it again
    assert storage.data[marker_key("day", now, SEARXNG, ACCOUNT)] == now  # the first report is kept
    await limiter.exhaust(exhaust(now + 900, "month"))
    refused = await limiter.acquire(req(now + 1000, key_class=SEARXNG))
    assert refused.retry_after_s == ts(2026, 9, 1) - (now + 1000)
    assert len([k for k in storage.data if k.startswith(MARKER_PREFIX)]) == 2


async def test_exhausting_an_unknown_class_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown rate-limit key class"):
        await logic(FakeDurableStorage()).exhaust(exhaust(ts(2026, 1, 5), "day", key_class="provider:bing"))


# -- status --------------------------------------------------------------------------------------------------------


async def test_status_reports_the_month_and_an_exhaustion() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, daily=50, monthly=1_000)
    now = ts(2026, 7, 31, 22)
    await limiter.acquire(req(now, tokens=4))
    await limiter.exhaust(exhaust(now, "day"))
    puts = storage.puts
    reply = await limiter.status(
        StatusRequest(
            keys=[
                StatusKey(key=ACCOUNT, key_class=BRAVE),
                StatusKey(key=ACCOUNT, key_class=SEARXNG),
                StatusKey(key=ACCOUNT, key_class=CSE),
            ],
            now=now + 10,
        )
    )
    assert storage.puts == puts  # read only
    brave, searxng, cse = reply.items
    assert (brave.quota_month, brave.month_used, brave.monthly_quota, brave.month_remaining) == (
        "2026-07",
        4,
        1000,
        996,
    )
    assert (brave.month_resets_at, brave.quota_used, brave.quota_remaining) == (ts(2026, 8, 1), 4, 46)
    assert brave.available == 10 and brave.exhausted_until is None  # the bucket refilled: 10 of 10
    assert (searxng.exhausted_until, searxng.available, searxng.monthly_quota, searxng.month_remaining) == (
        ts(2026, 8, 1),
        0,
        None,
        None,
    )
    assert (cse.month_used, cse.monthly_quota, cse.month_resets_at, cse.available) == (0, None, None, 5)
    august = await limiter.status(StatusRequest(keys=[StatusKey(key=ACCOUNT, key_class=BRAVE)], now=ts(2026, 8, 1)))
    assert (august.items[0].quota_month, august.items[0].month_used, august.items[0].month_remaining) == (
        "2026-08",
        0,
        1000,
    )


async def test_status_of_an_exhausted_class_with_quotas_shows_none_left() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, daily=100, monthly=2_000)
    now = ts(2026, 10, 2, 3)
    await limiter.acquire(req(now, tokens=7))
    await limiter.exhaust(exhaust(now, "month", key_class=BRAVE))
    item = (await limiter.status(StatusRequest(keys=[StatusKey(key=ACCOUNT, key_class=BRAVE)], now=now))).items[0]
    assert (item.quota_used, item.month_used) == (7, 7)  # the real use stays visible
    assert (item.quota_remaining, item.month_remaining, item.available) == (0, 0, 0)
    assert item.exhausted_until == ts(2026, 11, 1)


# -- the sweep keeps storage bounded -------------------------------------------------------------------------------


async def test_the_sweep_keeps_at_most_two_periods_of_counters_and_markers() -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, daily=500, monthly=10_000, sweep_interval_s=3600)
    now = ts(2026, 11, 25)
    keys = ["default", "agency-eu", "agency-us"]
    while now < ts(2027, 2, 10):
        for key in keys:
            await limiter.acquire(req(now, key=key))
        if utc_day(now) % 9 == 0:
            await limiter.exhaust(exhaust(now, "day", key_class=BRAVE))
            await limiter.exhaust(exhaust(now, "month", key_class=SEARXNG))
        now += 1800
        if storage.alarm is not None and storage.alarm <= now * 1000:  # the alarm fires on time
            storage.alarm = None
            await limiter.sweep()
        names = list(storage.data)
        for key in keys:
            months = {n.split(":")[2] for n in names if n.startswith("quota:m:") and n.endswith(f":{key}")}
            days = {n.split(":")[1] for n in names if n.startswith(QUOTA_PREFIX) and not n.startswith("quota:m:")}
            assert len(months) <= 2 and len(days) <= 2
        assert len([n for n in names if n.startswith(MARKER_PREFIX)]) <= 4
    while storage.alarm is not None:  # no more traffic: everything goes, then the sweeping stops
        storage.alarm = None
        await limiter.sweep()
    assert set(storage.data) == {"sweep:at"}
    assert (await limiter.acquire(req(ts(2027, 4, 1), key_class=SEARXNG))).allowed  # swept markers are forgotten


# -- configuration -------------------------------------------------------------------------------------------------


def test_provider_defaults_include_the_enrichment_classes() -> None:
    assert PROVIDER_LIMITS[KeyClass.PROVIDER_BRAVE] == ClassLimit(BucketLimit(1, 1.0), monthly_quota=1_000)
    assert PROVIDER_LIMITS[KeyClass.PROVIDER_SEARXNG] == ClassLimit(BucketLimit(2, 2.0))
    assert PROVIDER_LIMITS[KeyClass.PROVIDER_ZEROBOUNCE] == ClassLimit(BucketLimit(10, 5.0))
    assert PROVIDER_LIMITS[KeyClass.PROVIDER_GOOGLE_CSE].monthly_quota is None
    assert not [name for name in PROVIDER_LIMITS if name.startswith("provider:llm")]


def test_monthly_quota_overrides_from_json() -> None:
    limits = provider_limits(
        '{"provider:brave": {"monthly_quota": 2000}, "provider:zerobounce": {"monthly_quota": 100, "daily_quota": 10},'
        ' "provider:serper": {"capacity": 5, "refill_per_s": 5, "monthly_quota": 2500}}'
    )
    assert limits[BRAVE] == ClassLimit(BucketLimit(1, 1.0), monthly_quota=2_000)  # the legacy free plan
    assert limits["provider:zerobounce"] == ClassLimit(BucketLimit(10, 5.0), daily_quota=10, monthly_quota=100)
    assert limits["provider:serper"] == ClassLimit(BucketLimit(5, 5.0), monthly_quota=2_500)
    assert provider_limits('{"provider:brave": {"monthly_quota": null}}')[BRAVE].monthly_quota is None
    assert limits[MV] == PROVIDER_LIMITS[MV]


@pytest.mark.parametrize(
    "raw",
    ['{"provider:brave": {"monthly_quota": 0}}', '{"provider:brave": {"monthly_quota": 1.5}}',
     '{"provider:brave": {"monthly_quota": true}}', '{"provider:brave": {"monthly_quota": "2000"}}',
     '{"provider:brave": {"monthly": 2000}}', '{"provider:brave": {"monthly_quota": -5}}'],
)  # fmt: skip
def test_bad_monthly_overrides_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="RATE_LIMIT_PROVIDERS"):
        provider_limits(raw)


# -- the port's other implementations ------------------------------------------------------------------------------


async def test_the_unlimited_limiter_ignores_exhaustion() -> None:
    limiter = UnlimitedRateLimiter()
    await limiter.exhaust(ACCOUNT, BRAVE, "month")
    assert (await limiter.acquire(ACCOUNT, BRAVE)).allowed


async def test_the_fake_limiter_honours_quotas_and_exhaustion() -> None:
    clock = FixedClock(datetime(2026, 1, 31, 23, tzinfo=UTC))
    fake = FakeRateLimiter({BRAVE: ClassLimit(BucketLimit(5, 1.0), monthly_quota=2)}, clock)
    assert [(await fake.acquire(ACCOUNT, BRAVE)).allowed for _ in range(3)] == [True, True, False]
    await fake.exhaust(ACCOUNT, "provider:hunter", "day")  # a class the fake was not configured with
    refused = await fake.acquire(ACCOUNT, "provider:hunter")
    assert not refused.allowed and refused.retry_after_s == 3600
    assert (await fake.status([(ACCOUNT, BRAVE)]))[0].month_remaining == 0
    clock.advance(3600)
    assert (await fake.acquire(ACCOUNT, BRAVE)).allowed and (await fake.acquire(ACCOUNT, "provider:hunter")).allowed
    assert fake.exhaustions == [(ACCOUNT, "provider:hunter", "day")]


# -- property: never more than either quota ------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    daily=st.integers(min_value=1, max_value=12),
    monthly=st.integers(min_value=1, max_value=30),
    start=st.floats(min_value=ts(2026, 1, 25), max_value=ts(2028, 3, 5), allow_nan=False),
    steps=st.lists(
        st.tuples(
            st.one_of(st.floats(min_value=0, max_value=5, allow_nan=False), st.sampled_from([3600.0, 40_000.0, 9e5])),
            st.integers(min_value=0, max_value=4),
            st.sampled_from([None, None, None, None, "day", "month"]),
        ),
        max_size=100,
    ),
)
async def test_granted_tokens_never_exceed_either_quota(
    daily: int, monthly: int, start: float, steps: list[tuple[float, int, str | None]]
) -> None:
    storage = FakeDurableStorage()
    limiter = logic(storage, daily=daily, monthly=monthly, sweep_interval_s=5000)
    now = start
    per_day: dict[int, int] = {}
    per_month: dict[str, int] = {}
    blocked_until = 0.0
    for dt, tokens, reported in steps:
        now += dt
        tokens = min(tokens, daily, monthly)
        if storage.alarm is not None and storage.alarm <= now * 1000:
            storage.alarm = None
            await limiter.sweep()
        if reported is not None:
            reply = await limiter.exhaust(exhaust(now, reported, key_class=BRAVE))
            blocked_until = max(blocked_until, reply.exhausted_until)
        decision = await limiter.acquire(req(now, tokens=tokens))
        day, month = utc_day(now), utc_month(now)
        if decision.allowed:
            assert now >= blocked_until  # an exhaustion holds until its reset
            per_day[day] = per_day.get(day, 0) + tokens
            per_month[month] = per_month.get(month, 0) + tokens
        elif per_month.get(month, 0) + max(tokens, 1) > monthly:
            assert decision.retry_after_s >= next_utc_month_start(now) - now
        elif per_day.get(day, 0) + max(tokens, 1) > daily:
            assert decision.retry_after_s >= next_utc_midnight(now) - now
        assert decision.retry_after_s > 0 or decision.allowed
        assert all(used <= daily for used in per_day.values())
        assert all(used <= monthly for used in per_month.values())
