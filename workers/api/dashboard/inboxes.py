"""The dashboard's inbox page (`/app/inboxes`): each inbox with its health (InboxHealth), warmup day and allowance
(WarmupManager), today's sends against its caps, why it is paused, and a resume form.

Resume (`POST /app/inboxes/{id}/resume`, admin scope) lifts what holds the inbox: a person's pause (the inbox
service, as `POST /api/inboxes/{id}/resume`) and InboxHealth's automatic pause (as
`POST /api/admin/inboxes/{id}/resume`).
A coordination object that does not answer is shown as such, never a failed page.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import DashboardSession, SignedIn
from api.dashboard.render import error_page, page
from shared.domain.api_keys import ADMIN_SCOPE
from shared.domain.inboxes.models import InboxStatus

router = APIRouter(include_in_schema=False)
InboxId = Annotated[str, Path(min_length=1, max_length=64)]
MAX_INBOXES = 200


async def _live(call: Any) -> tuple[Any, str | None]:
    try:
        return await call, None
    except Exception as exc:  # a Durable Object that does not answer: say so on the row
        return None, type(exc).__name__


async def inbox_rows(services: Any) -> list[dict[str, Any]]:
    now = services.clock.now().timestamp()
    inboxes, _ = await services.inbox_service.page(status=None, limit=MAX_INBOXES, after=None)
    rows = []
    for inbox in inboxes:
        health, health_error = await _live(services.inbox_health.status(inbox.id, now))
        warmup, warmup_error = await _live(services.warmup.status(inbox.id, now))
        held = inbox.status is InboxStatus.PAUSED or (health is not None and health.state == "paused")
        rows.append({"inbox": inbox, "health": health, "health_error": health_error, "warmup": warmup,
                     "warmup_error": warmup_error, "resumable": held})  # fmt: skip
    return rows


async def inboxes_context(services: Any) -> dict[str, Any]:
    return {"rows": await inbox_rows(services), "title": "Inboxes · Jengu", "notice": None, "error": None}


@router.get("/app/inboxes")
async def inboxes_page(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    return await page(request, "inboxes.html", **await inboxes_context(signed_in.services))


def refuse_without_admin(request: Request, signed_in: SignedIn) -> HTMLResponse | None:
    if signed_in.principal.allows(ADMIN_SCOPE):
        return None
    return error_page(request, 403, "This needs an API key with the admin scope.")


@router.post("/app/inboxes/{inbox_id}/resume")
async def resume_inbox(request: Request, signed_in: DashboardSession, inbox_id: InboxId) -> HTMLResponse:
    refused = refuse_without_admin(request, signed_in)
    if refused is not None:
        return refused
    services = signed_in.services
    actor = signed_in.principal.key_id
    inbox = await services.inbox_service.get(inbox_id)  # 404 page when unknown
    lifted = []
    if inbox.status is InboxStatus.PAUSED:
        await services.inbox_service.resume(inbox_id, actor=actor)
        lifted.append("its pause")
    now = services.clock.now().timestamp()
    health, _ = await _live(services.inbox_health.status(inbox_id, now))
    if health is not None and health.state == "paused":
        await services.inbox_health.resume(inbox_id, now, by=actor)
        lifted.append("the automatic pause (bounces or complaints)")
    context = await inboxes_context(services)
    if lifted:
        services.log.warning("inbox resumed from the dashboard", inbox_id=inbox_id, by=actor)
        context["notice"] = f"Inbox {inbox.email} resumed: lifted {' and '.join(lifted)}."
        return await page(request, "inboxes.html", **context)
    context["error"] = f"Inbox {inbox.email} is not paused, so there is nothing to resume."
    return await page(request, "inboxes.html", status=409, **context)
