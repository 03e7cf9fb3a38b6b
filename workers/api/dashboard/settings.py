"""The dashboard's settings page (`/app/settings`, admin scope to change anything): the emergency stop (its state,
and an on/off form that needs the word typed as confirmation) and the webhook endpoints notifications go to (the list,
replaced as a whole by a form, validated as `PUT /api/admin/webhooks` is; URLs masked, secrets shown by name only).

The stop is the send gate's (`services.send_gate`, the D1 setting every sender checks), so `/api/admin/emergency-stop`
and the CLI see the change at once.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.dashboard.auth import DashboardSession, SignedIn
from api.dashboard.inboxes import refuse_without_admin
from api.dashboard.render import error_page, page
from shared.domain.api_keys import ADMIN_SCOPE
from shared.domain.errors import Conflict, ValidationFailed
from shared.domain.notifications import ALL_KINDS, CHANNELS, KINDS, MAX_ENDPOINTS

router = APIRouter(include_in_schema=False)
CONFIRM = {True: "STOP", False: "START"}  # the word a person types to turn the stop on / off
BLANK_ROWS = 2
MAX_ROWS = MAX_ENDPOINTS + BLANK_ROWS
FIELDS = ("name", "channel", "url", "secret_name")


async def settings_context(signed_in: SignedIn, **extra: Any) -> dict[str, Any]:
    services = signed_in.services
    admin = signed_in.principal.allows(ADMIN_SCOPE)
    stop = await services.send_gate.emergency_stop()
    endpoints: list[dict[str, Any]] = []
    if admin:
        hooks = services.webhook_settings
        endpoints = [hooks.view(e) for e in await hooks.endpoints()]
    context: dict[str, Any] = {
        "title": "Settings · Jengu", "admin": admin, "stop": stop, "emergency_stop": bool(stop.get("enabled")),
        "confirm_word": CONFIRM[not stop.get("enabled")], "endpoints": endpoints, "rows": None,
        "blank_rows": BLANK_ROWS, "channels": CHANNELS, "kinds": (ALL_KINDS, *KINDS), "notice": None, "error": None,
        "problems": [],
    }  # fmt: skip
    return {**context, **extra}


@router.get("/app/settings")
async def settings_page(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    return await page(request, "settings.html", **await settings_context(signed_in))


@router.post("/app/settings/emergency-stop")
async def set_emergency_stop(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    refused = refuse_without_admin(request, signed_in)
    if refused is not None:
        return refused
    form = await request.form()
    wanted = {"on": True, "off": False}.get(str(form.get("enabled") or ""))
    if wanted is None:
        return error_page(request, 422, "Choose whether the emergency stop is on or off.")
    typed = str(form.get("confirm") or "").strip().upper()
    if typed != CONFIRM[wanted]:
        error = (
            f"Type {CONFIRM[wanted]} in the confirmation field to turn the emergency stop {'on' if wanted else 'off'}."
        )
        return await page(request, "settings.html", status=422, **await settings_context(signed_in, error=error))
    services = signed_in.services
    by = signed_in.principal.key_id
    await services.send_gate.set_emergency_stop(wanted, by=by)
    services.log.warning("emergency stop changed", enabled=wanted, by=by, via="dashboard")
    notice = "Emergency stop is on: nothing is sent." if wanted else "Emergency stop is off: sending resumes."
    return await page(request, "settings.html", **await settings_context(signed_in, notice=notice))


def endpoint_rows(form: Any) -> list[dict[str, Any]]:
    """The form's rows (`name-0`, `channel-0`, `url-0`, `kinds-0` repeated, `secret_name-0`, `remove-0`) as the API's
    endpoint objects; blank and removed rows are left out."""
    rows = []
    for index in range(MAX_ROWS):
        values = {f: str(form.get(f"{f}-{index}") or "").strip() for f in FIELDS}
        kinds = [str(k) for k in form.getlist(f"kinds-{index}")]
        if form.get(f"remove-{index}") or not (values["name"] or values["url"]):
            continue
        item: dict[str, Any] = {"name": values["name"], "channel": values["channel"], "url": values["url"],
                                "kinds": kinds or [ALL_KINDS]}  # fmt: skip
        if values["secret_name"] and values["channel"] == "webhook":
            item["secret_name"] = values["secret_name"]
        rows.append(item)
    return rows


def _problems(exc: ValidationError) -> list[str]:
    out = []
    for error in exc.errors():
        where = [str(p) for p in error["loc"] if not isinstance(p, int) and p not in ("endpoints", "slack", "discord",
                                                                                      "webhook")]  # fmt: skip
        index = next((p for p in error["loc"] if isinstance(p, int)), None)
        row = f"row {index + 1}" if index is not None else "form"
        out.append(f"{row}, {'.'.join(where) or 'entry'}: {error['msg']}")
    return out


@router.post("/app/settings/webhooks")
async def replace_webhooks(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    from api.routes.notifications import WebhooksIn

    refused = refuse_without_admin(request, signed_in)
    if refused is not None:
        return refused
    items = endpoint_rows(await request.form())
    services = signed_in.services
    try:
        body = WebhooksIn.model_validate({"endpoints": items})
    except ValidationError as exc:
        context = await settings_context(signed_in, error="Some endpoints are not valid.", problems=_problems(exc),
                                         rows=items)  # fmt: skip
        return await page(request, "settings.html", status=422, **context)
    try:
        saved = await services.webhook_settings.replace(
            [e.model_dump(exclude_none=True) for e in body.endpoints], by=signed_in.principal.key_id
        )
    except (ValidationFailed, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        context = await settings_context(signed_in, error=f"Not saved: {exc}.", rows=items)
        return await page(request, "settings.html", status=status, **context)
    notice = f"Saved {len(saved)} webhook endpoint{'s' if len(saved) != 1 else ''}."
    return await page(request, "settings.html", **await settings_context(signed_in, notice=notice))
