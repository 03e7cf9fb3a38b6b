"""D1 reads of the dashboard's overview: stage counts, inboxes with caps, sends per inbox per day, bounces, trusted
inbound by intent, open failed tasks. Rows come back as plain values; the service layer shapes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_dashboard as sql
from shared.adapters.d1.client import D1Client

MAX_INBOXES = 50  # the overview's chart stays readable; a team with more inboxes reads the inbox page


@dataclass(frozen=True, slots=True)
class InboxCap:
    id: str
    email: str
    display_name: str | None
    daily_cap: int
    status: str
    status_reason: str | None


@dataclass(frozen=True, slots=True)
class BounceCount:
    bounced: int  # bounced in the period
    after_send: int  # of which the transport had accepted (they are among the sends too)


class D1DashboardReads:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def stage_counts(self) -> dict[str, int]:
        return {str(r["stage"]): int(r["n"]) for r in await self._db.all(sql.STAGE_COUNTS)}

    async def inboxes(self, limit: int = MAX_INBOXES) -> list[InboxCap]:
        return [_inbox(r) for r in await self._db.all(sql.INBOXES, limit)]

    async def sent_per_inbox_day(self, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
        """(inbox id, UTC day) -> emails the transport accepted in [start, end)."""
        rows = await self._db.all(sql.SENT_PER_INBOX_DAY, _iso(start), _iso(end))
        return {(str(r["inbox_id"]), str(r["day"])): int(r["n"]) for r in rows}

    async def bounces(self, start: datetime, end: datetime) -> BounceCount:
        row = await self._db.first(sql.BOUNCES_SINCE, _iso(start), _iso(end)) or {}
        return BounceCount(bounced=int(row.get("n") or 0), after_send=int(row.get("sent") or 0))

    async def inbound(self, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
        """(classification, intent) -> distinct emails of ours answered in [start, end) by trusted, matched mail."""
        rows = await self._db.all(sql.INBOUND_SINCE, _iso(start), _iso(end))
        return {(str(r["classification"]), str(r["intent"] or "")): int(r["n"]) for r in rows}

    async def open_failed_tasks(self) -> tuple[int, str | None]:
        row: dict[str, Any] = await self._db.first(sql.OPEN_FAILED_TASKS) or {}
        return int(row.get("n") or 0), row.get("latest")


def _inbox(r: dict[str, Any]) -> InboxCap:
    return InboxCap(
        id=str(r["id"]), email=str(r["email"]), display_name=r.get("display_name"),
        daily_cap=int(r.get("daily_cap") or 0), status=str(r.get("status") or "active"),
        status_reason=r.get("status_reason"),
    )  # fmt: skip


def _iso(at: datetime) -> str:
    return at.isoformat()
