"""ProspectLock: the Durable Object shell (per prospect: leases so one worker acts on a prospect at a time).

Thin on purpose: RPC methods validate their payload and forward to the pure logic in `logic.py`; the naming and
payloads live in `shared.messages.prospect_lock`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workers import DurableObject

from durable_objects import probe
from shared.messages.durable import PingReply
from shared.messages.prospect_lock import LeaseRequest, ReleaseLeaseRequest, StatusRequest

if TYPE_CHECKING:
    from durable_objects.prospect_lock.logic import ProspectLockLogic


class ProspectLock(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self._logic: ProspectLockLogic | None = None

    def _leases(self) -> ProspectLockLogic:
        if self._logic is None:
            from durable_objects.prospect_lock.logic import ProspectLockLogic  # on first use (decision 0012)

            self._logic = ProspectLockLogic(self.ctx.storage)
        return self._logic

    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "ProspectLock", trace_id)

    async def acquire(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._leases().acquire(LeaseRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def renew(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._leases().renew(LeaseRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def release(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._leases().release(ReleaseLeaseRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def status(self, payload: dict[str, Any]) -> dict[str, Any]:
        reply = await self._leases().status(StatusRequest.model_validate(dict(payload)))
        return reply.model_dump()

    async def alarm(self, alarm_info: Any = None) -> None:
        await self._leases().sweep()
