"""`/api/prospects`: create, read (ETag), change (If-Match), delete, list/search with keyset cursors, bulk
actions and the activity timeline. CSV import and export live in `routes/prospect_csv.py`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.convertors import StringConvertor, register_url_convertor

from api.auth import AuthorizedServices
from api.openapi import HAS_TEXT, HAS_TEXT_AFTER_STRIP, PYTHON_WHITE_SPACE, error_responses
from shared.domain.activities import Activity
from shared.domain.bulk import MAX_BULK_IDS, BulkAction
from shared.domain.errors import PreconditionRequired, ValidationFailed
from shared.domain.geo import country_code
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.domain.prospect_query import ProspectQuery, SortKey, cursor_position, search_terms
from shared.domain.prospects import EmailStatus, Prospect, ProspectCreate, ProspectPatch, Stage, Tier
from shared.service_layer.prospects import ProspectService

router = APIRouter(prefix="/api/prospects", tags=["prospects"])

ProspectId = Annotated[str, Path(min_length=1, max_length=64)]


class ProspectIdConvertor(StringConvertor):
    """`{prospect_id:prospect_id}`: any path segment but the collection's own sub-resources, so DELETE /export is a
    405 naming GET (the export's methods) rather than "prospect export does not exist"."""

    regex = r"(?!(?:bulk|export|import)$)[^/]+"


register_url_convertor("prospect_id", ProspectIdConvertor())

_ETAG = re.compile(r'^(?:W/)?"v(\d{1,9})"$')
IF_MATCH_PATTERN = r'^(\*|(W/)?"v[0-9]{1,9}")$'
ANY_VERSION = "*"


def if_match_header(*, required: bool) -> Any:
    """The If-Match header parameter as OpenAPI shows it: one ETag we issued, or `*` (any current version)."""
    need = "required: without it the answer is 428" if required else "optional: without it the delete is unconditional"
    return Header(
        pattern=IF_MATCH_PATTERN,
        max_length=20,
        description=f'The ETag from your last read (`"v3"`), or `*` for whatever version is current; {need}.',
        examples=['"v1"', "*"],
    )


async def prospect_service(services: AuthorizedServices) -> ProspectService:
    return ProspectService(repo=services.prospects, clock=services.clock, ids=services.ids, log=services.log)


ServiceDep = Annotated[ProspectService, Depends(prospect_service)]


def etag(version: int) -> str:
    return f'"v{version}"'


def parse_if_match(value: str | None, *, required: bool) -> int | str | None:
    """The version an If-Match names, `ANY_VERSION` for `*` (RFC 9110: matches any current representation)."""
    if value is None:
        if required:
            raise PreconditionRequired("send If-Match with the ETag from your last read of this prospect")
        return None
    if value.strip() == ANY_VERSION:
        return ANY_VERSION
    match = _ETAG.match(value.strip())
    if not match:
        raise ValidationFailed('If-Match must be an ETag such as "v3"')
    return int(match.group(1))


def actor_of(request: Request) -> str | None:
    """The API key the request acts as (recorded on timeline entries)."""
    principal = getattr(request.state, "principal", None)
    return str(principal.key_id) if principal is not None else None


def one_or_more_of(enum: Any) -> str:
    """The pattern of a filter value: enum members, comma-separated, blanks around them ignored (`new, ready`)."""
    names, space = "|".join(re.escape(m.value) for m in enum), f"[{PYTHON_WHITE_SPACE}]"
    return rf"^[{PYTHON_WHITE_SPACE},]*(?:(?:{names})(?:{space}*,[{PYTHON_WHITE_SPACE},]*|{space}*$))*$"


StageValues = list[Annotated[str, Field(pattern=one_or_more_of(Stage))]]
TierValues = list[Annotated[str, Field(pattern=one_or_more_of(Tier))]]
EmailStatusValues = list[Annotated[str, Field(pattern=one_or_more_of(EmailStatus))]]


SEARCH_HELP = "full-text search: space-separated terms, each needs a letter or digit once folded (else 422)"


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
        StageValues | None, Query(description="new, enriched, ready, ... (repeat or comma-separate)")
    ] = None,
    tier: Annotated[TierValues | None, Query()] = None,
    country: Annotated[list[str] | None, Query(description="ISO code or English name")] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    archived: Annotated[str, Query(pattern="^(true|false|all)$")] = "false",
    has_email: bool | None = None,
    email_status: Annotated[EmailStatusValues | None, Query()] = None,
    campaign: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description=SEARCH_HELP)] = None,
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
MAX_TARGET_IDS = 1000  # prospects acted on at once by id (enrollment, enrichment); more go by filter as a job


