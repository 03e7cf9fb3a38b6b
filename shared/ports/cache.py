"""A small JSON cache (KV in production). A cache, never the source of truth."""

from __future__ import annotations

from typing import Any, Protocol


class Cache(Protocol):
    async def get_json(self, key: str) -> Any | None: ...

    async def put_json(self, key: str, value: Any, *, ttl_seconds: int | None = None) -> None: ...

    async def delete(self, key: str) -> None: ...
