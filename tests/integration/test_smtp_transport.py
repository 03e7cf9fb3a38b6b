"""SmtpTransport over real TCP (LocalSocketOpener) against the scriptable aiosmtpd server: every mode, both AUTH
mechanisms, what the server recorded, the local sink, and failures to connect."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_asyncio

from local.email.smtp_sink import SmtpSink, read_outbox
from local.fakes.smtp_server import FakeSmtpServer
from local.sockets import LocalSocketOpener
from shared.adapters.mail.smtp import SmtpTransport, opener_for
from shared.domain.sending.smtp_client import MAYBE_DELIVERED
from shared.ports.mail import OutgoingEmail, SendOutcome
from shared.ports.streams import ByteStream, TlsMode

USER, PASSWORD = "sales@jengu.test", "pw-Secret-42"
RAW = (
    b"From: Jengu Sales <sales@jengu.test>\r\nTo: gm@hotel.test\r\nSubject: Rooms\r\n"
    b"Message-ID: <m1@jengu.test>\r\n\r\nDear GM,\r\n.a line that starts with a dot\r\n.\r\nRegards\r\n"
)


def email(rcpt: str = "gm@hotel.test", raw: bytes = RAW) -> OutgoingEmail:
    return OutgoingEmail(
        message_id="<m1@jengu.test>",
        mail_from="sales@jengu.test",
        from_name="Jengu Sales",
        rcpt_to=rcpt,
        subject="Rooms",
        text="Dear GM",
        raw=raw,
    )


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FakeSmtpServer]:
    async with FakeSmtpServer(auth=(USER, PASSWORD)) as fake:
        yield fake


def transport(
    port: int, *, password: str = PASSWORD, username: str | None = USER, timeout_s: float = 5
) -> SmtpTransport:
    return SmtpTransport(
        "127.0.0.1",
        port,
        security="none",
        username=username,
        password=password if username is not None else None,
        opener=LocalSocketOpener(),
        helo_name="jengu.test",
        timeout_s=timeout_s,
    )


async def test_accepted_with_auth_plain_and_what_the_server_got(server: FakeSmtpServer) -> None:
    result = await transport(server.port).send(email())
    assert result.outcome is SendOutcome.ACCEPTED
    assert (result.code, result.status) == (250, "2.0.0")
    (accepted,) = server.accepted
    assert result.provider_id == accepted.queue_id
    assert accepted.data == RAW  # dot-stuffed on the wire, unstuffed by the server: the message unchanged
    assert (accepted.mail_from, accepted.rcpt_tos, accepted.login) == ("sales@jengu.test", ("gm@hotel.test",), USER)
    assert f"SIZE={len(RAW)}" in accepted.mail_options
    assert [(login.mechanism, login.username, login.success) for login in server.logins] == [("PLAIN", USER, True)]


async def test_auth_login_when_only_login_is_offered() -> None:
    async with FakeSmtpServer(auth=(USER, PASSWORD), mechanisms=["LOGIN"]) as fake:
        result = await transport(fake.port).send(email())
        assert result.outcome is SendOutcome.ACCEPTED
        assert [(login.mechanism, login.success) for login in fake.logins] == [("LOGIN", True)]


async def test_an_eight_bit_message_goes_as_8bitmime(server: FakeSmtpServer) -> None:
    raw = (
        "Subject: Grüße\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße\r\n"
    )
    result = await transport(server.port).send(email(raw=raw.encode()))
    assert result.outcome is SendOutcome.ACCEPTED
    assert "BODY=8BITMIME" in server.accepted[0].mail_options
    assert server.accepted[0].data == raw.encode()


@pytest.mark.parametrize("password", ["wrong", ""])
async def test_a_wrong_password_is_a_sender_problem(server: FakeSmtpServer, password: str) -> None:
    result = await transport(server.port, password=password).send(email())
    assert (result.outcome, result.code, result.status) == (SendOutcome.SENDER_PROBLEM, 535, "5.7.8")
    assert password not in result.detail or not password
    assert server.accepted == []


async def test_auth_rejected_for_everyone(server: FakeSmtpServer) -> None:
    server.reject_auth = True
    result = await transport(server.port).send(email())
    assert (result.outcome, result.code) == (SendOutcome.SENDER_PROBLEM, 535)


async def test_no_credentials_where_auth_is_required(server: FakeSmtpServer) -> None:
    result = await transport(server.port, username=None).send(email())
    assert (result.outcome, result.code) == (SendOutcome.SENDER_PROBLEM, 530)  # refused at MAIL FROM


MODES = [
    ("ok", "rcpt", SendOutcome.ACCEPTED, 250, "2.0.0"),
    ("busy", "rcpt", SendOutcome.RATE_LIMITED, 421, "4.7.0"),
    ("greylist", "rcpt", SendOutcome.TRANSIENT, 450, "4.2.0"),
    ("unknown_user", "rcpt", SendOutcome.RECIPIENT_REFUSED, 550, "5.1.1"),
    ("policy", "rcpt", SendOutcome.SENDER_PROBLEM, 550, "5.7.1"),
    ("full", "rcpt", SendOutcome.MAILBOX_FULL, 452, "4.2.2"),
    ("auth_failed", "rcpt", SendOutcome.SENDER_PROBLEM, 535, "5.7.8"),
    ("busy", "data", SendOutcome.RATE_LIMITED, 421, "4.7.0"),
    ("greylist", "data", SendOutcome.TRANSIENT, 450, "4.2.0"),
    ("unknown_user", "data", SendOutcome.RECIPIENT_REFUSED, 550, "5.1.1"),
    ("policy", "data", SendOutcome.SENDER_PROBLEM, 550, "5.7.1"),
    ("full", "data", SendOutcome.MAILBOX_FULL, 452, "4.2.2"),
]


@pytest.mark.parametrize(("mode", "at", "outcome", "code", "status"), MODES, ids=[f"{m[0]}@{m[1]}" for m in MODES])
async def test_every_scripted_reply(
    server: FakeSmtpServer, mode: str, at: str, outcome: SendOutcome, code: int, status: str
) -> None:
    server.script("gm@hotel.test", mode, at=at)  # type: ignore[arg-type]
    result = await transport(server.port).send(email())
    assert (result.outcome, result.code, result.status) == (outcome, code, status)
    assert len(server.accepted) == (1 if mode == "ok" else 0)


async def test_a_drop_before_data_is_plainly_transient(server: FakeSmtpServer) -> None:
    server.script("gm@hotel.test", "drop_before_data")
    result = await transport(server.port).send(email())
    assert (result.outcome, result.code) == (SendOutcome.TRANSIENT, None)
    assert result.detail != MAYBE_DELIVERED and server.accepted == server.swallowed == []


async def test_a_drop_after_data_may_have_been_delivered(server: FakeSmtpServer) -> None:
    server.script("gm@hotel.test", "drop_after_data")
    result = await transport(server.port).send(email())
    assert (result.outcome, result.code, result.detail) == (SendOutcome.TRANSIENT, None, MAYBE_DELIVERED)
    assert [m.data for m in server.swallowed] == [RAW]  # it did arrive: the consumer must reconcile, not resend


async def test_one_connection_per_message_and_scripts_per_recipient(server: FakeSmtpServer) -> None:
    server.script("ghost@hotel.test", "unknown_user")
    smtp = transport(server.port)
    outcomes = [(await smtp.send(email(rcpt))).outcome for rcpt in ("a@hotel.test", "ghost@hotel.test", "b@hotel.test")]
    assert outcomes == [SendOutcome.ACCEPTED, SendOutcome.RECIPIENT_REFUSED, SendOutcome.ACCEPTED]
    assert [m.rcpt_tos for m in server.accepted] == [("a@hotel.test",), ("b@hotel.test",)]


async def test_the_local_sink_without_auth(tmp_path: Path) -> None:
    async with SmtpSink(port=0, outbox=tmp_path) as sink:
        result = await transport(sink.port, username=None).send(email())
        assert result.outcome is SendOutcome.ACCEPTED
    (stored,) = read_outbox(tmp_path)
    assert stored["Subject"] == "Rooms" and ".a line that starts with a dot" in stored.get_content()


async def test_nobody_listening_is_transient() -> None:
    async with FakeSmtpServer() as fake:
        port = fake.port
    result = await transport(port).send(email())
    assert result.outcome is SendOutcome.TRANSIENT and result.detail.startswith("connect: ")


async def test_a_server_that_never_greets_times_out() -> None:
    held: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    try:
        port = listener.sockets[0].getsockname()[1]
        result = await transport(port, timeout_s=0.05).send(email())
        assert (result.outcome, result.detail) == (SendOutcome.TRANSIENT, "greeting: no reply within 0.05 s")
    finally:
        for writer in held:
            writer.close()
        listener.close()
        await listener.wait_closed()


async def test_port_25_and_bad_addresses_never_connect() -> None:
    class Refuse:
        async def open(self, host: str, port: int, *, tls: TlsMode, timeout_s: float) -> ByteStream:
            raise AssertionError("no connection may be opened")

    smtp = SmtpTransport(
        "smtp.hotel.test", 25, security="none", username=None, password=None, opener=Refuse(), helo_name="jengu.test"
    )
    assert (await smtp.send(email())).outcome is SendOutcome.SENDER_PROBLEM
    smtp.port = 587
    result = await smtp.send(email(rcpt="gm@hotel.test>\r\nRCPT TO:<x@evil.test"))
    assert result.outcome is SendOutcome.RECIPIENT_REFUSED


def test_transport_shape_and_no_secret_in_repr() -> None:
    smtp = transport(465)
    assert smtp.kind == "smtp" and PASSWORD not in repr(smtp) and USER in repr(smtp)
    with pytest.raises(ValueError, match="security"):
        SmtpTransport("h", 465, security="ssl", username=None, password=None, opener=LocalSocketOpener(), helo_name="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="together"):
        SmtpTransport("h", 465, security="tls", username="u", password=None, opener=LocalSocketOpener(), helo_name="x")


async def test_confirm_cannot_tell(server: FakeSmtpServer) -> None:
    assert await transport(server.port).confirm("<m1@jengu.test>") is None


def test_opener_for_prefers_the_local_binding() -> None:
    local = LocalSocketOpener()
    assert opener_for(SimpleNamespace(JENGU_SOCKETS=local)) is local
    from shared.platform.cloudflare import WorkersSocketOpener

    assert isinstance(opener_for(SimpleNamespace()), WorkersSocketOpener)


async def test_the_local_runtime_lends_its_sockets(tmp_path: Path, server: FakeSmtpServer) -> None:
    from local.paths import REPO_ROOT
    from local.runtime import LocalRuntime

    dev_vars = tmp_path / ".dev.vars"
    dev_vars.write_text("API_KEY=test-key\n")
    runtime = LocalRuntime(REPO_ROOT, state_dir=tmp_path / "state", dev_vars=dev_vars, smtp_sink_port=0)
    await runtime.start()
    try:
        opener = opener_for(runtime.env)
        assert isinstance(opener, LocalSocketOpener)
        smtp = SmtpTransport(
            "127.0.0.1",
            server.port,
            security="none",
            username=USER,
            password=PASSWORD,
            opener=opener,
            helo_name="x.test",
        )
        assert (await smtp.send(email())).outcome is SendOutcome.ACCEPTED
    finally:
        await runtime.close()
