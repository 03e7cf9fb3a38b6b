"""What the send consumer does after each transport outcome: when to try again, when to give up. Pure.

| outcome           | next                                                             | inbox                 |
|-------------------|------------------------------------------------------------------|-----------------------|
| accepted          | sent                                                             | health: sent          |
| transient         | retry in 5 min, 30 min, 2 h, 6 h; failed after 5 attempts        | health: transport_failure |
| rate_limited      | retry after the provider's Retry-After (30 s..12 h), else 15 min | health: transport_failure |
| mailbox_full      | soft bounce: retry in 24 h, 48 h, 72 h; failed after the fourth attempt | health: soft_bounce |
| recipient_refused | hard bounce: bounced, address suppressed, enrollment stopped      | health: hard_bounce   |
| sender_problem    | the inbox is paused (never the recipient's fault); the email waits 1 h | paused           |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.domain.sending.outcomes import SendOutcome

TRANSIENT_DELAYS = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
MAX_TRANSIENT_ATTEMPTS = 5
SOFT_BOUNCE_DELAYS = (timedelta(hours=24), timedelta(hours=48), timedelta(hours=72))
RATE_LIMIT_DELAY = timedelta(minutes=15)
SENDER_PROBLEM_DELAY = timedelta(hours=1)
MAX_RETRY_AFTER = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class NextStep:
    action: str  # "sent", "retry", "failed", "bounced", "pause_inbox"
    retry_at: datetime | None = None


def after(outcome: SendOutcome, *, attempts: int, now: datetime, retry_after_s: float | None = None) -> NextStep:
    """`attempts`: transport calls made for this email so far, this one included (a mailbox that stays full answers
    the same each time, so the attempt number is the soft bounce's number)."""
    if outcome is SendOutcome.ACCEPTED:
        return NextStep("sent")
    if outcome is SendOutcome.RECIPIENT_REFUSED:
        return NextStep("bounced")
    if outcome is SendOutcome.SENDER_PROBLEM:
        return NextStep("pause_inbox", now + SENDER_PROBLEM_DELAY)
    if outcome is SendOutcome.RATE_LIMITED:
        wait = timedelta(seconds=retry_after_s) if retry_after_s else RATE_LIMIT_DELAY
        return NextStep("retry", now + min(max(wait, timedelta(seconds=30)), MAX_RETRY_AFTER))
    if outcome is SendOutcome.MAILBOX_FULL:
        if attempts > len(SOFT_BOUNCE_DELAYS):
            return NextStep("failed")
        return NextStep("retry", now + SOFT_BOUNCE_DELAYS[attempts - 1])
    if attempts >= MAX_TRANSIENT_ATTEMPTS:
        return NextStep("failed")
    return NextStep("retry", now + TRANSIENT_DELAYS[min(attempts, len(TRANSIENT_DELAYS)) - 1])
