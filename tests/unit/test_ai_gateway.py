"""The AI gateway over fake providers, the real breaker logic (in memory, one call at a time per breaker as the
Durable Object runs them) and the real token-bucket maths: every failure kind falls through with the right Attempt,
invalid output falls through with its codes, the breaker opens, skips, half-opens with one probe, closes and
re-opens with a longer cool-down, and an unreachable breaker or limiter never blocks composition."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest

from shared.domain.token_bucket import BucketLimit
from shared.messages.provider_breaker import StatusReply
from shared.observability.log import Logger
from shared.ports.ai import Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.service_layer.composition import gateway as gateway_module
from shared.service_layer.composition.gateway import AiGateway, Attempt, GatewayResult, token_estimate
from tests.fakes import FakeRateLimiter, FixedClock, MemoryBreakers

SECRET = "PROMPT-TEXT-THAT-MUST-NOT-BE-LOGGED"
REQUEST = CompletionRequest(system=f"system {SECRET}", user=f"user {SECRET}")
TRIPPING = {FailureKind.SERVER, FailureKind.TIMEOUT, FailureKind.MALFORMED, FailureKind.RATE_LIMITED}

Step = Completion | FailureKind | Exception | asyncio.Event


class FakeProvider:
    """Answers from a script, one step per call (the last step repeats): a Completion, a FailureKind (raised as
    ProviderFailure), any other exception (a broken adapter), or an Event to wait for before answering."""

    def __init__(self, name: str, *script: Step) -> None:
        self._name = name
        self.script = list(script) or [self.completion()]
        self.calls: list[float] = []
        self.entered = asyncio.Event()

    @property
    def name(self) -> str:
        return self._name

    def completion(self, text: str = "Hello Anna, ...") -> Completion:
        return Completion(text=text, provider=self._name, model=f"{self._name}-model", input_tokens=10, output_tokens=5)

    async def complete(self, request: CompletionRequest, *, timeout_s: float) -> Completion:
        self.calls.append(timeout_s)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        self.entered.set()
        if isinstance(step, asyncio.Event):
            await step.wait()
            return self.completion()
        if isinstance(step, FailureKind):
            raise ProviderFailure(step, "scripted", retry_after_s=7.0 if step is FailureKind.RATE_LIMITED else None)
        if isinstance(step, Exception):
            raise step
        return step


class World:
    def __init__(self, *providers: FakeProvider, breakers: MemoryBreakers | None = None, **limiter: Any) -> None:
        self.clock = FixedClock()
        self.lines: list[str] = []
        self.providers = providers
        self.breakers = breakers or MemoryBreakers()
        self.limiter = FakeRateLimiter(clock=self.clock, **limiter)
        self.gateway = AiGateway(
            providers,
            breakers=self.breakers,
            rate_limiter=self.limiter,
            clock=self.clock,
            log=Logger("test", sink=self.lines.append, level="debug"),
            timeout_s=12.5,
        )

    async def run(self, accept: Any = None) -> GatewayResult:
        return await self.gateway.complete(REQUEST, accept or (lambda completion: []))

    async def breaker(self, provider: str) -> StatusReply:
        return await self.breakers.status(f"provider:{provider}", self.clock.now().timestamp())

    def logs(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


async def test_the_first_provider_that_answers_well_is_used_and_the_rest_are_not_called() -> None:
    xai, anthropic = FakeProvider("xai"), FakeProvider("anthropic")
    world = World(xai, anthropic)
    result = await world.run()
    assert result.completion == xai.completion() and result.provider == "xai"
    assert result.attempts == (Attempt("xai", "accepted", None),)
    assert xai.calls == [12.5] and anthropic.calls == []
    request = CompletionRequest(system="s", user="u")
    assert world.limiter.calls == [("default", "provider:xai", 1), ("default", "provider:xai:tokens", 721)]
    assert token_estimate(request) == 1 + 700  # the prompt's size in tokens, rounded up, plus max_tokens
    assert world.breakers.calls == [("allow", "provider:xai"), ("record", "provider:xai")]


@pytest.mark.parametrize("kind", list(FailureKind))
async def test_each_failure_kind_falls_through_to_the_next_provider(kind: FailureKind) -> None:
    xai, anthropic = FakeProvider("xai", kind), FakeProvider("anthropic")
    world = World(xai, anthropic)
    result = await world.run()
    assert result.provider == "anthropic"
    expected = (
        Attempt("xai", "skipped", "unavailable")
        if kind is FailureKind.UNAVAILABLE
        else Attempt("xai", "failed", kind.value)
    )
    assert result.attempts == (expected, Attempt("anthropic", "accepted", None))
    # Only an outage counts against the breaker; AUTH/REFUSED/TRUNCATED/UNAVAILABLE leave it untouched.
    assert (await world.breaker("xai")).consecutive_failures == (1 if kind in TRIPPING else 0)
    recorded = ("record", "provider:xai") in world.breakers.calls
    assert recorded is (kind in TRIPPING)


async def test_invalid_output_falls_through_with_its_codes_and_counts_as_a_working_provider() -> None:
    xai, openai = FakeProvider("xai"), FakeProvider("openai")
    world = World(xai, openai)
    await world.breakers.record("provider:xai", False, world.clock.now().timestamp())  # one earlier failure

    def accept(completion: Completion) -> Sequence[str]:
        return ["unrendered_placeholder", "link_not_in_input"] if completion.provider == "xai" else []

    result = await world.run(accept)
    assert result.attempts == (
        Attempt("xai", "invalid", "unrendered_placeholder,link_not_in_input"),
        Attempt("openai", "accepted", None),
    )
    assert result.completion is not None and result.completion.provider == "openai"
    assert (await world.breaker("xai")).consecutive_failures == 0  # the answer was well-formed: success


async def test_when_every_provider_fails_there_is_no_completion_and_nothing_is_raised() -> None:
    world = World(
        FakeProvider("xai", FailureKind.SERVER),
        FakeProvider("anthropic", FailureKind.AUTH),
        FakeProvider("workers_ai"),
    )
    result = await world.run(lambda completion: ["too_long"])
    assert result.completion is None and result.provider is None
    assert [(a.provider, a.outcome, a.reason) for a in result.attempts] == [
        ("xai", "failed", "server"),
        ("anthropic", "failed", "auth"),
        ("workers_ai", "invalid", "too_long"),
    ]
    assert await World().run() == GatewayResult(None, ())  # no provider configured at all


async def test_a_broken_adapter_or_a_hung_one_falls_through_as_server_or_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = FakeProvider("xai", KeyError("choices"))
    hung = FakeProvider("openai", asyncio.Event())  # never set: ignores its timeout
    world = World(broken, hung, FakeProvider("workers_ai"))
    monkeypatch.setattr(gateway_module, "TIMEOUT_GRACE_S", 0.0)
    world.gateway._timeout_s = 0.001  # the adapter's own timeout is not honoured; the gateway's safety net is
    result = await world.run()
    assert [(a.provider, a.outcome, a.reason) for a in result.attempts] == [
        ("xai", "failed", "server"),
        ("openai", "failed", "timeout"),
        ("workers_ai", "accepted", None),
    ]
    assert any(line["message"] == "provider raised outside its contract" for line in world.logs())


async def test_the_breaker_opens_after_three_failures_and_later_calls_skip_the_provider() -> None:
    xai, anthropic = FakeProvider("xai", FailureKind.SERVER), FakeProvider("anthropic")
    world = World(xai, anthropic)
    for _ in range(3):
        assert (await world.run()).attempts[0] == Attempt("xai", "failed", "server")
        world.clock.advance(1)
    assert (await world.breaker("xai")).state == "open"
    result = await world.run()
    assert result.attempts == (Attempt("xai", "skipped", "breaker_open"), Attempt("anthropic", "accepted", None))
    assert len(xai.calls) == 3  # not called while open
    assert len(world.limiter.calls) == 2 * (3 + 4)  # requests and tokens; a skipped provider takes neither


async def test_after_the_cool_down_one_probe_closes_the_breaker_on_success() -> None:
    xai = FakeProvider(
        "xai", FailureKind.TIMEOUT, FailureKind.TIMEOUT, FailureKind.TIMEOUT, FakeProvider("xai").completion()
    )
    world = World(xai, FakeProvider("anthropic"))
    for _ in range(3):
        await world.run()
    world.clock.advance(59)
    assert (await world.run()).attempts[0].reason == "breaker_open"
    world.clock.advance(1)
    result = await world.run()
    assert result.attempts == (Attempt("xai", "accepted", None),)
    status = await world.breaker("xai")
    assert status.state == "closed" and status.opens == 0
    assert len(xai.calls) == 4


async def test_half_open_hands_one_probe_to_one_of_two_concurrent_callers() -> None:
    release = asyncio.Event()
    xai = FakeProvider("xai", FailureKind.SERVER, FailureKind.SERVER, FailureKind.SERVER, release)
    anthropic = FakeProvider("anthropic")
    world = World(xai, anthropic)
    for _ in range(3):
        await world.run()
    world.clock.advance(60)
    xai.entered.clear()
    first = asyncio.ensure_future(world.run())
    await xai.entered.wait()  # the probe is in flight
    second = await world.run()
    assert second.attempts == (Attempt("xai", "skipped", "breaker_open"), Attempt("anthropic", "accepted", None))
    release.set()
    probe = await first
    assert probe.attempts == (Attempt("xai", "accepted", None),)
    assert len(xai.calls) == 4 and (await world.breaker("xai")).state == "closed"


async def test_a_failed_probe_re_opens_the_breaker_with_a_longer_cool_down() -> None:
    xai = FakeProvider("xai", FailureKind.MALFORMED)
    world = World(xai, FakeProvider("anthropic"))
    for _ in range(3):
        await world.run()
    world.clock.advance(60)
    assert (await world.run()).attempts[0] == Attempt("xai", "failed", "malformed")  # the probe
    status = await world.breaker("xai")
    assert status.state == "open" and status.cooldown_s == 120 and status.opens == 2
    world.clock.advance(119)
    assert (await world.run()).attempts[0].reason == "breaker_open"
    world.clock.advance(1)
    assert (await world.run()).attempts[0] == Attempt("xai", "failed", "malformed")
    assert (await world.breaker("xai")).cooldown_s == 240
    assert len(xai.calls) == 5


async def test_a_provider_over_its_local_rate_limit_is_skipped_without_waiting() -> None:
    xai, anthropic = FakeProvider("xai"), FakeProvider("anthropic")
    world = World(xai, anthropic, limits={"provider:xai": BucketLimit(capacity=1, refill_per_s=0.001)})
    assert (await world.run()).provider == "xai"
    result = await world.run()
    assert result.attempts == (
        Attempt("xai", "skipped", "rate_limited_locally"),
        Attempt("anthropic", "accepted", None),
    )
    assert len(xai.calls) == 1
    # a refusal by the limiter is not the provider's fault: the breaker heard nothing about it
    assert (await world.breaker("xai")).consecutive_failures == 0


@pytest.mark.parametrize("broken", ["allow", "record", "both"])
async def test_an_unreachable_breaker_never_blocks_composition(broken: str) -> None:
    world = World(
        FakeProvider("xai", FailureKind.SERVER), FakeProvider("anthropic"), breakers=MemoryBreakers(broken=broken)
    )
    result = await world.run()
    assert result.attempts == (Attempt("xai", "failed", "server"), Attempt("anthropic", "accepted", None))
    warnings = [line for line in world.logs() if line["level"] == "warning" and "circuit breaker" in line["message"]]
    assert warnings and {line["provider"] for line in warnings} == {"xai", "anthropic"}


async def test_an_unreachable_rate_limiter_never_blocks_composition() -> None:
    world = World(FakeProvider("xai"), broken=True)
    result = await world.run()
    assert result.attempts == (Attempt("xai", "accepted", None),)
    assert [line["message"] for line in world.logs() if line["level"] == "warning"] == [
        "rate limiter unreachable: allowed"  # requests, then tokens
    ] * 2


async def test_every_attempt_is_logged_without_prompt_text() -> None:
    world = World(FakeProvider("xai", FailureKind.RATE_LIMITED), FakeProvider("anthropic"))
    await world.run()
    attempts = [line for line in world.logs() if line["message"] == "ai attempt"]
    assert [(a["provider"], a["outcome"], a["reason"]) for a in attempts] == [
        ("xai", "failed", "rate_limited"),
        ("anthropic", "accepted", None),
    ]
    assert attempts[0]["retry_after_s"] == 7.0
    assert attempts[1]["model"] == "anthropic-model" and attempts[1]["output_tokens"] == 5
    assert all(line["component"] == "ai.gateway" for line in world.logs())
    assert not any(SECRET in line for line in world.lines)


def test_the_timeout_must_be_positive() -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        AiGateway([], breakers=MemoryBreakers(), rate_limiter=FakeRateLimiter(), clock=FixedClock(), log=Logger("t"),
                  timeout_s=0)  # fmt: skip
