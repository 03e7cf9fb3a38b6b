"""`POST /api/campaigns/{id}/steps/{position}/preview`: render a step for one prospect, exactly as the compose
consumer would (template, or AI through the gateway with the template fallback), without storing or sending anything.

A follow-up previews in its thread: the prospect's real first email when it is enrolled and step 1 was composed,
else step 1 rendered for this prospect (its subject becomes "Re: ...").
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AuthorizedServices
from api.openapi import error_responses
from shared.domain.errors import NotFound, ValidationFailed

router = APIRouter(tags=["campaigns"])

Id = Annotated[str, Path(min_length=1, max_length=64)]


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prospect_id: Annotated[str, Field(min_length=1, max_length=64)]
    variant: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    inbox_id: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class PreviewOut(BaseModel):
    subject: str
    body: str
    composer: str
    variant: str
    notes: list[dict[str, Any]]
    problems: list[dict[str, str]]  # what the AI-output validation would say about this draft


@router.post("/api/campaigns/{campaign_id}/steps/{position}/preview", responses=error_responses(404, 422))
async def preview_step(
    campaign_id: Id, position: Annotated[int, Path(ge=1, le=100)], body: PreviewRequest, services: AuthorizedServices
) -> PreviewOut:
    from shared.domain.composition.context import build_context
    from shared.domain.composition.templates import TemplateProblem
    from shared.domain.composition.validation import validate_draft
    from shared.service_layer.composition.compose import sender_of
    from shared.service_layer.composition.drafts import ThreadInfo, compose_draft

    campaign = await services.campaign_store.get(campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} does not exist")
    if position > len(campaign.steps):
        raise NotFound(f"campaign {campaign_id} has {len(campaign.steps)} step(s), not {position}")
    prospect = await services.prospects.get(body.prospect_id)
    if prospect is None:
        raise NotFound(f"prospect {body.prospect_id} does not exist")
    inbox_ids = [body.inbox_id] if body.inbox_id else list(campaign.inbox_ids)
    inboxes = await services.inbox_store.get_many(inbox_ids[:1]) if inbox_ids else []
    if not inboxes:
        raise ValidationFailed("preview needs an inbox: give inbox_id or add one to the campaign",
                               details={"reason": "no_inbox"})  # fmt: skip
    step = campaign.steps[position - 1]
    variant = body.variant or step.variants[0].key
    if variant not in {v.key for v in step.variants}:
        raise NotFound(f"step {position} has no variant {variant!r}")
    context = build_context(prospect.columns(), sender_of(inboxes[0]), {"name": campaign.name})
    gateway = services.ai_gateway
    try:
        thread = ThreadInfo()
        if position > 1:
            thread = await _thread(services, campaign, prospect.id, position, context, gateway)
        draft = await compose_draft(step, position, variant, context, thread=thread, gateway=gateway,
                                    language=campaign.settings.language)  # fmt: skip
    except TemplateProblem as exc:
        raise ValidationFailed(f"step {position} cannot render for this prospect: {exc}",
                               details={"reason": "template", "kind": exc.kind, "line": exc.line}) from exc  # fmt: skip
    problems = validate_draft(draft.subject, draft.body, context=context, language=campaign.settings.language)
    return PreviewOut(
        subject=draft.subject, body=draft.body, composer=draft.composer, variant=draft.variant,
        notes=list(draft.notes), problems=[{"code": p.code, "message": p.message} for p in problems],
    )  # fmt: skip


async def _thread(services: Any, campaign: Any, prospect_id: str, position: int, context: Any, gateway: Any) -> Any:
    from shared.service_layer.composition.compose import thread_info
    from shared.service_layer.composition.drafts import ThreadInfo, compose_draft

    enrollment = await services.enrollments.find(campaign.id, prospect_id)
    if enrollment is not None:
        real = thread_info(await services.emails.thread(enrollment["id"]), position)
        if real.first_subject:
            return real
    first = await compose_draft(campaign.steps[0], 1, campaign.steps[0].variants[0].key, context,
                                thread=ThreadInfo(), gateway=None, language=campaign.settings.language)  # fmt: skip
    return ThreadInfo(first_subject=first.subject)
