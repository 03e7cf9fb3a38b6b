"""The local email runtime: LocalEmailMessage, the inbound SMTP listener, the SMTP sink and the send_email binding.

All servers bind 127.0.0.1 on ephemeral ports (port=0) inside the test's own event loop.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiosmtplib
import js
import pytest
from pyodide.ffi import JsException

from local.email import (
    EmailError,
    InboundSmtpServer,
    LocalEmailMessage,
    LocalSendEmail,
    RawEmailMessage,
    RawStream,
    SmtpSink,
    deliver_smtp,
    read_outbox,
    smtp_transport,
)
from local.email.message import MAX_INBOUND_BYTES
from local.email.mime import EmailTypeError
from shared.platform.cloudflare import to_js_object
from tests.samples import INBOUND_SAMPLES

SAMPLES = INBOUND_SAMPLES

HOTEL = "hannah@sonnenhof-hotel.example"
JENGU = "outreach@jengu.example"
SENT_ID = "<sent-42@jengu.example>"


def sample(name: str, *, frm: str = HOTEL, to: str = JENGU) -> bytes:
    """A sample .eml with its placeholders filled, in wire form (CRLF)."""
    text = (SAMPLES / f"{name}.eml").read_text(encoding="utf-8")
    for key, value in {
        "{{FROM}}": frm,
        "{{TO}}": to,
        "{{DATE}}": "Mon, 23 Nov 2026 10:02:11 +0100",
        "{{MSGID}}": SENT_ID,
        "{{SUBJECT}}": "A quick question about bookings",
    }.items():
        text = text.replace(key, value)
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    async with SmtpSink(tmp_path / "outbox", port=0) as server:
        yield server


# -- LocalEmailMessage -----------------------------------------------------------------------------------------


async def test_message_looks_like_forwardable_email_message() -> None:
    raw = sample("reply_interested")
    msg = LocalEmailMessage(HOTEL, JENGU, raw)

    assert getattr(msg, "from") == HOTEL
    assert msg.to == JENGU
    assert msg.rawSize == len(raw)
    assert msg.headers.get("subject") == "Re: A quick question about bookings"
    assert msg.headers.get("SUBJECT") == msg.headers.get("Subject")
    assert msg.headers.get("in-reply-to") == SENT_ID
    assert msg.headers.has("Message-Id") and not msg.headers.has("X-Nope")
    assert msg.headers.get("x-nope") is None
    assert isinstance(msg.raw, RawStream)

    data = (await js.Response.new(msg.raw).arrayBuffer()).to_bytes()
    assert data == raw
    assert msg.raw.locked
    with pytest.raises(TypeError, match="locked"):
        await js.Response.new(msg.raw).arrayBuffer()
    with pytest.raises(JsException):
        await msg.raw.read_all()
    with pytest.raises(JsException, match="locked"):
        msg.raw.getReader()
    assert msg.raw_bytes == raw  # the Python-side copy stays readable


async def test_raw_is_a_stream_of_uint8array_pieces_read_with_a_reader() -> None:
    """The shape production's handler reads: getReader(), read() -> {done, value}, value.to_bytes(), releaseLock."""
    raw = b"Subject: pieces\r\n\r\n" + bytes(range(256)) * 1000  # 256 KB: several 64 KiB pieces
    msg = LocalEmailMessage(HOTEL, JENGU, raw)
    reader = msg.raw.getReader()
    assert msg.raw.locked
    pieces: list[bytes] = []
    while not (result := await reader.read()).done:
        assert result.value is not None
        pieces.append(result.value.to_bytes())
    assert result.value is None
    assert len(pieces) == 4 and b"".join(pieces) == raw
    reader.releaseLock()
    with pytest.raises(JsException, match="released"):
        await reader.read()


