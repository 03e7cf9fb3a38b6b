"""CircuitBreakers port adapters: the ProviderBreaker Durable Object client, and breakers that always allow (for a
deployment without the binding). Object names come from `shared.messages.provider_breaker`; plain dicts cross RPC."""

from __future__ import annotations

from typing import Any

from shared.messages.provider_breaker import (
    PROVIDER_BREAKER_BINDING,
    AllowReply,
    NowRequest,
    RecordRequest,
    StatusReply,
    breaker_name,
)
from shared.ports.breaker import BreakerDecision


class DurableCircuitBreakers:
    """One ProviderBreaker object per breaker name (`provider:<name>`; a bare provider name is prefixed)."""

    def __init__(self, env: Any) -> None:
        self._env = env

    def _stub(self, name: str) -> Any:
        namespace = getattr(self._env, PROVIDER_BREAKER_BINDING)
        return namespace.get(namespace.idFromName(breaker_name(name)))

    async def allow(self, name: str, now: float) -> BreakerDecision:
        reply = AllowReply.model_validate(dict(await self._stub(name).allow(NowRequest(now=now).model_dump())))
        return BreakerDecision(reply.allowed, reply.state, reply.retry_at)

    async def record(self, name: str, success: bool, now: float) -> None:
        request = RecordRequest(outcome="success" if success else "failure", now=now)
        StatusReply.model_validate(dict(await self._stub(name).record(request.model_dump())))

    async def status(self, name: str, now: float) -> StatusReply:
        return StatusReply.model_validate(dict(await self._stub(name).status(NowRequest(now=now).model_dump())))


class ClosedCircuitBreakers:
    """Always allows and forgets every outcome: for a deployment without the PROVIDER_BREAKER binding."""

    async def allow(self, name: str, now: float) -> BreakerDecision:
        return BreakerDecision(True, "closed")

    async def record(self, name: str, success: bool, now: float) -> None:
        return None
