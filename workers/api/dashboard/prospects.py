"""The dashboard's prospects: `/app/prospects` (search, filters, keyset pages) and `/app/prospects/{id}` (fields,
enrichment, timeline, emails).

The list reads its filters from the query string (a plain GET form) and validates them with the API's own rules
(`build_query`: the full-text terms, stages, tiers, countries, email statuses, cursors); a bad value is a 400 page
naming it, never a 422 or a 5xx. Everything goes through the service layer (ProspectService, the enrichment store,
EmailService).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from api.dashboard.auth import DashboardSession
from api.dashboard.render import DashboardRoute, error_page, page
from api.routes.prospects import build_query
from shared.bootstrap import Services
from shared.domain.errors import NotFound, ValidationFailed
from shared.domain.prospect_query import ProspectQuery
from shared.domain.prospects import EmailStatus, Prospect, Stage, Tier
from shared.service_layer.prospects import ProspectService

router = APIRouter(include_in_schema=False, route_class=DashboardRoute)

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
MAX_Q_CHARS = 200  # the API's limit on `q`
MAX_CURSOR_CHARS = 512
MAX_ID_CHARS = 64
MAX_COUNTRY_CHARS = 100
TIMELINE_ENTRIES = 100
EMAILS_SHOWN = 50
_HAS_EMAIL = {"": None, "yes": True, "true": True, "no": False, "false": False}


def prospect_service(services: Services) -> ProspectService:
    return ProspectService(repo=services.prospects, clock=services.clock, ids=services.ids, log=services.log)


def _one(params: QueryParams, name: str, max_chars: int) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise ValidationFailed(f"give {name} once")
    value = values[0].strip() if values else ""
    if len(value) > max_chars:
        raise ValidationFailed(f"{name} is at most {max_chars} characters (this one has {len(value)})")
    return value


def _limit(params: QueryParams) -> int:
    raw = _one(params, "limit", 4)
    if not raw:
        return PAGE_SIZE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationFailed(f"limit is a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(raw)


def list_filters(params: QueryParams) -> dict[str, str]:
    """The form's values as given (blank ones dropped): what the form shows again and the next link carries."""
    form = {
        "q": _one(params, "q", MAX_Q_CHARS),
        "stage": _one(params, "stage", 20),
        "tier": _one(params, "tier", 20),
        "country": _one(params, "country", MAX_COUNTRY_CHARS),
        "has_email": _one(params, "has_email", 5).lower(),
        "email_status": _one(params, "email_status", 20),
    }
    if form["has_email"] not in _HAS_EMAIL:
        raise ValidationFailed(f"has_email is yes or no, not {form['has_email']!r}")
    return {name: value for name, value in form.items() if value}


def list_query(params: QueryParams) -> tuple[ProspectQuery, dict[str, str], int]:
    """The validated query, the filters as given, and the page size. ValidationFailed names a bad value."""
    filters = list_filters(params)
    limit = _limit(params)
    cursor = _one(params, "cursor", MAX_CURSOR_CHARS) or None
    query = build_query(
        stage=[filters["stage"]] if "stage" in filters else None,
        tier=[filters["tier"]] if "tier" in filters else None,
        country=[filters["country"]] if "country" in filters else None,
        has_email=_HAS_EMAIL[filters.get("has_email", "")], q=filters.get("q"),
        email_status=[filters["email_status"]] if "email_status" in filters else None,
        limit=limit, cursor=cursor,
    )  # fmt: skip
    return query, filters, limit


def page_link(filters: Mapping[str, str], limit: int, cursor: str | None = None) -> str:
    params = {
        **filters,
        **({"limit": str(limit)} if limit != PAGE_SIZE else {}),
        **({"cursor": cursor} if cursor else {}),
    }
    return "/app/prospects" + (f"?{urlencode(params)}" if params else "")


def display_name(prospect: Prospect) -> str:
    full = " ".join(part for part in (prospect.first_name, prospect.last_name) if part)
    return prospect.contact_name or full or prospect.email or "(no name)"


def web_link(url: str | None) -> str | None:
    """A URL safe to link to (http or https only); None otherwise."""
    if not url:
        return None
    text = url.strip()
    if text.lower().startswith(("http://", "https://")):
        return text
    return f"https://{text}" if "." in text and ":" not in text and " " not in text else None


def fact_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@router.get("/app/prospects")
async def prospects_page(request: Request, signed_in: DashboardSession) -> HTMLResponse:
    try:
        query, filters, limit = list_query(request.query_params)
    except ValidationFailed as exc:
        return error_page(request, 400, f"The search or a filter is not valid: {exc}.")
    items, next_cursor = await prospect_service(signed_in.services).page(query)
    return await page(
        request, "prospects.html", title="Prospects · Jengu", items=items, filters=filters, name_of=display_name,
        next_link=page_link(filters, limit, next_cursor) if next_cursor else None,
        first_link=page_link(filters, limit) if query.after is not None else None,
        stages=[s.value for s in Stage], tiers=[t.value for t in Tier], email_statuses=[e.value for e in EmailStatus],
    )  # fmt: skip


@router.get("/app/prospects/{prospect_id}")
async def prospect_page(request: Request, prospect_id: str, signed_in: DashboardSession) -> HTMLResponse:
    services = signed_in.services
    missing = f"There is no prospect with the id {prospect_id[:MAX_ID_CHARS]!r}."
    if len(prospect_id) > MAX_ID_CHARS:
        return error_page(request, 404, missing)
    service = prospect_service(services)
    try:
        prospect = await service.get(prospect_id)
        activities, _ = await service.activities(prospect_id, limit=TIMELINE_ENTRIES, after=None)
    except NotFound:
        return error_page(request, 404, missing)
    store = services.enrichment_store
    facts = [
        {**fact, "text": fact_text(fact["value"]), "link": web_link(fact.get("source_url"))}
        for fact in await store.facts_of(prospect_id)
    ]
    emails, _ = await services.email_service.page(filters={"prospect_id": prospect_id}, limit=EMAILS_SHOWN)
    ids = sorted({str(e["campaign_id"]) for e in emails if e.get("campaign_id")})
    campaigns = await services.campaign_store.get_many(ids) if ids else {}
    return await page(
        request, "prospect.html", title=f"{display_name(prospect)} · Jengu", prospect=prospect,
        name=display_name(prospect), website=web_link(prospect.website), linkedin=web_link(prospect.linkedin_url),
        facts=facts, candidates=await store.candidates_of(prospect_id), activities=activities, emails=emails,
        campaign_names={cid: c.name for cid, c in campaigns.items()},
    )  # fmt: skip
