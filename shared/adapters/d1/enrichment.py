"""Enrichment's D1 store: read a prospect as enrichment sees it, write one run's merge atomically, and the figures
`GET /api/enrich/status` shows. SQL in shared/adapters/d1/sql_enrichment.py."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from shared.adapters.d1 import sql_enrichment as sql
from shared.adapters.d1.client import D1Client, Query
from shared.domain.enrichment.plan import Fact, Snapshot
from shared.domain.enrichment.trail import ProviderUsage
from shared.domain.prospects import EmailStatus, Stage

# Only these columns may be written by a merge (names come from shared.domain.enrichment.plan.merge).
MERGE_COLUMNS = frozenset({
    "website", "domain", "website_source", "rooms", "property_type", "email", "email_normalized", "email_status",
    "email_check", "email_checked_by", "email_source", "email_is_role", "stage", "score", "tier", "search_text",
})  # fmt: skip
MAX_IDS = 90  # ids per MARK_QUEUED statement (bound as one JSON text: far inside the parameter limit)


def _iso(at: datetime) -> str:
    return at.isoformat()


class D1EnrichmentStore:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    async def snapshot(self, prospect_id: str) -> Snapshot | None:
        row = await self._db.first(sql.SNAPSHOT, prospect_id)
        if row is None:
            return None
        names = str(row.get("fact_names") or "")
        return Snapshot(
            id=str(row["id"]), version=int(row["version"]), stage=Stage(row["stage"]), archived=bool(row["archived"]),
            first_name=row["first_name"], last_name=row["last_name"], contact_name=row["contact_name"],
            job_title=row["job_title"], company_name=row["company_name"], property_name=row["property_name"],
            property_type=row["property_type"], rooms=row["rooms"], website=row["website"], domain=row["domain"],
            city=row["city"], country=row["country"], email=row["email"],
            email_status=EmailStatus(row["email_status"]), email_check=row["email_check"],
            email_is_role=bool(row["email_is_role"]), linkedin_url=row["linkedin_url"],
            fact_names=frozenset(n for n in names.split(",") if n),
        )  # fmt: skip

    async def email_owner(self, email_normalized: str, prospect_id: str) -> str | None:
        row = await self._db.first(sql.EMAIL_OWNER, email_normalized, prospect_id)
        return None if row is None else str(row["id"])

    async def save(self, snapshot: Snapshot, *, values: Mapping[str, Any], status: str, token: str, now: datetime,
                   facts: Sequence[Fact], candidates: Sequence[Mapping[str, Any]], activity_id: str, summary: str,
                   trail: Mapping[str, Any], usage: Mapping[str, ProviderUsage]) -> bool:  # fmt: skip
        """One atomic batch; False when the prospect changed since `snapshot` (nothing was written)."""
        unknown = set(values) - MERGE_COLUMNS
        if unknown:
            raise ValueError(f"not enrichment's to write: {sorted(unknown)}")
        at = _iso(now)
        columns = sorted(values)
        sets = "".join(f", {c} = ?{i}" for i, c in enumerate(columns, start=6))
        update = Query(sql.MERGE_HEAD + sets + sql.MERGE_TAIL,
                       (snapshot.id, snapshot.version, token, at, status, *(values[c] for c in columns)))  # fmt: skip
        queries = [update]
        queries += [Query(sql.PUT_FACT, (snapshot.id, token, f.name, json.dumps(f.value, ensure_ascii=False),
                                         f.source_url, at)) for f in facts]  # fmt: skip
        queries += [
            Query(sql.PUT_CANDIDATE, (snapshot.id, token, c["address"], c["pattern"], c["rank"], c["status"],
                                      c.get("verifier"), c.get("detail"), at if c["status"] != "unverified" else None))
            for c in candidates
        ]  # fmt: skip
        queries.append(Query(sql.ADD_TRAIL, (snapshot.id, token, activity_id, summary,
                                             json.dumps(trail, ensure_ascii=False), at)))  # fmt: skip
        day = at[:10]
        queries += [
            Query(sql.ADD_USAGE, (snapshot.id, token, provider, day, u.calls, u.credits, u.failures, u.cost_micros,
                                  u.last_failure, at))
            for provider, u in sorted(usage.items())
        ]  # fmt: skip
        changes = await self._db.batch_changes(queries)
        return changes[0] > 0  # D1 counts the FTS trigger's writes too; 0 means the version guard refused

    async def add_usage(self, usage: Mapping[str, ProviderUsage], now: datetime) -> None:
        """Usage of a run whose prospect could not take a merge (archived or deleted meanwhile)."""
        at = _iso(now)
        queries = [
            Query(sql.ADD_USAGE_ALONE, (p, at[:10], u.calls, u.credits, u.failures, u.cost_micros, u.last_failure, at))
            for p, u in sorted(usage.items())
        ]
        if queries:
            await self._db.batch(queries)

    async def mark_queued(self, ids: Sequence[str], now: datetime, requeue_before: datetime) -> list[str]:
        """Mark `ids` queued; returns those marked (a prospect queued after `requeue_before` is left alone)."""
        marked: list[str] = []
        for i in range(0, len(ids), MAX_IDS):
            rows = await self._db.all(sql.MARK_QUEUED, json.dumps(list(ids[i : i + MAX_IDS])), _iso(now),
                                      _iso(requeue_before))  # fmt: skip
            marked += [str(r["id"]) for r in rows]
        return marked

    async def mark_failed(self, prospect_id: str, now: datetime) -> bool:
        return await self._db.run(sql.MARK_FAILED, prospect_id, _iso(now)) == 1

    async def topup(self, limit: int, *, partial_before: datetime, queued_before: datetime) -> list[str]:
        ids: list[str] = []
        steps: tuple[tuple[str, tuple[Any, ...]], ...] = (
            (sql.TOPUP_NEVER, ()), (sql.TOPUP_WAITING, ()), (sql.TOPUP_PARTIAL, (_iso(partial_before),)),
            (sql.TOPUP_LOST, (_iso(queued_before),)),
        )  # fmt: skip
        for query, extra in steps:
            if len(ids) >= limit:
                break
            ids += [str(r["id"]) for r in await self._db.all(query, limit - len(ids), *extra)]
        return list(dict.fromkeys(ids))

    async def status_counts(self) -> dict[str, int]:
        return {str(r["status"]): int(r["n"]) for r in await self._db.all(sql.STATUS_COUNTS)}

    async def coverage(self) -> dict[str, int]:
        row = await self._db.first(sql.COVERAGE) or {}
        return {k: int(v or 0) for k, v in row.items()}

    async def usage_between(self, first_day: str, last_day: str) -> list[dict[str, Any]]:
        return await self._db.all(sql.USAGE_BETWEEN, first_day, last_day)

    async def recent_failures(self, limit: int) -> list[dict[str, Any]]:
        return await self._db.all(sql.RECENT_FAILURES, limit)

    async def failed_prospects(self, limit: int) -> list[dict[str, Any]]:
        return await self._db.all(sql.FAILED_PROSPECTS, limit)

    async def facts_of(self, prospect_id: str) -> list[dict[str, Any]]:
        rows = await self._db.all(sql.FACTS_OF, prospect_id)
        return [{**r, "value": json.loads(r["value"])} for r in rows]

    async def candidates_of(self, prospect_id: str) -> list[dict[str, Any]]:
        return await self._db.all(sql.CANDIDATES_OF, prospect_id)

    async def trail_of(self, prospect_id: str, limit: int = 5) -> list[dict[str, Any]]:
        rows = await self._db.all(sql.LAST_TRAIL, prospect_id, limit)
        return [{**r, "data": json.loads(r["data"])} for r in rows]
