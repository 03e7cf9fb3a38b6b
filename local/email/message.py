"""`LocalEmailMessage`: Cloudflare's ForwardableEmailMessage as Python Worker code sees it (a raw JS object).

Production hands the `email` handler an unwrapped JsProxy, so the API is camelCase JS: `getattr(msg, "from")`,
`msg.to`, `msg.headers.get(name)` (JS Headers: case-insensitive, raw unfolded values, repeated headers joined with
", "), `msg.raw` (a single-use ReadableStream: read it with `js.Response.new(msg.raw).arrayBuffer()`),
`msg.rawSize`, `msg.setReject(reason)`, `await msg.forward(rcpt, headers)` and `await msg.reply(message)`.

forward() and reply() hand the finished MIME to an outbound `Transport` (the runtime wires it to
`deliver_smtp`, i.e. the local SMTP sink); without one they are only recorded. Python-side snake_case attributes
(`rejected_reason`, `forwards`, `reply_raw`, `raw_bytes`) let tests and the SMTP listener see what the handler did.
"""

from __future__ import annotations

import email.policy
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from typing import Any

from local.email.mime import EmailError, EmailTypeError, build_message, check_address, new_message_id

MAX_INBOUND_BYTES = 25 * 1024 * 1024  # Email Routing's inbound message cap

Transport = Callable[[str, Sequence[str], bytes], Awaitable[None]]
"""Outbound delivery: `await transport(envelope_from, recipients, raw_mime)`."""


