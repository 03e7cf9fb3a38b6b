"""SMTP replies as send outcomes (pure): a reply code, its RFC 3463 enhanced status and its text -> one outcome.

Outcomes are `shared.domain.sending.outcomes.SendOutcome` (re-exported by shared.ports.mail). First rule that
matches wins:

| reply                                                        | outcome           |
|--------------------------------------------------------------|-------------------|
| 2xx, 3xx                                                     | accepted          |
| 4xx or 5xx with x.2.2 (mailbox full / over quota), or without | mailbox_full      |
|   a status and "mailbox full", "over quota", "quota exceeded"|                   |
| 421 (any status); 452 4.5.3 or "too many recipients"         | rate_limited      |
| 4.7.x (rate limits, reputation throttles), unless greylisted | rate_limited      |
| any other 4xx (450 greylisting, 451 local error, 452 storage)| transient         |
| 5.1.7, 5.1.8 (the *sender's* address is bad)                 | sender_problem    |
| 5.1.x (550 5.1.1 no such user, 551, 553 5.1.3), 5.2.1        | recipient_refused |
| 5.7.x (policy, 535 5.7.8 auth, 550 5.7.1, 5.7.26 DMARC, ...) | sender_problem    |
| 5.3.4, 5.2.3 (message too big); 530, 534, 535, 538 (auth/TLS)| sender_problem    |
| 551 without a status ("user not local")                      | recipient_refused |
| other 5xx, by its text: "user unknown", "no such user",      | recipient_refused |
|   "does not exist", "mailbox unavailable", ...               |                   |
| ... "spam", "blocked", "policy", "reputation", "rejected",   | sender_problem    |
|   "denied", ...                                              |                   |
| any other 5xx                                                | transient, detail |
|                                                              | "unclassified permanent reply: ..." |

Why an unplaceable 5xx is transient: a wrong hard bounce burns a good lead forever, while a transient outcome only
costs retries; the send consumer gives up after its retries and marks the email failed, not bounced. The recipient
phrases are tried before the sender phrases, because a reply such as "550 rejected: user unknown" names both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.domain.sending.outcomes import SendOutcome

UNCLASSIFIED = "unclassified permanent reply"

_STATUS = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)")
_RECIPIENT_PHRASES = (
    "user unknown",
    "unknown user",
    "no such user",
    "no such mailbox",
    "does not exist",
    "doesn't exist",
    "mailbox unavailable",
    "user not found",
    "invalid recipient",
    "recipient unknown",
    "user doesn't have",
)
_SENDER_PHRASES = ("spam", "blocked", "blacklist", "blocklist", "policy", "reputation", "rejected", "denied")
_FULL_PHRASES = ("mailbox full", "mailbox is full", "over quota", "quota exceeded")
_GREYLIST_PHRASES = ("greylist", "graylist", "try again later")
_AUTH_CODES = frozenset({530, 534, 535, 538})


@dataclass(frozen=True, slots=True)
class Reply:
    """One classified reply: the outcome, the code, the enhanced status (None when the server gave none) and the
    server's words (the status stripped from their front)."""

    outcome: SendOutcome
    code: int
    status: str | None
    detail: str


def split_status(text: str) -> tuple[str | None, str]:
    """("5.1.1", "User unknown") from "5.1.1 User unknown"; (None, text) when the text starts with no status."""
    match = _STATUS.match(text)
    if match is None:
        return None, text.strip()
    return ".".join(match.groups()), text[match.end() :].strip()


def classify_reply(code: int, text: str, status: str | None = None) -> Reply:
    """Classify a final reply. `text` is the reply's text (lines joined); its leading enhanced status is used when
    `status` is not given."""
    found, words = split_status(text)
    status = status or found
    outcome, detail = _classify(code, status, words)
    return Reply(outcome=outcome, code=code, status=status, detail=detail)


def _classify(code: int, status: str | None, words: str) -> tuple[SendOutcome, str]:
    if 200 <= code < 400:
        return SendOutcome.ACCEPTED, words
    subject, detail = _status_parts(status, code)
    lowered = words.lower()
    if (subject, detail) == (2, 2) or (subject is None and any(phrase in lowered for phrase in _FULL_PHRASES)):
        return SendOutcome.MAILBOX_FULL, words
    if 400 <= code < 500:
        return _temporary(code, subject, detail, lowered), words
    if 500 <= code < 600:
        return _permanent(code, subject, detail, lowered, words)
    return SendOutcome.TRANSIENT, f"{UNCLASSIFIED}: {code} {words}".rstrip()  # not an SMTP reply code at all


def _status_parts(status: str | None, code: int) -> tuple[int | None, int | None]:
    """The subject and detail of a status whose class agrees with the reply code (a "550 4.x.x" is not trusted)."""
    if status is None:
        return None, None
    klass, subject, detail = (int(part) for part in status.split("."))
    if klass != code // 100:
        return None, None
    return subject, detail


def _temporary(code: int, subject: int | None, detail: int | None, lowered: str) -> SendOutcome:
    if code == 421:
        return SendOutcome.RATE_LIMITED
    if (subject, detail) == (5, 3) or "too many recipients" in lowered:
        return SendOutcome.RATE_LIMITED
    if subject == 7 and not any(phrase in lowered for phrase in _GREYLIST_PHRASES):
        return SendOutcome.RATE_LIMITED
    return SendOutcome.TRANSIENT


def _permanent(code: int, subject: int | None, detail: int | None, lowered: str, words: str) -> tuple[SendOutcome, str]:
    if subject == 1 and detail in (7, 8):
        return SendOutcome.SENDER_PROBLEM, words
    if subject == 1 or (subject, detail) == (2, 1):
        return SendOutcome.RECIPIENT_REFUSED, words
    if subject == 7 or (subject, detail) in ((3, 4), (2, 3)) or code in _AUTH_CODES:
        return SendOutcome.SENDER_PROBLEM, words
    if code == 551 and subject is None:
        return SendOutcome.RECIPIENT_REFUSED, words
    if any(phrase in lowered for phrase in _RECIPIENT_PHRASES):
        return SendOutcome.RECIPIENT_REFUSED, words
    if any(phrase in lowered for phrase in _SENDER_PHRASES):
        return SendOutcome.SENDER_PROBLEM, words
    return SendOutcome.TRANSIENT, f"{UNCLASSIFIED}: {code} {words}".rstrip()
