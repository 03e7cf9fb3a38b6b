"""D1 repository of enrollments and bulk-enrollment jobs (SQL in sql_enrollments.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_enrollments as sql
from shared.adapters.d1.client import D1Client, Query, bound_text

# Ids per json_each array: a slice of bulk enrollment (500) is one statement; the JSON stays far below D1's limits.
MAX_IDS_PER_STATEMENT = 1000


def _ids(values: Sequence[str]) -> bytes:
    return bound_text(json.dumps(list(values), separators=(",", ":")))


def _iso(at: datetime) -> str:
    return at.isoformat()


class D1EnrollmentRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    # -- enrolling --------------------------------------------------------------------------------------------

    async def candidates(self, campaign_id: str, prospect_ids: Sequence[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for start in range(0, len(prospect_ids), MAX_IDS_PER_STATEMENT):
            chunk = prospect_ids[start : start + MAX_IDS_PER_STATEMENT]
            rows += await self._db.all(sql.CANDIDATES, campaign_id, _ids(chunk))
        return rows

    async def insert(self, campaign_id: str, rows: Sequence[tuple[str, str, str, str | None]], at: datetime) -> int:
        """Insert (id, prospect_id, next_due_at, company_key) rows; an existing (campaign, prospect) is kept.
        Returns how many were new."""
        inserted = 0
        for start in range(0, len(rows), MAX_IDS_PER_STATEMENT):
            chunk = [list(r) for r in rows[start : start + MAX_IDS_PER_STATEMENT]]
            inserted += await self._db.run(
                sql.INSERT_ENROLLMENTS, campaign_id, _iso(at), bound_text(json.dumps(chunk, separators=(",", ":")))
            )
        return inserted

    # -- reading ----------------------------------------------------------------------------------------------

    async def get(self, enrollment_id: str) -> dict[str, Any] | None:
        return await self._db.first(sql.GET_ENROLLMENT, enrollment_id)

    async def find(self, campaign_id: str, prospect_id: str) -> dict[str, Any] | None:
        return await self._db.first(sql.FIND_ENROLLMENT, campaign_id, prospect_id)

    async def page(self, campaign_id: str, *, status: str | None, after: str, limit: int) -> list[dict[str, Any]]:
        return await self._db.all(sql.LIST_ENROLLMENTS, campaign_id, status, after, limit)

    async def counts(self, campaign_id: str) -> dict[str, int]:
        return {str(r["status"]): int(r["n"]) for r in await self._db.all(sql.COUNT_BY_STATUS, campaign_id)}

    # -- lifecycle --------------------------------------------------------------------------------------------

    async def pause(self, enrollment_id: str, *, resume_at: datetime | None, reason: str, at: datetime) -> bool:
        return await self._db.run(
            sql.PAUSE, enrollment_id, resume_at.isoformat() if resume_at else None, reason, _iso(at)
        ) == 1  # fmt: skip

    async def resume(self, enrollment_id: str, at: datetime) -> bool:
        return await self._db.run(sql.RESUME, enrollment_id, _iso(at)) == 1

    async def stop(self, enrollment_id: str, *, reason: str, at: datetime) -> bool:
        return await self._db.run(sql.STOP, enrollment_id, reason, _iso(at)) == 1

    # -- the scheduler ----------------------------------------------------------------------------------------

    async def due(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        return await self._db.all(sql.DUE, _iso(now), limit)

    async def claim(self, ids: Sequence[str], *, token: str, lease_until: datetime, now: datetime) -> set[str]:
        if not ids:
            return set()
        rows = await self._db.all(sql.CLAIM, _iso(lease_until), token, _iso(now), _ids(ids))
        return {str(r["id"]) for r in rows}

    async def unclaim(self, ids: Sequence[str], *, token: str, due_at: datetime) -> int:
        if not ids:
            return 0
        return await self._db.run(sql.UNCLAIM, token, _ids(ids), _iso(due_at))

    async def release_claim(self, enrollment_id: str, token: str, *, due_at: datetime, now: datetime) -> bool:
        return await self._db.run(sql.RELEASE_CLAIM, enrollment_id, token, _iso(due_at), _iso(now)) == 1

    async def defer(self, until: Mapping[str, datetime], now: datetime) -> int:
        if not until:
            return 0
        pairs = [[enrollment_id, at.isoformat()] for enrollment_id, at in until.items()]
        return await self._db.run(sql.DEFER, _iso(now), bound_text(json.dumps(pairs, separators=(",", ":"))))

    async def campaign_load(self, campaign_id: str, since: datetime) -> int:
        """Emails composed since `since` plus compose claims in flight: what counts against a daily cap."""
        emails = await self._db.first(sql.EMAILS_SINCE, campaign_id, _iso(since))
        claims = await self._db.first(sql.CLAIMED_SINCE, campaign_id, _iso(since))
        return int((emails or {}).get("n") or 0) + int((claims or {}).get("n") or 0)

    async def resume_due(self, now: datetime, limit: int) -> int:
        return await self._db.run(sql.RESUME_DUE, _iso(now), limit)

    # -- weekly maintenance -----------------------------------------------------------------------------------

    async def complete_finished(self, before: datetime, now: datetime, limit: int) -> int:
        done = await self._db.run(sql.COMPLETE_FINISHED, _iso(before), _iso(now), limit)
        return done + await self._db.run(sql.COMPLETE_OF_COMPLETED_CAMPAIGNS, _iso(now), limit)

    async def archive_unresponsive(self, before: datetime, now: datetime, limit: int) -> tuple[int, int]:
        """(prospects archived, enrollments examined) for one pass over at most `limit` enrollments."""
        params = (_iso(before), _iso(now), limit)
        archived, examined = await self._db.batch_changes(
            [Query(sql.ARCHIVE_UNRESPONSIVE, params), Query(sql.MARK_ARCHIVE_CHECKED, params)]
        )
        return archived, examined

    async def purge_bodies(self, before: datetime, now: datetime, limit: int) -> int:
        return await self._db.run(sql.PURGE_BODIES, _iso(before), _iso(now), limit)

    async def set_legal_basis(self, prospect_id: str, basis: str | None, source: str | None, at: datetime) -> bool:
        return await self._db.run(sql.SET_LEGAL_BASIS, prospect_id, basis, source, _iso(at)) == 1

    # -- bulk jobs --------------------------------------------------------------------------------------------

    async def create_job(self, job_id: str, campaign_id: str, filter_: Mapping[str, Any], at: datetime) -> None:
        await self._db.run(sql.INSERT_JOB, job_id, campaign_id, json.dumps(dict(filter_)), _iso(at), _iso(at))

    async def get_job(self, job_id: str) -> dict[str, Any] | None:
        row = await self._db.first(sql.GET_JOB, job_id)
        if row is not None:
            row["filter"] = json.loads(row["filter"])
            row["refused"] = json.loads(row["refused"])
        return row

    async def advance_job(
        self, job_id: str, *, slice_no: int, state: str, cursor: str | None, matched: int, enrolled: int,
        refused: Mapping[str, int], at: datetime,
    ) -> bool:  # fmt: skip
        changed = await self._db.run(
            sql.ADVANCE_JOB, job_id, state, cursor, matched, enrolled, json.dumps(dict(refused)), _iso(at), slice_no
        )
        return changed == 1

    async def fail_job(self, job_id: str, error: str, at: datetime) -> None:
        await self._db.run(sql.FAIL_JOB, job_id, error[:500], _iso(at))
