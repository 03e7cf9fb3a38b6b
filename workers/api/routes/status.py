"""`/api/status/*`: live values from the coordination objects — warmup per inbox, inbox health, rate limits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import AuthorizedServices
from shared.bootstrap import Services

router = APIRouter(prefix="/api/status", tags=["status"])


async def _inboxes(services: Services, inbox: str | None) -> list[dict[str, Any]]:
    if inbox is not None:
        found = await services.inboxes.get(inbox)
        return [found] if found else [{"id": inbox, "email": None, "timezone": None, "status": None}]
    return await services.inboxes.list()


@router.get("/warmup")
async def warmup_status(
    services: AuthorizedServices, inbox: Annotated[str | None, Query(max_length=64)] = None
) -> dict[str, Any]:
    now = services.clock.now().timestamp()
    items = []
    for row in await _inboxes(services, inbox):
        status = await services.warmup.status(str(row["id"]), now)
        items.append({"inbox_id": row["id"], "email": row["email"], **status.model_dump(mode="json")})
    return {"inboxes": items}


@router.get("/inboxes")
async def inbox_status(
    services: AuthorizedServices, inbox: Annotated[str | None, Query(max_length=64)] = None
) -> dict[str, Any]:
    now = services.clock.now().timestamp()
    items = []
    for row in await _inboxes(services, inbox):
        status = await services.inbox_health.status(str(row["id"]), now)
        items.append({"inbox_id": row["id"], "email": row["email"], "status": row["status"],
                      **status.model_dump(mode="json")})  # fmt: skip
    stop = await services.send_gate.emergency_stop()
    return {"emergency_stop": stop, "inboxes": items}
