"""An SMTP client (RFC 5321) in pure Python over a byte stream: one message to one recipient per connection.

    greeting 220 -> EHLO (HELO when EHLO is refused) -> STARTTLS + EHLO again (when asked; refused if not offered:
    never a silent downgrade) -> AUTH PLAIN or LOGIN (when credentials are given) -> MAIL FROM (SIZE=, BODY=8BITMIME,
    SMTPUTF8 when advertised and needed) -> RCPT TO -> DATA, the dot-stuffed message, CRLF.CRLF -> QUIT

Every step's reply is awaited under `deadline(timeout_s)` (the adapter passes `asyncio.timeout`; the domain imports
no asyncio). `deliver` never raises for what the server or the network does: it returns an `SmtpResult` for every
outcome, classified by shared.domain.sending.smtp_replies and adjusted to the step:

- before RCPT (greeting, EHLO, STARTTLS, AUTH, MAIL FROM) a permanent reply cannot be about the recipient: any 5xx
  there is `sender_problem` (a bad password, a refused sender, a blocked IP), 4xx stay as classified;
- a dropped connection, a timeout or a malformed reply before the final "." is `transient`;
- once the terminating "." has started to go out, a drop or a timeout before its reply is `transient` with the
  detail "unknown: may have been delivered" (`SmtpResult.maybe_delivered`): the server may have queued the message,
  so the send consumer reconciles instead of sending again.

Credentials only ever go to the stream, base64-encoded as AUTH requires; no detail, repr or error carries them.
Message lines are normalised to CRLF (a bare CR or LF is never sent: SMTP smuggling) and dot-stuffed.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, suppress
from dataclasses import dataclass, field
from typing import Any, Protocol

from shared.domain.sending.outcomes import SendOutcome
from shared.domain.sending.smtp_replies import classify_reply

MAYBE_DELIVERED = "unknown: may have been delivered"
MAX_REPLY_BYTES = 64 * 1024  # a reply longer than this is not SMTP
WRITE_CHUNK = 64 * 1024
_LINE_END = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")
_UNSAFE = re.compile(r"[\x00-\x20\x7f<>]")
_QUEUE_ID = re.compile(r"(?:queued as|id=|<)\s*([A-Za-z0-9][A-Za-z0-9._@-]{2,})", re.IGNORECASE)

TimeoutFn = Callable[[float], AbstractAsyncContextManager[Any]]


class Stream(Protocol):
    """What the client needs of a connection (`shared.ports.streams.ByteStream` fits)."""

    async def read(self) -> bytes: ...

    async def write(self, data: bytes) -> None: ...

    async def start_tls(self) -> Stream: ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Credentials:
    username: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Envelope:
    mail_from: str
    rcpt_to: str
    message: bytes  # the complete RFC 5322 message


@dataclass(frozen=True, slots=True)
class SmtpResult:
    outcome: SendOutcome
    step: str  # greeting, ehlo, starttls, auth, mail, rcpt, data, message (the final "." reply)
    code: int | None = None
    status: str | None = None
    detail: str = ""
    provider_id: str | None = None  # the server's queue id from the final 250, when it names one

    @property
    def maybe_delivered(self) -> bool:
        return self.detail == MAYBE_DELIVERED


@dataclass(frozen=True, slots=True)
class ServerReply:
    code: int
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines if line.strip())


class _Failed(Exception):
    def __init__(self, result: SmtpResult) -> None:
        self.result = result


class _Broken(Exception):
    """The stream failed, timed out or spoke something other than SMTP."""


class _Replies:
    """Reads replies from the stream: lines of "NNN-text" ending with "NNN text" (RFC 5321 §4.2.1)."""

    def __init__(self, stream: Stream) -> None:
        self.stream = stream
        self._buffer = b""

    async def read(self) -> ServerReply:
        lines: list[str] = []
        code: int | None = None
        while True:
            line = await self._line()
            if len(line) < 3 or not line[:3].isdigit() or (len(line) > 3 and line[3] not in " -"):
                raise _Broken(f"malformed reply line {line[:80]!r}")
            if code is not None and int(line[:3]) != code:
                raise _Broken("a multi-line reply changed its code")
            code = int(line[:3])
            lines.append(line[4:])
            if len(line) == 3 or line[3] == " ":
                return ServerReply(code, tuple(lines))

    async def _line(self) -> str:
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line, self._buffer = self._buffer[:end], self._buffer[end + 1 :]
                return line.rstrip(b"\r").decode("utf-8", "replace")
            if len(self._buffer) > MAX_REPLY_BYTES:
                raise _Broken("reply line too long")
            chunk = await self.stream.read()
            if not chunk:
                raise _Broken("connection closed by the server")
            self._buffer += chunk


@dataclass
class _Session:
    replies: _Replies
    deadline: TimeoutFn
    timeout_s: float
    extensions: dict[str, str] = field(default_factory=dict)  # EHLO keywords (upper case) -> parameters

    async def command(self, step: str, line: bytes | None, *, expect: tuple[int, ...]) -> ServerReply:
        """Send `line` (None: just read, as for the greeting), await the reply; a reply outside `expect` fails."""
        try:
            async with self.deadline(self.timeout_s):
                if line is not None:
                    await self.replies.stream.write(line)
                reply = await self.replies.read()
        except _Broken as exc:
            raise _Failed(SmtpResult(SendOutcome.TRANSIENT, step, detail=f"{step}: {exc}")) from None
        except TimeoutError:
            raise _Failed(
                SmtpResult(SendOutcome.TRANSIENT, step, detail=f"{step}: no reply within {self.timeout_s:g} s")
            ) from None
        except Exception as exc:  # the stream's own errors: reset, refused, TLS
            raise _Failed(
                SmtpResult(SendOutcome.TRANSIENT, step, detail=f"{step}: connection lost ({_name(exc)})")
            ) from None
        if reply.code not in expect:
            raise _Failed(_refused(step, reply))
        return reply

    async def write(self, step: str, data: bytes) -> None:
        try:
            for start in range(0, len(data), WRITE_CHUNK):
                async with self.deadline(self.timeout_s):
                    await self.replies.stream.write(data[start : start + WRITE_CHUNK])
        except TimeoutError:
            raise _Failed(SmtpResult(SendOutcome.TRANSIENT, step, detail=f"{step}: write timed out")) from None
        except Exception as exc:
            raise _Failed(
                SmtpResult(SendOutcome.TRANSIENT, step, detail=f"{step}: connection lost ({_name(exc)})")
            ) from None


_BEFORE_ENVELOPE = frozenset({"greeting", "ehlo", "starttls", "auth", "mail"})


def _refused(step: str, reply: ServerReply) -> SmtpResult:
    classified = classify_reply(reply.code, reply.text)
    outcome = classified.outcome
    if outcome == SendOutcome.ACCEPTED:  # a 2xx/3xx where another was due (e.g. 250 to DATA): the dialogue is broken
        outcome = SendOutcome.TRANSIENT
    elif step in _BEFORE_ENVELOPE and 500 <= reply.code < 600:
        outcome = SendOutcome.SENDER_PROBLEM
    return SmtpResult(outcome, step, reply.code, classified.status, classified.detail)


def _name(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _extensions(reply: ServerReply) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in reply.lines[1:]:  # the first line is the server's name
        keyword, _, params = line.strip().partition(" ")
        if keyword:
            found[keyword.upper()] = params.strip()
    return found


def _b64(text: str) -> bytes:
    return base64.b64encode(text.encode("utf-8"))


def normalise(message: bytes) -> bytes:
    """The message with CRLF line ends only, ending in CRLF: what the server stores, and what SIZE= counts."""
    data = _LINE_END.sub(b"\r\n", message)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def message_data(message: bytes) -> bytes:
    """The message as DATA carries it: normalised, leading dots doubled (the terminating "." is not here)."""
    return _LEADING_DOT.sub(b"..", normalise(message))


def _address(value: str) -> bytes:
    return f"<{value}>".encode()


def envelope_problem(envelope: Envelope, helo_name: str) -> SmtpResult | None:
    """An envelope that must never reach the wire: a control character, space or angle bracket in an address (it
    would inject commands) or in the HELO name, or an empty address."""
    checks: tuple[tuple[str, str, SendOutcome], ...] = (
        ("ehlo", helo_name, SendOutcome.SENDER_PROBLEM),
        ("mail", envelope.mail_from, SendOutcome.SENDER_PROBLEM),
        ("rcpt", envelope.rcpt_to, SendOutcome.RECIPIENT_REFUSED),
    )
    for step, value, outcome in checks:
        if not value or _UNSAFE.search(value):
            return SmtpResult(outcome, step, detail=f"{step}: {value!r} is not a valid address or name")
    return None


async def deliver(
    stream: Stream,
    envelope: Envelope,
    *,
    helo_name: str,
    deadline: TimeoutFn,
    timeout_s: float,
    starttls: bool = False,
    credentials: Credentials | None = None,
) -> SmtpResult:
    """Run one SMTP dialogue on an open `stream` and close it. Never raises for the server's or network's doing."""
    problem = envelope_problem(envelope, helo_name)
    if problem is not None:
        await _close(stream)
        return problem
    session = _Session(_Replies(stream), deadline, timeout_s)
    try:
        return await _dialogue(session, envelope, helo_name, starttls, credentials)
    except _Failed as failed:
        return failed.result
    finally:
        await _quit(session)


async def _dialogue(
    session: _Session, envelope: Envelope, helo_name: str, starttls: bool, credentials: Credentials | None
) -> SmtpResult:
    await session.command("greeting", None, expect=(220,))
    await _hello(session, helo_name)
    if starttls:
        if "STARTTLS" not in session.extensions:
            return SmtpResult(
                SendOutcome.SENDER_PROBLEM, "starttls", detail="starttls: the server does not offer STARTTLS"
            )
        await session.command("starttls", b"STARTTLS\r\n", expect=(220,))
        try:
            async with session.deadline(session.timeout_s):
                session.replies = _Replies(await session.replies.stream.start_tls())
        except Exception as exc:
            return SmtpResult(
                SendOutcome.TRANSIENT, "starttls", detail=f"starttls: TLS handshake failed ({_name(exc)})"
            )
        await _hello(session, helo_name)
    if credentials is not None:
        await _authenticate(session, credentials)
    data = message_data(envelope.message)
    await session.command("mail", _mail_from(session, envelope, len(normalise(envelope.message))), expect=(250,))
    await session.command("rcpt", b"RCPT TO:" + _address(envelope.rcpt_to) + b"\r\n", expect=(250, 251))
    await session.command("data", b"DATA\r\n", expect=(354,))
    await session.write("data", data)
    try:
        reply = await session.command("message", b".\r\n", expect=(250,))
    except _Failed as failed:
        if failed.result.code is None:  # no reply to the ".": the server may have taken the message
            return SmtpResult(SendOutcome.TRANSIENT, "message", detail=MAYBE_DELIVERED)
        raise
    text = classify_reply(reply.code, reply.text)
    queue_id = _QUEUE_ID.search(text.detail)
    return SmtpResult(
        SendOutcome.ACCEPTED, "message", reply.code, text.status, text.detail, queue_id.group(1) if queue_id else None
    )


async def _hello(session: _Session, helo_name: str) -> None:
    try:
        reply = await session.command("ehlo", f"EHLO {helo_name}\r\n".encode(), expect=(250,))
    except _Failed as failed:
        if failed.result.code is None or not 500 <= failed.result.code < 600:
            raise
        await session.command("ehlo", f"HELO {helo_name}\r\n".encode(), expect=(250,))
        session.extensions = {}
        return
    session.extensions = _extensions(reply)


async def _authenticate(session: _Session, credentials: Credentials) -> None:
    mechanisms = set(session.extensions.get("AUTH", "").upper().split())
    if "PLAIN" in mechanisms:
        token = base64.b64encode(f"\0{credentials.username}\0{credentials.password}".encode())
        await session.command("auth", b"AUTH PLAIN " + token + b"\r\n", expect=(235,))
    elif "LOGIN" in mechanisms:
        await session.command("auth", b"AUTH LOGIN\r\n", expect=(334,))
        await session.command("auth", _b64(credentials.username) + b"\r\n", expect=(334,))
        await session.command("auth", _b64(credentials.password) + b"\r\n", expect=(235,))
    else:
        offered = " ".join(sorted(mechanisms)) or "no AUTH"
        raise _Failed(
            SmtpResult(SendOutcome.SENDER_PROBLEM, "auth", detail=f"auth: the server offers {offered}, not PLAIN/LOGIN")
        )


def _mail_from(session: _Session, envelope: Envelope, size: int) -> bytes:
    params: list[str] = []
    size_limit = session.extensions.get("SIZE")
    if size_limit is not None:
        if size_limit.isdigit() and int(size_limit) and size > int(size_limit):
            raise _Failed(
                SmtpResult(
                    SendOutcome.SENDER_PROBLEM,
                    "mail",
                    detail=f"mail: {size} bytes exceed the server's SIZE {size_limit}",
                )
            )
        params.append(f"SIZE={size}")
    if "8BITMIME" in session.extensions and any(byte > 127 for byte in envelope.message):
        params.append("BODY=8BITMIME")
    if not (envelope.mail_from + envelope.rcpt_to).isascii():
        if "SMTPUTF8" not in session.extensions:  # not the recipient's fault: another transport may carry it
            raise _Failed(SmtpResult(SendOutcome.TRANSIENT, "mail", detail="mail: the server does not offer SMTPUTF8"))
        params.append("SMTPUTF8")
    suffix = "".join(f" {p}" for p in params)
    return b"MAIL FROM:" + _address(envelope.mail_from) + suffix.encode() + b"\r\n"


async def _quit(session: _Session) -> None:
    """QUIT politely (its reply is not waited for long and does not matter), then close the stream."""
    with suppress(Exception):  # the message's fate is already decided; a failed QUIT changes nothing
        async with session.deadline(min(session.timeout_s, 5.0)):
            await session.replies.stream.write(b"QUIT\r\n")
            await session.replies.read()
    await _close(session.replies.stream)


async def _close(stream: Stream) -> None:
    with suppress(Exception):  # closing must not turn a result into an error
        await stream.close()
