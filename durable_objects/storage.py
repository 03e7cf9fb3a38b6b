"""The part of a Durable Object's `ctx.storage` the pure logic modules use: one port for all five objects.

The SDK's storage and the local runtime's both provide it; unit tests pass small in-memory fakes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Storage(Protocol):
    async def get(self, key: str | list[str]) -> Any: ...  # a list of keys returns a mapping

    async def put(self, key: str, value: Any) -> None: ...

    async def delete(self, keys: list[str]) -> Any: ...

    async def list(self, options: dict[str, Any]) -> Mapping[str, Any]: ...

    async def getAlarm(self) -> float | None: ...

    async def setAlarm(self, scheduled_time: float) -> None: ...
