"""The dashboard's campaign pages: `/app/campaigns` (name, status, steps, enrolled, sent, replies, positive replies)
and `/app/campaigns/{id}` (settings, steps with their variants, per-step and per-variant figures judged by positive
replies: interested and meeting requests per email sent; opens are secondary), with activate and pause forms.

Figures come from the campaign service's stats, the inbound store (trusted replies of the campaign with a positive
intent, one per email answered) and the email list (which step and variant each answered email was, and opens). A
refused action is the campaign page again with its message and the status (409 not allowed now, 422 cannot send).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from api.dashboard.auth import DashboardSession
from api.dashboard.render import error_page, page
from shared.domain.campaigns.lifecycle import Action, ActivationRefused, InvalidTransition
from shared.domain.campaigns.models import CampaignStatus
from shared.domain.errors import Conflict, NotFound, ValidationFailed
from shared.domain.pagination import decode_cursor, encode_cursor

router = APIRouter(include_in_schema=False)
CampaignId = Annotated[str, Path(min_length=1, max_length=64)]
POSITIVE_INTENTS = ("interested", "meeting_request")
MAX_REPLIES = 1000  # positive replies read per intent and campaign
EMAIL_PAGE, MAX_EMAIL_PAGES = 500, 20  # the detail page walks at most 10,000 emails for opens and step/variant
ACTIONS = {"activate": Action.ACTIVATE, "pause": Action.PAUSE}
DONE = {Action.ACTIVATE: "The campaign is active: it sends in its window.", Action.PAUSE: "The campaign is paused."}


def delivered(counts: Mapping[str, int]) -> int:
    """Emails that went out: sent ones and those that bounced afterwards (a bounce was sent too), so rates over sent
    agree with the overview's."""
    return int(counts.get("sent", 0)) + int(counts.get("bounced", 0))


def missing(campaign_id: str) -> str:
    return f"There is no campaign with the id {campaign_id!r}."


def rate(count: int, of: int) -> float | None:
    return round(100.0 * count / of, 1) if of else None


@dataclass(slots=True)
class Figures:
    sent: int = 0
    replies: int = 0
    positive: int = 0
    opened: int = 0

    @property
    def positive_rate(self) -> float | None:
        return rate(self.positive, self.sent)

    @property
    def reply_rate(self) -> float | None:
        return rate(self.replies, self.sent)

    @property
    def open_rate(self) -> float | None:
        return rate(self.opened, self.sent)


@dataclass(slots=True)
class StepFigures:
    position: int | None
    kind: str
    delay: str
    total: Figures = field(default_factory=Figures)
    variants: list[tuple[str, Any, Figures]] = field(default_factory=list)  # (key, Variant or None, figures)


async def positive_replies(services: Any, campaign_id: str) -> dict[str, str]:
    """Email id (or the message's own id when unmatched to an email) -> intent, for trusted positive replies."""
    from shared.adapters.d1.inbound import list_inbound

    found: dict[str, str] = {}
    for intent in POSITIVE_INTENTS:
        rows = await list_inbound(
            services.db, equals={"campaign_id": campaign_id, "classification": "reply", "intent": intent},
            matched=True, since=None, until=None, after=None, limit=MAX_REPLIES,
        )  # fmt: skip
        for row in rows:
            if not row.get("spoofed"):
                found.setdefault(str(row.get("email_id") or row["id"]), intent)
    return found


async def email_index(services: Any, campaign_id: str) -> tuple[dict[str, tuple[int | None, str | None, bool]], bool]:
    """Email id -> (step position, variant, opened), newest first; True when the walk stopped before the end."""
    index: dict[str, tuple[int | None, str | None, bool]] = {}
    after: tuple[str, str] | None = None
    emails = services.email_service
    for _ in range(MAX_EMAIL_PAGES):
        rows, after = await emails.page(filters={"campaign_id": campaign_id}, after=after, limit=EMAIL_PAGE)
        for r in rows:
            position = None if r.get("step_position") is None else int(r["step_position"])
            index[str(r["id"])] = (position, r.get("variant"), r.get("opened_at") is not None)
        if after is None:
            return index, False
    return index, True


def list_filter(raw_status: str | None, cursor: str | None) -> tuple[CampaignStatus | None, tuple[str, str] | None]:
    """The list's `status` ("" is the form's "Any") and `cursor`; ValidationFailed names a bad value."""
    text = (raw_status or "").strip()
    if text and text not in CampaignStatus._value2member_map_:
        raise ValidationFailed(f"unknown status {text!r}; expected one of {', '.join(s.value for s in CampaignStatus)}")
    after = None
    if cursor:
        created, campaign_id = decode_cursor(cursor, arity=2)
        after = (str(created), str(campaign_id))
    return (CampaignStatus(text) if text else None), after


