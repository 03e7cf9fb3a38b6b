"""Dedup: the Durable Object shell (sharded by key hash: first-claim-wins idempotency keys with TTL).

Thin on purpose: RPC methods validate their payload and forward to the pure logic in `logic.py`; the shard naming
and payloads live in `shared.messages.dedup`. Used for queue-message idempotency and inbound Message-IDs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workers import DurableObject

from durable_objects import probe
from shared.messages.dedup import ClaimRequest, ReleaseClaimRequest
from shared.messages.durable import PingReply

if TYPE_CHECKING:
    from durable_objects.dedup.logic import DedupLogic


class Dedup(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self._logic: DedupLogic | None = None

    def _claims(self) -> DedupLogic:
        if self._logic is None:
            from durable_objects.dedup.logic import DedupLogic  # on first use (decision 0012)

            self._logic = DedupLogic(self.ctx.storage)
        return self._logic

    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "Dedup", trace_id)

    async def claim(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._claims().claim(ClaimRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def release(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._claims().release(ReleaseClaimRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def alarm(self, alarm_info: Any = None) -> None:
        await self._claims().sweep()