async def test_a_cancelled_stream_ends_and_a_failing_one_raises() -> None:
    msg = LocalEmailMessage(HOTEL, JENGU, b"Subject: x\r\n\r\n" + b"a" * 200_000)
    reader = msg.raw.getReader()
    assert not (await reader.read()).done
    await reader.cancel()
    assert msg.raw.cancelled and (await reader.read()).done

    failing = LocalEmailMessage(HOTEL, JENGU, b"Subject: x\r\n\r\n" + b"a" * 200_000)
    failing.raw.fail_after(2)
    reader = failing.raw.getReader()
    await reader.read()
    await reader.read()
    with pytest.raises(JsException):
        await reader.read()


async def test_headers_unfold_and_join_repeats() -> None:
    raw = b"Subject: one\r\n two\r\nReceived: a\r\nReceived: b\r\nX-U: caf\xc3\xa9\r\n\r\nbody\r\n"
    msg = LocalEmailMessage("a@x.example", "b@y.example", raw)
    assert msg.headers.get("subject") == "one two"
    assert msg.headers.get("received") == "a, b"
    assert msg.headers.get("x-u") == "café"
    assert dict(msg.headers.entries())["received"] == "a, b"


async def test_set_reject_is_recorded() -> None:
    msg = LocalEmailMessage(HOTEL, JENGU, sample("reply_unsubscribe"))
    assert msg.rejected_reason is None and not msg.rejected
    msg.setReject("Unknown recipient")
    assert msg.rejected_reason == "Unknown recipient" and msg.rejected


def test_inbound_size_cap() -> None:
    LocalEmailMessage(HOTEL, JENGU, b"Subject: x\r\n\r\n" + b"a" * 100)
    with pytest.raises(ValueError, match="at most"):
        LocalEmailMessage(HOTEL, JENGU, b"x" * (MAX_INBOUND_BYTES + 1))


async def test_forward_only_allows_x_headers() -> None:
    msg = LocalEmailMessage(HOTEL, JENGU, sample("reply_interested"))
    with pytest.raises(TypeError, match="X-"):
        await msg.forward("team@jengu.example", js.Headers.new([["Subject", "nope"]]))
    with pytest.raises(JsException, match="X-"):
        await msg.forward("team@jengu.example", js.Headers.new(to_js_object({"Reply-To": "x@y.example"})))
    assert msg.forwards == []

    result = await msg.forward("team@jengu.example", js.Headers.new([["X-Jengu-Lead", "17"]]))  # recorded only
    assert result == {"messageId": "<sample-reply-1@sonnenhof-hotel.example>"}
    assert msg.forwards[0].rcpt_to == "team@jengu.example"
    assert msg.forwards[0].headers == [("X-Jengu-Lead", "17")]


async def test_forward_lands_in_the_sink(sink: SmtpSink) -> None:
    raw = sample("reply_interested")
    msg = LocalEmailMessage(HOTEL, JENGU, raw, forwarder=smtp_transport(port=sink.port))
    await msg.forward("team@jengu.example", js.Headers.new([["X-Jengu-Lead", "17"]]))

    [out] = sink.messages()
    assert out["X-Jengu-Envelope-From"] == f"<{HOTEL}>"
    assert out["X-Jengu-Envelope-To"] == "<team@jengu.example>"
    assert out["X-Jengu-Lead"] == "17"
    assert out["Message-ID"] == "<sample-reply-1@sonnenhof-hotel.example>"
    assert sink.written[0].read_bytes().endswith(raw)


async def test_reply_with_builder_threads_and_goes_to_the_sender(sink: SmtpSink) -> None:
    msg = LocalEmailMessage(HOTEL, JENGU, sample("reply_interested"), forwarder=smtp_transport(port=sink.port))
    with pytest.raises(EmailError) as wrong_domain:
        await msg.reply(to_js_object({"from": "me@elsewhere.example", "subject": "Re: x", "text": "hi"}))
    assert wrong_domain.value.code == "E_VALIDATION_ERROR"

    result = await msg.reply(to_js_object({"from": JENGU, "subject": "Re: setup", "text": "Happy to explain."}))
    assert result["messageId"] == msg.reply_message_id

    [out] = sink.messages()
    assert out["To"] == HOTEL
    assert out["In-Reply-To"] == "<sample-reply-1@sonnenhof-hotel.example>"
    assert out["References"] == f"{SENT_ID} <sample-reply-1@sonnenhof-hotel.example>"
    assert out["Message-ID"] == result["messageId"]
    assert out.get_content().strip() == "Happy to explain."

    with pytest.raises(EmailError) as twice:
        await msg.reply(to_js_object({"from": JENGU, "subject": "again", "text": "again"}))
    assert twice.value.code == "E_REPLY_ALREADY_SENT"


