"""ProviderBreaker logic over an in-memory storage and an injected `now`: closed → open → half-open (one probe) →
closed or re-opened with a doubled cool-down; unreported probes handed out again; reads that write nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from durable_objects.provider_breaker.logic import STATE_KEY, ProviderBreakerLogic, cooldown_for
from shared.messages.provider_breaker import BreakerConfig, NowRequest, RecordRequest, breaker_name
from tests.fakes import FakeDurableStorage

T0 = 1_767_600_000.0


async def opened(logic: ProviderBreakerLogic, now: float = T0) -> None:
    for _ in range(logic.config.failure_threshold):
        await logic.record("failure", now)


async def test_a_fresh_breaker_is_closed_and_allows() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage())
    decision = await logic.allow(T0)
    assert decision.allowed and decision.state == "closed" and decision.retry_at is None
    status = await logic.status(T0)
    assert status.state == "closed" and status.consecutive_failures == 0 and status.opens == 0
    assert status.config == BreakerConfig()


async def test_opens_after_the_threshold_of_consecutive_failures_only() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage())
    await logic.record("failure", T0)
    await logic.record("failure", T0 + 1)
    await logic.record("success", T0 + 2)  # resets the count
    await logic.record("failure", T0 + 3)
    status = await logic.record("failure", T0 + 4)
    assert status.state == "closed" and status.consecutive_failures == 2
    status = await logic.record("failure", T0 + 5)
    assert status.state == "open" and status.opens == 1
    assert status.opened_at == T0 + 5 and status.cooldown_s == 60 and status.half_open_at == T0 + 65
    refused = await logic.allow(T0 + 6)
    assert not refused.allowed and refused.state == "open" and refused.retry_at == T0 + 65


async def test_half_open_after_the_cool_down_hands_out_exactly_one_probe() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage())
    await opened(logic)
    assert (await logic.allow(T0 + 59.9)).state == "open"
    assert (await logic.status(T0 + 60)).state == "half_open"  # what a call would see
    probe = await logic.allow(T0 + 60)
    assert probe.allowed and probe.state == "half_open"
    second = await logic.allow(T0 + 61)
    assert not second.allowed and second.state == "half_open"
    assert second.retry_at == T0 + 60 + logic.config.probe_timeout_s
    assert (await logic.status(T0 + 61)).probe_at == T0 + 60


async def test_the_probe_s_success_closes_and_forgets_the_back_off() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage())
    await opened(logic)
    assert (await logic.allow(T0 + 60)).allowed
    await logic.record("failure", T0 + 61)  # re-opened: 120 s
    assert (await logic.allow(T0 + 181)).allowed
    status = await logic.record("success", T0 + 182)
    assert status.state == "closed" and status.opens == 0 and status.consecutive_failures == 0
    assert status.cooldown_s is None and status.probe_at is None
    assert (await logic.allow(T0 + 183)).allowed and (await logic.allow(T0 + 183)).state == "closed"
    await opened(logic, T0 + 200)
    assert (await logic.status(T0 + 200)).cooldown_s == 60  # the first cool-down again


async def test_each_failed_probe_doubles_the_cool_down_up_to_fifteen_minutes() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage())
    await opened(logic)
    now, seen = T0, []
    for _ in range(7):
        status = await logic.status(now)
        seen.append(status.cooldown_s)
        assert status.half_open_at is not None
        now = status.half_open_at
        assert (await logic.allow(now - 0.001)).allowed is False
        assert (await logic.allow(now)).allowed is True  # the probe
        await logic.record("failure", now + 1)
        now += 1
    assert seen == [60, 120, 240, 480, 900, 900, 900]
    assert [cooldown_for(n, BreakerConfig()) for n in (1, 2, 3, 4, 5, 10_000)] == [60, 120, 240, 480, 900, 900]


async def test_an_unreported_probe_is_handed_out_again_after_the_probe_timeout() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage(), BreakerConfig(probe_timeout_s=30))
    await opened(logic)
    assert (await logic.allow(T0 + 60)).allowed
    assert not (await logic.allow(T0 + 89.9)).allowed
    again = await logic.allow(T0 + 90)
    assert again.allowed and again.state == "half_open"
    assert not (await logic.allow(T0 + 91)).allowed


async def test_a_late_failure_while_open_does_not_extend_the_cool_down() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage())
    await opened(logic)
    status = await logic.record("failure", T0 + 30)  # a call that started before the circuit opened
    assert status.state == "open" and status.half_open_at == T0 + 60 and status.consecutive_failures == 4
    assert status.opens == 1


async def test_a_lagging_caller_gets_the_conservative_answer() -> None:
    logic = ProviderBreakerLogic(FakeDurableStorage())
    await opened(logic, T0 + 100)
    assert not (await logic.allow(T0)).allowed  # its clock is behind the open: still open
    assert (await logic.allow(T0 + 160)).allowed
    assert not (await logic.allow(T0 + 150)).allowed  # behind the probe's hand-out: the probe is still out


async def test_status_and_refusals_write_nothing() -> None:
    storage = FakeDurableStorage()
    logic = ProviderBreakerLogic(storage)
    await logic.allow(T0)
    await logic.status(T0)
    assert storage.puts == 0  # a closed breaker costs no writes
    await opened(logic)
    puts = storage.puts
    await logic.allow(T0 + 1)
    await logic.status(T0 + 61)
    assert storage.puts == puts
    await logic.allow(T0 + 61)  # claiming the probe is the one write
    await logic.allow(T0 + 62)
    assert storage.puts == puts + 1


async def test_state_survives_a_new_instance_and_bad_state_reads_closed() -> None:
    storage = FakeDurableStorage()
    await opened(ProviderBreakerLogic(storage))
    assert (await ProviderBreakerLogic(storage).status(T0 + 1)).state == "open"
    for junk in ("x", {"state": "weird"}, {"state": "open"}, {"state": "open", "half_open_at": "soon"}, [1]):
        storage.data[STATE_KEY] = junk
        assert (await ProviderBreakerLogic(storage).allow(T0)).state == "closed"


def test_payloads_and_config_are_validated() -> None:
    with pytest.raises(ValidationError):
        RecordRequest.model_validate({"outcome": "maybe", "now": T0})
    with pytest.raises(ValidationError):
        NowRequest.model_validate({"now": float("inf")})
    with pytest.raises(ValidationError):
        NowRequest.model_validate({"now": T0, "extra": 1})
    with pytest.raises(ValidationError):
        BreakerConfig(cooldown_s=120, max_cooldown_s=60)
    with pytest.raises(ValidationError):
        BreakerConfig(failure_threshold=0)
    assert breaker_name("xai") == breaker_name("provider:xai") == "provider:xai"


OPS = st.lists(
    st.tuples(st.sampled_from(["allow", "success", "failure", "status"]), st.floats(min_value=0, max_value=400)),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops=OPS, threshold=st.integers(1, 4))
async def test_any_sequence_keeps_the_invariants(ops: list[tuple[str, float]], threshold: int) -> None:
    """Time only moves forward; whatever happens, a half-open breaker never has two probes out within the probe
    timeout, a refusal always says when to come back (and that time is in the future), the cool-down stays within
    its bounds, and a fresh instance over the same storage sees the same circuit."""
    config = BreakerConfig(failure_threshold=threshold, probe_timeout_s=50)
    storage = FakeDurableStorage()
    logic = ProviderBreakerLogic(storage, config)
    now = T0
    last_probe: float | None = None
    for op, step in ops:
        now += step
        if op == "allow":
            before = await logic.status(now)
            decision = await logic.allow(now)
            if decision.allowed and decision.state == "half_open":
                assert last_probe is None or now >= last_probe + config.probe_timeout_s
                last_probe = now
            if not decision.allowed:
                assert decision.retry_at is not None and decision.retry_at > now
                assert decision.state in ("open", "half_open")
            if before.state == "closed":
                assert decision.allowed
        elif op == "status":
            await logic.status(now)
        else:
            status = await logic.record(op, now)  # type: ignore[arg-type]
            last_probe = None
            if op == "success":
                assert status.state == "closed" and status.consecutive_failures == 0
            elif status.state == "open":
                assert status.cooldown_s is not None
                assert config.cooldown_s <= status.cooldown_s <= config.max_cooldown_s
                assert status.half_open_at is not None and status.half_open_at > now
        again = await ProviderBreakerLogic(storage, config).status(now)
        assert again == await logic.status(now)
