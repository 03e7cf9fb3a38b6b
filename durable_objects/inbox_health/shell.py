"""InboxHealth: the Durable Object shell (per inbox: bounce and complaint rates, auto-pause, circuit breaker).

Thin on purpose: RPC methods validate their payload (`shared.messages.inbox_health`) and forward to the pure logic in
`logic.py`; replies are plain dicts. The alarm moves an open circuit to half-open.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workers import DurableObject

from durable_objects import probe
from shared.messages.durable import PingReply
from shared.messages.inbox_health import ConfigureRequest, NowRequest, RecordRequest, ResumeRequest

if TYPE_CHECKING:
    from durable_objects.inbox_health.logic import InboxHealthLogic


class InboxHealth(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self._logic: InboxHealthLogic | None = None

    def _health(self) -> InboxHealthLogic:
        if self._logic is None:
            from durable_objects.inbox_health.logic import InboxHealthLogic  # on first use (decision 0012)

            self._logic = InboxHealthLogic(self.ctx.storage)
        return self._logic

    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "InboxHealth", trace_id)

    async def record(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = RecordRequest.model_validate(dict(payload))
        reply = await self._health().record(request.event, request.now, request.count)
        return reply.model_dump(mode="json")

    async def can_send(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = NowRequest.model_validate(dict(payload))
        return (await self._health().can_send(request.now)).model_dump(mode="json")

    async def resume(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = ResumeRequest.model_validate(dict(payload))
        return (await self._health().resume(request.now, request.by)).model_dump(mode="json")

    async def configure(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = ConfigureRequest.model_validate(dict(payload))
        return (await self._health().configure(request)).model_dump(mode="json")

    async def status(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = NowRequest.model_validate(dict(payload))
        return (await self._health().status(request.now)).model_dump(mode="json")

    async def alarm(self, alarm_info: Any = None) -> None:
        await self._health().alarm()
