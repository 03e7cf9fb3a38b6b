"""`/api/prospects`: create, read (ETag), change (If-Match), delete, list/search with keyset cursors, bulk
actions and the activity timeline. CSV import and export live in `routes/prospect_csv.py`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from api.auth import AuthorizedServices
from shared.domain.activities import Activity
from shared.domain.bulk import MAX_BULK_IDS, BulkAction
from shared.domain.errors import PreconditionRequired, ValidationFailed
from shared.domain.geo import country_code
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.domain.prospect_query import ProspectQuery, SortKey, cursor_position, search_terms
from shared.domain.prospects import EmailStatus, Prospect, ProspectCreate, ProspectPatch, Stage, Tier
from shared.service_layer.prospects import ProspectService

router = APIRouter(prefix="/api/prospects", tags=["prospects"])

_ETAG = re.compile(r'^(?:W/)?"v(\d{1,9})"$')


async def prospect_service(services: AuthorizedServices) -> ProspectService:
    return ProspectService(repo=services.prospects, clock=services.clock, ids=services.ids, log=services.log)


ServiceDep = Annotated[ProspectService, Depends(prospect_service)]


def etag(version: int) -> str:
    return f'"v{version}"'


def parse_if_match(value: str | None, *, required: bool) -> int | None:
    if value is None:
        if required:
            raise PreconditionRequired("send If-Match with the ETag from your last read of this prospect")
        return None
    match = _ETAG.match(value.strip())
    if not match:
        raise ValidationFailed('If-Match must be an ETag such as "v3"')
    return int(match.group(1))


def actor_of(request: Request) -> str | None:
    """The API key the request acts as (recorded on timeline entries)."""
    principal = getattr(request.state, "principal", None)
    return str(principal.key_id) if principal is not None else None


def _values(raw: list[str] | None) -> list[str]:
    """Repeated and comma-separated query values: `?stage=new&stage=ready` or `?stage=new,ready`."""
    return [v.strip() for item in raw or [] for v in item.split(",") if v.strip()]


def _enum_values(enum: Any, raw: list[str] | None, name: str) -> tuple[Any, ...]:
    values = _values(raw)
    unknown = [v for v in values if v not in enum._value2member_map_]
    if unknown:
        allowed = ", ".join(enum._value2member_map_)
        raise ValidationFailed(f"unknown {name} {unknown[0]!r}; expected one of {allowed}")
    return tuple(dict.fromkeys(enum(v) for v in values))


def _countries(raw: list[str] | None) -> tuple[str, ...]:
    codes = []
    for value in _values(raw):
        code = country_code(value)
        if code is None:
            raise ValidationFailed(f"unknown country {value!r}")
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def _archived(value: str) -> bool | None:
    return {"false": False, "true": True, "all": None}[value]


async def prospect_query(
    stage: Annotated[
        list[str] | None, Query(description="new, enriched, ready, ... (repeat or comma-separate)")
    ] = None,
    tier: Annotated[list[str] | None, Query()] = None,
    country: Annotated[list[str] | None, Query(description="ISO code or English name")] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    archived: Annotated[str, Query(pattern="^(true|false|all)$")] = "false",
    has_email: bool | None = None,
    email_status: Annotated[list[str] | None, Query()] = None,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description="full-text search")] = None,
    sort: SortKey = SortKey.SCORE_DESC,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=512, description="opaque: the next_cursor of the previous page")
    ] = None,
) -> ProspectQuery:
    return build_query(
        stage=stage, tier=tier, country=country, tag=tag, archived=archived, has_email=has_email,
        email_status=email_status, campaign=campaign, q=q, sort=sort, limit=limit, cursor=cursor,
    )  # fmt: skip


def build_query(
    *,
    stage: list[str] | None = None,
    tier: list[str] | None = None,
    country: list[str] | None = None,
    tag: str | None = None,
    archived: str = "false",
    has_email: bool | None = None,
    email_status: list[str] | None = None,
    campaign: str | None = None,
    q: str | None = None,
    sort: SortKey = SortKey.SCORE_DESC,
    limit: int = 50,
    cursor: str | None = None,
) -> ProspectQuery:
    """The validated query of the list filters (shared by the query-string dependency and bulk-by-filter)."""
    return ProspectQuery(
        stages=_enum_values(Stage, stage, "stage"),
        tiers=_enum_values(Tier, tier, "tier"),
        countries=_countries(country),
        email_statuses=_enum_values(EmailStatus, email_status, "email_status"),
        tag=tag.strip().lower() if tag else None,
        archived=_archived(archived),
        has_email=has_email,
        campaign=campaign,
        search_terms=search_terms(q),
        sort=sort,
        limit=limit,
        after=cursor_position(cursor, sort),
    )


QueryDep = Annotated[ProspectQuery, Depends(prospect_query)]


class ProspectPage(BaseModel):
    items: list[Prospect]
    next_cursor: str | None


class ActivityPage(BaseModel):
    items: list[Activity]
    next_cursor: str | None


FilterValues = Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=20)]


class BulkFilter(BaseModel):
    """The list filters, with the same limits as the query parameters. An empty filter would match every prospect,
    so a bulk action by filter needs at least one criterion."""

    model_config = ConfigDict(extra="forbid")

    stage: FilterValues | None = None
    tier: FilterValues | None = None
    country: FilterValues | None = None
    tag: Annotated[str, Field(max_length=40)] | None = None
    archived: Annotated[str, Field(pattern="^(true|false|all)$")] = "false"
    has_email: bool | None = None
    email_status: FilterValues | None = None
    campaign: Annotated[str, Field(max_length=64)] | None = None
    q: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _has_a_criterion(self) -> BulkFilter:
        criteria = self.model_dump(exclude={"archived"}, exclude_none=True)
        if not criteria:
            raise ValueError("a bulk filter needs at least one criterion (use ids to act on specific prospects)")
        return self


class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: BulkAction
    ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=MAX_BULK_IDS)] | None = (
        None
    )
    filter: BulkFilter | None = None
    value: Annotated[str, Field(max_length=40)] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> BulkRequest:
        if (self.ids is None) == (self.filter is None):
            raise ValueError("give either ids or filter")
        return self


class BulkResult(BaseModel):
    action: BulkAction
    matched: int
    counts: dict[str, int]
    results: list[dict[str, str]]


@router.post("", status_code=201)
async def create_prospect(body: ProspectCreate, request: Request, response: Response, service: ServiceDep) -> Prospect:
    prospect = await service.create(body, actor=actor_of(request))
    response.headers["ETag"] = etag(prospect.version)
    response.headers["Location"] = f"/api/prospects/{prospect.id}"
    return prospect


@router.get("")
async def list_prospects(query: QueryDep, service: ServiceDep) -> ProspectPage:
    items, next_cursor = await service.page(query)
    return ProspectPage(items=items, next_cursor=next_cursor)


@router.post("/bulk")
async def bulk(body: BulkRequest, request: Request, service: ServiceDep) -> BulkResult:
    if body.filter is not None:
        f = body.filter
        query = build_query(
            stage=f.stage, tier=f.tier, country=f.country, tag=f.tag, archived=f.archived,
            has_email=f.has_email, email_status=f.email_status, campaign=f.campaign, q=f.q,
        )  # fmt: skip
        ids = await service.ids_matching(query)
    else:
        ids = body.ids or []
    results = await service.bulk(body.action, ids, body.value, actor=actor_of(request))
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return BulkResult(action=body.action, matched=len(results), counts=counts, results=results)


@router.get("/{prospect_id}")
async def get_prospect(prospect_id: str, response: Response, service: ServiceDep) -> Prospect:
    prospect = await service.get(prospect_id)
    response.headers["ETag"] = etag(prospect.version)
    return prospect


@router.patch("/{prospect_id}")
async def patch_prospect(
    prospect_id: str,
    body: ProspectPatch,
    request: Request,
    response: Response,
    service: ServiceDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Prospect:
    expected = parse_if_match(if_match, required=True)
    assert expected is not None
    prospect = await service.update(prospect_id, body, expected_version=expected, actor=actor_of(request))
    response.headers["ETag"] = etag(prospect.version)
    return prospect


@router.delete("/{prospect_id}", status_code=204)
async def delete_prospect(
    prospect_id: str, service: ServiceDep, if_match: Annotated[str | None, Header()] = None
) -> Response:
    await service.delete(prospect_id, expected_version=parse_if_match(if_match, required=False))
    return Response(status_code=204)


@router.get("/{prospect_id}/activities")
async def activities(
    prospect_id: str,
    service: ServiceDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> ActivityPage:
    after = None
    if cursor:
        occurred, activity_id = decode_cursor(cursor, arity=2)
        after = (str(occurred), str(activity_id))
    items, last = await service.activities(prospect_id, limit=limit, after=after)
    return ActivityPage(items=items, next_cursor=encode_cursor(list(last)) if last else None)
