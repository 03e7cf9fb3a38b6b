"""The SMTP client against an in-memory server: a scripted ByteStream that parses what the client writes, answers
each command from a script (in odd-sized pieces, so replies cross read boundaries) and records the wire bytes."""

from __future__ import annotations

import asyncio
import base64
from collections import deque
from collections.abc import Iterable, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.sending.smtp_client import (
    MAYBE_DELIVERED,
    Credentials,
    Envelope,
    SmtpResult,
    deliver,
    message_data,
)

EHLO = (
    b"250-mx.hotel.test greets you\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n"
    b"250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n"
)
MESSAGE = b"From: a@jengu.test\r\nSubject: Hi\r\n\r\nHello\r\n.leading dot\r\n.\r\nbye\r\n"
ENVELOPE = Envelope("sales@jengu.test", "gm@hotel.test", MESSAGE)
CREDS = Credentials("sales@jengu.test", "s3cret-Pw")
Step = tuple[str, bytes | str]  # (the command the client must send, the reply or an action)


class ScriptedStream:
    """One connection. `script` pairs the command expected next (a prefix; "." is the end of DATA) with the reply
    bytes or an action: "close" (EOF from here on), "stall" (the read times out), "reset" (the write fails)."""

    def __init__(self, script: Iterable[Step], greeting: bytes | str = b"220 mx.hotel.test ESMTP\r\n", piece: int = 5):
        self.script: deque[Step] = deque(script)
        self.wire = bytearray()  # everything the client wrote, in order
        self.commands: list[str] = []
        self.piece = piece
        self.tls = False
        self.closed = False
        self.retired = False  # after start_tls, this object must not be used
        self._pending = bytearray()
        self._outbox = bytearray()
        self._eof = False
        self._stall = False
        self._in_data = False
        self._answer(greeting)

    def _answer(self, reply: bytes | str) -> None:
        if reply == "close":
            self._eof = True
        elif reply == "stall":
            self._stall = True
        elif isinstance(reply, bytes):
            self._outbox += reply

    async def read(self) -> bytes:
        assert not self.retired, "read on a stream replaced by start_tls"
        if self._outbox:
            chunk = bytes(self._outbox[: self.piece])
            del self._outbox[: self.piece]
            return chunk
        if self._stall:
            raise TimeoutError
        assert self._eof, f"the client waits for a reply nobody will send (after {self.commands[-1:]})"
        return b""

    async def write(self, data: bytes) -> None:
        assert not self.retired, "write on a stream replaced by start_tls"
        if self._eof:
            raise ConnectionResetError("peer closed")
        self.wire += data
        self._pending += data
        while True:
            if self._in_data:
                end = self._pending.find(b"\r\n.\r\n")
                if end < 0:
                    if self._pending == b".\r\n":  # an empty body
                        end = -2
                    else:
                        return
                self._pending = self._pending[end + 5 :]
                self._in_data = False
                self._command(".")
                continue
            end = self._pending.find(b"\r\n")
            if end < 0:
                return
            line = self._pending[:end].decode()
            del self._pending[: end + 2]
            self._command(line)

    def _command(self, line: str) -> None:
        self.commands.append(line)
        if line == "QUIT":
            self._answer(b"221 bye\r\n")
            return
        assert self.script, f"unexpected command {line!r}"
        expected, reply = self.script.popleft()
        assert line.startswith(expected), f"expected {expected!r}, got {line!r}"
        if reply == "reset":
            self._eof = True
            raise ConnectionResetError("reset by peer")
        if expected == "DATA" and isinstance(reply, bytes) and reply.startswith(b"354"):
            self._in_data = True
        self._answer(reply)

    async def start_tls(self) -> ScriptedStream:
        assert not self.tls
        upgraded = ScriptedStream(self.script, greeting=b"", piece=self.piece)
        upgraded.tls = True
        upgraded.wire, upgraded.commands = self.wire, self.commands  # one record of the whole conversation
        self.retired = True
        self.upgraded = upgraded
        return upgraded

    async def close(self) -> None:
        self.closed = True


