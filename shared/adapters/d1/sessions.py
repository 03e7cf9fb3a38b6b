"""D1 repository for dashboard sessions: rows become `StoredSession`s, with the principal of the key behind them.

`get` answers the session and who it acts as in one query: a stored key's id, name and scopes (None when that key
is gone or revoked, so its sessions stop working at once), or the bootstrap principal for the API_KEY secret.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_sessions as sql
from shared.adapters.d1.client import D1Client
from shared.domain.api_keys import BOOTSTRAP_KEY_ID, BOOTSTRAP_PRINCIPAL, Principal
from shared.domain.dashboard_sessions import StoredSession


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _row_to_session(row: dict[str, Any]) -> StoredSession:
    return StoredSession(
        token_hash=row["token_hash"], api_key_id=row["api_key_id"], csrf=row["csrf"],
        created_at=datetime.fromisoformat(row["created_at"]), expires_at=datetime.fromisoformat(row["expires_at"]),
        last_seen_at=datetime.fromisoformat(row["last_seen_at"]), revoked_at=_when(row["revoked_at"]),
        user_agent=row["user_agent"],
    )  # fmt: skip


def _principal(row: dict[str, Any]) -> Principal | None:
    if row["api_key_id"] == BOOTSTRAP_KEY_ID:
        return BOOTSTRAP_PRINCIPAL
    if row["key_id"] is None or row["key_revoked_at"] is not None:
        return None
    return Principal(key_id=row["key_id"], name=row["key_name"], scopes=tuple(json.loads(row["key_scopes"] or "[]")))


class D1DashboardSessionRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def add(self, session: StoredSession) -> None:
        await self._db.run(
            sql.INSERT_SESSION, session.token_hash, session.api_key_id, session.csrf, session.created_at.isoformat(),
            session.expires_at.isoformat(), session.last_seen_at.isoformat(), session.user_agent,
        )  # fmt: skip

    async def get(self, token_hash: str) -> tuple[StoredSession, Principal | None] | None:
        """The session with this token hash (revoked or expired ones too) and its key's principal (None when the
        key is revoked or gone)."""
        row = await self._db.first(sql.GET_SESSION, token_hash)
        return (_row_to_session(row), _principal(row)) if row else None

    async def touch(self, token_hash: str, at: datetime, *, not_since: datetime) -> None:
        await self._db.run(sql.TOUCH_SESSION, at.isoformat(), token_hash, not_since.isoformat())

    async def revoke(self, token_hash: str, at: datetime) -> bool:
        return await self._db.run(sql.REVOKE_SESSION, at.isoformat(), token_hash) > 0

    async def revoke_for_key(self, api_key_id: str, at: datetime) -> int:
        return await self._db.run(sql.REVOKE_KEY_SESSIONS, at.isoformat(), api_key_id)

    async def delete_expired(self, before: datetime) -> int:
        return await self._db.run(sql.DELETE_EXPIRED, before.isoformat())
