"""Clients for the Durable Object namespaces: stub lookup by name and the RPC calls the service layer makes."""

from __future__ import annotations

from typing import Any


class DurableObjectClient:
    def __init__(self, env: Any) -> None:
        self._env = env

    def _stub(self, binding: str, name: str) -> Any:
        namespace = getattr(self._env, binding)
        return namespace.get(namespace.idFromName(name))

    async def ping(self, binding: str, name: str, trace_id: str) -> dict[str, Any]:
        result = await self._stub(binding, name).ping(trace_id)
        return dict(result)
