"""An email delivered to us by Email Routing: the envelope addresses and the raw RFC 5322 bytes."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email import message_from_bytes

from pydantic import BaseModel, ConfigDict, Field

MAX_INBOUND_BYTES = 25 * 1024 * 1024  # Email Routing's limit


class InboundEmail(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    mail_from: str
    rcpt_to: str
    raw: bytes = Field(repr=False, max_length=MAX_INBOUND_BYTES)
    received_at: datetime
    trace_id: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


class HeaderSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    message_id: str | None
    subject: str | None
    in_reply_to: str | None


def summarise_headers(raw: bytes) -> HeaderSummary:
    """Read the few headers we index, tolerating broken MIME (never raises on bad input)."""
    from email import policy as email_policy  # the header registry loads on the email door's first use

    msg = message_from_bytes(raw, policy=email_policy.compat32)

    def header(name: str) -> str | None:
        value = msg.get(name)
        if value is None:
            return None
        text = " ".join(str(value).split())
        return text[:998] or None

    return HeaderSummary(message_id=header("Message-ID"), subject=header("Subject"), in_reply_to=header("In-Reply-To"))
