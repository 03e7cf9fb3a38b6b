"""D1 repository of notifications: deduplicated inserts, the due batch, claims and guarded results, rate counts and
keyset pages. Rows <-> `NotificationRecord`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_notifications as sql
from shared.adapters.d1.client import D1Client, Query
from shared.domain.notifications import DEDUP_WINDOW, NotificationRecord

_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def row_to_record(row: dict[str, Any]) -> NotificationRecord:
    payload = json.loads(row["payload"]) if row.get("payload") else {}
    payload = payload if isinstance(payload, dict) else {}
    data = payload.get("data")
    created = _when(row["created_at"])
    assert created is not None
    return NotificationRecord(
        id=str(row["id"]), kind=str(row["kind"]), channel=str(row["channel"]), endpoint=payload.get("endpoint"),
        subject_id=str(payload.get("subject_id") or ""), dedup_key=str(payload.get("dedup_key") or ""),
        data=data if isinstance(data, dict) else {}, status=str(row["status"]), attempts=int(row["attempts"] or 0),
        error=row.get("error"), created_at=created, sent_at=_when(row.get("sent_at")),
        next_attempt_at=_when(payload.get("next_attempt_at")),
    )  # fmt: skip


def insert_query(record: NotificationRecord) -> Query:
    """The deduplicated insert of `record` (no row when its dedup key was recorded for its endpoint in the window)."""
    payload = {
        "endpoint": record.endpoint, "subject_id": record.subject_id, "dedup_key": record.dedup_key,
        "data": record.data,
    }  # fmt: skip
    since = (record.created_at - DEDUP_WINDOW).isoformat()
    return Query(
        sql.INSERT_DEDUPED,
        (
            record.id, record.kind, record.channel, _json(payload), record.status, record.error,
            record.created_at.isoformat(), since, record.dedup_key, record.endpoint or "",
        ),
    )  # fmt: skip


class D1NotificationRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def insert(self, records: Sequence[NotificationRecord]) -> list[NotificationRecord]:
        """Insert in one batch; returns the rows stored (the deduplicated ones are not)."""
        results = await self._db.batch([insert_query(r) for r in records])
        return [row_to_record(row) for rows in results for row in rows]

    async def forget_finished(self, before: datetime) -> int:
        """Drop delivered and failed notifications created before `before` (pending ones are never dropped here)."""
        return await self._db.run(sql.FORGET_FINISHED, before.isoformat())

    async def pending_due(self, now: datetime, limit: int) -> list[NotificationRecord]:
        return [row_to_record(r) for r in await self._db.all(sql.PENDING_DUE, now.isoformat(), limit)]

    async def claim(self, record: NotificationRecord, *, lease_until: datetime, now: datetime) -> bool:
        """Take the next attempt (attempts + 1, leased): False when another flush took it first."""
        changed = await self._db.run(sql.CLAIM, record.id, record.attempts, lease_until.isoformat(), now.isoformat())
        return changed == 1

    async def mark_sent(self, notification_id: str, attempts: int, at: datetime) -> bool:
        return await self._db.run(sql.MARK_SENT, notification_id, attempts, at.isoformat()) == 1

    async def mark_retry(self, notification_id: str, attempts: int, error: str, next_at: datetime) -> bool:
        return await self._db.run(sql.MARK_RETRY, notification_id, attempts, error[:1000], next_at.isoformat()) == 1

    async def mark_failed(self, notification_id: str, attempts: int, error: str) -> bool:
        return await self._db.run(sql.MARK_FAILED, notification_id, attempts, error[:1000]) == 1

    async def sent_counts(self, since: datetime) -> dict[tuple[str, str], int]:
        rows = await self._db.all(sql.SENT_COUNTS, since.isoformat())
        return {(str(r["endpoint"]), str(r["kind"])): int(r["sent"]) for r in rows}

    async def get(self, notification_id: str) -> NotificationRecord | None:
        row = await self._db.first(sql.GET, notification_id)
        return row_to_record(row) if row else None

    async def page(
        self, *, kind: str | None, status: str | None, after: tuple[str, str] | None, limit: int
    ) -> list[NotificationRecord]:
        created, last_id = after if after else (None, None)
        rows = await self._db.all(sql.LIST, kind, status, created, last_id, limit)
        return [row_to_record(r) for r in rows]
