"""`/api/campaigns`: create, read (ETag), change (If-Match), list with keyset cursors, lifecycle actions (activate,
pause, resume, complete, archive), the step sequence under the step rules, and stats. Enrollments and step previews
are routed elsewhere."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AuthorizedServices
from api.errors import ApiError
from api.openapi import error_responses
from api.routes.prospects import ANY_VERSION, IF_MATCH_PATTERN, etag, parse_if_match
from shared.domain.campaigns import step_rules
from shared.domain.campaigns.lifecycle import Action, InvalidTransition
from shared.domain.campaigns.models import (
    MAX_STEPS,
    Campaign,
    CampaignCreate,
    CampaignStatus,
    CampaignUpdate,
    SequenceStep,
    Step,
    StepPatch,
    StepSpec,
)
from shared.domain.campaigns.step_rules import StepLocked
from shared.domain.errors import PreconditionRequired
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.service_layer.campaigns import CampaignService, CampaignStats

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])

CampaignId = Annotated[str, Path(min_length=1, max_length=64)]
Position = Annotated[int, Path(ge=1, le=MAX_STEPS, description="the step's position, from 1")]
STEP_RULES = (step_rules.__doc__ or "").split("\n\n", 1)[1]


async def campaign_service(services: AuthorizedServices) -> CampaignService:
    return services.campaign_service


ServiceDep = Annotated[CampaignService, Depends(campaign_service)]


def _if_match(*, required: bool) -> Any:
    need = "required: without it the answer is 428" if required else "optional: without it the change is unconditional"
    return Header(
        pattern=IF_MATCH_PATTERN,
        max_length=20,
        description=f'The ETag from your last read of the campaign (`"v3"`), or `*` for any version; {need}.',
        examples=['"v1"', "*"],
    )


def _version(value: str | None, *, required: bool) -> int | None:
    if value is None and required:
        raise PreconditionRequired("send If-Match with the ETag from your last read of this campaign")
    expected = parse_if_match(value, required=False)
    return None if expected is None or expected == ANY_VERSION else int(expected)


async def _coded[T](call: Awaitable[T]) -> T:
    """The service's call, its rule conflicts answered with their own error codes (invalid_transition,
    step_locked) instead of the generic `conflict`."""
    try:
        return await call
    except (InvalidTransition, StepLocked) as exc:
        raise ApiError(409, str(exc), code=exc.code, details=exc.details) from None


def _tagged(response: Response, campaign: Campaign) -> Campaign:
    response.headers["ETag"] = etag(campaign.version)
    return campaign


class CampaignPage(BaseModel):
    items: list[Campaign]
    next_cursor: str | None


class CampaignWarning(BaseModel):
    code: str = Field(description="dns_check_failed, dns_check_warning or dns_check_error")
    inbox_id: str
    domain: str
    message: str
    checks: list[dict[str, Any]] = Field(description="the DNS checks that did not pass")


class CampaignWithWarnings(Campaign):
    warnings: list[CampaignWarning] = Field(
        default_factory=list, description="what to fix, without stopping the action"
    )


class StepList(BaseModel):
    steps: list[Step]


class StepsReplace(BaseModel):
    model_config = ConfigDict(extra="forbid")

    steps: list[SequenceStep] = Field(max_length=MAX_STEPS)


@router.get("")
async def list_campaigns(
    service: ServiceDep,
    status: CampaignStatus | None = None,
    archived: Annotated[str, Query(pattern="^(true|false|all)$")] = "false",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="opaque: the previous page's next_cursor")] = None,
) -> CampaignPage:
    after = None
    if cursor:
        created, campaign_id = decode_cursor(cursor, arity=2)
        after = (str(created), str(campaign_id))
    flag = {"false": False, "true": True, "all": None}[archived]
    items, last = await service.page(status=status, archived=flag, limit=limit, after=after)
    return CampaignPage(items=items, next_cursor=encode_cursor(list(last)) if last else None)


@router.post("", status_code=201)
async def create_campaign(body: CampaignCreate, response: Response, service: ServiceDep) -> Campaign:
    campaign = await service.create(body)
    response.headers["Location"] = f"/api/campaigns/{campaign.id}"
    return _tagged(response, campaign)


@router.get("/{campaign_id}", responses=error_responses(404))
async def get_campaign(campaign_id: CampaignId, response: Response, service: ServiceDep) -> Campaign:
    return _tagged(response, await service.get(campaign_id))


@router.patch("/{campaign_id}", responses=error_responses(404, 409, 428))
async def patch_campaign(
    campaign_id: CampaignId,
    body: CampaignUpdate,
    response: Response,
    service: ServiceDep,
    if_match: Annotated[str, _if_match(required=True)],
) -> Campaign:
    expected = _version(if_match, required=True)
    return _tagged(response, await service.update(campaign_id, body, expected_version=expected))


async def _act(
    action: Action, campaign_id: str, response: Response, service: CampaignService, if_match: str | None
) -> CampaignWithWarnings:
    campaign, warnings = await _coded(
        service.act(campaign_id, action, expected_version=_version(if_match, required=False))
    )
    response.headers["ETag"] = etag(campaign.version)
    return CampaignWithWarnings(**dict(campaign), warnings=[CampaignWarning.model_validate(w) for w in warnings])


_ACTIONS = {
    Action.ACTIVATE: "Start sending (draft -> active). Refused (422, details.reason) without steps, without an inbox, "
    "with an inbox that does not exist, is disabled or has no postal address, or after the schedule's end; an inbox "
    "whose sending domain fails its DNS check is a warning.",
    Action.PAUSE: "Stop sending for now (active -> paused).",
    Action.RESUME: "Send again (paused -> active), checked like an activation.",
    Action.COMPLETE: "End the campaign (active or paused -> completed).",
    Action.ARCHIVE: "Archive a draft, paused or completed campaign (an active one must be paused first).",
}


def _action_route(action: Action) -> None:
    statuses = (404, 409, 422) if action in (Action.ACTIVATE, Action.RESUME) else (404, 409)

    @router.post(
        f"/{{campaign_id}}/{action.value}",
        responses=error_responses(*statuses),
        name=f"{action.value}_campaign",
        description=_ACTIONS[action] + " Repeating the action that led to the current state changes nothing.",
    )
    async def act(
        campaign_id: CampaignId,
        response: Response,
        service: ServiceDep,
        if_match: Annotated[str | None, _if_match(required=False)] = None,
    ) -> CampaignWithWarnings:
        return await _act(action, campaign_id, response, service, if_match)


for _action in Action:
    _action_route(_action)


@router.get("/{campaign_id}/steps", responses=error_responses(404))
async def list_steps(campaign_id: CampaignId, response: Response, service: ServiceDep) -> StepList:
    campaign = await service.get(campaign_id)
    response.headers["ETag"] = etag(campaign.version)
    return StepList(steps=campaign.steps)


@router.put("/{campaign_id}/steps", responses=error_responses(404, 409, 428), description=STEP_RULES)
async def replace_steps(
    campaign_id: CampaignId,
    body: StepsReplace,
    response: Response,
    service: ServiceDep,
    if_match: Annotated[str, _if_match(required=True)],
) -> Campaign:
    expected = _version(if_match, required=True)
    specs = [StepSpec(**step.model_dump(exclude={"id"})) for step in body.steps]
    ids = [step.id for step in body.steps]
    campaign = await _coded(service.replace_steps(campaign_id, specs, ids=ids, expected_version=expected))
    return _tagged(response, campaign)


@router.post("/{campaign_id}/steps", status_code=201, responses=error_responses(404, 409), description=STEP_RULES)
async def append_step(
    campaign_id: CampaignId,
    body: StepSpec,
    response: Response,
    service: ServiceDep,
    if_match: Annotated[str | None, _if_match(required=False)] = None,
) -> Campaign:
    expected = _version(if_match, required=False)
    campaign = await _coded(service.append_step(campaign_id, body, expected_version=expected))
    response.headers["Location"] = f"/api/campaigns/{campaign_id}/steps/{len(campaign.steps)}"
    return _tagged(response, campaign)


@router.get("/{campaign_id}/steps/{position}", responses=error_responses(404))
async def get_step(campaign_id: CampaignId, position: Position, response: Response, service: ServiceDep) -> Step:
    campaign = await service.get(campaign_id)
    step = campaign.step_at(position)
    if step is None:
        raise ApiError(404, f"campaign {campaign_id} has no step {position}")
    response.headers["ETag"] = etag(campaign.version)
    return step


@router.patch("/{campaign_id}/steps/{position}", responses=error_responses(404, 409, 428), description=STEP_RULES)
async def patch_step(
    campaign_id: CampaignId,
    position: Position,
    body: StepPatch,
    response: Response,
    service: ServiceDep,
    if_match: Annotated[str, _if_match(required=True)],
) -> Campaign:
    expected = _version(if_match, required=True)
    campaign = await _coded(service.patch_step(campaign_id, position, body, expected_version=expected))
    return _tagged(response, campaign)


@router.get("/{campaign_id}/stats", responses=error_responses(404))
async def campaign_stats(campaign_id: CampaignId, service: ServiceDep) -> CampaignStats:
    return await service.stats(campaign_id)
