"""RateLimiter: the Durable Object shell (one object per key class and hash shard; see shared/messages/rate_limit).

Thin on purpose: RPC methods decode their payload and forward to the pure logic in `logic.py`. The limits per key
class come from the Worker's env: `api_key` and `ip` from `Settings.rate_limits()`, the `provider:*` classes (with
their optional daily and monthly quotas) from `provider_limits()`, i.e. the defaults in `shared.messages.rate_limit`
with the `RATE_LIMIT_PROVIDERS` override applied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workers import DurableObject

from durable_objects import probe
from shared.config import Settings
from shared.domain.token_bucket import BucketLimit
from shared.messages.durable import PingReply
from shared.messages.rate_limit import (
    PROVIDER_LIMITS_VAR,
    AcquireRequest,
    ClassLimit,
    ExhaustRequest,
    StatusRequest,
    provider_limits,
)

if TYPE_CHECKING:
    from durable_objects.rate_limiter.logic import RateLimiterLogic


def class_limits(env: Any) -> dict[str, BucketLimit | ClassLimit]:
    """Every key class this deployment knows, with its limits."""
    limits: dict[str, BucketLimit | ClassLimit] = {}
    limits.update(provider_limits(getattr(env, PROVIDER_LIMITS_VAR, None)))
    limits.update(Settings.from_env(env).rate_limits())
    return limits


class RateLimiter(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self._logic: RateLimiterLogic | None = None

    def _buckets(self) -> RateLimiterLogic:
        if self._logic is None:
            from durable_objects.rate_limiter.logic import RateLimiterLogic  # on first use (decision 0012)

            self._logic = RateLimiterLogic(self.ctx.storage, class_limits(self.env))
        return self._logic

    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "RateLimiter", trace_id)

    async def acquire(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._buckets().acquire(AcquireRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def exhaust(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._buckets().exhaust(ExhaustRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def status(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._buckets().status(StatusRequest.model_validate(payload))
        return reply.model_dump()

    async def alarm(self, alarm_info: Any = None) -> None:
        await self._buckets().sweep()
