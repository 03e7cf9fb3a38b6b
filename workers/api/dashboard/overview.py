"""The dashboard's overview page (`/app/`): a first, simple page; the charts replace its body later."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.dashboard.auth import DashboardSession
from api.dashboard.render import page

router = APIRouter(include_in_schema=False)


@router.get("/app")
async def app_root() -> RedirectResponse:
    return RedirectResponse("/app/", status_code=303)


@router.get("/app/")
async def overview(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    return await page(request, "overview.html", title="Overview · Jengu", key_name=signed_in.principal.name)
