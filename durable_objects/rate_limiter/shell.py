"""RateLimiter: the Durable Object shell (sharded by key: token buckets and daily quotas).

Thin on purpose: RPC methods forward to pure logic. The health probe is wired now; the object's own logic arrives
with the Durable Objects issue.
"""

from __future__ import annotations

from workers import DurableObject

from durable_objects import probe
from shared.messages.durable import PingReply


class RateLimiter(DurableObject):
    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "RateLimiter", trace_id)
