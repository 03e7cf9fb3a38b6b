"""The provider guard: breaker, quota and credits before the call; each failure kind ends where the table says."""

from __future__ import annotations

from typing import Any

import pytest

from shared.domain.enrichment.costs import ProviderCost
from shared.domain.enrichment.trail import Trail
from shared.domain.token_bucket import BucketLimit
from shared.messages.rate_limit import ClassLimit
from shared.observability.log import Logger
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.service_layer.enrichment.guard import ProviderGuard
from tests.fakes import FakeRateLimiter, FixedClock, MemoryBreakers


def _guard(limiter: FakeRateLimiter | None = None, breakers: MemoryBreakers | None = None) -> tuple[ProviderGuard, Any]:
    clock = FixedClock()
    limiter = limiter or FakeRateLimiter(clock=clock)
    guard = ProviderGuard(breakers=breakers or MemoryBreakers(), rate_limiter=limiter, clock=limiter.clock,
                          log=Logger("test", level="error"), costs={"brave": ProviderCost(2, 0.005)},
                          timeout_s=1.0)  # fmt: skip
    return guard, limiter


async def test_an_answer_costs_its_credits() -> None:
    guard, limiter = _guard()
    trail = Trail()

    async def answer(timeout_s: float) -> str:
        return "ok"

    called = await guard.call("brave", "website", trail, answer)
    assert called.ok and called.value == "ok" and called.credits == 2 and called.cost_micros == 10_000
    assert limiter.calls == [("default", "provider:brave", 2)]
    assert trail.entries == []  # the caller writes what the answer meant


@pytest.mark.parametrize(
    ("kind", "transient", "waiting", "outcome"),
    [
        (LookupFailureKind.TIMEOUT, True, False, "failed"),
        (LookupFailureKind.SERVER, True, False, "failed"),
        (LookupFailureKind.MALFORMED, True, False, "failed"),
        (LookupFailureKind.RATE_LIMITED, True, False, "failed"),
        (LookupFailureKind.AUTH, False, False, "failed"),
        (LookupFailureKind.REFUSED, False, False, "failed"),
        (LookupFailureKind.QUOTA, False, True, "failed"),
        (LookupFailureKind.UNAVAILABLE, False, False, "skipped"),
    ],
)
async def test_failure_kinds(kind: LookupFailureKind, transient: bool, waiting: bool, outcome: str) -> None:
    breakers = MemoryBreakers()
    guard, limiter = _guard(breakers=breakers)
    trail = Trail()

    async def fail(timeout_s: float) -> str:
        raise LookupFailure(kind, "scripted", quota_period="month" if kind is LookupFailureKind.QUOTA else None)

    called = await guard.call("brave", "website", trail, fail)
    assert not called.ok and called.transient is transient and called.waiting is waiting
    assert [e.outcome for e in trail.entries] == [outcome]
    recorded = [c for c in breakers.calls if c[0] == "record"]
    assert bool(recorded) == (kind not in (LookupFailureKind.UNAVAILABLE,))
    if kind is LookupFailureKind.QUOTA:
        assert limiter.exhaustions == [("default", "provider:brave", "month")]
        assert not (await limiter.acquire("default", "provider:brave", 1)).allowed  # stopped until the reset


async def test_a_used_up_quota_stops_the_provider_without_a_call_until_the_reset() -> None:
    clock = FixedClock()
    limiter = FakeRateLimiter({"provider:brave": ClassLimit(BucketLimit(10, 10.0), daily_quota=4)}, clock)
    guard, _ = _guard(limiter)
    calls: list[float] = []

    async def answer(timeout_s: float) -> str:
        calls.append(timeout_s)
        return "ok"

    trail = Trail()
    results = [await guard.call("brave", "website", trail, answer) for _ in range(3)]
    assert [r.ok for r in results] == [True, True, False]  # 2 credits a call, 4 a day
    assert results[2].waiting and not results[2].transient and len(calls) == 2
    assert trail.entries[-1].outcome == "stopped" and "quota" in trail.entries[-1].detail
    clock.advance(86_400)
    assert (await guard.call("brave", "website", trail, answer)).ok


async def test_an_open_circuit_is_a_transient_stop() -> None:
    breakers = MemoryBreakers()
    guard, _ = _guard(breakers=breakers)

    async def fail(timeout_s: float) -> str:
        raise LookupFailure(LookupFailureKind.SERVER, "down")

    trail = Trail()
    for _ in range(10):
        await guard.call("brave", "website", trail, fail)
    last = await guard.call("brave", "website", trail, fail)
    assert last.transient and trail.entries[-1].outcome == "stopped"
    assert trail.entries[-1].detail == "circuit open"


async def test_unreachable_breaker_and_limiter_never_block() -> None:
    limiter = FakeRateLimiter(broken=True)
    guard, _ = _guard(limiter, MemoryBreakers(broken="both"))

    async def answer(timeout_s: float) -> str:
        return "ok"

    assert (await guard.call("brave", "website", Trail(), answer)).ok


async def test_an_adapter_that_breaks_its_contract_counts_as_a_server_failure() -> None:
    guard, _ = _guard()

    async def broken(timeout_s: float) -> str:
        raise KeyError("results")

    trail = Trail()
    called = await guard.call("brave", "website", trail, broken)
    assert called.transient and "adapter error KeyError" in trail.entries[0].detail


async def test_a_bucket_that_refills_within_seconds_is_waited_for() -> None:
    clock = FixedClock()
    limiter = FakeRateLimiter({"provider:brave": ClassLimit(BucketLimit(2, 1.0))}, clock)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    guard = ProviderGuard(breakers=MemoryBreakers(), rate_limiter=limiter, clock=clock,
                          log=Logger("test", level="error"), costs={"brave": ProviderCost(2, 0.0)}, timeout_s=1.0,
                          sleep=sleep)  # fmt: skip

    async def answer(timeout_s: float) -> str:
        return "ok"

    assert (await guard.call("brave", "website", Trail(), answer)).ok
    second = await guard.call("brave", "website", Trail(), answer)  # 2 credits at 1/s: 2 s to wait
    assert second.ok and slept == [pytest.approx(2.0)]
