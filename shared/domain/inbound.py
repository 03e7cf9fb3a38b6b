"""An email delivered to us by Email Routing: the envelope addresses and the raw RFC 5322 bytes, and the few headers
we index, read without ever raising (decision 0015).

Plain dataclasses, no pydantic: the email handler's path stays free of compiled dependencies, and a 25 MiB message
is referenced, never copied.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain.normalize import clean_line

MAX_INBOUND_BYTES = 25 * 1024 * 1024  # Email Routing's limit
MAX_HEADER_BYTES = 256 * 1024  # the header block we read; real ones are a few KiB, DKIM/ARC chains included
MAX_HEADER_CHARS = 998  # RFC 5322's line limit: what we keep of one header's value


@dataclass(frozen=True, slots=True)
class InboundEmail:
    id: str
    mail_from: str
    rcpt_to: str
    raw: bytes = field(repr=False)
    received_at: datetime
    trace_id: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


@dataclass(frozen=True, slots=True)
class HeaderSummary:
    message_id: str | None
    subject: str | None
    in_reply_to: str | None


def header_block(raw: bytes) -> bytes:
    """The bytes before the first blank line (at most MAX_HEADER_BYTES): the body is never parsed."""
    ends = [i for i in (raw.find(b"\n\n", 0, MAX_HEADER_BYTES), raw.find(b"\n\r\n", 0, MAX_HEADER_BYTES)) if i >= 0]
    return raw[: min(ends) + 1 if ends else MAX_HEADER_BYTES]  # find() with bounds: no copy of the message


def _decoded(value: str) -> str:
    """A header's text: 8-bit bytes read as UTF-8 (RFC 6532), RFC 2047 encoded words decoded; a part in an unknown
    or lying charset, or a broken encoded word, is kept as replacement characters or as written."""
    text = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    if "=?" not in text:
        return text
    from email.header import decode_header, make_header  # the email door's parsers load on its first use

    try:
        parts = decode_header(text)
    except Exception:  # malformed encoded words: binascii, HeaderParseError, ValueError, ... keep them as written
        return text
    try:
        return str(make_header(parts))
    except Exception:  # LookupError for unknown charsets, UnicodeError for lying ones
        return "".join(part if isinstance(part, str) else _lenient(part, charset) for part, charset in parts)


def _lenient(data: bytes, charset: str | None) -> str:
    try:
        return data.decode(charset or "utf-8", "replace")
    except Exception:  # not a text codec ("zlib"), or one that refuses `replace` ("idna")
        return data.decode("utf-8", "replace")


def _value(value: str | None) -> str | None:
    if value is None:
        return None
    text = clean_line(_decoded(value))
    return text[:MAX_HEADER_CHARS] or None


def summarise_headers(raw: bytes) -> HeaderSummary:
    """Message-ID, Subject and In-Reply-To from the header block only. Never raises: garbage, 8-bit bytes, unknown
    charsets, broken MIME or missing headers give None or replacement characters, never an exception."""
    from email.parser import BytesHeaderParser

    try:
        # The default policy is compat32; naming it would import email.policy (the header registry) at startup.
        headers = BytesHeaderParser().parsebytes(header_block(raw))
        found: dict[str, str] = {}
        for name, value in headers.raw_items():
            found.setdefault(name.lower(), value)
    except Exception:  # the stdlib parser is lenient; this only guards the promise (the message is stored anyway)
        found = {}
    return HeaderSummary(
        message_id=_value(found.get("message-id")),
        subject=_value(found.get("subject")),
        in_reply_to=_value(found.get("in-reply-to")),
    )
