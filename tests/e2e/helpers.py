"""Small helpers for end-to-end tests: query the runtime's D1, build envelopes, set up an outreach campaign."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from local.runtime import LocalRuntime
from shared.messages.envelope import Envelope


async def rows(runtime: LocalRuntime, sql: str, *params: Any) -> list[dict[str, Any]]:
    assert runtime.env is not None
    stmt = runtime.env.DB.prepare(sql)
    result = await (stmt.bind(*params) if params else stmt).all()
    return [dict(r) for r in result["results"]]


def envelope(type_: str, payload: dict[str, Any], *, id_: str = "env-1", trace_id: str = "trace-e2e") -> Envelope:
    return Envelope(
        id=id_,
        type=type_,
        version=1,
        trace_id=trace_id,
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        payload=payload,
    )


ALL_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def template_step(body: str, *, subject: str = "Hi {{ first_name }}", **fields: Any) -> dict[str, Any]:
    return {"kind": "template", "variants": [{"key": "A", "subject": subject, "body": body}], **fields}


async def start_outreach(
    http: Any, auth: dict[str, str], *, csv: bytes, inbox: dict[str, Any], steps: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], list[str]]:  # fmt: skip
    """Import `csv`, create the inbox and an active campaign with `steps`, enroll every imported prospect (name
    order; every one must be accepted). Returns (inbox, campaign, prospect ids); each step is checked, so a broken
    setup fails loudly."""
    imported = await http.post("/api/prospects/import", content=csv, headers={**auth, "Content-Type": "text/csv"})
    assert imported.status_code == 200, imported.text
    created = await http.post("/api/inboxes", headers=auth, json=inbox)
    assert created.status_code == 201, created.text
    body = {"name": "c", "inbox_ids": [created.json()["id"]], "steps": steps, "settings": settings or {}}
    campaign = await http.post("/api/campaigns", headers=auth, json=body)
    assert campaign.status_code == 201, campaign.text
    activated = await http.post(f"/api/campaigns/{campaign.json()['id']}/activate", headers=auth)
    assert activated.status_code == 200, activated.text
    prospects = (await http.get("/api/prospects?limit=500&sort=name", headers=auth)).json()["items"]
    ids = [p["id"] for p in prospects]
    enrolled = await http.post(f"/api/campaigns/{campaign.json()['id']}/enrollments", headers=auth, json={"ids": ids})
    assert enrolled.status_code == 200 and enrolled.json()["enrolled"] == len(ids), enrolled.text
    return created.json(), campaign.json(), ids
