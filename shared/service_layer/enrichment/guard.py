"""One guarded call to an enrichment provider: circuit breaker, then quota and credits, then the call with a timeout.

The same discipline as the AI gateway (shared/service_layer/composition/gateway.py), for web search and email
verification: the breaker is `provider:<name>` in the ProviderBreaker object shared by every isolate; the
RateLimiter class `provider:<name>` takes the call's credits (its daily and monthly quotas are counted in the
provider's own unit); a provider that says its quota is used up is stopped until that quota resets, for every isolate
(`RateLimiter.exhaust`). An unreachable breaker or limiter never blocks enrichment (the call goes ahead, a warning
is logged). Failures are written to the trail here; what an answer means is the caller's to write. A provider
that answers "quota", "auth" or "refused" is up (it answered in its own words): the breaker hears a success, which
also closes a half-open circuit whose probe got that answer.

| what happened                           | trail    | breaker | transient (retry the prospect soon) |
|-----------------------------------------|----------|---------|-------------------------------------|
| circuit open                            | stopped  | -       | yes                                 |
| our limiter: bucket refills within 2 s  | (waited) | -       | -                                   |
| our limiter: bucket empty (seconds)     | stopped  | -       | yes                                 |
| our limiter: quota used up (until reset)| stopped  | -       | no (the off-hours cron tops it up)  |
| QUOTA from the provider                 | failed   | success | no; the quota is marked used up     |
| AUTH, REFUSED                           | failed   | success | no (our key or this request)        |
| UNAVAILABLE                             | skipped  | nothing | no                                  |
| SERVER, TIMEOUT, MALFORMED, RATE_LIMITED| failed   | failure | yes                                 |
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.domain.enrichment.costs import ProviderCost
from shared.domain.enrichment.trail import Trail
from shared.observability.log import Logger
from shared.ports.breaker import CircuitBreakers
from shared.ports.lookups import LookupFailure, LookupFailureKind
from shared.ports.rate_limit import RateLimiter
from shared.ports.runtime import Clock

RATE_LIMIT_KEY = "default"  # one bucket per provider account
TIMEOUT_GRACE_S = 2.0  # the adapter enforces the timeout; this only stops an adapter that ignores it
SHORT_WAIT_S = 300.0  # a limiter denial shorter than this is a busy bucket, longer is a used-up quota
WAIT_FOR_BUCKET_S = 2.0  # a bucket that refills this soon is waited for (Brave's 1 query/s) instead of given up
BREAKER_FAILURES = frozenset(
    {LookupFailureKind.SERVER, LookupFailureKind.TIMEOUT, LookupFailureKind.MALFORMED, LookupFailureKind.RATE_LIMITED}
)


@dataclass(frozen=True, slots=True)
class Called[T]:
    """`ok`: the provider answered `value` (credits and cost were spent). Otherwise the trail says why not."""

    ok: bool
    value: T | None = None
    credits: int = 0
    cost_micros: int = 0
    transient: bool = False  # worth trying this prospect again soon (an outage, a busy bucket)
    waiting: bool = False  # stopped until a quota resets

    @property
    def stopped(self) -> bool:
        return not self.ok


class ProviderGuard:
    def __init__(self, *, breakers: CircuitBreakers, rate_limiter: RateLimiter, clock: Clock, log: Logger,
                 costs: Mapping[str, ProviderCost], timeout_s: float,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:  # fmt: skip
        self._breakers = breakers
        self._limiter = rate_limiter
        self._clock = clock
        self._log = log.bind(component="enrichment.guard")
        self._costs = costs
        self._timeout_s = timeout_s
        self._sleep = sleep  # non-blocking (a timer in the Workers runtime); injected by tests

    def cost_of(self, provider: str) -> ProviderCost:
        return self._costs.get(provider, ProviderCost())

    async def call[T](self, provider: str, step: str, trail: Trail, fn: Callable[[float], Awaitable[T]], *,
                   limited: bool = True) -> Called[T]:  # fmt: skip
        """Run `fn(timeout_s)` for `provider` under its breaker and quota. `limited=False` for a provider metered
        elsewhere (the LLM: the AI gateway takes its own classes)."""
        key = f"provider:{provider}"
        now = self._clock.now().timestamp()
        if not await self._breaker_allows(key, now):
            trail.add(step, provider, "stopped", "circuit open")
            return Called(ok=False, transient=True)
        cost = self.cost_of(provider)
        if limited:
            wait = await self._limiter_wait(key, cost.credits_per_call)
            if wait is not None and wait <= WAIT_FOR_BUCKET_S:
                await self._sleep(wait)
                wait = await self._limiter_wait(key, cost.credits_per_call)
            if wait is not None:
                quota = wait >= SHORT_WAIT_S
                trail.add(step, provider, "stopped", f"{'quota used up' if quota else 'rate limited'}: {wait:.0f} s")
                return Called(ok=False, transient=not quota, waiting=quota)
        credits, micros = cost.credits_per_call, cost.micros(cost.credits_per_call)
        try:
            value = await asyncio.wait_for(fn(self._timeout_s), timeout=self._timeout_s + TIMEOUT_GRACE_S)
        except LookupFailure as failure:
            return await self._failed(provider, key, step, trail, failure, credits, micros)
        except TimeoutError:
            timeout = LookupFailure(LookupFailureKind.TIMEOUT, f"no answer within {self._timeout_s:g} s")
            return await self._failed(provider, key, step, trail, timeout, credits, micros)
        except Exception as exc:  # an adapter broke its contract: count it as a server failure
            self._log.error("provider raised outside its contract", provider=provider, error=type(exc).__name__)
            broken = LookupFailure(LookupFailureKind.SERVER, f"adapter error {type(exc).__name__}")
            return await self._failed(provider, key, step, trail, broken, credits, micros)
        await self._record(key, success=True)
        return Called(ok=True, value=value, credits=credits, cost_micros=micros)

    async def _failed(self, provider: str, key: str, step: str, trail: Trail, failure: LookupFailure, credits: int,
                      micros: int) -> Called[Any]:  # fmt: skip
        kind = failure.kind
        if kind is LookupFailureKind.UNAVAILABLE:
            trail.add(step, provider, "skipped", f"not available: {failure.detail}")
            return Called(ok=False)
        await self._record(key, success=kind not in BREAKER_FAILURES)
        if kind is LookupFailureKind.QUOTA:
            await self._exhaust(key, failure.quota_period or "day")
        self._log.warning("provider failed", provider=provider, step=step, kind=kind.value)
        trail.add(step, provider, "failed", f"{kind.value}: {failure.detail}", credits=credits, cost_micros=micros)
        return Called(ok=False, transient=kind in BREAKER_FAILURES, waiting=kind is LookupFailureKind.QUOTA)

    async def _breaker_allows(self, key: str, now: float) -> bool:
        try:
            return (await self._breakers.allow(key, now)).allowed
        except Exception as exc:
            self._log.warning("circuit breaker unreachable: allowed", breaker=key, error=type(exc).__name__)
            return True

    async def _limiter_wait(self, key: str, credits: int) -> float | None:
        """None when granted; else the seconds until the limiter would grant."""
        try:
            decision = await self._limiter.acquire(RATE_LIMIT_KEY, key, credits)
        except Exception as exc:  # unreachable, or a class this deployment does not configure
            self._log.warning("rate limiter unusable: allowed", key_class=key, error=f"{type(exc).__name__}: {exc}")
            return None
        return None if decision.allowed else max(0.0, decision.retry_after_s)

    async def _exhaust(self, key: str, period: str) -> None:
        try:
            await self._limiter.exhaust(RATE_LIMIT_KEY, key, period)  # type: ignore[arg-type]
        except Exception as exc:
            self._log.warning("could not mark the quota used up", key_class=key, error=type(exc).__name__)

    async def _record(self, key: str, *, success: bool) -> None:
        try:
            await self._breakers.record(key, success, self._clock.now().timestamp())
        except Exception as exc:
            self._log.warning("circuit breaker unreachable: outcome lost", breaker=key, error=type(exc).__name__)
