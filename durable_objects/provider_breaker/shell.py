"""ProviderBreaker: the Durable Object shell (per external provider: a circuit breaker every isolate shares).

Thin on purpose: RPC methods validate their payload (`shared.messages.provider_breaker`) and forward to the pure
logic in `logic.py`; replies are plain dicts. No alarm: the cool-down ends when a call with a later `now` looks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workers import DurableObject

from durable_objects import probe
from shared.messages.durable import PingReply
from shared.messages.provider_breaker import NowRequest, RecordRequest

if TYPE_CHECKING:
    from durable_objects.provider_breaker.logic import ProviderBreakerLogic


class ProviderBreaker(DurableObject):
    def __init__(self, ctx: Any, env: Any) -> None:
        super().__init__(ctx, env)
        self._logic: ProviderBreakerLogic | None = None

    def _breaker(self) -> ProviderBreakerLogic:
        if self._logic is None:
            from durable_objects.provider_breaker.logic import ProviderBreakerLogic  # on first use (decision 0012)

            self._logic = ProviderBreakerLogic(self.ctx.storage)
        return self._logic

    async def ping(self, trace_id: str) -> PingReply:
        return await probe.ping(self.ctx.storage, "ProviderBreaker", trace_id)

    async def allow(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = NowRequest.model_validate(dict(payload))
        return (await self._breaker().allow(request.now)).model_dump(mode="json")

    async def record(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = RecordRequest.model_validate(dict(payload))
        return (await self._breaker().record(request.outcome, request.now)).model_dump(mode="json")

    async def status(self, payload: dict[str, Any]) -> dict[str, Any]:
        request = NowRequest.model_validate(dict(payload))
        return (await self._breaker().status(request.now)).model_dump(mode="json")
