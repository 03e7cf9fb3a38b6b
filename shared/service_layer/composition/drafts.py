"""Turn one campaign step into a draft for one prospect: the step's template, or its AI strategy through the gateway
with the template composer as the last resort. Shared by the compose consumer and the preview endpoint.

Follow-ups (step > 1) thread under the first email: the subject is "Re: <first subject>" whatever the step says.
A template step's output is the user's own text: it is cleaned and checked for unrendered placeholders only. An AI
step's output is validated in full (validation.py) before acceptance; an invalid output falls through to the next
provider with its reasons recorded, and the fallback template is checked like an AI output would be.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TEMPLATE = "template"


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    composer: str  # "template" or the provider's name
    variant: str
    notes: Sequence[dict[str, Any]] = field(default_factory=tuple)  # providers tried and why each was not used


@dataclass(frozen=True)
class ThreadInfo:
    first_subject: str | None = None
    first_message_id: str | None = None
    parent_message_id: str | None = None
    parent_references: str | None = None


def variant_of(step: Any, key: str) -> Any:
    for variant in step.variants:
        if variant.key == key:
            return variant
    return step.variants[0]


def _placeholder_problems(subject: str, body: str) -> list[str]:
    from shared.domain.composition.validation import validate_draft

    return [
        p.code for p in validate_draft(subject, body, context={}, required=()) if p.code in ("placeholder", "braces")
    ]


async def compose_draft(
    step: Any,
    position: int,
    variant_key: str,
    context: Mapping[str, Any],
    *,
    thread: ThreadInfo,
    gateway: Any | None,
    language: str | None,
) -> Draft:
    """Raises TemplateProblem when a template step cannot render for this prospect (the caller decides what then)."""
    from shared.domain.composition.templates import render
    from shared.domain.composition.thread_headers import reply_subject
    from shared.domain.composition.validation import clean_output

    variant = variant_of(step, variant_key)
    notes: list[dict[str, Any]] = []
    if step.kind == "ai":
        draft, notes = await _ai_draft(
            step, position, variant, context, thread=thread, gateway=gateway, language=language
        )
        if draft is not None:
            subject, body, composer = draft
        else:
            subject, body = _fallback(variant, position, context)
            composer = TEMPLATE
            notes.append({"provider": TEMPLATE, "outcome": "fallback", "reason": "no AI provider gave a valid draft"})
    else:
        subject, body, composer = render(variant.subject or "", context), render(variant.body or "", context), TEMPLATE
    if position > 1 and thread.first_subject:
        subject = reply_subject(thread.first_subject)
    subject, body = clean_output(subject, body)
    return Draft(subject=subject, body=body, composer=composer, variant=variant.key, notes=tuple(notes))


def _fallback(variant: Any, position: int, context: Mapping[str, Any]) -> tuple[str, str]:
    from shared.domain.composition.fallback import fallback_template
    from shared.domain.composition.templates import render

    subject_tpl = getattr(variant, "fallback_subject", None)
    body_tpl = getattr(variant, "fallback_body", None)
    if not (subject_tpl and body_tpl):
        subject_tpl, body_tpl = fallback_template(getattr(variant, "strategy", None), position)
    return render(subject_tpl, context), render(body_tpl, context)


async def _ai_draft(
    step: Any, position: int, variant: Any, context: Mapping[str, Any], *, thread: ThreadInfo, gateway: Any | None,
    language: str | None,
) -> tuple[tuple[str, str, str] | None, list[dict[str, Any]]]:  # fmt: skip
    from shared.domain.composition.output import OutputProblem, parse_completion
    from shared.domain.composition.prompts import build_prompt
    from shared.domain.composition.validation import clean_output, validate_draft
    from shared.ports.ai import Completion, CompletionRequest

    if gateway is None:
        return None, []
    prompt = build_prompt(
        strategy=getattr(variant, "strategy", None), custom_template=getattr(variant, "prompt", None),
        context=context, language=language, step=position, previous_subject=thread.first_subject,
    )  # fmt: skip
    accepted: dict[str, tuple[str, str]] = {}

    def accept(completion: Completion) -> Sequence[str]:
        try:
            subject, body = clean_output(*parse_completion(completion.text))
        except OutputProblem:
            return ("unparseable",)
        if position > 1 and thread.first_subject:
            from shared.domain.composition.thread_headers import reply_subject

            subject = reply_subject(thread.first_subject)
        problems = [p.code for p in validate_draft(subject, body, context=context, language=language)]
        if not problems:
            accepted[completion.provider] = (subject, body)
        return problems

    result = await gateway.complete(CompletionRequest(system=prompt.system, user=prompt.user), accept)
    notes = [{"provider": a.provider, "outcome": a.outcome, "reason": a.reason} for a in result.attempts]
    if result.completion is None or result.completion.provider not in accepted:
        return None, notes
    subject, body = accepted[result.completion.provider]
    return (subject, body, result.completion.provider), notes