@router.get("/app/campaigns")
async def campaigns_page(
    request: Request,
    signed_in: DashboardSession,
    status: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> HTMLResponse:
    services = signed_in.services
    service = services.campaign_service
    try:
        chosen, after = list_filter(status, cursor)
    except ValidationFailed as exc:
        return error_page(request, 400, f"The filter is not valid: {exc}.")
    status = chosen.value if chosen else None
    items, last = await service.page(status=chosen, archived=False, limit=25, after=after)
    rows = []
    for campaign in items:
        stats = await service.stats(campaign.id)
        rows.append({
            "campaign": campaign, "enrolled": stats.enrollments.get("total", 0), "sent": delivered(stats.emails),
            "replies": stats.emails.get("replied", 0), "positive": len(await positive_replies(services, campaign.id)),
        })  # fmt: skip
    return await page(
        request, "campaigns.html", title="Campaigns · Jengu", rows=rows, chosen=status or "",
        statuses=[s.value for s in CampaignStatus], next_cursor=encode_cursor(list(last)) if last else None,
    )  # fmt: skip


async def campaign_context(services: Any, campaign_id: str) -> dict[str, Any]:
    service = services.campaign_service
    campaign = await service.get(campaign_id)
    stats = await service.stats(campaign_id)
    positive = await positive_replies(services, campaign_id)
    index, partial = await email_index(services, campaign_id)
    answered: dict[tuple[int | None, str | None], int] = {}
    opened: dict[tuple[int | None, str | None], int] = {}
    for email_id, (position, variant, was_opened) in index.items():
        if email_id in positive:
            answered[(position, variant)] = answered.get((position, variant), 0) + 1
        if was_opened:
            opened[(position, variant)] = opened.get((position, variant), 0) + 1
    by_position = {s.position: s for s in campaign.steps}
    steps: list[StepFigures] = []
    overall = Figures()
    for step_stats in stats.steps:
        step = by_position.get(step_stats.position) if step_stats.position is not None else None
        delay = f"{step.delay} {step.delay_unit.replace('_', ' ')}" if step is not None else "—"
        figures = StepFigures(step_stats.position, step.kind if step is not None else "one-off", delay)
        variants = {v.key: v for v in step.variants} if step is not None else {}
        for v in step_stats.variants:
            key = (step_stats.position, v.variant)
            f = Figures(delivered(v.counts), v.counts.get("replied", 0), answered.get(key, 0), opened.get(key, 0))
            figures.variants.append((v.variant or "—", variants.get(v.variant or ""), f))
            for target in (figures.total, overall):
                target.sent += f.sent
                target.replies += f.replies
                target.positive += f.positive
                target.opened += f.opened
        steps.append(figures)
    best = max((f for s in steps for _, _, f in s.variants if f.sent), key=lambda f: f.positive_rate or 0.0,
               default=None)  # fmt: skip
    return {
        "campaign": campaign, "stats": stats, "steps": steps, "overall": overall, "partial": partial,
        "best": best if best is not None and best.positive else None, "unmatched_positive": max(
            0, len(positive) - sum(answered.values())),
        "can_activate": campaign.status in (CampaignStatus.DRAFT, CampaignStatus.PAUSED) and not campaign.archived,
        "can_pause": campaign.status is CampaignStatus.ACTIVE,
        "inbox_emails": [i.email for i in await services.inbox_store.get_many(list(campaign.inbox_ids))],
    }  # fmt: skip


@router.get("/app/campaigns/{campaign_id}")
async def campaign_page(request: Request, signed_in: DashboardSession, campaign_id: CampaignId) -> HTMLResponse:
    try:
        context = await campaign_context(signed_in.services, campaign_id)
    except NotFound:
        return error_page(request, 404, missing(campaign_id))
    return await page(request, "campaign.html", title=f"{context['campaign'].name} · Jengu", notice=None,
                      error=None, warnings=[], **context)  # fmt: skip


@router.post("/app/campaigns/{campaign_id}/{verb}")
async def campaign_action(
    request: Request, signed_in: DashboardSession, campaign_id: CampaignId, verb: Annotated[str, Path(max_length=20)]
) -> HTMLResponse:
    action = ACTIONS.get(verb)
    services = signed_in.services
    if action is None:
        return error_page(request, 404, "There is no page at this address.")
    # a paused campaign is started again by resuming it (the same checks as an activation)
    try:
        current = await services.campaign_service.get(campaign_id)
    except NotFound:
        return error_page(request, 404, missing(campaign_id))
    if action is Action.ACTIVATE and current.status is CampaignStatus.PAUSED:
        action = Action.RESUME
    status, notice, error, warnings = 200, None, None, []
    try:
        _, found = await services.campaign_service.act(campaign_id, action, expected_version=None)
        notice = DONE.get(action, "The campaign is active again.")
        warnings = [str(w.get("message")) for w in found]
    except InvalidTransition as exc:
        status, error = 409, f"Not allowed now: {exc}."
    except ActivationRefused as exc:
        status, error = 422, f"This campaign cannot start: {'; '.join(str(p['message']) for p in exc.problems)}."
    except Conflict as exc:
        status, error = 409, f"The campaign changed meanwhile: {exc}. Reload and try again."
    context = await campaign_context(services, campaign_id)
    return await page(request, "campaign.html", status=status, title=f"{context['campaign'].name} · Jengu",
                      notice=notice, error=error, warnings=warnings, **context)  # fmt: skip
