"""`/api/inbound`: the mail we received. List (filters, keyset cursor, newest first), read one (the stored verdict, the
parsed view, the raw message for 30 days), the raw bytes as `message/rfc822`, and a person's correction.

A correction (`POST /{id}/reclassify`) sets the corrected verdict on the row, appends it to the row's `corrections`
(who, when, the verdict before and after) and queues `inbound.received` again: the inbound pipeline re-applies the
effects from the corrected verdict, reverting the old ones where that is safe.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from api.auth import AuthorizedServices
from api.errors import ApiError
from api.openapi import error_responses
from api.routes.prospects import actor_of
from shared.domain.errors import NotFound, ValidationFailed
from shared.domain.pagination import decode_cursor, encode_cursor

if TYPE_CHECKING:
    from shared.bootstrap import Services
    from shared.domain.inbound_mail.parsed import ParsedMail

router = APIRouter(prefix="/api/inbound", tags=["inbound"])

InboundId = Annotated[str, Path(min_length=1, max_length=64)]
Classification = Literal["bounce", "complaint", "unsubscribe_request", "auto_reply", "reply", "unknown"]
REPLY_INTENTS = ("interested", "meeting_request", "question", "not_interested", "unsubscribe", "referral", "other")
BOUNCE_INTENTS = ("hard", "soft", "policy")
INTENTS_OF: dict[str, tuple[str, ...]] = {"reply": REPLY_INTENTS, "bounce": BOUNCE_INTENTS}
INTENT_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"  # the kinds of auto-replies and complaints are the classifiers' words
IdFilter = Annotated[str | None, Query(min_length=1, max_length=64)]

RAW_DAYS = 30  # the raw message is shown this long after it was received
RAW_INLINE_MAX_BYTES = 2 * 1024 * 1024  # larger raw messages are read through GET /{id}/raw, not inside the JSON
PARSE_WHOLE_MAX_BYTES = 8 * 1024 * 1024  # larger messages are parsed from their header block (memory budget, 0014)
TEXT_MAX_CHARS = 100_000
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _rfc3339(value: Any) -> Any:
    if isinstance(value, str) and not _DATE_TIME.match(value):
        raise ValueError("expected an RFC 3339 date-time, e.g. 2026-03-02T09:00:00Z")
    return value


Moment = Annotated[datetime | None, BeforeValidator(_rfc3339), Query(description="RFC 3339; no offset means UTC")]


class InboundSummary(BaseModel):
    id: str
    received_at: datetime
    mail_from: str = Field(description="the envelope sender (empty for a null sender, as bounces have)")
    rcpt_to: str = Field(description="the envelope recipient: our address")
    raw_size: int
    message_id: str | None
    in_reply_to: str | None
    subject: str | None
    status: Literal["received", "parsed", "processed", "failed"]
    classification: str | None = Field(description="bounce, complaint, unsubscribe_request, auto_reply, reply, unknown")
    intent: str | None = Field(description="replies: interested, ...; bounces: hard, soft, policy; auto-reply kinds")
    confidence: float | None
    spoofed: bool = Field(description="possibly spoofed: stored and notified, no automatic effect")
    prospect_id: str | None
    email_id: str | None = Field(description="the email of ours it answers or reports on")
    campaign_id: str | None
    matched: bool = Field(description="matched to a prospect or one of our emails")
    corrected: bool = Field(description="a person reclassified it")
    processed_at: datetime | None


class AuthView(BaseModel):
    spf: str | None
    dkim: str | None
    dmarc: str | None


class ParsedView(BaseModel):
    message_id: str | None
    in_reply_to: list[str]
    references: list[str]
    from_address: str | None
    from_name: str | None
    to_addresses: list[str]
    subject: str
    date: datetime | None
    auth: AuthView = Field(description="Authentication-Results as the receiving side reported them")
    content_type: str
    report_type: str | None
    reply_text: str = Field(description="the new words: without quoted history and signature")
    text: str = Field(description=f"the readable body (at most {TEXT_MAX_CHARS:,} characters)")
    problems: list[str] = Field(description="what could not be read")
    partial: bool = Field(description="parsed from the header block only (a very large message)")


class Correction(BaseModel):
    at: datetime
    by: str | None = Field(description="the API key that made it")
    classification: str | None
    intent: str | None
    previous_classification: str | None
    previous_intent: str | None
    note: str | None = None


class InboundDetail(InboundSummary):
    trace_id: str | None
    details: dict[str, Any] | None = Field(description="the classifier's verdict and evidence")
    corrections: list[Correction]
    parsed: ParsedView
    raw: str | None = Field(description=f"the message as text, for {RAW_DAYS} days (null past that, or when large)")
    raw_encoding: Literal["utf-8", "latin-1"] | None = Field(description="how the raw bytes were read as text")
    raw_omitted: Literal["expired", "too_large"] | None = Field(description="why `raw` is null")
    raw_available_until: datetime


class InboundPage(BaseModel):
    items: list[InboundSummary]
    next_cursor: str | None


class ReclassifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    classification: Classification | None = None
    intent: str | None = Field(default=None, pattern=INTENT_PATTERN, description="must fit the classification")
    note: str | None = Field(default=None, max_length=500)


class ReclassifyOut(BaseModel):
    item: InboundSummary
    correction: Correction
    message_id: str = Field(description="the queued inbound.received message that re-applies the effects")
    trace_id: str


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def _summary(row: dict[str, Any]) -> InboundSummary:
    fields = {k: row.get(k) for k in InboundSummary.model_fields}
    fields["spoofed"] = bool(row.get("spoofed"))
    fields["corrected"] = bool(row.get("corrected"))
    fields["matched"] = row.get("prospect_id") is not None or row.get("email_id") is not None
    return InboundSummary.model_validate(fields)


def _json(text: Any, default: Any) -> Any:
    try:
        return json.loads(text) if isinstance(text, str) else default
    except ValueError:
        return default


def _corrections(text: Any) -> list[Correction]:
    entries = _json(text, [])
    return [Correction.model_validate(e) for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _db(services: Services) -> Any:
    if services.db is None:
        raise RuntimeError("no D1 binding")
    return services.db


async def _row(services: Services, inbound_id: str) -> dict[str, Any]:
    from shared.adapters.d1.inbound import inbound_detail

    row = await inbound_detail(_db(services), inbound_id)
    if row is None:
        raise NotFound(f"inbound message {inbound_id} does not exist")
    return row


def _parsed_view(mail: ParsedMail, *, partial: bool) -> ParsedView:
    return ParsedView(
        message_id=mail.message_id, in_reply_to=list(mail.in_reply_to), references=list(mail.references),
        from_address=mail.from_address, from_name=mail.from_name, to_addresses=list(mail.to_addresses),
        subject=mail.subject, date=mail.date,
        auth=AuthView(spf=mail.auth.spf, dkim=mail.auth.dkim, dmarc=mail.auth.dmarc),
        content_type=mail.content_type, report_type=mail.report_type, reply_text=mail.reply_text,
        text=mail.text[:TEXT_MAX_CHARS], problems=list(mail.problems), partial=partial,
    )  # fmt: skip


def raw_as_text(raw: bytes) -> tuple[str, Literal["utf-8", "latin-1"]]:
    """The raw message as text: UTF-8 when it is (ASCII and SMTPUTF8 mail), else latin-1 (every byte kept)."""
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _raw_until(row: dict[str, Any]) -> datetime:
    received = _utc(datetime.fromisoformat(str(row["received_at"])))
    assert received is not None
    return received + timedelta(days=RAW_DAYS)


@router.get("", description="Newest first. `since`/`until` bound received_at (since inclusive, until exclusive).")
async def list_inbound(
    services: AuthorizedServices,
    classification: Classification | None = None,
    intent: Annotated[str | None, Query(pattern=INTENT_PATTERN)] = None,
    campaign_id: IdFilter = None,
    prospect_id: IdFilter = None,
    matched: Annotated[bool | None, Query(description="matched to a prospect or one of our emails")] = None,
    since: Moment = None,
    until: Moment = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=512, description="opaque: the previous page's next_cursor")] = None,
) -> InboundPage:
    from shared.adapters.d1.inbound import list_inbound as page_of

    after = None
    if cursor:
        received, inbound_id = decode_cursor(cursor, arity=2)
        after = (str(received), str(inbound_id))
    filters = {"classification": classification, "intent": intent, "campaign_id": campaign_id,
               "prospect_id": prospect_id}  # fmt: skip
    equals = {k: v for k, v in filters.items() if v is not None}
    rows = await page_of(
        _db(services), equals=equals, matched=matched, since=_utc(since), until=_utc(until), after=after,
        limit=limit + 1,
    )  # fmt: skip
    items = rows[:limit]
    more = len(rows) > limit and items
    next_cursor = encode_cursor([str(items[-1]["received_at"]), str(items[-1]["id"])]) if more else None
    return InboundPage(items=[_summary(r) for r in items], next_cursor=next_cursor)


@router.get("/{inbound_id}", responses=error_responses(404))
async def get_inbound(inbound_id: InboundId, services: AuthorizedServices) -> InboundDetail:
    from shared.domain.inbound_mail.parse import parse_message

    row = await _row(services, inbound_id)
    size = int(row["raw_size"])
    partial = size > PARSE_WHOLE_MAX_BYTES
    raw = await (services.inbound.head(inbound_id) if partial else services.inbound.raw(inbound_id))
    if raw is None:
        raise NotFound(f"inbound message {inbound_id} does not exist")
    parsed = _parsed_view(parse_message(raw), partial=partial)
    until = _raw_until(row)
    text: str | None = None
    encoding: Literal["utf-8", "latin-1"] | None = None
    omitted: Literal["expired", "too_large"] | None = None
    if services.clock.now() >= until:
        omitted = "expired"
    elif size > RAW_INLINE_MAX_BYTES:
        omitted = "too_large"
    else:
        text, encoding = raw_as_text(raw)
    del raw
    fields = {k: v for k, v in _summary(row).model_dump().items()}
    return InboundDetail(
        **fields, trace_id=row.get("trace_id"), details=_json(row.get("details"), None),
        corrections=_corrections(row.get("corrections_json")), parsed=parsed, raw=text, raw_encoding=encoding,
        raw_omitted=omitted, raw_available_until=until,
    )  # fmt: skip


_RAW_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "the message as received", "content": {"message/rfc822": {"schema": {"type": "string"}}}},
    **error_responses(404),
}


@router.get(
    "/{inbound_id}/raw",
    response_class=Response,
    responses=_RAW_RESPONSES,
    description=f"The stored bytes, for {RAW_DAYS} days after receipt (404 `raw_expired` after).",
)
async def get_inbound_raw(inbound_id: InboundId, services: AuthorizedServices) -> Response:
    row = await _row(services, inbound_id)
    if services.clock.now() >= _raw_until(row):
        raise ApiError(404, f"the raw message is kept {RAW_DAYS} days", code="raw_expired")
    raw = await services.inbound.raw(inbound_id)
    if raw is None:
        raise NotFound(f"inbound message {inbound_id} does not exist")
    headers = {"Content-Disposition": f'attachment; filename="{inbound_id}.eml"', "Cache-Control": "no-store"}
    return Response(raw, media_type="message/rfc822", headers=headers)


def corrected_verdict(body: ReclassifyIn, row: dict[str, Any]) -> tuple[str | None, str | None]:
    """The verdict after the correction: a new classification without an intent clears the old intent."""
    if body.classification is None and body.intent is None:
        raise ValidationFailed("give a classification, an intent, or both", details={"reason": "empty_correction"})
    classification = body.classification or row.get("classification")
    if body.intent is not None:
        intent: str | None = body.intent
    elif body.classification is not None and body.classification != row.get("classification"):
        intent = None
    else:
        intent = row.get("intent")
    if intent is not None and classification is None:
        raise ValidationFailed("an intent needs a classification", details={"reason": "intent_without_classification"})
    allowed = INTENTS_OF.get(str(classification))
    if intent is not None and allowed is not None and intent not in allowed:
        raise ValidationFailed(
            f"intent {intent!r} is not one of a {classification}'s: {', '.join(allowed)}",
            details={"reason": "intent_mismatch", "allowed": list(allowed)},
        )
    if classification in ("unknown", "unsubscribe_request") and intent is not None:
        raise ValidationFailed(f"a {classification} has no intent", details={"reason": "intent_mismatch"})
    return classification, intent


@router.post(
    "/{inbound_id}/reclassify",
    status_code=202,
    responses=error_responses(404, 422),
    description="A person's correction: recorded on the message, and the pipeline re-applies the effects (queued). "
    f"Intents: a reply's {', '.join(REPLY_INTENTS)}; a bounce's {', '.join(BOUNCE_INTENTS)}.",
)
async def reclassify(
    inbound_id: InboundId, body: ReclassifyIn, request: Request, services: AuthorizedServices
) -> ReclassifyOut:
    from shared.adapters.d1.inbound import record_correction
    from shared.messages.payloads import InboundReceived
    from shared.messages.queues import QueueName
    from shared.service_layer.envelopes import new_envelope

    row = await _row(services, inbound_id)
    classification, intent = corrected_verdict(body, row)
    correction = Correction(
        at=services.clock.now(), by=actor_of(request), classification=classification, intent=intent,
        previous_classification=row.get("classification"), previous_intent=row.get("intent"), note=body.note,
    )  # fmt: skip
    entry = correction.model_dump(mode="json")
    if not await record_correction(
        _db(services), inbound_id, classification=classification, intent=intent, correction=entry
    ):
        raise NotFound(f"inbound message {inbound_id} does not exist")
    trace_id = str(getattr(request.state, "request_id", None) or services.ids.new_id())
    queued = new_envelope(InboundReceived(inbound_id=inbound_id), trace_id=trace_id, clock=services.clock,
                          ids=services.ids)  # fmt: skip
    await services.publisher.publish(QueueName.INBOUND, queued)
    services.log.info(
        "inbound message reclassified", inbound_id=inbound_id, classification=classification, intent=intent,
        previous_classification=correction.previous_classification, previous_intent=correction.previous_intent,
    )  # fmt: skip
    updated = {**row, "classification": classification, "intent": intent, "corrected": 1}
    return ReclassifyOut(item=_summary(updated), correction=correction, message_id=queued.id, trace_id=trace_id)
