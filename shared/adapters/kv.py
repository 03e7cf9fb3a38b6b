"""JSON cache over the KV binding."""

from __future__ import annotations

import json
from typing import Any

KV_MIN_TTL_SECONDS = 60


class KvCache:
    def __init__(self, binding: Any, *, prefix: str = "") -> None:
        self._kv = binding
        self._prefix = prefix

    async def get_json(self, key: str) -> Any | None:
        text = await self._kv.get(self._prefix + key)
        return None if text is None else json.loads(text)

    async def put_json(self, key: str, value: Any, *, ttl_seconds: int | None = None) -> None:
        options: dict[str, Any] = {}
        if ttl_seconds is not None:
            options["expirationTtl"] = max(KV_MIN_TTL_SECONDS, int(ttl_seconds))
        await self._kv.put(self._prefix + key, json.dumps(value, separators=(",", ":")), **options)

    async def delete(self, key: str) -> None:
        await self._kv.delete(self._prefix + key)
