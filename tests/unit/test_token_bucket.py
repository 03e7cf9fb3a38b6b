"""Token-bucket maths (shared/domain/token_bucket.py) and the RateLimiter Durable Object logic over a fake storage."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from durable_objects.rate_limiter.logic import BUCKET_PREFIX, SWEEP_KEY, RateLimiterLogic, bucket_key
from shared.config import Settings
from shared.domain.token_bucket import (
    EPSILON,
    TIME_SLACK_S,
    BucketLimit,
    BucketState,
    RateDecision,
    full_at,
    level,
    take,
)
from shared.messages.rate_limit import AcquireRequest, KeyClass, shard_name
from tests.fakes import FakeDurableStorage

T0 = 1_767_600_000.0
LIMIT = BucketLimit(capacity=5, refill_per_s=2.0)


def drain(limit: BucketLimit, now: float, n: int) -> BucketState | None:
    state: BucketState | None = None
    for _ in range(n):
        state, decision = take(state, limit, now)
        assert decision.allowed
    return state


# -- the maths -------------------------------------------------------------------------------------------------


def test_a_new_bucket_is_full_and_grants_capacity_then_refuses() -> None:
    state = drain(LIMIT, T0, 5)
    assert state == BucketState(0.0, T0)
    state, decision = take(state, LIMIT, T0)
    assert decision == RateDecision(False, 0, 0.5)  # one token at 2/s: half a second
    assert decision.retry_after_header == 1


def test_refill_over_time_with_an_injected_clock() -> None:
    state = drain(LIMIT, T0, 5)
    assert level(state, LIMIT, T0 + 1.0).tokens == pytest.approx(2.0)
    state, decision = take(state, LIMIT, T0 + 1.0, tokens=2)
    assert decision.allowed and decision.remaining == 0
    state, decision = take(state, LIMIT, T0 + 1.25)
    assert not decision.allowed and decision.retry_after_s == pytest.approx(0.25)


def test_capacity_caps_the_refill() -> None:
    state = drain(LIMIT, T0, 5)
    assert level(state, LIMIT, T0 + 3600).tokens == LIMIT.capacity
    assert full_at(BucketState(0.0, T0), LIMIT) == T0 + 2.5
    state = drain(LIMIT, T0 + 3600, 5)  # a long idle spell grants one burst, not an hour's worth
    assert not take(state, LIMIT, T0 + 3600)[1].allowed


def test_fractional_tokens_accumulate() -> None:
    slow = BucketLimit(capacity=2, refill_per_s=0.3)
    state = drain(slow, T0, 2)
    state, decision = take(state, slow, T0 + 1)  # 0.3 tokens
    assert not decision.allowed and decision.retry_after_s == pytest.approx(0.7 / 0.3)
    state, decision = take(state, slow, T0 + 2)  # 0.6
    assert not decision.allowed
    state, decision = take(state, slow, T0 + 3.4)  # 1.02
    assert decision.allowed and state.tokens == pytest.approx(0.02, abs=1e-6)


@pytest.mark.parametrize("rate", [0.1, 0.3, 1 / 3, 2.0, 7.0, 1000.0])
def test_waiting_exactly_retry_after_is_enough_and_a_hair_less_is_not(rate: float) -> None:
    limit = BucketLimit(capacity=3, refill_per_s=rate)
    start = T0 + 0.123 / rate  # 0.123 tokens back
    state, refused = take(drain(limit, T0, 3), limit, start, tokens=2)
    assert not refused.allowed and refused.retry_after_s == pytest.approx(1.877 / rate, abs=1e-6)
    then = start + refused.retry_after_s
    assert take(state, limit, then, tokens=2)[1].allowed
    assert not take(state, limit, then - 1e-2 / rate, tokens=2)[1].allowed


def test_retry_after_header_rounds_up_and_is_never_zero() -> None:
    assert RateDecision(False, 0, 0.01).retry_after_header == 1
    assert RateDecision(False, 0, 1.0).retry_after_header == 1
    assert RateDecision(False, 0, 1.0 + 1e-12).retry_after_header == 1  # float noise is not a whole extra second
    assert RateDecision(False, 0, 1.5).retry_after_header == 2
    assert RateDecision(True, 3, 0.0).retry_after_header == 1


def test_a_clock_behind_the_bucket_refills_nothing_and_waits_for_the_difference() -> None:
    state = drain(LIMIT, T0, 5)
    assert level(state, LIMIT, T0 - 10) == state
    _, decision = take(state, LIMIT, T0 - 1.0)
    assert not decision.allowed and decision.retry_after_s == pytest.approx(1.5)


def test_probe_takes_nothing_and_needs_one_whole_token() -> None:
    state = drain(LIMIT, T0, 4)
    after, decision = take(state, LIMIT, T0, tokens=0)
    assert decision.allowed and after == state
    state = drain(LIMIT, T0, 5)
    _, decision = take(state, LIMIT, T0, tokens=0)
    assert not decision.allowed and decision.retry_after_s == pytest.approx(0.5)


def test_a_lowered_capacity_applies_to_stored_buckets() -> None:
    assert level(BucketState(50.0, T0), LIMIT, T0).tokens == 5


@pytest.mark.parametrize("tokens", [-1, 6])
def test_impossible_requests_are_caller_errors(tokens: int) -> None:
    with pytest.raises(ValueError):
        take(None, LIMIT, T0, tokens)


@pytest.mark.parametrize("capacity, rate", [(0, 1), (5, 0), (5, -1), (math.inf, 1), (5, math.nan)])
def test_limits_are_validated(capacity: float, rate: float) -> None:
    with pytest.raises(ValueError):
        BucketLimit(capacity, rate)


@settings(max_examples=300, deadline=None)
@given(
    capacity=st.integers(min_value=1, max_value=50),
    rate=st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False),
    steps=st.lists(
        st.tuples(st.floats(min_value=0, max_value=5, allow_nan=False), st.integers(min_value=0, max_value=3)),
        max_size=200,
    ),
)
def test_never_grants_more_than_capacity_plus_refill(
    capacity: int, rate: float, steps: list[tuple[float, int]]
) -> None:
    limit = BucketLimit(capacity, rate)
    state: BucketState | None = None
    now = T0
    granted = 0
    for dt, tokens in steps:
        now += dt
        tokens = min(tokens, capacity)
        state, decision = take(state, limit, now, tokens)
        if decision.allowed:
            granted += tokens
        else:
            assert decision.retry_after_s > 0
        assert 0 <= state.tokens <= capacity
        slack = (EPSILON + rate * TIME_SLACK_S) * len(steps)
        assert granted <= capacity + rate * (now - T0) + slack + 1e-6


# -- shard naming ------------------------------------------------------------------------------------------------


def test_shards_are_stable_and_256_per_class() -> None:
    assert shard_name("ip", "203.0.113.7") == shard_name("ip", "203.0.113.7")
    names = {shard_name(KeyClass.IP, f"10.0.{i // 256}.{i % 256}") for i in range(20_000)}
    assert len(names) == 256
    assert all(n.startswith("ip:") and len(n) == len("ip:") + 2 for n in names)
    assert shard_name(KeyClass.API_KEY, "k1").startswith("api_key:")


def test_settings_give_a_limit_per_key_class() -> None:
    limits = Settings(rate_limit_ip_capacity=3, rate_limit_ip_refill_per_s=0.5).rate_limits()
    assert limits[KeyClass.IP] == BucketLimit(3, 0.5)
    assert limits["api_key"] == BucketLimit(120, 2.0)


# -- the Durable Object logic ------------------------------------------------------------------------------------


FakeStorage = FakeDurableStorage


def request(key: str, now: float, tokens: int = 1, key_class: str = "ip") -> AcquireRequest:
    return AcquireRequest(key=key, key_class=key_class, tokens=tokens, now=now)


async def test_logic_persists_one_bucket_per_key() -> None:
    storage = FakeStorage()
    logic = RateLimiterLogic(storage, {"ip": LIMIT})
    for _ in range(5):
        assert (await logic.acquire(request("a", T0))).allowed
    refused = await logic.acquire(request("a", T0))
    assert (refused.allowed, refused.retry_after_s) == (False, 0.5)
    assert (await logic.acquire(request("b", T0))).allowed  # another key, its own bucket
    assert (await logic.acquire(request("a", T0 + 0.5))).allowed
    assert storage.data[bucket_key("ip", "a")] == {"tokens": 0, "updated_at": T0 + 0.5, "full_at": T0 + 3.0}


async def test_logic_state_survives_a_new_instance() -> None:
    storage = FakeStorage()
    for _ in range(5):
        await RateLimiterLogic(storage, {"ip": LIMIT}).acquire(request("a", T0))
    assert not (await RateLimiterLogic(storage, {"ip": LIMIT}).acquire(request("a", T0))).allowed


async def test_refusals_and_probes_write_nothing() -> None:
    storage = FakeStorage()
    logic = RateLimiterLogic(storage, {"ip": BucketLimit(1, 1)})
    await logic.acquire(request("a", T0))
    writes = storage.puts
    assert not (await logic.acquire(request("a", T0))).allowed
    assert not (await logic.acquire(request("a", T0, tokens=0))).allowed
    assert (await logic.acquire(request("b", T0, tokens=0))).allowed
    assert storage.puts == writes and bucket_key("ip", "b") not in storage.data


async def test_unknown_key_class_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown rate-limit key class"):
        await RateLimiterLogic(FakeStorage(), {"ip": LIMIT}).acquire(request("a", T0, key_class="brave"))


async def test_sweep_forgets_full_buckets_and_keeps_the_rest() -> None:
    storage = FakeStorage()
    logic = RateLimiterLogic(storage, {"ip": BucketLimit(10, 1.0)}, sweep_interval_s=100)
    for n in range(300):  # more than one list page and many delete batches
        await logic.acquire(request(f"10.0.0.{n}", T0))
    assert storage.alarm == (T0 + 100) * 1000 and storage.data[SWEEP_KEY] == T0 + 100
    for _ in range(9):  # this one will still be refilling at the sweep: 10 tokens at 1/s from T0 + 95
        await logic.acquire(request("busy", T0 + 95))
    storage.alarm = None  # the alarm fired
    assert await logic.sweep() == 300
    assert [k for k in storage.data if k.startswith(BUCKET_PREFIX)] == [bucket_key("ip", "busy")]
    assert storage.alarm == (T0 + 200) * 1000  # the survivor gets another sweep
    storage.alarm = None
    assert await logic.sweep() == 1
    assert storage.alarm is None
    assert not [k for k in storage.data if k.startswith(BUCKET_PREFIX)]


async def test_a_swept_bucket_behaves_like_the_full_bucket_it_was() -> None:
    storage = FakeStorage()
    logic = RateLimiterLogic(storage, {"ip": LIMIT}, sweep_interval_s=10)
    for _ in range(5):
        await logic.acquire(request("a", T0))
    storage.alarm = None
    await logic.sweep()
    granted = [(await logic.acquire(request("a", T0 + 10))).allowed for _ in range(6)]
    assert granted == [True] * 5 + [False]
