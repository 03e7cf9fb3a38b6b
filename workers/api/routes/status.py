"""`/api/status/*`: live values from the coordination objects — warmup per inbox, inbox health, rate limits."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.auth import AuthorizedServices
from shared.bootstrap import Services
from shared.messages.rate_limit import PROVIDER_LIMITS, KeyClass

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


@router.get("/rate-limits")
async def rate_limit_status(
    request: Request,
    services: AuthorizedServices,
    provider_key: Annotated[
        str, Query(min_length=1, max_length=200, description="the key provider calls are made under")
    ] = "default",
) -> dict[str, Any]:
    """The caller's own API-key bucket and every provider class's bucket and daily quota, as they stand now."""
    principal = request.state.principal
    wanted = [(str(principal.key_id), KeyClass.API_KEY.value)] + [(provider_key, str(c)) for c in PROVIDER_LIMITS]
    statuses = await services.rate_limiter.status(wanted)
    return {
        "enabled": services.settings.rate_limit_enabled,
        "limits": [{"key": key, "key_class": key_class, **s.model_dump(mode="json")}
                   for (key, key_class), s in zip(wanted, statuses, strict=False)],
    }  # fmt: skip
