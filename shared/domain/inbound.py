"""An email delivered to us by Email Routing: the envelope addresses and the raw RFC 5322 bytes, and the few headers
we index, read without ever raising (decision 0015).

Plain dataclasses, no pydantic: the email handler's path stays free of compiled dependencies. The raw bytes arrive
as a stream; `RawTally` follows them piece by piece (size, sha256, the header block) so that no one holds the
whole message to learn those facts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from shared.domain.errors import ValidationFailed
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
class InboundEnvelope:
    """What is known of an inbound email before its bytes arrive."""

    id: str
    mail_from: str
    rcpt_to: str
    received_at: datetime
    trace_id: str


@dataclass(frozen=True, slots=True)
class HeaderSummary:
    message_id: str | None
    subject: str | None
    in_reply_to: str | None


@dataclass(frozen=True, slots=True)
class RawFacts:
    """What the stored row says of the whole message, known once its last byte has streamed past."""

    size: int
    sha256: str
    headers: HeaderSummary


class RawTally:
    """Size, sha256 and header block of a message whose bytes stream past; refuses more than MAX_INBOUND_BYTES.

    Keeps at most MAX_HEADER_BYTES of the message (the head, until the header block is complete), never the rest.
    """

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self._size = 0
        self._head = bytearray()
        self._head_done = False

    @property
    def size(self) -> int:
        return self._size

    def add(self, data: bytes) -> None:
        size = self._size + len(data)
        if size > MAX_INBOUND_BYTES:
            raise ValidationFailed(f"message of more than {MAX_INBOUND_BYTES} bytes exceeds {MAX_INBOUND_BYTES}")
        self._size = size
        self._sha.update(data)
        if not self._head_done:
            self._head += data[: MAX_HEADER_BYTES - len(self._head)]
            self._head_done = len(self._head) >= MAX_HEADER_BYTES or len(header_block(self._head)) < len(self._head)

    @property
    def head(self) -> bytes:
        """The message's first bytes, the whole header block among them (what `summarise_headers` reads)."""
        return bytes(self._head)

    def facts(self) -> RawFacts:
        return RawFacts(size=self._size, sha256=self._sha.hexdigest(), headers=summarise_headers(bytes(self._head)))


def header_block(raw: bytes | bytearray) -> bytes:
    """The bytes before the first blank line (at most MAX_HEADER_BYTES): the body is never parsed."""
    ends = [i for i in (raw.find(b"\n\n", 0, MAX_HEADER_BYTES), raw.find(b"\n\r\n", 0, MAX_HEADER_BYTES)) if i >= 0]
    return bytes(raw[: min(ends) + 1 if ends else MAX_HEADER_BYTES])  # find() with bounds: no copy of the message


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