class ProspectPage(BaseModel):
    items: list[Prospect]
    next_cursor: str | None


class ActivityPage(BaseModel):
    items: list[Activity]
    next_cursor: str | None


NonBlank = Annotated[str, Field(min_length=1, pattern=HAS_TEXT)]
FilterValues = Annotated[
    list[Annotated[str, Field(max_length=100, pattern=rf"[^{PYTHON_WHITE_SPACE},]")]],
    Field(min_length=1, max_length=20),
]
CRITERIA = ("stage", "tier", "country", "tag", "has_email", "email_status", "campaign", "q")
BULK_TAG_PATTERN = r"^[\w][\w .:/+-]*$"  # the rule of a prospect's tags (shared.domain.prospects.Tag)
_VALUE_KINDS = {
    "none": [BulkAction.ARCHIVE, BulkAction.UNARCHIVE, BulkAction.DELETE],
    "tag": [BulkAction.TAG, BulkAction.UNTAG],
}


def _without_nulls(schema: dict[str, Any]) -> None:
    for name, field in schema.get("properties", {}).items():
        options = field.get("anyOf")
        if isinstance(options, list) and {"type": "null"} in options:
            kept = [o for o in options if o != {"type": "null"}]
            rest = {k: v for k, v in field.items() if k != "anyOf"}
            schema["properties"][name] = {**kept[0], **rest} if len(kept) == 1 else {"anyOf": kept, **rest}


class AbsentNotNull(BaseModel):
    """Optional fields are left out, never sent as JSON null (refused, 422), so the document says exactly what is
    accepted."""

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(str(k) for k, v in data.items() if v is None)
            if nulls:
                raise ValueError(f"leave out {', '.join(nulls)} instead of sending null")
        return data


class BulkFilter(AbsentNotNull):
    """The list filters, with the same limits as the query parameters. An empty filter would match every prospect,
    so a bulk action by filter needs at least one criterion (`archived` alone is none)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=lambda schema: _filter_schema(schema))

    stage: Annotated[StageValues, Field(min_length=1, max_length=20)] | None = None
    tier: Annotated[TierValues, Field(min_length=1, max_length=20)] | None = None
    country: FilterValues | None = None
    tag: Annotated[str, Field(max_length=40, pattern=HAS_TEXT_AFTER_STRIP)] | None = None
    archived: Annotated[str, Field(pattern="^(true|false|all)$")] = "false"
    has_email: bool | None = None
    email_status: Annotated[EmailStatusValues, Field(min_length=1, max_length=20)] | None = None
    campaign: Annotated[NonBlank, Field(max_length=64)] | None = None
    q: Annotated[str, Field(max_length=200, description=SEARCH_HELP)] | None = None

    @model_validator(mode="after")
    def _has_a_criterion(self) -> BulkFilter:
        if all(getattr(self, name) is None for name in CRITERIA):
            raise ValueError("a bulk filter needs at least one criterion (use ids to act on specific prospects)")
        return self

    def query(self) -> ProspectQuery:
        """The validated list query these filters make (the bulk, enrollment and enrichment jobs walk it)."""
        return build_query(
            stage=self.stage, tier=self.tier, country=self.country, tag=self.tag, archived=self.archived,
            has_email=self.has_email, email_status=self.email_status, campaign=self.campaign, q=self.q,
        )  # fmt: skip


def _one_target_schema(schema: dict[str, Any]) -> None:
    _without_nulls(schema)
    schema["oneOf"] = [{"required": ["ids"]}, {"required": ["filter"]}]


class ProspectTargets(AbsentNotNull):
    """`ids` (up to 1,000 prospects, acted on at once) or `filter` (the list filters; walked as a job), never both,
    never null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_target_schema)

    ids: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=64)]], Field(min_length=1, max_length=MAX_TARGET_IDS)
        ]
        | None
    ) = None
    filter: BulkFilter | None = None

    @model_validator(mode="after")
    def _one_target(self) -> ProspectTargets:
        if (self.ids is None) == (self.filter is None):
            raise ValueError("give either ids or filter")
        return self


