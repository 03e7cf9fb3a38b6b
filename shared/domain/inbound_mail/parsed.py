"""What a parsed inbound message offers the classifiers (bounces, complaints, auto-replies, replies). Pure data.

`parse.parse_message(raw)` builds it from the stored bytes and never raises: a broken message still yields a
`ParsedMail` (with what could be read), so every message can be classified or kept as `unknown`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class AuthResults:
    """`Authentication-Results` as Email Routing reports them: "pass", "fail", "none", ... or None when absent."""

    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None


@dataclass(frozen=True, slots=True)
class MimePart:
    """One leaf or message part: its content type and decoded text (bytes decoded leniently; binary parts empty)."""

    content_type: str  # lower-case, e.g. "text/plain", "message/delivery-status", "message/rfc822"
    text: str = ""
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedMail:
    message_id: str | None  # "<id@host>" as written, or None
    in_reply_to: tuple[str, ...]  # Message-IDs, in order
    references: tuple[str, ...]
    from_address: str | None  # lower-case addr-spec
    from_name: str | None
    to_addresses: tuple[str, ...]
    subject: str
    date: datetime | None
    headers: Mapping[str, tuple[str, ...]]  # lower-case name -> every value, decoded, in order
    auth: AuthResults
    content_type: str  # of the whole message, lower-case ("multipart/report", "text/plain", ...)
    report_type: str | None  # the multipart/report `report-type` parameter ("delivery-status", "feedback-report")
    text: str  # the readable body: text/plain, else HTML converted to text
    reply_text: str  # `text` without quoted history and signature (the new words of a reply)
    parts: tuple[MimePart, ...] = field(default_factory=tuple)  # every part, depth-first
    problems: tuple[str, ...] = field(default_factory=tuple)  # what could not be read ("bad charset", ...)

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None