async def test_python_mappings_and_lists_are_refused_as_in_production() -> None:
    """forward() needs a JS Headers and reply() an EmailMessage or JS object: a dict or list is a PyProxy there."""
    msg = LocalEmailMessage(HOTEL, JENGU, sample("reply_interested"))
    for headers in ({"X-Jengu-Lead": "17"}, [["X-Jengu-Lead", "17"]], (("X-Jengu-Lead", "17"),)):
        with pytest.raises(EmailTypeError, match="JS Headers"):
            await msg.forward("team@jengu.example", headers)
    with pytest.raises(EmailTypeError, match="Python mapping"):
        js.Headers.new({"X-Jengu-Lead": "17"})
    with pytest.raises(EmailTypeError, match="Python mapping"):
        await msg.reply({"from": JENGU, "subject": "Re: setup", "text": "hi"})
    assert msg.forwards == [] and msg.reply_raw is None


async def test_reply_with_raw_message_requires_in_reply_to() -> None:
    msg = LocalEmailMessage(HOTEL, JENGU, sample("reply_interested"))
    bare = f"From: {JENGU}\r\nTo: {HOTEL}\r\nSubject: Re\r\n\r\nok\r\n"
    with pytest.raises(EmailError, match="In-Reply-To"):
        await msg.reply(RawEmailMessage(JENGU, HOTEL, bare))
    threaded = f"In-Reply-To: <sample-reply-1@sonnenhof-hotel.example>\r\n{bare}"
    result = await msg.reply(RawEmailMessage.new(JENGU, HOTEL, threaded))
    assert msg.reply_raw is not None and msg.reply_raw.startswith(b"Message-ID: " + result["messageId"].encode())


# -- InboundSmtpServer -------------------------------------------------------------------------------------------


async def test_inbound_delivers_each_recipient() -> None:
    raw = sample("reply_interested")
    got: list[LocalEmailMessage] = []

    async def deliver(message: LocalEmailMessage) -> None:
        got.append(message)

    async with InboundSmtpServer(deliver, port=0) as smtp:
        assert smtp.port > 0
        refused, reply = await aiosmtplib.send(
            raw, sender=HOTEL, recipients=[JENGU, "team@jengu.example"], hostname="127.0.0.1", port=smtp.port
        )
    assert refused == {} and reply.startswith("2.0.0")
    assert [getattr(m, "from") for m in got] == [HOTEL, HOTEL]
    assert [m.to for m in got] == [JENGU, "team@jengu.example"]
    assert (await got[0].raw.read_all()) == raw
    assert got[1].raw_bytes == raw


async def test_inbound_answers_550_on_set_reject() -> None:
    async def deliver(message: LocalEmailMessage) -> None:
        message.setReject("Address does not exist")

    async with InboundSmtpServer(deliver, port=0) as smtp:
        with pytest.raises(aiosmtplib.SMTPDataError) as err:
            await aiosmtplib.send(
                sample("bounce_user_unknown"),
                sender="MAILER-DAEMON@smtp.outbound.example",
                recipients=[JENGU],
                hostname="127.0.0.1",
                port=smtp.port,
            )
    assert err.value.code == 550
    assert err.value.message == "5.7.1 Address does not exist"


