"""D1 repository for `api_keys`: rows become `ApiKey` models; the hash never leaves this module in a model."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_api_keys as sql
from shared.adapters.d1.client import D1Client
from shared.domain.api_keys import ApiKey


def _row_to_key(row: dict[str, Any]) -> ApiKey:
    return ApiKey.model_validate({**row, "scopes": tuple(json.loads(row["scopes"] or "[]"))})


class D1ApiKeyRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def add(self, key: ApiKey, key_hash: str) -> None:
        scopes = json.dumps(list(key.scopes), separators=(",", ":"))
        await self._db.run(
            sql.INSERT_API_KEY, key.id, key.name, key_hash, key.prefix, scopes, key.created_at.isoformat()
        )

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        row = await self._db.first(sql.GET_API_KEY_BY_HASH, key_hash)
        return _row_to_key(row) if row else None

    async def get(self, key_id: str) -> ApiKey | None:
        row = await self._db.first(sql.GET_API_KEY, key_id)
        return _row_to_key(row) if row else None

    async def list(self) -> list[ApiKey]:
        return [_row_to_key(r) for r in await self._db.all(sql.LIST_API_KEYS)]

    async def revoke(self, key_id: str, at: datetime) -> bool:
        return await self._db.run(sql.REVOKE_API_KEY, at.isoformat(), key_id) > 0

    async def touch(self, key_id: str, at: datetime, *, not_since: datetime) -> None:
        await self._db.run(sql.TOUCH_API_KEY, at.isoformat(), key_id, not_since.isoformat())
