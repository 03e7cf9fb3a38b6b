"""The outcomes a mail transport's answer maps to (the table is in shared/ports/mail.py). Pure: the domain's SMTP
reply classification and send policy use it, and the transport port re-exports it."""

from __future__ import annotations

from enum import StrEnum


class SendOutcome(StrEnum):
    ACCEPTED = "accepted"
    TRANSIENT = "transient"
    RECIPIENT_REFUSED = "recipient_refused"
    MAILBOX_FULL = "mailbox_full"
    SENDER_PROBLEM = "sender_problem"
    RATE_LIMITED = "rate_limited"