def happy(*, auth: Sequence[Step] | None = None, ehlo: bytes = EHLO) -> list[Step]:
    return [
        ("EHLO jengu.test", ehlo),
        *(auth or []),
        ("MAIL FROM:<sales@jengu.test>", b"250 2.1.0 Ok\r\n"),
        ("RCPT TO:<gm@hotel.test>", b"250 2.1.5 Ok\r\n"),
        ("DATA", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
        (".", b"250 2.0.0 Ok: queued as 7F3A21C\r\n"),
    ]


async def run(
    stream: ScriptedStream,
    envelope: Envelope = ENVELOPE,
    *,
    credentials: Credentials | None = None,
    starttls: bool = False,
    timeout_s: float = 5,
) -> SmtpResult:
    return await deliver(
        stream,
        envelope,
        helo_name="jengu.test",
        deadline=asyncio.timeout,
        timeout_s=timeout_s,
        starttls=starttls,
        credentials=credentials,
    )


PLAIN_TOKEN = base64.b64encode(b"\0sales@jengu.test\0s3cret-Pw").decode()


async def test_a_full_dialogue_with_auth_plain() -> None:
    stream = ScriptedStream(happy(auth=[(f"AUTH PLAIN {PLAIN_TOKEN}", b"235 2.7.0 Authentication successful\r\n")]))
    result = await run(stream, credentials=CREDS)
    assert result.outcome == "accepted" and result.step == "message"
    assert (result.code, result.status, result.provider_id) == (250, "2.0.0", "7F3A21C")
    size = len(MESSAGE)  # RFC 1870: the message's octets, not the doubled dots
    assert stream.commands == [
        "EHLO jengu.test",
        f"AUTH PLAIN {PLAIN_TOKEN}",
        f"MAIL FROM:<sales@jengu.test> SIZE={size}",  # SIZE advertised; 7-bit body: no BODY=8BITMIME
        "RCPT TO:<gm@hotel.test>",
        "DATA",
        ".",
        "QUIT",
    ]
    assert stream.closed


async def test_auth_login_when_plain_is_not_offered() -> None:
    ehlo = b"250-mx.hotel.test\r\n250 AUTH LOGIN\r\n"
    auth = [
        ("AUTH LOGIN", b"334 VXNlcm5hbWU6\r\n"),
        (base64.b64encode(b"sales@jengu.test").decode(), b"334 UGFzc3dvcmQ6\r\n"),
        (base64.b64encode(b"s3cret-Pw").decode(), b"235 2.7.0 Authentication successful\r\n"),
    ]
    stream = ScriptedStream(happy(auth=auth, ehlo=ehlo))
    assert (await run(stream, credentials=CREDS)).outcome == "accepted"
    assert stream.commands[1:4] == [step for step, _ in auth]
    assert stream.commands[4] == "MAIL FROM:<sales@jengu.test>"  # no SIZE advertised, none sent


async def test_a_wrong_password_is_a_sender_problem_and_never_shows_the_secret() -> None:
    stream = ScriptedStream([("EHLO", EHLO), ("AUTH PLAIN", b"535 5.7.8 Username and Password not accepted\r\n")])
    result = await run(stream, credentials=CREDS)
    assert (result.outcome, result.step, result.code, result.status) == ("sender_problem", "auth", 535, "5.7.8")
    assert "s3cret" not in repr(result) + repr(CREDS) and PLAIN_TOKEN not in repr(result)
    assert "MAIL" not in " ".join(stream.commands)


async def test_credentials_without_auth_offered_go_nowhere() -> None:
    stream = ScriptedStream([("EHLO", b"250-mx\r\n250 SIZE 100000\r\n")])
    result = await run(stream, credentials=CREDS)
    assert (result.outcome, result.step) == ("sender_problem", "auth")
    assert b"s3cret" not in stream.wire and stream.commands == ["EHLO jengu.test", "QUIT"]


async def test_helo_when_ehlo_is_refused() -> None:
    script = [("EHLO", b"502 5.5.2 Error: command not recognized\r\n"), ("HELO jengu.test", b"250 mx\r\n")]
    stream = ScriptedStream(script + happy()[1:])
    assert (await run(stream)).outcome == "accepted"
    assert stream.commands[2] == "MAIL FROM:<sales@jengu.test>"  # no extensions after HELO


async def test_starttls_then_ehlo_again_and_auth_only_inside_tls() -> None:
    plain_ehlo = b"250-mx.hotel.test\r\n250-STARTTLS\r\n250 SIZE 1000000\r\n"
    script = [
        ("EHLO jengu.test", plain_ehlo),  # AUTH is not even advertised before TLS
        ("STARTTLS", b"220 2.0.0 Ready to start TLS\r\n"),
        *happy(auth=[("AUTH PLAIN", b"235 2.7.0 ok\r\n")]),
    ]
    stream = ScriptedStream(script)
    result = await run(stream, credentials=CREDS, starttls=True)
    assert result.outcome == "accepted"
    assert stream.retired and stream.upgraded.tls
    assert stream.commands[:4] == ["EHLO jengu.test", "STARTTLS", "EHLO jengu.test", f"AUTH PLAIN {PLAIN_TOKEN}"]
    before_tls = bytes(stream.wire[: stream.wire.index(b"STARTTLS\r\n")])
    assert b"AUTH" not in before_tls


async def test_starttls_asked_but_not_offered_is_never_a_silent_downgrade() -> None:
    stream = ScriptedStream([("EHLO", EHLO)])
    result = await run(stream, credentials=CREDS, starttls=True)
    assert (result.outcome, result.step) == ("sender_problem", "starttls")
    assert "STARTTLS" in result.detail and b"AUTH" not in stream.wire


async def test_multi_line_replies_arrive_byte_by_byte() -> None:
    stream = ScriptedStream(
        happy(ehlo=b"250-mx\r\n250-8BITMIME\r\n250-SIZE 2000\r\n250 SMTPUTF8\r\n"),
        greeting=b"220-mx.hotel.test ESMTP\r\n220-no UCE\r\n220 welcome\r\n",
        piece=1,
    )
    assert (await run(stream)).outcome == "accepted"


async def test_a_multi_line_reply_that_changes_its_code_is_not_smtp() -> None:
    stream = ScriptedStream([], greeting=b"220-mx\r\n250 odd\r\n")
    result = await run(stream)
    assert (result.outcome, result.step) == ("transient", "greeting") and "changed its code" in result.detail


@pytest.mark.parametrize("garbage", [b"HTTP/1.1 400 Bad Request\r\n", b"22\r\n", b"220x\r\n"])
async def test_a_malformed_reply_is_transient(garbage: bytes) -> None:
    result = await run(ScriptedStream([], greeting=garbage))
    assert (result.outcome, result.step) == ("transient", "greeting") and "malformed" in result.detail


async def test_capabilities_drive_mail_from_parameters() -> None:
    eight_bit = Envelope("sales@jengu.test", "gm@hotel.test", "Subject: Grüße\r\n\r\nGrüße\r\n".encode())
    stream = ScriptedStream(happy())
    assert (await run(stream, eight_bit)).outcome == "accepted"
    assert stream.commands[1].endswith(" BODY=8BITMIME")

    utf8 = Envelope("sales@jengu.test", "müller@hotel.test", MESSAGE)
    script = happy()
    script[2] = ("RCPT TO:<müller@hotel.test>", b"250 ok\r\n")
    stream = ScriptedStream(script)
    assert (await run(stream, utf8)).outcome == "accepted"
    assert stream.commands[1].endswith(" SMTPUTF8")


async def test_smtputf8_needed_but_not_offered_is_retried_elsewhere_not_bounced() -> None:
    utf8 = Envelope("sales@jengu.test", "müller@hotel.test", MESSAGE)
    stream = ScriptedStream([("EHLO", b"250-mx\r\n250 8BITMIME\r\n")])
    result = await run(stream, utf8)
    assert (result.outcome, result.step) == ("transient", "mail") and "SMTPUTF8" in result.detail


async def test_a_message_over_the_advertised_size_is_not_sent() -> None:
    stream = ScriptedStream([("EHLO", b"250-mx\r\n250 SIZE 20\r\n")])
    result = await run(stream)
    assert (result.outcome, result.step) == ("sender_problem", "mail") and "SIZE 20" in result.detail
    assert stream.commands == ["EHLO jengu.test", "QUIT"]


RCPT_REPLIES = [
    (b"421 4.7.0 Try again later, closing connection\r\n", "rate_limited", 421),
    (b"450 4.2.0 Greylisted, try again later\r\n", "transient", 450),
    (b"550 5.1.1 User unknown\r\n", "recipient_refused", 550),
    (b"550 5.7.1 Message rejected by policy\r\n", "sender_problem", 550),
    (b"452 4.2.2 Mailbox full\r\n", "mailbox_full", 452),
    (b"535 5.7.8 Authentication required\r\n", "sender_problem", 535),
    (b"554 Transaction failed\r\n", "transient", 554),
]


@pytest.mark.parametrize(("reply", "outcome", "code"), RCPT_REPLIES, ids=[r[0][:12].decode() for r in RCPT_REPLIES])
async def test_refusals_at_rcpt(reply: bytes, outcome: str, code: int) -> None:
    script = happy()
    script[2] = ("RCPT TO:", reply)
    stream = ScriptedStream(script[:3])
    result = await run(stream)
    assert (result.outcome, result.step, result.code) == (outcome, "rcpt", code)
    assert "DATA" not in stream.commands and stream.commands[-1] == "QUIT" and stream.closed


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [(b"550 5.7.1 Content rejected as spam\r\n", "sender_problem"), (b"451 4.3.0 Try later\r\n", "transient")],
)
async def test_refusals_after_the_message(reply: bytes, outcome: str) -> None:
    script = happy()
    script[-1] = (".", reply)
    result = await run(ScriptedStream(script))
    assert (result.outcome, result.step) == (outcome, "message") and not result.maybe_delivered


