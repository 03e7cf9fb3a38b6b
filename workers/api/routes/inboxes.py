"""`/api/inboxes`: the sending identities. Anyone with a key reads (list with a cursor, one with its ETag, its DNS
check); writes need the admin scope: create, change (If-Match), pause, resume, disable. Every write answers the
inbox with `configured` (WarmupManager and InboxHealth took its settings) and `warnings` when they did not."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.auth import AdminServices, AuthorizedServices
from api.errors import ApiError
from api.openapi import error_responses
from api.routes.prospects import actor_of, etag, if_match_header, parse_if_match
from shared.domain.errors import ValidationFailed
from shared.domain.inboxes.models import Inbox, InboxCreate, InboxStatus, InboxUpdate
from shared.domain.normalize import clean_line
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.service_layer.inboxes import DuplicateInbox, InboxOutcome, InboxService

router = APIRouter(prefix="/api/inboxes", tags=["inboxes"])

InboxId = Annotated[str, Path(min_length=1, max_length=64)]
ADMIN = error_responses(403)


async def reader(services: AuthorizedServices) -> InboxService:
    return services.inbox_service


async def writer(services: AdminServices) -> InboxService:
    return services.inbox_service


Reader = Annotated[InboxService, Depends(reader)]
Writer = Annotated[InboxService, Depends(writer)]


class InboxPage(BaseModel):
    items: list[Inbox]
    next_cursor: str | None


class InboxReply(Inbox):
    warnings: list[str] = Field(description="why the settings did not reach WarmupManager / InboxHealth, if not")


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=500, description="why (shown as status_reason)")] | None = None

    @field_validator("reason", mode="before")
    @classmethod
    def _clean(cls, value: object) -> object:
        return (clean_line(value) or None) if isinstance(value, str) else value


def _reply(outcome: InboxOutcome, response: Response) -> InboxReply:
    response.headers["ETag"] = etag(outcome.inbox.version)
    return InboxReply(**outcome.inbox.model_dump(), warnings=outcome.warnings)


def _duplicate(exc: DuplicateInbox) -> ApiError:
    return ApiError(409, str(exc), code=exc.code, details=exc.details)


@router.get("")
async def list_inboxes(
    service: Reader,
    status: InboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="opaque: the previous page's next_cursor")] = None,
) -> InboxPage:
    after = None
    if cursor:
        created_at, inbox_id = decode_cursor(cursor, arity=2)
        after = (str(created_at), str(inbox_id))
    items, last = await service.page(status=status, limit=limit, after=after)
    return InboxPage(items=items, next_cursor=encode_cursor(list(last)) if last else None)


@router.post("", status_code=201, responses={**ADMIN, **error_responses(409)})
async def create_inbox(body: InboxCreate, request: Request, response: Response, service: Writer) -> InboxReply:
    try:
        outcome = await service.create(body, actor=actor_of(request))
    except DuplicateInbox as exc:
        raise _duplicate(exc) from exc
    response.headers["Location"] = f"/api/inboxes/{outcome.inbox.id}"
    return _reply(outcome, response)


@router.get("/{inbox_id}", responses=error_responses(404))
async def get_inbox(inbox_id: InboxId, response: Response, service: Reader) -> Inbox:
    inbox = await service.get(inbox_id)
    response.headers["ETag"] = etag(inbox.version)
    return inbox


@router.patch("/{inbox_id}", responses={**ADMIN, **error_responses(404, 409, 428)})
async def patch_inbox(
    inbox_id: InboxId,
    body: InboxUpdate,
    request: Request,
    response: Response,
    service: Writer,
    if_match: Annotated[str, if_match_header(required=True)],
) -> InboxReply:
    expected = parse_if_match(if_match, required=True)
    version = expected if isinstance(expected, int) else None  # `*`: the current version
    try:
        outcome = await service.update(inbox_id, body, expected_version=version, actor=actor_of(request))
    except DuplicateInbox as exc:
        raise _duplicate(exc) from exc
    return _reply(outcome, response)


@router.post("/{inbox_id}/pause", responses={**ADMIN, **error_responses(404, 409)})
async def pause_inbox(
    inbox_id: InboxId, request: Request, response: Response, service: Writer, body: StatusChange | None = None
) -> InboxReply:
    reason = body.reason if body is not None else None
    return _reply(await service.pause(inbox_id, reason, actor=actor_of(request)), response)


@router.post("/{inbox_id}/resume", responses={**ADMIN, **error_responses(404, 409)})
async def resume_inbox(inbox_id: InboxId, request: Request, response: Response, service: Writer) -> InboxReply:
    return _reply(await service.resume(inbox_id, actor=actor_of(request)), response)


@router.post("/{inbox_id}/disable", responses={**ADMIN, **error_responses(404, 409)})
async def disable_inbox(
    inbox_id: InboxId, request: Request, response: Response, service: Writer, body: StatusChange | None = None
) -> InboxReply:
    reason = body.reason if body is not None else None
    return _reply(await service.disable(inbox_id, reason, actor=actor_of(request)), response)


@router.get("/{inbox_id}/dns-check", responses=error_responses(404, 503))
async def dns_check(inbox_id: InboxId, services: AuthorizedServices) -> dict[str, Any]:
    """SPF covers the transport, the DKIM selector exists, DMARC is published (and its policy), MX for replies."""
    from shared.service_layer.dns_check import check_sending_domain  # the DNS rules load with this route's use

    record = await services.inbox_service.record(inbox_id)
    try:
        report = await check_sending_domain(
            services.dns,
            domain=record.domain,
            transport=record.transport_kind,
            dkim_selector=record.dkim_selector,
            transport_settings=dict(record.transport_settings),
        )
    except ValueError as exc:  # a stored domain the DNS rules cannot read (never one the API accepted)
        raise ValidationFailed(f"the sending domain {record.domain!r} cannot be checked: {exc}") from exc
    result: dict[str, Any] = report.to_dict()
    return result
