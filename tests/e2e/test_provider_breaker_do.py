"""ProviderBreaker through the local runtime's Durable Objects: two clients stand for two isolates and see one circuit,
concurrent callers get one half-open probe, the state survives a restart, and the AI gateway in one "isolate" skips a
provider another one tripped (with the real RateLimiter object knowing the provider key classes)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.adapters.provider_breaker import DurableCircuitBreakers
from shared.adapters.rate_limit import DurableObjectRateLimiter
from shared.messages.provider_breaker import PROVIDER_BREAKER_BINDING, breaker_name
from shared.observability.log import Logger
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.service_layer.composition.gateway import AiGateway, Attempt
from tests.e2e.conftest import ROOT


class UtcClock:
    """The service layer's Clock (aware datetimes) over the runtime's manual clock."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock.now(), tz=UTC)


class Provider:
    def __init__(self, name: str, failure: FailureKind | None = None) -> None:
        self._name = name
        self.failure = failure
        self.calls = 0

    @property
    def name(self) -> str:
        return self._name

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        self.calls += 1
        if self.failure is not None:
            raise ProviderFailure(self.failure, "scripted")
        return Completion(text="Hello", provider=self._name, model="m")


def stub(runtime: LocalRuntime, provider: str = "xai") -> Any:
    assert runtime.env is not None
    ns = getattr(runtime.env, PROVIDER_BREAKER_BINDING)
    return ns.get(ns.idFromName(breaker_name(provider)))


async def test_two_isolates_share_one_circuit(runtime: LocalRuntime, clock: ManualClock) -> None:
    first, second = DurableCircuitBreakers(runtime.env), DurableCircuitBreakers(runtime.env)
    for _ in range(3):
        assert (await first.allow("provider:xai", clock.now())).allowed
        await first.record("provider:xai", False, clock.now())
    refused = await second.allow("provider:xai", clock.now())
    assert not refused.allowed and refused.state == "open" and refused.retry_at == clock.now() + 60
    assert (await second.allow("provider:anthropic", clock.now())).allowed  # one circuit per provider
    clock.advance(60)
    # Both "isolates" ask at once, many times over: the object hands out exactly one probe.
    decisions = await asyncio.gather(*(c.allow("xai", clock.now()) for c in (first, second) * 10))
    assert sum(d.allowed for d in decisions) == 1 and {d.state for d in decisions} == {"half_open"}
    await second.record("xai", True, clock.now())
    assert (await first.allow("xai", clock.now())).state == "closed"
    status = await first.status("xai", clock.now())
    assert status.state == "closed" and status.opens == 0


async def test_raw_rpc_payloads_and_replies_are_plain_dicts(runtime: LocalRuntime, clock: ManualClock) -> None:
    reply = await stub(runtime).allow({"now": clock.now()})
    assert reply == {"allowed": True, "state": "closed", "retry_at": None}
    status = await stub(runtime).record({"outcome": "failure", "now": clock.now()})
    assert status["consecutive_failures"] == 1 and status["config"]["failure_threshold"] == 3
    with pytest.raises(Exception, match="outcome"):
        await stub(runtime).record({"outcome": "maybe", "now": clock.now()})
    assert (await stub(runtime).ping("t-1"))["object"] == "ProviderBreaker"


async def test_an_open_circuit_survives_a_runtime_restart(tmp_path: Path, dev_vars: Path) -> None:
    state, clock = tmp_path / "state", ManualClock()
    first = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    try:
        for _ in range(3):
            await stub(first).record({"outcome": "failure", "now": clock.now()})
    finally:
        await first.close()
    second = await LocalRuntime(ROOT, state_dir=state, clock=clock, dev_vars=dev_vars).start()
    try:
        status = await stub(second).status({"now": clock.now() + 1})
        assert status["state"] == "open" and status["half_open_at"] == clock.now() + 60
    finally:
        await second.close()


async def test_a_gateway_skips_a_provider_that_another_isolate_tripped(
    runtime: LocalRuntime, clock: ManualClock
) -> None:
    lines: list[str] = []

    def gateway(providers: list[Provider]) -> AiGateway:  # each call builds what one isolate would hold
        return AiGateway(
            providers,
            breakers=DurableCircuitBreakers(runtime.env),
            rate_limiter=DurableObjectRateLimiter(runtime.env, UtcClock(clock)),
            clock=UtcClock(clock),
            log=Logger("e2e", sink=lines.append),
            timeout_s=5,
        )

    request = CompletionRequest(system="s", user="u")
    xai_one, xai_two = Provider("xai", FailureKind.SERVER), Provider("xai")
    one = gateway([xai_one, Provider("workers_ai")])
    for _ in range(3):
        result = await one.complete(request, lambda c: [])
        assert result.attempts == (Attempt("xai", "failed", "server"), Attempt("workers_ai", "accepted", None))
        clock.advance(1)
    two = gateway([xai_two, Provider("anthropic")])
    result = await two.complete(request, lambda c: [])
    assert result.attempts == (Attempt("xai", "skipped", "breaker_open"), Attempt("anthropic", "accepted", None))
    assert xai_two.calls == 0
    # The real RateLimiter object knows every AI provider's key class: no "unreachable" fallback was needed.
    assert not [json.loads(line) for line in lines if json.loads(line)["level"] == "warning" and "unreachable" in line]