def _filter_schema(schema: dict[str, Any]) -> None:
    _without_nulls(schema)
    schema["anyOf"] = [{"required": [name]} for name in CRITERIA]


def _bulk_request_schema(schema: dict[str, Any]) -> None:
    """One target (ids or filter, never both) and the value each action takes, as JSON Schema."""
    _without_nulls(schema)
    schema["oneOf"] = [{"required": ["ids"]}, {"required": ["filter"]}]
    schema["allOf"] = [
        {"oneOf": [
            {"properties": {"action": {"enum": _VALUE_KINDS["none"]}}, "not": {"required": ["value"]}},
            {"properties": {"action": {"enum": _VALUE_KINDS["tag"]},
                            "value": {"pattern": BULK_TAG_PATTERN, "maxLength": 40}}, "required": ["value"]},
            {"properties": {"action": {"const": BulkAction.SET_TIER}, "value": {"enum": [t.value for t in Tier]}},
             "required": ["value"]},
            {"properties": {"action": {"const": BulkAction.SET_STAGE}, "value": {"enum": [s.value for s in Stage]}},
             "required": ["value"]},
        ]}
    ]  # fmt: skip


BulkIds = Annotated[list[Annotated[str, Field(min_length=1, max_length=64)]], Field(max_length=MAX_BULK_IDS)]


class BulkRequest(AbsentNotNull):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_bulk_request_schema)

    action: BulkAction
    ids: BulkIds | None = None
    filter: BulkFilter | None = None
    value: Annotated[str, Field(max_length=40)] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> BulkRequest:
        if (self.ids is None) == (self.filter is None):
            raise ValueError("give either ids or filter")
        if self.action in _VALUE_KINDS["tag"] and self.value is not None and not re.match(BULK_TAG_PATTERN, self.value):
            raise ValueError("a tag starts with a letter or digit and holds letters, digits, spaces and . : / + -")
        return self


class BulkResult(BaseModel):
    action: BulkAction
    matched: int
    counts: dict[str, int]
    results: list[dict[str, str]]


@router.post("", status_code=201, responses=error_responses(409))
async def create_prospect(
    body: ProspectCreate, request: Request, response: Response, service: ServiceDep, services: AuthorizedServices
) -> Prospect:
    prospect = await service.create(body, actor=actor_of(request))
    await services.enrich_requests.created([prospect.id], trace_id=str(request.state.request_id))
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
        ids = await service.ids_matching(body.filter.query())
    else:
        ids = body.ids or []
    results = await service.bulk(body.action, ids, body.value, actor=actor_of(request))
    counts: dict[str, int] = {}
    for result in results:
        counts[result["status"]] = counts.get(result["status"], 0) + 1
    return BulkResult(action=body.action, matched=len(results), counts=counts, results=results)


@router.get("/{prospect_id:prospect_id}", responses=error_responses(404))
async def get_prospect(prospect_id: ProspectId, response: Response, service: ServiceDep) -> Prospect:
    prospect = await service.get(prospect_id)
    response.headers["ETag"] = etag(prospect.version)
    return prospect


@router.patch("/{prospect_id:prospect_id}", responses=error_responses(404, 409, 428))
async def patch_prospect(
    prospect_id: ProspectId,
    body: ProspectPatch,
    request: Request,
    response: Response,
    service: ServiceDep,
    if_match: Annotated[str, if_match_header(required=True)],
) -> Prospect:
    expected = parse_if_match(if_match, required=True)
    version = expected if isinstance(expected, int) else None  # `*`: the current version
    prospect = await service.update(prospect_id, body, expected_version=version, actor=actor_of(request))
    response.headers["ETag"] = etag(prospect.version)
    return prospect


@router.delete("/{prospect_id:prospect_id}", status_code=204, responses=error_responses(404, 409))
async def delete_prospect(
    prospect_id: ProspectId,
    service: ServiceDep,
    if_match: Annotated[str | None, if_match_header(required=False)] = None,
) -> Response:
    expected = parse_if_match(if_match, required=False)
    await service.delete(prospect_id, expected_version=expected if isinstance(expected, int) else None)
    return Response(status_code=204)


@router.get("/{prospect_id:prospect_id}/activities", responses=error_responses(404))
async def activities(
    prospect_id: ProspectId,
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
