"""`/api/admin/*` (admin scope): resume a paused inbox, push every inbox's settings to its Durable Objects again,
and the emergency stop every sender checks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict

from api.auth import AdminServices
from api.openapi import error_responses
from api.routes.prospects import actor_of
from shared.domain.errors import NotFound

router = APIRouter(prefix="/api/admin", tags=["admin"], responses=error_responses(403))


class EmergencyStop(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    enabled: bool


@router.post("/inboxes/{inbox_id}/resume", responses=error_responses(404))
async def resume_inbox(
    inbox_id: Annotated[str, Path(min_length=1, max_length=64)], request: Request, services: AdminServices
) -> dict[str, Any]:
    if await services.inboxes.get(inbox_id) is None:
        raise NotFound(f"inbox {inbox_id} does not exist")
    status = await services.inbox_health.resume(
        inbox_id, services.clock.now().timestamp(), by=actor_of(request) or "admin"
    )
    services.log.warning("inbox resumed by hand", inbox_id=inbox_id, by=actor_of(request))
    return {"inbox_id": inbox_id, **status.model_dump(mode="json")}


class InitializedInbox(BaseModel):
    inbox_id: str
    email: str
    status: str
    configured: bool
    warnings: list[str]


class InitializeReport(BaseModel):
    configured: int
    failed: int
    inboxes: list[InitializedInbox]


@router.post("/initialize-inboxes")
async def initialize_inboxes(services: AdminServices) -> InitializeReport:
    """Push every inbox's settings to its WarmupManager and InboxHealth again (idempotent), reporting per inbox."""
    report = await services.inbox_service.initialize_all()
    done = sum(1 for line in report if line["configured"])
    return InitializeReport(
        configured=done, failed=len(report) - done, inboxes=[InitializedInbox(**line) for line in report]
    )


@router.get("/emergency-stop")
async def get_emergency_stop(services: AdminServices) -> dict[str, Any]:
    return await services.send_gate.emergency_stop()


@router.post("/emergency-stop")
async def set_emergency_stop(body: EmergencyStop, request: Request, services: AdminServices) -> dict[str, Any]:
    value = await services.send_gate.set_emergency_stop(body.enabled, by=actor_of(request))
    services.log.warning("emergency stop changed", enabled=body.enabled, by=actor_of(request))
    return value


@router.post("/trigger-send", summary="Run one sending tick now (what the 5-minute cron does)")
async def trigger_send(services: AdminServices) -> dict[str, Any]:
    from shared.service_layer.sending.sweeper import SendSweeper

    now = services.clock.now()
    report = await services.send_tick.run(now)
    counts = {**report.counts(), "sends_requeued": await SendSweeper(services).run(now)}
    services.log.info("sending tick run by hand", **counts)
    return {**counts, "inboxes": report.inboxes}