async def test_inbound_answers_451_when_the_handler_raises(caplog: pytest.LogCaptureFixture) -> None:
    async def deliver(message: LocalEmailMessage) -> None:
        raise RuntimeError("database is down")

    async with InboundSmtpServer(deliver, port=0) as smtp:
        with pytest.raises(aiosmtplib.SMTPDataError) as err:
            await aiosmtplib.send(
                sample("out_of_office"), sender=HOTEL, recipients=[JENGU], hostname="127.0.0.1", port=smtp.port
            )
    assert (err.value.code, err.value.message) == (451, "4.3.0 Temporary failure")
    assert "database is down" in caplog.text


async def test_inbound_forward_reaches_the_sink(sink: SmtpSink) -> None:
    async def deliver(message: LocalEmailMessage) -> None:
        await message.forward("team@jengu.example", js.Headers.new([["X-Jengu-Route", "inbox"]]))

    async with InboundSmtpServer(deliver, port=0, forwarder=smtp_transport(port=sink.port)) as smtp:
        await aiosmtplib.send(
            sample("reply_unsubscribe"), sender=HOTEL, recipients=[JENGU], hostname="127.0.0.1", port=smtp.port
        )
    [out] = sink.messages()
    assert out["X-Jengu-Route"] == "inbox"
    assert out["Subject"] == "Re: A quick question about bookings"


# -- SmtpSink -----------------------------------------------------------------------------------------------------


async def test_sink_stores_eml_files_with_the_envelope(sink: SmtpSink) -> None:
    for n in range(3):
        raw = f"From: {JENGU}\r\nTo: {HOTEL}\r\nSubject: n{n}\r\n\r\nbody {n}\r\n".encode()
        await deliver_smtp(JENGU, [HOTEL, "bcc@jengu.example"], raw, port=sink.port)

    files = sorted(p.name for p in sink.outbox.iterdir())
    assert len(files) == 3 and files == [p.name for p in sink.written]
    assert all(re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}\.eml", name) for name in files)

    messages = read_outbox(sink.outbox)
    assert [m["Subject"] for m in messages] == ["n0", "n1", "n2"]
    assert messages[0]["X-Jengu-Envelope-From"] == f"<{JENGU}>"
    assert messages[0]["X-Jengu-Envelope-To"] == f"<{HOTEL}>, <bcc@jengu.example>"
    assert messages[2].get_content() == "body 2\n"
    assert read_outbox(sink.outbox / "missing") == []


# -- LocalSendEmail -------------------------------------------------------------------------------------------------


async def test_send_builder_lands_in_the_outbox(sink: SmtpSink) -> None:
    binding = LocalSendEmail("EMAIL", smtp_port=sink.port)
    result = await binding.send(
        to_js_object(
            {
                "from": {"email": JENGU, "name": "Jengu Outreach"},
                "to": [HOTEL],
                "cc": "ops@jengu.example",
                "bcc": ["archive@jengu.example"],
                "subject": "Bookings at Sonnenhof — a quick idea",
                "text": "Hallo Hannah,\nkurze Frage …",
                "html": "<p>Hallo Hannah</p>",
                "replyTo": "replies@jengu.example",
                "headers": {"X-Jengu-Lead": "17", "List-Unsubscribe": "<https://jengu.example/u/17>"},
                "attachments": [
                    {"content": "SGVsbG8=", "filename": "hi.txt", "type": "text/plain", "disposition": "attachment"}
                ],
            }
        )
    )
    assert re.fullmatch(r"<[0-9a-f]{32}@jengu\.example>", result["messageId"])

    [out] = sink.messages()
    assert out["Message-ID"] == result["messageId"]
    assert out["From"] == "Jengu Outreach <outreach@jengu.example>"
    assert out["To"] == HOTEL
    assert out["Cc"] == "ops@jengu.example"
    assert out["Bcc"] is None
    assert out["Reply-To"] == "replies@jengu.example"
    assert out["Subject"] == "Bookings at Sonnenhof — a quick idea"
    assert out["X-Jengu-Lead"] == "17"
    assert out["Date"] is not None
    assert out["X-Jengu-Envelope-To"] == f"<{HOTEL}>, <ops@jengu.example>, <archive@jengu.example>"
    text = out.get_body(preferencelist=("plain",))
    html = out.get_body(preferencelist=("html",))
    assert text is not None and text.get_content() == "Hallo Hannah,\nkurze Frage …\n"
    assert html is not None and "<p>Hallo Hannah</p>" in html.get_content()
    [attachment] = list(out.iter_attachments())
    assert attachment.get_filename() == "hi.txt" and attachment.get_content() == "Hello"


