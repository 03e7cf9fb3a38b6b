"""D1 repository for campaigns: rows <-> `Campaign` (steps included), version-guarded writes, keyset lists, counts.

A campaign is read with its steps in one statement (the steps as a JSON array). Every write is one batch whose
last statement is the campaign's version-guarded UPDATE; the step statements before it carry the same guard, so a
write that lost an optimistic-locking race changes nothing at all.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared.adapters.d1 import sql_campaigns as sql
from shared.adapters.d1.client import D1Client, Param, Query, bound_text
from shared.domain.campaigns.models import Campaign, CampaignStatus, Step
from shared.ports.campaigns import CampaignCounts, EmailCount

_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _step(data: dict[str, Any]) -> Step:
    definition = data.pop("definition") or {}
    return Step.model_validate({**data, "variants": definition.get("variants", [])})


def _row_to_campaign(row: dict[str, Any]) -> Campaign:
    steps = sorted((_step(s) for s in json.loads(row.pop("steps") or "[]")), key=lambda s: s.position)
    values = {
        **row,
        "archived": bool(row["archived"]),
        "version": int(row["version"]),
        "settings": json.loads(row["settings"] or "{}"),
        "inbox_ids": json.loads(row["inbox_ids"] or "[]"),
        "steps": steps,
    }
    return Campaign.model_validate(values)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _values(campaign: Campaign, columns: Sequence[str]) -> tuple[Param, ...]:
    encoded: dict[str, Param] = {
        "id": campaign.id,
        "name": campaign.name,
        "description": campaign.description,
        "status": campaign.status.value,
        "archived": 1 if campaign.archived else 0,
        "archived_at": _iso(campaign.archived_at),
        "settings": _json(campaign.settings.model_dump(mode="json")),
        "inbox_ids": _json(list(campaign.inbox_ids)),
        "version": campaign.version,
        "activated_at": _iso(campaign.activated_at),
        "completed_at": _iso(campaign.completed_at),
        "created_at": _iso(campaign.created_at),
        "updated_at": _iso(campaign.updated_at),
    }
    return tuple(encoded[c] for c in columns)


def _definition(step: Step) -> str:
    return _json({"variants": [v.model_dump(mode="json", exclude_none=True) for v in step.variants]})


def _step_values(step: Step) -> tuple[Param, ...]:
    """A step's stored columns after its id, in the order INSERT_STEP and UPSERT_STEP_IF_VERSION bind them."""
    return (
        step.position, step.delay, step.delay_unit, step.kind, _definition(step), _iso(step.created_at),
        _iso(step.updated_at),
    )  # fmt: skip


class D1CampaignRepository:
    def __init__(self, db: D1Client) -> None:
        self._db = db

    # -- reads -----------------------------------------------------------------------------------------------
    async def get(self, campaign_id: str) -> Campaign | None:
        row = await self._db.first(sql.GET_CAMPAIGN, campaign_id)
        return _row_to_campaign(row) if row else None

    async def get_many(self, ids: Sequence[str]) -> dict[str, Campaign]:
        unique = list(dict.fromkeys(ids))
        if not unique:
            return {}
        rows = await self._db.all(sql.GET_CAMPAIGNS, bound_text(_json(unique)))
        campaigns = (_row_to_campaign(r) for r in rows)
        return {c.id: c for c in campaigns}

    async def version_of(self, campaign_id: str) -> int | None:
        row = await self._db.first(sql.GET_VERSION, campaign_id)
        return int(row["version"]) if row else None

    async def page(
        self, *, status: CampaignStatus | None, archived: bool | None, limit: int, after: tuple[str, str] | None
    ) -> list[Campaign]:
        where: list[str] = []
        params: list[Param] = []
        if status is not None:
            where.append(sql.FILTER_STATUS)
            params.append(status.value)
        if archived is not None:
            where.append(sql.FILTER_ARCHIVED)
            params.append(1 if archived else 0)
        if after is not None:
            where.append(sql.FILTER_AFTER)
            params += [after[0], after[1]]
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = await self._db.all(f"{sql.LIST_FROM}{clause} {sql.LIST_ORDER}", *params, limit)
        return [_row_to_campaign(r) for r in rows]

    async def counts(self, campaign_id: str) -> CampaignCounts:
        email_rows = await self._db.all(sql.EMAIL_COUNTS, campaign_id)
        enrollment_rows = await self._db.all(sql.ENROLLMENT_COUNTS, campaign_id)
        emails = [
            EmailCount(
                step_position=None if r["step_position"] is None else int(r["step_position"]),
                variant=None if r["variant"] is None else str(r["variant"]),
                status=str(r["status"]),
                emails=int(r["emails"]),
                replied=int(r["replied"]),
            )
            for r in email_rows
        ]
        return CampaignCounts(emails=emails, enrollments={str(r["status"]): int(r["n"]) for r in enrollment_rows})

    # -- writes ----------------------------------------------------------------------------------------------
    async def insert(self, campaign: Campaign) -> None:
        queries = [Query(sql.INSERT_CAMPAIGN, _values(campaign, sql.CAMPAIGN_COLUMNS))]
        queries += [Query(sql.INSERT_STEP, (step.id, campaign.id, *_step_values(step))) for step in campaign.steps]
        await self._db.batch(queries)

    async def save(self, campaign: Campaign, expected_version: int, *, steps: bool) -> bool:
        queries: list[Query] = []
        if steps:
            guard: tuple[Param, ...] = (campaign.id, expected_version)
            queries.append(Query(sql.DELETE_STEPS_AFTER_IF_VERSION, (*guard, len(campaign.steps))))
            queries += [
                Query(sql.UPSERT_STEP_IF_VERSION, (*guard, step.id, *_step_values(step))) for step in campaign.steps
            ]
        queries.append(
            Query(
                sql.UPDATE_CAMPAIGN_IF_VERSION,
                (*_values(campaign, sql.UPDATABLE_COLUMNS), campaign.id, expected_version),
            )
        )
        changes = await self._db.batch_changes(queries)
        return changes[-1] > 0