async def test_before_the_recipient_a_permanent_reply_is_about_the_sender() -> None:
    script = happy()
    script[1] = ("MAIL FROM:", b"550 5.1.1 Sender address rejected: User unknown\r\n")
    result = await run(ScriptedStream(script[:2]))
    assert (result.outcome, result.step) == ("sender_problem", "mail")
    result = await run(ScriptedStream([], greeting=b"554 5.7.1 Your IP is on a blocklist\r\n"))
    assert (result.outcome, result.step) == ("sender_problem", "greeting")
    result = await run(ScriptedStream([], greeting=b"421 4.3.2 Service shutting down\r\n"))
    assert (result.outcome, result.step) == ("rate_limited", "greeting")


@pytest.mark.parametrize(("cut", "step"), [(0, "ehlo"), (2, "rcpt"), (3, "data")])
async def test_a_drop_before_the_final_dot_is_plainly_transient(cut: int, step: str) -> None:
    script = happy()
    script[cut] = (script[cut][0], "close")
    result = await run(ScriptedStream(script[: cut + 1]))
    assert (result.outcome, result.step) == ("transient", step)
    assert not result.maybe_delivered and "closed" in result.detail


async def test_a_drop_at_the_greeting_is_transient() -> None:
    result = await run(ScriptedStream([], greeting="close"))
    assert (result.outcome, result.step) == ("transient", "greeting")


