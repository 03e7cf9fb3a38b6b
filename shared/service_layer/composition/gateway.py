"""The AI gateway: tries the configured providers in order and returns the first completion the caller accepts.

For each provider: its circuit breaker (shared by all isolates) → its rate limiter key classes (`provider:<name>`
for requests, `provider:<name>:tokens` for the prompt's estimated tokens plus `max_tokens`; never waited for) → the
call with a timeout → the caller's validation (`accept` returns problem codes; none means accepted). Anything that
goes wrong moves on to the next provider and is recorded as an `Attempt`; when every provider fails the result has
no completion and the caller falls back to the template composer. The gateway never raises for a provider failure,
and an unreachable breaker or rate limiter never blocks composition (the call goes ahead and a warning is logged).
Log lines name the provider, outcome and token counts, never prompt text or keys.

What the breaker hears about each outcome:

| outcome                                  | breaker  | why                                                     |
|------------------------------------------|----------|---------------------------------------------------------|
| a completion (accepted or not)           | success  | the provider answered well-formed: it works             |
| SERVER, TIMEOUT, MALFORMED, RATE_LIMITED | failure  | the provider is down, slow, broken or overloaded        |
| AUTH, REFUSED, TRUNCATED                 | nothing  | about our key, this prompt or its length: not an outage |
| UNAVAILABLE                              | nothing  | not configured here: the provider was never called      |
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from shared.observability.log import Logger
from shared.ports.ai import AiProvider, Completion, CompletionRequest, FailureKind, ProviderFailure
from shared.ports.breaker import CircuitBreakers
from shared.ports.rate_limit import RateLimiter
from shared.ports.runtime import Clock

RATE_LIMIT_KEY = "default"  # one bucket per provider account
TIMEOUT_GRACE_S = 5.0  # the adapter enforces `timeout_s`; this only stops an adapter that ignores it

# Kinds that say the provider is unhealthy (trip the breaker); every other kind leaves the breaker as it is: an
# AUTH failure is our configuration (opening the circuit would hide it behind "breaker open" while the provider
# is up), REFUSED and TRUNCATED are about this request (its content, its length), and UNAVAILABLE made no call.
BREAKER_FAILURES = frozenset({FailureKind.SERVER, FailureKind.TIMEOUT, FailureKind.MALFORMED, FailureKind.RATE_LIMITED})

ACCEPTED = "accepted"
SKIPPED = "skipped"
FAILED = "failed"
INVALID = "invalid"
BREAKER_OPEN = "breaker_open"
RATE_LIMITED_LOCALLY = "rate_limited_locally"


@dataclass(frozen=True)
class Attempt:
    provider: str
    outcome: str  # accepted, skipped, failed, invalid
    reason: str | None = None  # skipped: breaker_open / rate_limited_locally / unavailable; failed: a FailureKind
    # value; invalid: the validation codes, comma-separated


@dataclass(frozen=True)
class GatewayResult:
    completion: Completion | None
    attempts: tuple[Attempt, ...]

    @property
    def provider(self) -> str | None:
        return self.completion.provider if self.completion is not None else None


def provider_key(name: str) -> str:
    """The breaker name and the rate-limit key class of a provider."""
    return f"provider:{name}"


CHARS_PER_TOKEN = 4  # a conservative average for the prompt estimate (English ~4, other scripts fewer: max_tokens
# dominates the estimate for our short prompts)


def token_estimate(request: CompletionRequest) -> int:
    """An upper bound on the tokens one call can use: the prompt's estimated size plus the completion's limit."""
    return -(-(len(request.system) + len(request.user)) // CHARS_PER_TOKEN) + request.max_tokens


class AiGateway:
    def __init__(
        self,
        providers: Sequence[AiProvider],
        *,
        breakers: CircuitBreakers,
        rate_limiter: RateLimiter,
        clock: Clock,
        log: Logger,
        timeout_s: float,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self._providers = tuple(providers)
        self._breakers = breakers
        self._limiter = rate_limiter
        self._clock = clock
        self._log = log.bind(component="ai.gateway")
        self._timeout_s = timeout_s

    @property
    def providers(self) -> tuple[str, ...]:
        return tuple(p.name for p in self._providers)

    def _now(self) -> float:
        return self._clock.now().timestamp()

    async def complete(
        self, request: CompletionRequest, accept: Callable[[Completion], Sequence[str]]
    ) -> GatewayResult:
        attempts: list[Attempt] = []
        for provider in self._providers:
            attempt, completion = await self._try(provider, request, accept)
            attempts.append(attempt)
            if completion is not None:
                return GatewayResult(completion, tuple(attempts))
        self._log.warning("no provider accepted", attempts=len(attempts), providers=list(self.providers))
        return GatewayResult(None, tuple(attempts))

    async def _try(
        self, provider: AiProvider, request: CompletionRequest, accept: Callable[[Completion], Sequence[str]]
    ) -> tuple[Attempt, Completion | None]:
        name = provider.name
        key = provider_key(name)
        if not await self._breaker_allows(name, key):
            return self._logged(Attempt(name, SKIPPED, BREAKER_OPEN)), None
        if not await self._limiter_allows(name, key) or not await self._limiter_allows(
            name, f"{key}:tokens", tokens=token_estimate(request)
        ):
            return self._logged(Attempt(name, SKIPPED, RATE_LIMITED_LOCALLY)), None

        started = self._now()
        try:
            completion = await asyncio.wait_for(
                provider.complete(request, timeout_s=self._timeout_s), timeout=self._timeout_s + TIMEOUT_GRACE_S
            )
        except ProviderFailure as failure:
            return await self._failed(name, key, failure.kind, started, failure.retry_after_s), None
        except TimeoutError:
            return await self._failed(name, key, FailureKind.TIMEOUT, started, None), None
        except Exception as exc:  # an adapter broke its contract: fall through, and let the breaker count it
            self._log.error("provider raised outside its contract", provider=name, error=type(exc).__name__)
            return await self._failed(name, key, FailureKind.SERVER, started, None), None

        await self._record(name, key, success=True)
        problems = [str(code) for code in accept(completion)]
        fields = {
            "model": completion.model,
            "input_tokens": completion.input_tokens,
            "output_tokens": completion.output_tokens,
            "duration_ms": round((self._now() - started) * 1000),
        }
        if problems:
            return self._logged(Attempt(name, INVALID, ",".join(problems)), **fields), None
        return self._logged(Attempt(name, ACCEPTED), **fields), completion

    async def _failed(
        self, name: str, key: str, kind: FailureKind, started: float, retry_after_s: float | None
    ) -> Attempt:
        if kind is FailureKind.UNAVAILABLE:
            return self._logged(Attempt(name, SKIPPED, kind.value))
        if kind in BREAKER_FAILURES:
            await self._record(name, key, success=False)
        duration_ms = round((self._now() - started) * 1000)
        return self._logged(Attempt(name, FAILED, kind.value), duration_ms=duration_ms, retry_after_s=retry_after_s)

    async def _breaker_allows(self, name: str, key: str) -> bool:
        try:
            decision = await self._breakers.allow(key, self._now())
        except Exception as exc:  # the breaker must never block composition
            self._log.warning("circuit breaker unreachable: allowed", provider=name, error=type(exc).__name__)
            return True
        if not decision.allowed:
            self._log.debug("circuit open", provider=name, state=decision.state, retry_at=decision.retry_at)
        return decision.allowed

    async def _limiter_allows(self, name: str, key: str, tokens: int = 1) -> bool:
        try:
            decision = await self._limiter.acquire(RATE_LIMIT_KEY, key, tokens)
        except Exception as exc:  # the limiter must never block composition
            self._log.warning("rate limiter unreachable: allowed", provider=name, error=type(exc).__name__)
            return True
        if not decision.allowed:
            self._log.debug("rate limited locally", provider=name, key_class=key, retry_after_s=decision.retry_after_s)
        return decision.allowed

    async def _record(self, name: str, key: str, *, success: bool) -> None:
        try:
            await self._breakers.record(key, success, self._now())
        except Exception as exc:
            self._log.warning("circuit breaker unreachable: outcome lost", provider=name, error=type(exc).__name__)

    def _logged(self, attempt: Attempt, **fields: object) -> Attempt:
        level = "info" if attempt.outcome in (ACCEPTED, SKIPPED) else "warning"
        fields.update(provider=attempt.provider, outcome=attempt.outcome, reason=attempt.reason)
        self._log.log(level, "ai attempt", **fields)
        return attempt