async def test_send_raw_email_message(sink: SmtpSink) -> None:
    binding = LocalSendEmail("EMAIL", smtp_port=sink.port)
    raw = f"From: {JENGU}\nTo: {HOTEL}\nSubject: raw\nMessage-ID: {SENT_ID}\n\nhello\n"
    assert await binding.send(RawEmailMessage(JENGU, HOTEL, raw)) == {"messageId": SENT_ID}
    result = await binding.send(RawEmailMessage(JENGU, HOTEL, b"Subject: no id\r\n\r\nhi\r\n"))

    first, second = sink.messages()
    assert (first["Subject"], first["Message-ID"], first.get_content()) == ("raw", SENT_ID, "hello\n")
    assert second["Message-ID"] == result["messageId"]
    assert second["X-Jengu-Envelope-From"] == f"<{JENGU}>"


async def test_send_restrictions_and_destination_default(sink: SmtpSink) -> None:
    senders = LocalSendEmail("EMAIL", smtp_port=sink.port, allowed_sender_addresses=[JENGU])
    with pytest.raises(EmailError) as err:
        await senders.send(to_js_object({"from": "other@jengu.example", "to": HOTEL, "subject": "s", "text": "t"}))
    assert err.value.code == "E_SENDER_NOT_ALLOWED"

    allow = LocalSendEmail("EMAIL", smtp_port=sink.port, allowed_destination_addresses=["Ops@Jengu.example"])
    with pytest.raises(EmailError) as err:
        await allow.send(to_js_object({"from": JENGU, "to": ["ops@jengu.example", HOTEL], "subject": "s", "text": "t"}))
    assert err.value.code == "E_RECIPIENT_NOT_ALLOWED"
    with pytest.raises(EmailError) as err:
        await allow.send(RawEmailMessage(JENGU, HOTEL, "Subject: s\n\nt\n"))
    assert err.value.code == "E_RECIPIENT_NOT_ALLOWED"
    await allow.send(to_js_object({"from": JENGU, "to": "ops@jengu.example", "subject": "s", "text": "t"}))

    fixed = LocalSendEmail("OPS", smtp_port=sink.port, destination_address="ops@jengu.example")
    with pytest.raises(EmailError) as err:
        await fixed.send(to_js_object({"from": JENGU, "to": HOTEL, "subject": "s", "text": "t"}))
    assert err.value.code == "E_RECIPIENT_NOT_ALLOWED"
    await fixed.send(to_js_object({"from": JENGU, "subject": "to the fixed address", "text": "t"}))

    assert [m["To"] for m in sink.messages()] == ["ops@jengu.example", "ops@jengu.example"]


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"to": HOTEL, "subject": "s", "text": "t"}, "E_FIELD_MISSING"),
        ({"from": JENGU, "to": HOTEL, "text": "t"}, "E_FIELD_MISSING"),
        ({"from": JENGU, "to": HOTEL, "subject": "s"}, "E_FIELD_MISSING"),
        ({"from": "not-an-address", "to": HOTEL, "subject": "s", "text": "t"}, "E_VALIDATION_ERROR"),
        ({"from": JENGU, "to": HOTEL, "subject": "s" * 999, "text": "t"}, "E_VALIDATION_ERROR"),
        (
            {"from": JENGU, "to": [f"r{i}@x.example" for i in range(40)], "bcc": [f"b{i}@x.example" for i in range(11)]}
            | {"subject": "s", "text": "t"},
            "E_TOO_MANY_RECIPIENTS",
        ),
        ({"from": JENGU, "to": HOTEL, "subject": "s", "text": "t", "headers": {"Date": "x"}}, "E_HEADER_NOT_ALLOWED"),
        (
            {"from": JENGU, "to": HOTEL, "subject": "s", "text": "t", "headers": {"Message-ID": "<a@b>"}},
            "E_HEADER_NOT_ALLOWED",
        ),
        ({"from": JENGU, "to": HOTEL, "subject": "s", "text": "t", "headers": {"from": "x"}}, "E_HEADER_USE_API_FIELD"),
        (
            {"from": JENGU, "to": HOTEL, "subject": "s", "text": "t", "headers": {"X-A": "1\r\n"}},
            "E_HEADER_VALUE_INVALID",
        ),
        (
            {"from": JENGU, "to": HOTEL, "subject": "s", "text": "t", "headers": {"X-A": "v" * 2049}},
            "E_HEADER_VALUE_TOO_LONG",
        ),
        (
            {
                "from": JENGU,
                "to": HOTEL,
                "subject": "s",
                "text": "t",
                "attachments": [{"content": b"x" * (5 * 1024 * 1024), "filename": "big.bin", "type": "a/b"}],
            },
            "E_CONTENT_TOO_LARGE",
        ),
    ],
)
async def test_send_limits_raise_with_codes(message: dict[str, object], code: str) -> None:
    binding = LocalSendEmail("EMAIL", smtp_port=1)  # never reached: validation fails first
    with pytest.raises(EmailError) as err:
        await binding.send(to_js_object(message))
    assert err.value.code == code
    assert isinstance(err.value, JsException)


