"""A campaign's lifecycle: draft -> active (activate) <-> paused (pause / resume) -> completed (complete).

`complete` ends an active or paused campaign. Archiving is a flag, allowed from draft, paused or completed: an
active campaign must be paused first (409). An archived campaign is never activated or resumed again. Repeating
the action that led to the current state (pausing a paused campaign, archiving an archived one) changes nothing and
is not an error, so a retried request is harmless. Anything else is 409 `invalid_transition` with the actions the
campaign allows now.

Activation (and resuming, which puts the campaign back to sending) is refused with 422 and a machine-readable
`reason` when the campaign cannot send lawfully or at all: `no_steps`, `no_inbox`, `inbox_not_found`,
`inbox_disabled`, `inbox_without_postal_address` (the CAN-SPAM footer needs the sender's postal address),
`schedule_ended`. Pure: the service gathers the inboxes and the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from shared.domain.campaigns.models import Campaign, CampaignStatus
from shared.domain.errors import Conflict, ValidationFailed


class Action(StrEnum):
    ACTIVATE = "activate"
    PAUSE = "pause"
    RESUME = "resume"
    COMPLETE = "complete"
    ARCHIVE = "archive"


_S = CampaignStatus
# (status, action) -> the status it leads to.
TRANSITIONS: dict[tuple[CampaignStatus, Action], CampaignStatus] = {
    (_S.DRAFT, Action.ACTIVATE): _S.ACTIVE,
    (_S.ACTIVE, Action.PAUSE): _S.PAUSED,
    (_S.PAUSED, Action.RESUME): _S.ACTIVE,
    (_S.ACTIVE, Action.COMPLETE): _S.COMPLETED,
    (_S.PAUSED, Action.COMPLETE): _S.COMPLETED,
}
ARCHIVABLE = frozenset({_S.DRAFT, _S.PAUSED, _S.COMPLETED})
# Repeating these in the state they lead to is a no-op.
_IDEMPOTENT = {
    Action.ACTIVATE: _S.ACTIVE,
    Action.PAUSE: _S.PAUSED,
    Action.RESUME: _S.ACTIVE,
    Action.COMPLETE: _S.COMPLETED,
}
SENDING_ACTIONS = frozenset({Action.ACTIVATE, Action.RESUME})


class InvalidTransition(Conflict):
    """409, code `invalid_transition`: the action is not allowed from the campaign's state (details.allowed)."""

    code = "invalid_transition"

    def __init__(self, status: CampaignStatus, archived: bool, action: Action, message: str) -> None:
        allowed = [a.value for a in allowed_actions(status, archived)]
        super().__init__(
            message, details={"status": status.value, "archived": archived, "action": action.value, "allowed": allowed}
        )
        self.allowed = allowed


def allowed_actions(status: CampaignStatus, archived: bool) -> list[Action]:
    actions = [action for (source, action) in TRANSITIONS if source == status]
    if archived:
        actions = [a for a in actions if a not in SENDING_ACTIONS]
    elif status in ARCHIVABLE:
        actions.append(Action.ARCHIVE)
    return actions


@dataclass(frozen=True, slots=True)
class Outcome:
    status: CampaignStatus
    archived: bool
    changed: bool


def transition(status: CampaignStatus, archived: bool, action: Action) -> Outcome:
    """Where `action` takes a campaign in `status` (archived or not); raises InvalidTransition."""
    if action is Action.ARCHIVE:
        if archived:
            return Outcome(status, True, changed=False)
        if status not in ARCHIVABLE:
            raise InvalidTransition(
                status, archived, action, f"an {status} campaign cannot be archived: pause it first"
            )
        return Outcome(status, True, changed=True)
    if _IDEMPOTENT[action] == status:
        return Outcome(status, archived, changed=False)
    target = TRANSITIONS.get((status, action))
    if target is None or (archived and action in SENDING_ACTIONS):
        why = "it is archived" if archived and action in SENDING_ACTIONS else f"it is {status}"
        raise InvalidTransition(status, archived, action, f"cannot {action} this campaign: {why}")
    return Outcome(target, archived, changed=True)


class InboxFacts(Protocol):
    """What activation needs to know of an inbox (the inbox repository's records have these)."""

    @property
    def status(self) -> Any: ...

    @property
    def postal_address(self) -> str | None: ...


class ActivationRefused(ValidationFailed):
    """422: the campaign cannot start sending. details: `reason` (the first problem's) and every `problem`."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        first = problems[0]
        super().__init__(
            f"the campaign cannot send: {first['message']}", details={"reason": first["reason"], "problems": problems}
        )
        self.reason = first["reason"]
        self.problems = problems


def _problem(reason: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"reason": reason, "message": message, **extra}


def activation_problems(
    campaign: Campaign, inboxes: Mapping[str, InboxFacts | None], *, now: datetime
) -> list[dict[str, Any]]:
    """Why `campaign` may not start (or resume) sending; `inboxes` maps each of its inbox ids to the inbox (None:
    no such inbox). Empty: it may."""
    found = []
    if not campaign.steps:
        found.append(_problem("no_steps", "the campaign has no steps"))
    if not campaign.inbox_ids:
        found.append(_problem("no_inbox", "the campaign has no inbox to send from"))
    for inbox_id in campaign.inbox_ids:
        inbox = inboxes.get(inbox_id)
        if inbox is None:
            found.append(_problem("inbox_not_found", f"inbox {inbox_id} does not exist", inbox_id=inbox_id))
            continue
        status = str(getattr(inbox.status, "value", inbox.status))
        if status == "disabled":
            found.append(_problem("inbox_disabled", f"inbox {inbox_id} is disabled", inbox_id=inbox_id))
        if not (inbox.postal_address or "").strip():
            found.append(
                _problem(
                    "inbox_without_postal_address",
                    f"inbox {inbox_id} has no postal address (every email's footer needs the sender's)",
                    inbox_id=inbox_id,
                )
            )
    end = campaign.settings.schedule_end
    if end is not None and end <= now:
        found.append(_problem("schedule_ended", f"the schedule ended at {end.isoformat()}"))
    return found
