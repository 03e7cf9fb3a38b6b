"""`/live` (the process answers), `/ready` (migrations applied) and `/health` (every dependency answers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.deps import get_services
from shared.bootstrap import Services

router = APIRouter(tags=["health"])

ServicesDep = Annotated[Services, Depends(get_services)]
NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Not ready / a dependency failed: the same report, with the failing checks",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.get("/live")
async def live() -> dict[str, Any]:
    return {"status": "ok"}


@router.get("/ready", responses=NOT_READY)
async def ready(services: ServicesDep) -> JSONResponse:
    ok, body = await services.health.ready()
    return JSONResponse(body, status_code=200 if ok else 503)


@router.get("/health", responses=NOT_READY)
async def health(request: Request, services: ServicesDep) -> JSONResponse:
    request_id = str(request.state.request_id)
    report = await services.health.health(trace_id=request_id, probe_token=services.ids.new_id())
    return JSONResponse(report.as_dict(), status_code=200 if report.ok else 503)
