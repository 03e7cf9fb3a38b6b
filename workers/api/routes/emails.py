"""`/api/emails`: list (filters, keyset cursor, newest first), read one (headers, body, events), send a one-off email
through the send path with the campaign guards, cancel a queued email."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from api.auth import AuthorizedServices
from api.openapi import error_responses
from shared.domain.errors import ValidationFailed
from shared.domain.normalize import clean_line, clean_multiline
from shared.domain.pagination import decode_cursor, encode_cursor
from shared.service_layer.emails import EmailService, OneOffRequest

router = APIRouter(prefix="/api/emails", tags=["emails"])

EmailId = Annotated[str, Path(min_length=1, max_length=64)]
EmailStatus = Literal["draft", "queued", "sending", "sent", "failed", "bounced", "cancelled"]
IdFilter = Annotated[str | None, Query(min_length=1, max_length=64)]
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339(value: Any) -> Any:
    """A date-time as text (RFC 3339); pydantic alone would also take a number as Unix time."""
    if isinstance(value, str) and not _DATE_TIME.match(value):
        raise ValueError("expected an RFC 3339 date-time, e.g. 2026-03-02T09:00:00Z")
    return value


Moment = Annotated[datetime | None, BeforeValidator(_rfc3339), Query(description="RFC 3339; no offset means UTC")]
MAX_SUBJECT_CHARS = 300
MAX_BODY_CHARS = 50_000


async def email_service(services: AuthorizedServices) -> EmailService:
    return services.email_service


ServiceDep = Annotated[EmailService, Depends(email_service)]


class EmailSummary(BaseModel):
    id: str
    prospect_id: str
    enrollment_id: str | None
    campaign_id: str | None
    step_position: int | None
    variant: str | None
    inbox_id: str | None
    message_id: str
    from_address: str | None
    to_address: str
    subject: str
    composer: str | None = Field(description="template, manual (a one-off), or the AI provider that wrote it")
    status: EmailStatus
    transport: str | None
    attempts: int
    error: str | None
    last_outcome: str | None
    created_at: datetime
    queued_at: datetime | None
    sending_at: datetime | None
    sent_at: datetime | None
    retry_at: datetime | None
    opened_at: datetime | None
    clicked_at: datetime | None
    replied_at: datetime | None
    bounced_at: datetime | None


class EmailHeaders(BaseModel):
    message_id: str = Field(description="Message-ID, fixed before any send")
    in_reply_to: str | None
    references: str | None
    from_address: str | None
    to_address: str
    subject: str


class EmailEventView(BaseModel):
    id: str
    kind: str
    automated: bool = Field(description="probably a scanner or prefetch, not a person")
    detail: dict[str, Any]
    at: datetime


class EmailDetail(EmailSummary):
    step_id: str | None
    send_key: str
    thread_id: str | None
    headers: EmailHeaders
    body_text: str | None = Field(description="null once the body was purged (body_purged_at)")
    body_html: str | None
    body_purged_at: datetime | None
    compose_notes: list[Any]
    provider_id: str | None
    events: list[EmailEventView]


class EmailPage(BaseModel):
    items: list[EmailSummary]
    next_cursor: str | None


class OneOffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prospect_id: str = Field(min_length=1, max_length=64)
    inbox_id: str = Field(min_length=1, max_length=64)
    subject: str = Field(min_length=1, max_length=MAX_SUBJECT_CHARS)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS, description="plain text; the footer is added")

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: str) -> str:
        return clean_line(value)

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        return clean_multiline(value)

    def check_text(self) -> None:
        """Cleaning removes control characters and spaces: text made only of them is no text (a rule on the cleaned
        value, which JSON Schema cannot state)."""
        for name in ("subject", "body"):
            if not getattr(self, name):
                raise ValidationFailed(f"{name}: empty once control characters and spaces are removed",
                                       details={"reason": f"empty_{name}"})  # fmt: skip


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _summary(row: dict[str, Any]) -> EmailSummary:
    return EmailSummary.model_validate({k: row.get(k) for k in EmailSummary.model_fields})


def _detail(row: dict[str, Any]) -> EmailDetail:
    events = [
        EmailEventView(
            id=e["id"], kind=e["kind"], automated=bool(e["automated"]), detail=json.loads(e["detail"] or "{}"),
            at=e["at"],
        )
        for e in row["events"]
    ]  # fmt: skip
    headers = EmailHeaders(
        message_id=row["message_id"], in_reply_to=row["in_reply_to"], references=row["references_"],
        from_address=row["from_address"], to_address=row["to_address"], subject=row["subject"],
    )  # fmt: skip
    fields = {k: row.get(k) for k in EmailDetail.model_fields if k not in ("headers", "events", "compose_notes")}
    notes = json.loads(row.get("compose_notes") or "[]")
    return EmailDetail.model_validate({**fields, "headers": headers, "events": events, "compose_notes": notes})


@router.get("", description="Newest first. `since`/`until` bound created_at (since inclusive, until exclusive).")
async def list_emails(
    service: ServiceDep,
    status: EmailStatus | None = None,
    campaign_id: IdFilter = None,
    inbox_id: IdFilter = None,
    prospect_id: IdFilter = None,
    since: Moment = None,
    until: Moment = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="opaque: the previous page's next_cursor")] = None,
) -> EmailPage:
    after = None
    if cursor:
        created, email_id = decode_cursor(cursor, arity=2)
        after = (str(created), str(email_id))
    filters = {"status": status, "campaign_id": campaign_id, "inbox_id": inbox_id, "prospect_id": prospect_id}
    items, last = await service.page(filters=filters, since=_utc(since), until=_utc(until), after=after, limit=limit)
    return EmailPage(items=[_summary(r) for r in items], next_cursor=encode_cursor(list(last)) if last else None)


@router.get("/{email_id}", responses=error_responses(404))
async def get_email(email_id: EmailId, service: ServiceDep) -> EmailDetail:
    return _detail(await service.get(email_id))


@router.post(
    "",
    status_code=201,
    responses=error_responses(404, 422),
    description="A one-off email to a prospect, queued for the send path. Refused (422, details.reason) like a "
    "campaign enrollment: archived, no_sendable_email, bounced, suppressed, role_address, country_policy; and for "
    "an inbox that is disabled (inbox_disabled) or has no postal address (inbox_without_postal_address).",
)
async def create_email(body: OneOffCreate, request: Request, response: Response, service: ServiceDep) -> EmailDetail:
    body.check_text()
    trace_id = str(getattr(request.state, "request_id", None) or "api")
    created = await service.send_one_off(
        OneOffRequest(prospect_id=body.prospect_id, inbox_id=body.inbox_id, subject=body.subject, body=body.body),
        trace_id=trace_id,
    )
    response.headers["Location"] = f"/api/emails/{created['id']}"
    return _detail(created)


@router.post(
    "/{email_id}/cancel",
    responses=error_responses(404, 409),
    description="Cancel an email that is still queued (409 with details.status otherwise); the send path skips it.",
)
async def cancel_email(email_id: EmailId, request: Request, service: ServiceDep) -> EmailDetail:
    trace_id = str(getattr(request.state, "request_id", None) or "api")
    return _detail(await service.cancel(email_id, trace_id=trace_id))
