"""Step rules: what a step's content must satisfy, and what may change once a campaign has been activated.

Content (checked on every write, 422 with one detail per problem: field, kind, line, message): template subjects
and bodies, custom AI prompts and AI fallback templates parse in composition's sandbox and use only the variables
composition provides (`check_template` with ALLOWED_VARIABLES, PROMPT_VARIABLES for prompts, and TEMPLATE_FIELDS so
a misspelt `prospect.frist_name` is refused at once); variant keys are distinct and not every weight is zero.

Changes. Enrollments may be anywhere in the sequence, so once a campaign has been activated (active, paused or
completed) the sequence only grows and its steps keep their shape:

- allowed: edit the wording of existing variants (subject, body, prompt, strategy, fallback templates); change
  weights (they apply to enrollments that have not reached that step: the variant an enrollment was given is stored
  with it and never switches); add variants; append steps at the end.
- refused with 409 `step_locked`, naming the step and the rule: deleting a step (`delete_step`), moving one
  (`reorder_steps`: a step sent with its `id` at another position), changing a step's kind (`change_kind`),
  removing a variant (`remove_variant`), changing a delay or its unit (`change_delay`: enrollments waiting for the
  step were scheduled with it).

In draft anything goes: steps may be added, removed, reordered and rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.domain.campaigns.models import CampaignStatus, Step, StepSpec, problem, step_problems
from shared.domain.errors import Conflict

LOCKED_STATUSES = frozenset({CampaignStatus.ACTIVE, CampaignStatus.PAUSED, CampaignStatus.COMPLETED})


class StepLocked(Conflict):
    """A change the step rules refuse once the campaign has been activated (409, code `step_locked`)."""

    code = "step_locked"

    def __init__(self, position: int, rule: str, message: str) -> None:
        super().__init__(f"step {position}: {message}", details={"step": position, "rule": rule})
        self.position = position
        self.rule = rule


def _at(field: str, rest: str) -> str:
    return f"{field}.{rest}" if field else rest


def content_problems(step: StepSpec, field: str = "") -> list[dict[str, Any]]:
    """Everything wrong with one step's content beyond its schema (empty: it may be saved)."""
    from shared.domain.composition.context import ALLOWED_VARIABLES, TEMPLATE_FIELDS
    from shared.domain.composition.prompts import PROMPT_VARIABLES
    from shared.domain.composition.templates import TemplateProblem, check_template

    found = step_problems(step, field)
    for index, variant in enumerate(step.variants):
        sources = [
            ("subject", variant.subject, ALLOWED_VARIABLES),
            ("body", variant.body, ALLOWED_VARIABLES),
            ("prompt", variant.prompt, PROMPT_VARIABLES),
            ("fallback_subject", variant.fallback_subject, ALLOWED_VARIABLES),
            ("fallback_body", variant.fallback_body, ALLOWED_VARIABLES),
        ]
        for name, source, allowed in sources:
            if source is None:
                continue
            try:
                check_template(source, allowed=allowed, field=name, fields=TEMPLATE_FIELDS)
            except TemplateProblem as exc:
                found.append(
                    problem(
                        _at(field, f"variants.{index}.{name}"),
                        exc.message,
                        kind=exc.kind,
                        line=exc.line,
                        variant=variant.key,
                    )
                )
    return found


def check_step_change(current: Step, proposed: StepSpec, *, status: CampaignStatus) -> None:
    """Raise StepLocked if replacing `current` by `proposed` breaks the rules for a campaign in `status`."""
    if status not in LOCKED_STATUSES:
        return
    position = current.position
    if proposed.kind != current.kind:
        raise StepLocked(position, "change_kind", f"a {current.kind} step cannot become {proposed.kind} once activated")
    if (proposed.delay, proposed.delay_unit) != (current.delay, current.delay_unit):
        raise StepLocked(
            position,
            "change_delay",
            f"the delay ({current.delay} {current.delay_unit}) cannot change once activated: enrollments waiting for "
            "this step were scheduled with it",
        )
    kept = {v.key for v in proposed.variants}
    removed = sorted(v.key for v in current.variants if v.key not in kept)
    if removed:
        raise StepLocked(
            position,
            "remove_variant",
            f"variant {', '.join(removed)} cannot be removed once activated (set its weight to 0 to stop giving it)",
        )


def check_sequence_change(
    current: Sequence[Step],
    proposed: Sequence[StepSpec],
    *,
    status: CampaignStatus,
    ids: Sequence[str | None] = (),
) -> None:
    """Raise StepLocked if the sequence `proposed` (with the step ids the client sent, None where it sent none)
    may not replace `current` for a campaign in `status`."""
    if status not in LOCKED_STATUSES:
        return
    by_id = {step.id: step.position for step in current}
    for index, step_id in enumerate(ids):
        if step_id is not None and step_id in by_id and by_id[step_id] != index + 1:
            raise StepLocked(
                by_id[step_id], "reorder_steps", f"steps cannot move once activated (sent at position {index + 1})"
            )
    if len(proposed) < len(current):
        missing = len(proposed) + 1
        raise StepLocked(missing, "delete_step", "steps cannot be deleted once activated (only appended at the end)")
    for step, spec in zip(current, proposed, strict=False):
        check_step_change(step, spec, status=status)