class Headers:
    """A read-only JS `Headers` look-alike: names case-insensitive, values as they appear (unfolded, not decoded)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._items = [(name.lower(), value) for name, value in items]

    @classmethod
    def from_raw(cls, raw: bytes) -> Headers:
        parsed = BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        return cls((name, _unfold(value)) for name, value in parsed.raw_items())

    def get(self, name: str) -> str | None:
        values = [v for n, v in self._items if n == name.lower()]
        return ", ".join(values) if values else None

    def has(self, name: str) -> bool:
        return any(n == name.lower() for n, _ in self._items)

    def entries(self) -> Iterator[tuple[str, str]]:
        """Sorted by name, repeated headers combined: what iterating a JS Headers yields."""
        for name in sorted({n for n, _ in self._items}):
            yield name, self.get(name) or ""

    def keys(self) -> Iterator[str]:
        return (name for name, _ in self.entries())

    def values(self) -> Iterator[str]:
        return (value for _, value in self.entries())

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return self.entries()

    def __repr__(self) -> str:
        return f"Headers({dict(self.entries())!r})"


def _unfold(value: str) -> str:
    """Raw header value → JS Headers value: folding removed; 8-bit bytes read as UTF-8."""
    text = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    return "".join(text.replace("\r\n", "\n").split("\n")).strip()


class RawStream:
    """`message.raw`: a ReadableStream stand-in that can be consumed exactly once (`await read_all()`)."""

    def __init__(self, data: bytes) -> None:
        self._data: bytes | None = data

    @property
    def locked(self) -> bool:
        return self._data is None

    async def read_all(self) -> bytes:
        if self._data is None:
            raise EmailTypeError("ReadableStream is locked: an email's raw stream can be read only once")
        data, self._data = self._data, None
        return data


@dataclass(frozen=True)
class ForwardRecord:
    rcpt_to: str
    headers: list[tuple[str, str]]
    message_id: str


class LocalEmailMessage:
    """One inbound email for one envelope recipient. Construct once per RCPT TO, then pass to `email()`."""

    to: str
    rawSize: int  # JS name

    def __init__(
        self,
        mail_from: str,
        rcpt_to: str,
        raw: bytes,
        *,
        forwarder: Transport | None = None,
    ) -> None:
        if len(raw) > MAX_INBOUND_BYTES:
            raise ValueError(f"message is {len(raw)} bytes; Email Routing accepts at most {MAX_INBOUND_BYTES}")
        setattr(self, "from", mail_from)  # `from` is a keyword: worker code uses getattr
        self.to = rcpt_to
        self.rawSize = len(raw)
        self.headers = Headers.from_raw(raw)
        self._raw = bytes(raw)
        self._stream = RawStream(self._raw)
        self._transport = forwarder
        self.rejected_reason: str | None = None
        self.forwards: list[ForwardRecord] = []
        self.reply_raw: bytes | None = None
        self.reply_message_id: str | None = None

    # -- Python-side helpers (not part of the JS API) -------------------------------------------------------

    @property
    def mail_from(self) -> str:
        return str(getattr(self, "from"))

    @property
    def raw_bytes(self) -> bytes:
        """The full message, readable any number of times (unlike `raw`)."""
        return self._raw

    @property
    def rejected(self) -> bool:
        return self.rejected_reason is not None

    # -- the ForwardableEmailMessage API ---------------------------------------------------------------------

    @property
    def raw(self) -> RawStream:
        return self._stream

    def setReject(self, reason: str) -> None:
        self.rejected_reason = str(reason)

    async def forward(self, rcpt_to: str, headers: Any = None) -> dict[str, str]:
        rcpt = check_address(rcpt_to, "rcptTo")
        extra = _forward_headers(headers)
        message_id = self.headers.get("message-id") or new_message_id(self.to)
        if self._transport is not None:
            eol = b"\r\n" if b"\r\n" in self._raw[:2048] else b"\n"
            prefix = b"".join(f"{name}: {value}".encode() + eol for name, value in extra)
            await self._transport(self.mail_from, [rcpt], prefix + self._raw)
        self.forwards.append(ForwardRecord(rcpt, extra, message_id))
        return {"messageId": message_id}

    async def reply(self, message: Any) -> dict[str, str]:
        if self.reply_raw is not None:
            raise EmailError("E_REPLY_ALREADY_SENT", "an email can be replied to only once")
        if isinstance(message, Mapping):
            sender, raw, message_id = self._reply_from_builder(message)
        else:
            sender, raw, message_id = await self._reply_from_message(message)
        self._check_reply_sender(sender)
        if self._transport is not None:
            await self._transport(sender, [self.mail_from], raw)
        self.reply_raw = raw
        self.reply_message_id = message_id
        return {"messageId": message_id}

    # -- reply helpers -----------------------------------------------------------------------------------------

    def _threading(self) -> list[tuple[str, str]]:
        original_id = self.headers.get("message-id")
        if not original_id:
            return []
        references = " ".join(filter(None, [self.headers.get("references"), original_id]))
        return [("In-Reply-To", original_id), ("References", references)]

    def _reply_from_builder(self, builder: Mapping[str, Any]) -> tuple[str, bytes, str]:
        to = builder.get("to")
        if to is not None and (not isinstance(to, str) or to.strip().lower() != self.mail_from.lower()):
            raise EmailError("E_VALIDATION_ERROR", "a reply can only be sent to the original sender")
        fields = dict(builder)
        fields["to"] = self.mail_from
        given = {str(name).lower() for name in (builder.get("headers") or {})}
        threading = [(n, v) for n, v in self._threading() if n.lower() not in given]
        built = build_message(fields, extra_headers=threading)
        return built.sender.email, built.as_bytes(), built.message_id

    async def _reply_from_message(self, message: Any) -> tuple[str, bytes, str]:
        sender, to, raw = getattr(message, "from", None), getattr(message, "to", None), getattr(message, "raw", None)
        if not isinstance(sender, str) or not isinstance(to, str) or raw is None:
            raise EmailTypeError("reply() expects an EmailMessage(from, to, raw) or a builder object")
        if to.strip().lower() != self.mail_from.lower():
            raise EmailError("E_VALIDATION_ERROR", "a reply can only be sent to the original sender")
        data = await read_raw(raw)
        parsed = Headers.from_raw(data)
        original_id = self.headers.get("message-id")
        if original_id and original_id not in (parsed.get("in-reply-to") or ""):
            raise EmailError("E_VALIDATION_ERROR", "the reply's In-Reply-To must be the original Message-ID")
        message_id = parsed.get("message-id")
        if not message_id:
            message_id = new_message_id(sender)
            eol = b"\r\n" if b"\r\n" in data[:2048] else b"\n"
            data = f"Message-ID: {message_id}".encode() + eol + data
        return sender, data, message_id

    def _check_reply_sender(self, sender: str) -> None:
        domain = self.to.rpartition("@")[2].lower()
        if sender.rpartition("@")[2].lower() != domain:
            raise EmailError("E_VALIDATION_ERROR", f"a reply must be sent from the receiving domain ({domain})")


def _forward_headers(headers: Any) -> list[tuple[str, str]]:
    """Normalise forward()'s headers (dict, [[name, value], ...] or a Headers-like object); only X-* allowed."""
    if headers is None:
        return []
    pairs: Iterable[Any]
    if isinstance(headers, Mapping):
        pairs = headers.items()
    elif hasattr(headers, "entries"):
        pairs = headers.entries()
    else:
        pairs = headers
    out: list[tuple[str, str]] = []
    for pair in pairs:
        name, value = (str(part) for part in pair)
        if not name.lower().startswith("x-"):
            raise EmailTypeError(f"forward(): header {name!r} is not allowed; only X-* headers can be added")
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise EmailTypeError(f"forward(): header {name!r} is malformed")
        out.append((name, value))
    return out


async def read_raw(raw: Any) -> bytes:
    """An EmailMessage's `raw`: str, bytes or a stream with `read_all()`."""
    if isinstance(raw, str):
        return raw.encode("utf-8")
    if isinstance(raw, bytes | bytearray | memoryview):
        return bytes(raw)
    if hasattr(raw, "read_all"):
        return bytes(await raw.read_all())
    raise EmailTypeError(f"raw must be a string or a ReadableStream, got {type(raw).__name__}")
