"""D1 repository for `settings` (JSON values by key) and the read side of `inboxes`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql
from shared.adapters.d1.client import D1Client


class D1SettingsRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def get(self, key: str) -> Any | None:
        row = await self._db.first(sql.GET_SETTING, key)
        return json.loads(row["value"]) if row else None

    async def put(self, key: str, value: Any, *, at: datetime) -> None:
        await self._db.run(sql.PUT_SETTING, key, json.dumps(value, separators=(",", ":")), at.isoformat())


class D1InboxDirectory:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def list(self, limit: int = 200) -> list[dict[str, Any]]:
        return await self._db.all(sql.LIST_INBOXES, limit)

    async def get(self, inbox_id: str) -> dict[str, Any] | None:
        return await self._db.first(sql.GET_INBOX, inbox_id)