async def test_a_python_mapping_is_refused_as_in_production() -> None:
    """The real binding gets a PyProxy of a dict, which has no `from` property: only a JS object will do."""
    binding = LocalSendEmail("EMAIL", smtp_port=1)
    with pytest.raises(EmailTypeError, match="Python mapping"):
        await binding.send({"from": JENGU, "to": HOTEL, "subject": "s", "text": "t"})


async def test_raw_send_over_5_mib_is_refused() -> None:
    binding = LocalSendEmail("EMAIL", smtp_port=1)
    with pytest.raises(EmailError) as err:
        await binding.send(RawEmailMessage(JENGU, HOTEL, b"Subject: big\r\n\r\n" + b"x" * (5 * 1024 * 1024)))
    assert err.value.code == "E_CONTENT_TOO_LARGE"


async def test_delivery_failure_has_a_code(tmp_path: Path) -> None:
    async with SmtpSink(tmp_path, port=0) as stopped:
        port = stopped.port
    binding = LocalSendEmail("EMAIL", smtp_port=port)
    with pytest.raises(EmailError) as err:
        await binding.send(to_js_object({"from": JENGU, "to": HOTEL, "subject": "s", "text": "t"}))
    assert err.value.code == "E_DELIVERY_FAILED"


async def test_the_handler_reads_a_large_piece_in_slices() -> None:
    """`raw_email_chunks` copies a big Uint8Array out MAX_PIECE_BYTES at a time, never whole."""
    from contextlib import aclosing

    from shared.platform.cloudflare import MAX_PIECE_BYTES, raw_email_chunks

    raw = b"Subject: one piece\r\n\r\n" + bytes(range(256)) * 1500  # 384 KB in one piece
    msg = LocalEmailMessage(HOTEL, JENGU, raw, piece_bytes=len(raw))
    async with aclosing(raw_email_chunks(msg)) as stream:
        pieces = [piece async for piece in stream]
    assert [len(p) for p in pieces] == [MAX_PIECE_BYTES, MAX_PIECE_BYTES, len(raw) - 2 * MAX_PIECE_BYTES]
    assert b"".join(pieces) == raw
    assert msg.raw.pieces_read == 1
