"""WarmupManager: the Durable Object shell (one per inbox: its warmup plan, daily capacity, reservations, commits).

Thin on purpose: RPC methods validate their payload (`shared.messages.warmup`), forward to the pure logic in
`logic.py` and return plain JSON dicts. The alarm expires unconfirmed reservations at the time it was scheduled
for (stored), so the object needs no clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workers import DurableObject

from durable_objects import probe
from shared.messages.durable import PingReply
from shared.messages.warmup import ConfigureRequest, ReserveRequest, StatusRequest, TokenRequest

if TYPE_CHECKING:
    from durable_objects.warmup.logic import WarmupLogic


class WarmupManager(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self._logic: WarmupLogic | None = None

    def _warmup(self) -> WarmupLogic:
        if self._logic is None:
            from durable_objects.warmup.logic import WarmupLogic  # on first use (decision 0012)

            self._logic = WarmupLogic(self.ctx.storage)
        return self._logic

    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "WarmupManager", trace_id)

    async def configure(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self._warmup().configure(ConfigureRequest.model_validate(dict(payload)))

    async def reserve(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._warmup().reserve(ReserveRequest.model_validate(dict(payload)))
        return reply.model_dump(mode="json")

    async def commit(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._warmup().commit(TokenRequest.model_validate(dict(payload)))
        return reply.model_dump(mode="json")

    async def release(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._warmup().release(TokenRequest.model_validate(dict(payload)))
        return reply.model_dump(mode="json")

    async def status(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._warmup().status(StatusRequest.model_validate(dict(payload)))
        return reply.model_dump(mode="json")

    async def alarm(self, alarm_info: Any = None) -> None:
        await self._warmup().alarm()
