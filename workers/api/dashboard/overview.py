"""The dashboard's overview (`/app/`): the funnel, sends per inbox per day against caps, the 7/30-day reply,
positive-reply, bounce and complaint rates, queue depths and alerts (shared/service_layer/dashboard_metrics.py), drawn
as server-side SVG (shared/domain/charts.py).

The figures sit in one element that htmx re-fetches every 30 s (`hx-get="/app/"` with `HX-Request: true` answers the
content alone, no layout); without JavaScript the page is complete and a reload refreshes it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.dashboard.auth import DashboardSession
from api.dashboard.render import fragment, page

router = APIRouter(include_in_schema=False)
REFRESH_S = 30
RATE_ROWS = (("replies", "Reply rate"), ("positive_replies", "Positive-reply rate"), ("bounces", "Bounce rate"),
             ("complaints", "Complaint rate"))  # fmt: skip


@router.get("/app")
async def app_root() -> RedirectResponse:
    return RedirectResponse("/app/", status_code=303)


@router.get("/app/")
async def overview(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    figures = await overview_context(signed_in.services)
    if request.headers.get("hx-request", "").lower() == "true":
        return await fragment(request, "overview.html", **figures)
    return await page(request, "overview.html", title="Overview · Jengu", **figures)


async def overview_context(services: Any) -> dict[str, Any]:
    """The template's figures: the metrics, the charts' SVG (escaped by charts.py) and the rates as rows."""
    from shared.domain import charts
    from shared.service_layer.dashboard_metrics import overview_metrics

    m = await overview_metrics(services, services.clock.now())
    series = [charts.Series(s.label, s.per_day, cap=s.daily_cap) for s in m.inboxes]
    rates = [{"label": label, "periods": [getattr(period, name) for period in m.rates]} for name, label in RATE_ROWS]
    return {
        "m": m,
        "refresh_s": REFRESH_S,
        "funnel_svg": charts.funnel([(f.stage, f.reached) for f in m.funnel], chart_id="overview-funnel"),
        "sends_svg": charts.daily_bars(m.days, series, chart_id="overview-sends"),
        "sparks": {
            s.inbox_id: charts.sparkline(s.per_day, label=f"{s.label}: sends per day", chart_id=f"spark-{s.inbox_id}")
            for s in m.inboxes
        },
        "rate_rows": rates,
        "emergency_stop": m.emergency_stop,
    }
