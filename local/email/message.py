"""`LocalEmailMessage`: Cloudflare's ForwardableEmailMessage as Python Worker code sees it (a raw JS object).

Production hands the `email` handler an unwrapped JsProxy, so the API is camelCase JS: `getattr(msg, "from")`,
`msg.to`, `msg.headers.get(name)` (JS Headers: case-insensitive, raw unfolded values, repeated headers joined with
", "), `msg.raw` (a single-use ReadableStream of Uint8Array pieces: `getReader()`, `await reader.read()` giving
`{done, value}`, `value.to_bytes()`), `msg.rawSize`, `msg.setReject(reason)`, `await msg.forward(rcpt, headers)`
(headers: a JS `Headers`, `js.Headers.new(pairs)`) and `await msg.reply(message)` (an EmailMessage or a builder as a
JS object). Python dicts and lists are refused there, as the production objects cannot read them.

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

from pyodide.ffi import JsObject

from local.email.mime import EmailError, EmailTypeError, build_message, check_address, new_message_id
from shared.domain.inbound import header_block

MAX_INBOUND_BYTES = 25 * 1024 * 1024  # Email Routing's inbound message cap

Transport = Callable[[str, Sequence[str], bytes], Awaitable[None]]
"""Outbound delivery: `await transport(envelope_from, recipients, raw_mime)`."""


class Headers:
    """A read-only JS `Headers` look-alike: names case-insensitive, values as they appear (unfolded, not decoded)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        self._given = [(str(name), str(value)) for name, value in items]
        self._items = [(name.lower(), value) for name, value in self._given]

    @classmethod
    def new(cls, init: Any = ()) -> Headers:
        """`new Headers(init)`: pairs (`[[name, value], ...]`), a JS object of names to values, or Headers."""
        if isinstance(init, Headers):
            return cls(init.pairs())
        if isinstance(init, JsObject):
            return cls(init.to_py().items())
        if isinstance(init, Mapping):
            raise EmailTypeError("Headers.new() got a Python mapping; pass pairs or a JS object")
        return cls((pair[0], pair[1]) for pair in init)

    def pairs(self) -> list[tuple[str, str]]:
        """The headers as given (name case kept), for forward()."""
        return list(self._given)

    @classmethod
    def from_raw(cls, raw: bytes) -> Headers:
        # The header block only: parsing hands the parser a str of everything it is given.
        parsed = BytesHeaderParser(policy=email.policy.compat32).parsebytes(header_block(raw))
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


STREAM_PIECE_BYTES = 64 * 1024  # how the local stream cuts the message (the runtime streams it in pieces too)


class Uint8Array:
    """A JS `Uint8Array` as Pyodide shows it: `to_bytes()` copies it into Python."""

    def __init__(self, data: bytes | memoryview) -> None:
        self._data = data

    @property
    def byteLength(self) -> int:  # JS name
        return len(self._data)

    def subarray(self, start: int, end: int | None = None) -> Uint8Array:
        """A view of part of it (no copy), as in JS."""
        return Uint8Array(memoryview(self._data)[start:end])

    def to_bytes(self) -> bytes:
        return bytes(self._data)


@dataclass(frozen=True)
class ReadResult:
    """What `await reader.read()` resolves to: `{done, value}` (`value` is undefined, i.e. None, when done)."""

    done: bool
    value: Uint8Array | None = None


class StreamReader:
    """A ReadableStreamDefaultReader: `await read()`, `await cancel()`, `releaseLock()`."""

    def __init__(self, stream: RawStream) -> None:
        self._stream: RawStream | None = stream

    async def read(self) -> ReadResult:
        if self._stream is None:
            raise EmailTypeError("This ReadableStreamDefaultReader has been released")
        return self._stream._next()

    async def cancel(self, reason: Any = None) -> None:
        if self._stream is not None:
            self._stream._cancel()

    def releaseLock(self) -> None:
        self._stream = None


class RawStream:
    """`message.raw`: a single-use ReadableStream of Uint8Array pieces (`getReader()`; `locked` once read).

    `read_all()` is what the local `js.Response.new(stream).arrayBuffer()` uses; production code reads pieces.
    `fail_after(n)` makes the stream error after n pieces, as a broken delivery would.
    """

    def __init__(self, data: bytes, *, piece_bytes: int = STREAM_PIECE_BYTES) -> None:
        self._data = data
        self._offset = 0
        self._piece = piece_bytes
        self._locked = False
        self._fail_after: int | None = None
        self.pieces_read = 0
        self.cancelled = False

    @property
    def locked(self) -> bool:
        return self._locked

    def fail_after(self, pieces: int) -> None:
        self._fail_after = pieces

    def getReader(self) -> StreamReader:
        if self._locked:
            raise EmailTypeError("ReadableStream is locked: an email's raw stream can be read only once")
        self._locked = True
        return StreamReader(self)

    def _next(self) -> ReadResult:
        if self.cancelled or self._offset >= len(self._data):
            return ReadResult(done=True)
        if self._fail_after is not None and self.pieces_read >= self._fail_after:
            raise EmailError("E_STREAM", "the raw stream failed")
        piece = self._data[self._offset : self._offset + self._piece]
        self._offset += len(piece)
        self.pieces_read += 1
        return ReadResult(done=False, value=Uint8Array(piece))

    def _cancel(self) -> None:
        self.cancelled = True

    async def read_all(self) -> bytes:
        if self._locked:
            raise EmailTypeError("ReadableStream is locked: an email's raw stream can be read only once")
        self._locked = True
        return self._data


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
        piece_bytes: int = STREAM_PIECE_BYTES,
    ) -> None:
        if len(raw) > MAX_INBOUND_BYTES:
            raise ValueError(f"message is {len(raw)} bytes; Email Routing accepts at most {MAX_INBOUND_BYTES}")
        setattr(self, "from", mail_from)  # `from` is a keyword: worker code uses getattr
        self.to = rcpt_to
        self.rawSize = len(raw)
        self.headers = Headers.from_raw(raw)
        self._raw = bytes(raw)
        self._stream = RawStream(self._raw, piece_bytes=piece_bytes)  # how the runtime cuts `raw`
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
        if headers is not None and not isinstance(headers, Headers):
            # Production's forward() takes a JS Headers; a dict or list arrives as a PyProxy and is refused.
            raise EmailTypeError(
                f"forward() got a Python {type(headers).__name__}; headers must be a JS Headers (js.Headers.new(...))"
            )
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
            # Production's reply() gets a PyProxy of the dict, which has no `from` property.
            raise EmailTypeError(
                "reply() got a Python mapping; it needs an EmailMessage or a JS object "
                "(pyodide.ffi.to_js(builder, dict_converter=js.Object.fromEntries))"
            )
        if isinstance(message, JsObject):
            sender, raw, message_id = self._reply_from_builder(message.to_py())
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


def _forward_headers(headers: Headers | None) -> list[tuple[str, str]]:
    """forward()'s headers as pairs, in the order given; only X-* allowed."""
    if headers is None:
        return []
    out: list[tuple[str, str]] = []
    for pair in headers.pairs():
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
