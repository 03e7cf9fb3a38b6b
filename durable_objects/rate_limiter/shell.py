"""RateLimiter: the Durable Object shell (one object per key class and hash shard; see shared/messages/rate_limit).

Thin on purpose: RPC methods decode their payload and forward to the pure logic in `logic.py`; the limits per key
class come from the Worker's settings (the same env the callers read). Daily quotas arrive with the Durable Objects
issue.
"""

from __future__ import annotations

from typing import Any

from workers import DurableObject

from durable_objects import probe
from durable_objects.rate_limiter.logic import RateLimiterLogic
from shared.config import Settings
from shared.messages.durable import PingReply
from shared.messages.rate_limit import AcquireRequest


class RateLimiter(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self._logic: RateLimiterLogic | None = None

    def _buckets(self) -> RateLimiterLogic:
        if self._logic is None:
            self._logic = RateLimiterLogic(self.ctx.storage, Settings.from_env(self.env).rate_limits())
        return self._logic

    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "RateLimiter", trace_id)

    async def acquire(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._buckets().acquire(AcquireRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def alarm(self, alarm_info: Any = None) -> None:
        await self._buckets().sweep()
