"""Durable Object clients: the one place that knows binding names and how ids are derived."""

from __future__ import annotations

from typing import Any, Protocol


class DurableObjectPinger(Protocol):
    async def ping(self, binding: str, name: str, trace_id: str) -> dict[str, Any]:
        """Round trip to one object: proves the namespace, the input gate and storage answer."""
        ...
