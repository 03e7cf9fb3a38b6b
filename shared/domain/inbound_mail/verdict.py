"""What one inbound message is, decided in a fixed order (issue 10): a delivery report, a complaint, an unsubscribe
sent to our `mailto:` address, an automatic reply, a human reply — else `unknown` (kept and notified).

The order matters: a bounce quotes our email and an auto-reply may look like a reply; an auto-reply is never counted
as a reply. Pure: the classifiers read the parsed message only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.domain.inbound_mail.parsed import ParsedMail

UNSUBSCRIBE_SUBJECT = re.compile(r"^\s*unsubscribe\s+([A-Za-z0-9_-]{16,100})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    classification: str  # bounce, complaint, unsubscribe_request, auto_reply, reply, unknown
    intent: str | None = None  # replies: interested, meeting_request, ...; auto-replies: their kind
    confidence: float | None = None
    original_message_ids: tuple[str, ...] = ()  # what the message refers to, best first
    bounce: Any = None  # shared.domain.inbound_mail.bounces.Bounce
    complaint: Any = None  # shared.domain.inbound_mail.complaints.Complaint
    auto_reply: Any = None  # shared.domain.inbound_mail.auto_replies.AutoReply
    reply: Any = None  # shared.domain.inbound_mail.intent.Intent
    unsubscribe_token: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


def decide(mail: ParsedMail, *, received: date) -> Verdict:
    from shared.domain.inbound_mail.auto_replies import read_auto_reply
    from shared.domain.inbound_mail.bounces import read_bounce
    from shared.domain.inbound_mail.complaints import read_complaint
    from shared.domain.inbound_mail.intent import classify_reply

    threaded = tuple(dict.fromkeys([*mail.in_reply_to, *reversed(mail.references)]))
    bounce = read_bounce(mail)
    if bounce is not None:
        ids = tuple(i for i in (bounce.original_message_id, *threaded) if i)
        # A report without a failed recipient (a success or relay notice) is recorded with no verdict and no effect.
        verdicts = sorted({r.verdict for r in bounce.recipients})
        return Verdict(
            "bounce",
            intent=_worst(verdicts) if verdicts else None,
            original_message_ids=ids,
            bounce=bounce,
            details={"format": bounce.format, "recipients": [_recipient(r) for r in bounce.recipients]},
        )
    complaint = read_complaint(mail)
    if complaint is not None:
        ids = tuple(i for i in (getattr(complaint, "original_message_id", None), *threaded) if i)
        return Verdict(
            "complaint",
            intent=getattr(complaint, "feedback_type", None),
            original_message_ids=ids,
            complaint=complaint,
            details={"feedback_type": getattr(complaint, "feedback_type", None)},
        )
    token = UNSUBSCRIBE_SUBJECT.match(mail.subject or "")
    if token:
        return Verdict("unsubscribe_request", unsubscribe_token=token.group(1), original_message_ids=threaded)
    auto = read_auto_reply(mail, received=received)
    if auto is not None:
        return Verdict(
            "auto_reply",
            intent=auto.kind,
            original_message_ids=threaded,
            auto_reply=auto,
            details={
                "kind": auto.kind,
                "return_date": auto.return_date.isoformat() if auto.return_date else None,
                "referral_email": auto.referral_email,
                "evidence": list(auto.evidence),
            },
        )
    if mail.from_address and (mail.reply_text or mail.text).strip():
        reply = classify_reply(mail.reply_text or mail.text, mail.subject or "")
        return Verdict(
            "reply",
            intent=reply.label,
            confidence=reply.confidence,
            original_message_ids=threaded,
            reply=reply,
            details={"rule": reply.rule, "referral_email": reply.referral_email, "referral_name": reply.referral_name},
        )
    return Verdict("unknown", original_message_ids=threaded, details={"problems": list(mail.problems)})


def _worst(verdicts: Sequence[str]) -> str:
    for verdict in ("hard", "policy", "soft"):
        if verdict in verdicts:
            return verdict
    return verdicts[0]


def _recipient(r: Any) -> dict[str, Any]:
    return {
        "address": r.address,
        "action": r.action,
        "status": r.status,
        "code": r.code,
        "diagnostic": (r.diagnostic or "")[:300],
        "verdict": r.verdict,
    }
