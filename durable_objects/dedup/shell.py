"""Dedup: the Durable Object shell (sharded by key hash: first-claim-wins idempotency keys with TTL).

Thin on purpose: RPC methods forward to pure logic. The health probe is wired now; the object's own logic arrives
with the Durable Objects issue.
"""

from __future__ import annotations

from workers import DurableObject

from durable_objects import probe
from shared.messages.durable import PingReply


class Dedup(DurableObject):
    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "Dedup", trace_id)