async def test_a_reset_while_writing_the_body_is_plainly_transient() -> None:
    script = happy()
    script[3] = ("DATA", b"354 go\r\n")

    class ResetMidBody(ScriptedStream):
        async def write(self, data: bytes) -> None:
            if self._in_data:
                raise ConnectionResetError("reset by peer")
            await super().write(data)

    result = await run(ResetMidBody(script[:4]))
    assert (result.outcome, result.step) == ("transient", "data") and not result.maybe_delivered


@pytest.mark.parametrize("action", ["close", "stall"])
async def test_no_reply_to_the_final_dot_may_have_been_delivered(action: str) -> None:
    script = happy()
    script[-1] = (".", action)
    result = await run(ScriptedStream(script))
    assert (result.outcome, result.step, result.code) == ("transient", "message", None)
    assert result.detail == MAYBE_DELIVERED and result.maybe_delivered


async def test_the_deadline_applies_to_each_step() -> None:
    class Silent(ScriptedStream):
        async def read(self) -> bytes:
            if not self._outbox and not self._eof:
                await asyncio.get_running_loop().create_future()  # a server that never answers
            return await super().read()

    result = await run(Silent([("EHLO", b"")]), timeout_s=0.02)
    assert (result.outcome, result.step) == ("transient", "ehlo") and "no reply within 0.02 s" in result.detail


