"""D1 repository of suppressions: rows <-> `Suppression`, idempotent inserts, the one-statement check, keyset pages,
CSV batches, and the unsubscribe batch (suppress, stop, cancel, record) as one atomic unit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_suppressions as sql
from shared.adapters.d1.client import D1Client, Query, bound_text
from shared.domain.suppressions import (
    Suppression,
    SuppressionKind,
    SuppressionReason,
    UnsubscribeChanges,
    UnsubscribeTarget,
    UnsubscribeWrite,
)

_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
INSERT_CHUNK = 1000  # CSV rows per INSERT ... SELECT FROM json_each (one bound parameter)


def row_to_suppression(row: dict[str, Any]) -> Suppression:
    return Suppression(
        id=str(row["id"]),
        kind=SuppressionKind(row["kind"]),
        value=str(row["value"]),
        reason=SuppressionReason(row["reason"]),
        source=row.get("source"),
        note=row.get("note"),
        created_by=row.get("created_by"),
        created_at=datetime.fromisoformat(str(row["created_at"])),
    )


def _params(s: Suppression) -> tuple[Any, ...]:
    return (s.id, s.kind.value, s.value, s.reason.value, s.source, s.note, s.created_by, s.created_at.isoformat())


class D1SuppressionRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def insert(self, suppression: Suppression) -> tuple[Suppression, bool]:
        """Store it unless (kind, value) is there: the stored row, and whether it is the one given."""
        row = await self._db.first(sql.INSERT, *_params(suppression))
        if row is not None:
            return row_to_suppression(row), True
        existing = await self.find(suppression.kind, suppression.value)
        if existing is None:  # removed between the two statements: try once more
            row = await self._db.first(sql.INSERT, *_params(suppression))
            assert row is not None
            return row_to_suppression(row), True
        return existing, False

    async def insert_many(
        self,
        rows: Sequence[tuple[str, str, str, str, str | None]],
        *,
        source: str,
        created_by: str | None,
        at: datetime,
    ) -> int:
        """(id, kind, value, reason, note) rows, chunked; returns how many were new."""
        added = 0
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = [list(r) for r in rows[start : start + INSERT_CHUNK]]
            added += await self._db.run(sql.INSERT_MANY, bound_text(_json(chunk)), source, created_by, at.isoformat())
        return added

    async def get(self, suppression_id: str) -> Suppression | None:
        row = await self._db.first(sql.GET, suppression_id)
        return row_to_suppression(row) if row else None

    async def find(self, kind: SuppressionKind, value: str) -> Suppression | None:
        row = await self._db.first(sql.FIND, kind.value, value)
        return row_to_suppression(row) if row else None

    async def delete(self, suppression_id: str) -> bool:
        return await self._db.run(sql.DELETE, suppression_id) > 0

    async def prospect_exists(self, prospect_id: str) -> bool:
        return await self._db.first(sql.PROSPECT_EXISTS, prospect_id) is not None

    async def first_match(
        self, *, address: str | None, domains: Sequence[str], prospect_id: str | None
    ) -> Suppression | None:
        row = await self._db.first(sql.FIRST_MATCH, address, _json(list(domains)), prospect_id)
        return row_to_suppression(row) if row else None

    async def page(
        self,
        *,
        kind: SuppressionKind | None,
        reason: SuppressionReason | None,
        prefix: str | None,
        limit: int,
        after: tuple[str, str] | None,
    ) -> list[Suppression]:
        filters = (kind.value if kind else None, reason.value if reason else None, prefix or None)
        if after is None:
            rows = await self._db.all(sql.LIST_FIRST, *filters, limit)
        else:
            rows = await self._db.all(sql.LIST_AFTER, *filters, after[0], after[1], limit)
        return [row_to_suppression(r) for r in rows]

    async def unsubscribe_target(self, email_id: str) -> UnsubscribeTarget | None:
        row = await self._db.first(sql.EMAIL_FOR_UNSUBSCRIBE, email_id)
        if row is None:
            return None
        return UnsubscribeTarget(
            email_id=str(row["id"]),
            prospect_id=str(row["prospect_id"]),
            address=str(row["to_address"]),
            campaign_id=row.get("campaign_id"),
            already=bool(row.get("unsubscribed")),
        )

    async def unsubscribe(self, write: UnsubscribeWrite) -> UnsubscribeChanges:
        """Suppress the address and the person, stop every open enrollment of the person, cancel its queued emails,
        and record the event and the activity (once per email): one batch, so all of it happens or none."""
        t, at = write.target, write.at.isoformat()
        detail = _json({"source": write.source, "campaign_id": t.campaign_id})
        summary = "Unsubscribed (one-click)" if write.source == "one-click" else "Unsubscribed"
        results = await self._db.batch([
            Query(sql.UNSUBSCRIBE_ACTIVITY, (
                write.activity_id, t.prospect_id, summary, _json({"email_id": t.email_id, "source": write.source,
                                                                  "campaign_id": t.campaign_id}),
                "unsubscribe", at, t.email_id,
            )),
            Query(sql.UNSUBSCRIBE_EVENT, (write.event_id, t.email_id, detail, at)),
            Query(sql.INSERT, _params(write.address_rule)),
            Query(sql.INSERT, _params(write.person_rule)),
            Query(sql.STOP_PROSPECT_ENROLLMENTS, (t.prospect_id, "unsubscribed", at)),
            Query(sql.CANCEL_EVENTS, (t.prospect_id, _json({"reason": "unsubscribed"}), at)),
            Query(sql.CANCEL_QUEUED, (t.prospect_id, "unsubscribed")),
        ])  # fmt: skip
        cancelled = [(str(r["id"]), r.get("inbox_id"), r.get("reservation_token")) for r in results[6]]
        return UnsubscribeChanges(stopped=len(results[4]), cancelled=cancelled, recorded=not t.already)