async def test_an_unexpected_positive_reply_breaks_the_dialogue() -> None:
    script = happy()
    script[3] = ("DATA", b"250 ok?\r\n")
    result = await run(ScriptedStream(script[:4]))
    assert (result.outcome, result.step) == ("transient", "data")


@pytest.mark.parametrize(
    ("envelope", "step", "outcome"),
    [
        (Envelope("sales@jengu.test", "gm@hotel.test\r\nRCPT TO:<x@evil.test>", MESSAGE), "rcpt", "recipient_refused"),
        (Envelope("sales@jengu.test>\r\nDATA", "gm@hotel.test", MESSAGE), "mail", "sender_problem"),
        (Envelope("sales@jengu.test", "", MESSAGE), "rcpt", "recipient_refused"),
    ],
)
async def test_an_address_that_would_inject_commands_never_reaches_the_wire(
    envelope: Envelope, step: str, outcome: str
) -> None:
    stream = ScriptedStream([])
    result = await run(stream, envelope)
    assert (result.outcome, result.step) == (outcome, step)
    assert stream.wire == b"" and stream.closed


def test_dot_stuffing_and_line_ends() -> None:
    assert message_data(b".a\r\n..b\r\nc.\r\n.") == b"..a\r\n...b\r\nc.\r\n..\r\n"
    assert message_data(b"a\nb\rc\r\n") == b"a\r\nb\r\nc\r\n"  # no bare LF or CR ever reaches the wire
    assert message_data(b"no final newline") == b"no final newline\r\n"


async def test_the_body_on_the_wire_is_stuffed_and_terminated_once() -> None:
    stream = ScriptedStream(happy())
    await run(stream)
    wire = bytes(stream.wire)
    body = wire[wire.index(b"DATA\r\n") + 6 : wire.index(b"QUIT")]
    assert body == b"From: a@jengu.test\r\nSubject: Hi\r\n\r\nHello\r\n..leading dot\r\n..\r\nbye\r\n.\r\n"


def _unstuff(data: bytes) -> bytes:
    return b"".join(line[1:] if line.startswith(b".") else line for line in data.splitlines(keepends=True))


@given(st.binary(max_size=300) | st.lists(st.sampled_from([b".", b"\r\n", b"\n", b"\r", b"a", b".."])).map(b"".join))
def test_stuffed_data_never_ends_early_and_unstuffs_to_the_message(message: bytes) -> None:
    data = message_data(message)
    assert data.endswith(b"\r\n")
    assert b"\r\n.\r\n" not in b"\r\n" + data  # the terminator can only be the one the client appends
    assert b"\r" not in data.replace(b"\r\n", b"") and b"\n" not in data.replace(b"\r\n", b"")
    normalised = message.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")
    if not normalised.endswith(b"\r\n"):
        normalised += b"\r\n"
    assert _unstuff(data) == normalised
