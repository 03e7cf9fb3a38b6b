"""The HTTP mail transports over real HTTP: FakeGraph and FakeResend on 127.0.0.1, reached through the real
`WorkersFetch` adapter and the local `workers.fetch` stand-in; and the send_email transport through the local binding
to a real SMTP sink. Every provider answer is mapped for real."""

from __future__ import annotations

import email
import email.policy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from local.email.send_email import LocalSendEmail
from local.email.smtp_sink import SmtpSink
from local.fakes.graph import RETRY_AFTER_S as GRAPH_RETRY_S
from local.fakes.graph import FakeGraph
from local.fakes.resend import RETRY_AFTER_S as RESEND_RETRY_S
from local.fakes.resend import FakeResend
from shared.adapters.http import WorkersFetch
from shared.adapters.mail.cloudflare import CloudflareSendEmail
from shared.adapters.mail.graph import REFRESH_MARGIN_S, GraphTransport
from shared.adapters.mail.resend import ResendTransport
from shared.ports.mail import OutgoingEmail, SendOutcome, SendResult
from tests.fakes import FakeCache, FixedClock

SECRET = "graph-s3cret-value-0123456789"
KEY = "re_live_key_abcdefghijklmnop0123"
SENDER = "ada@jengu-demo.test"
RCPT = "hannah@hotel-sonnenhof.example"
HEADERS = {
    "List-Unsubscribe": "<https://jengu-demo.test/u/tok123>, <mailto:unsubscribe@jengu-demo.test?subject=tok123>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "In-Reply-To": "<step1@jengu-demo.test>",
    "References": "<step1@jengu-demo.test>",
    "X-Auto-Response-Suppress": "OOF, AutoReply",
}


def outgoing(n: int = 1, *, key: str | None = None, subject: str = "Zimmer im Sonnenhof — eine Frage") -> OutgoingEmail:
    from email.message import EmailMessage

    message_id = f"<m{n}@jengu-demo.test>"
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = f"Ada Lovelace <{SENDER}>"
    msg["To"] = RCPT
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    for name, value in HEADERS.items():
        msg[name] = value
    msg.set_content("Hallo Hannah,\nkurze Frage.\n\nAbmelden: https://jengu-demo.test/u/tok123\n")
    return OutgoingEmail(
        message_id=message_id,
        mail_from=SENDER,
        from_name="Ada Lovelace",
        rcpt_to=RCPT,
        subject=subject,
        text="Hallo Hannah,\nkurze Frage.\n\nAbmelden: https://jengu-demo.test/u/tok123\n",
        raw=msg.as_bytes(),
        reply_to="replies@jengu-demo.test",
        headers=HEADERS,
        idempotency_key=key if key is not None else f"send:enr-{n}:1",
    )


def no_secret(result: SendResult, *secrets: str) -> SendResult:
    for secret in secrets:
        assert secret not in result.detail and secret[:8] not in result.detail
    return result


# -- Microsoft Graph ---------------------------------------------------------------------------------------------


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph(tenant="tenant-1", client_id="client-1", client_secret=SECRET)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def graph_transport(
    fake: FakeGraph,
    *,
    cache: FakeCache | None = None,
    clock: FixedClock | None = None,
    secret: str = SECRET,
    mime: bool = False,
) -> GraphTransport:
    return GraphTransport(
        tenant_id="tenant-1",
        client_id="client-1",
        client_secret=secret,
        user=SENDER,
        http=WorkersFetch(),
        cache=cache or FakeCache(),
        clock=clock or FixedClock(),
        login_url=fake.base_url,
        graph_url=fake.base_url,
        timeout_s=5,
        mime=mime,
    )


async def test_graph_accepts_with_the_json_message_and_sent_items_confirm_it(graph: FakeGraph) -> None:
    transport = graph_transport(graph)
    result = await transport.send(outgoing())
    assert result == SendResult(SendOutcome.ACCEPTED, provider_id=None, code=202)

    [sent] = graph.messages
    assert (sent["user"], sent["format"], sent["save"]) == (SENDER, "json", True)
    message = sent["message"]
    assert message["subject"] == "Zimmer im Sonnenhof — eine Frage"
    assert message["body"] == {"contentType": "Text", "content": outgoing().text}
    assert message["toRecipients"] == [{"emailAddress": {"address": RCPT}}]
    assert message["from"] == {"emailAddress": {"address": SENDER, "name": "Ada Lovelace"}}
    assert message["replyTo"] == [{"emailAddress": {"address": "replies@jengu-demo.test"}}]
    assert message["internetMessageId"] == "<m1@jengu-demo.test>"
    # Graph's JSON takes only X- headers: the rest cannot travel this way (module docstring).
    assert message["internetMessageHeaders"] == [{"name": "X-Auto-Response-Suppress", "value": "OOF, AutoReply"}]

    assert await transport.confirm("<m1@jengu-demo.test>") is True
    assert await transport.confirm("<never-sent@jengu-demo.test>") is False
    assert await transport.confirm("<it's@quoted.test>") is False  # a quote in the id is escaped, not an error


async def test_graph_mime_mode_carries_every_header(graph: FakeGraph) -> None:
    result = await graph_transport(graph, mime=True).send(outgoing())
    assert result.outcome is SendOutcome.ACCEPTED
    [sent] = graph.messages
    assert sent["format"] == "mime"
    headers = sent["message"]["headers"]
    for name, value in HEADERS.items():
        assert " ".join(headers[name].split()) == value
    assert headers["Message-ID"] == "<m1@jengu-demo.test>"
    assert await graph_transport(graph).confirm("<m1@jengu-demo.test>") is True


async def test_graph_one_token_serves_many_sends_and_other_isolates_through_the_cache(graph: FakeGraph) -> None:
    cache, clock = FakeCache(), FixedClock()
    transport = graph_transport(graph, cache=cache, clock=clock)
    for n in range(5):
        assert (await transport.send(outgoing(n))).outcome is SendOutcome.ACCEPTED
    assert graph.token_requests == 1
    cached = cache.data[transport.cache_key]
    assert transport.cache_key == "mail:graph:token:tenant-1:client-1"
    assert cached["expires_at"] == clock.now().timestamp() + graph.token_lifetime_s

    other_isolate = graph_transport(graph, cache=cache, clock=clock)
    assert (await other_isolate.send(outgoing(9))).outcome is SendOutcome.ACCEPTED
    assert graph.token_requests == 1
    assert len(graph.messages) == 6


async def test_graph_refreshes_the_token_shortly_before_it_expires(graph: FakeGraph) -> None:
    clock = FixedClock()
    transport = graph_transport(graph, clock=clock)
    await transport.send(outgoing(1))
    clock.advance(graph.token_lifetime_s - REFRESH_MARGIN_S - 1)
    await transport.send(outgoing(2))
    assert graph.token_requests == 1
    clock.advance(2)  # now inside the margin: replaced before Microsoft would refuse it
    await transport.send(outgoing(3))
    assert graph.token_requests == 2
    assert len(graph.messages) == 3


async def test_graph_an_expired_token_is_refreshed_once_and_the_send_retried(graph: FakeGraph) -> None:
    cache = FakeCache()
    graph.script(["token_expired", "ok"])
    result = await graph_transport(graph, cache=cache).send(outgoing())
    assert result.outcome is SendOutcome.ACCEPTED
    assert graph.token_requests == 2
    assert graph.answered == ["token_expired", "ok"]
    assert len(graph.messages) == 1
    assert cache.data["mail:graph:token:tenant-1:client-1"]["access_token"] == "token-2"


async def test_graph_a_401_after_a_fresh_token_is_a_sender_problem(graph: FakeGraph) -> None:
    graph.script(["token_expired", "token_expired"])
    result = await graph_transport(graph).send(outgoing())
    assert (result.outcome, result.code) == (SendOutcome.SENDER_PROBLEM, 401)
    assert graph.token_requests == 2 and graph.messages == []


@pytest.mark.parametrize(
    ("mode", "outcome", "code", "retry_after"),
    [
        ("throttled", SendOutcome.RATE_LIMITED, 429, float(GRAPH_RETRY_S)),
        ("server_error", SendOutcome.TRANSIENT, 503, None),
        ("send_as_denied", SendOutcome.SENDER_PROBLEM, 403, None),
        ("invalid_recipient", SendOutcome.RECIPIENT_REFUSED, 400, None),
        ("not_rest_enabled", SendOutcome.SENDER_PROBLEM, 404, None),
    ],
)
async def test_graph_answers_map_to_outcomes(
    graph: FakeGraph, mode: str, outcome: SendOutcome, code: int, retry_after: float | None
) -> None:
    graph.script([mode])
    result = no_secret(await graph_transport(graph).send(outgoing()), SECRET, "token-1")
    assert (result.outcome, result.code, result.retry_after_s) == (outcome, code, retry_after)
    assert graph.messages == []
    assert result.detail.startswith(f"HTTP {code} ")


async def test_graph_a_wrong_client_secret_is_a_sender_problem_that_never_shows_the_secret(graph: FakeGraph) -> None:
    wrong = "wrong-secret-9876543210-abcdef"
    transport = graph_transport(graph, secret=wrong)
    result = no_secret(await transport.send(outgoing()), wrong, SECRET)
    assert (result.outcome, result.code) == (SendOutcome.SENDER_PROBLEM, 401)
    assert "invalid client secret" in result.detail.lower()
    assert wrong not in repr(transport) and graph.answered == []
    assert await transport.confirm("<m1@jengu-demo.test>") is None


async def test_graph_a_lost_answer_is_checked_in_sent_items_before_calling_it_transient(graph: FakeGraph) -> None:
    graph.script(["accept_and_drop"])
    result = await graph_transport(graph).send(outgoing())
    assert result.outcome is SendOutcome.ACCEPTED and "Sent Items" in result.detail
    assert len(graph.messages) == 1  # accepted once, never sent again


async def test_graph_unreachable_is_transient_and_confirm_cannot_tell(graph: FakeGraph) -> None:
    transport = graph_transport(graph)
    await graph.stop()
    result = await transport.send(outgoing())
    assert result.outcome is SendOutcome.TRANSIENT and result.code is None
    assert await transport.confirm("<m1@jengu-demo.test>") is None


# -- Resend ------------------------------------------------------------------------------------------------------


@pytest.fixture
async def resend() -> AsyncIterator[FakeResend]:
    fake = FakeResend(api_key=KEY)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def resend_transport(fake: FakeResend, *, key: str = KEY) -> ResendTransport:
    return ResendTransport(api_key=key, http=WorkersFetch(), clock=FixedClock(), base_url=fake.base_url, timeout_s=5)


async def test_resend_accepts_with_its_id_and_the_payload_carries_every_header(resend: FakeResend) -> None:
    transport = resend_transport(resend)
    result = await transport.send(outgoing())
    assert result == SendResult(SendOutcome.ACCEPTED, provider_id="re-00000001", code=200)
    [sent] = resend.emails
    assert sent["idempotency_key"] == "send:enr-1:1"
    payload = sent["payload"]
    assert payload["from"] == f"Ada Lovelace <{SENDER}>"
    assert payload["to"] == [RCPT]
    assert payload["subject"] == "Zimmer im Sonnenhof — eine Frage"
    assert payload["text"] == outgoing().text and "html" not in payload
    assert payload["reply_to"] == ["replies@jengu-demo.test"]
    assert payload["headers"] == {**HEADERS, "Message-ID": "<m1@jengu-demo.test>"}
    assert await transport.confirm("<m1@jengu-demo.test>") is None


async def test_resend_the_same_key_again_returns_the_first_answer_and_sends_nothing(resend: FakeResend) -> None:
    transport = resend_transport(resend)
    first = await transport.send(outgoing())
    again = await transport.send(outgoing())
    assert first == again and first.provider_id == "re-00000001"
    assert len(resend.emails) == 1 and resend.answered == ["ok", "replayed"]


async def test_resend_a_lost_answer_retried_with_the_key_is_sent_once(resend: FakeResend) -> None:
    resend.script(["accept_and_drop"])
    transport = resend_transport(resend)
    lost = await transport.send(outgoing())
    assert lost.outcome is SendOutcome.TRANSIENT and lost.code is None
    retried = await transport.send(outgoing())
    assert (retried.outcome, retried.provider_id) == (SendOutcome.ACCEPTED, "re-00000001")
    assert len(resend.emails) == 1


async def test_resend_the_same_key_with_another_payload_is_refused(resend: FakeResend) -> None:
    transport = resend_transport(resend)
    await transport.send(outgoing())
    changed = await transport.send(outgoing(subject="Another subject"))
    assert (changed.outcome, changed.code) == (SendOutcome.SENDER_PROBLEM, 409)
    assert "invalid_idempotent_request" in changed.detail and len(resend.emails) == 1


@pytest.mark.parametrize(
    ("mode", "outcome", "code", "retry_after"),
    [
        ("rate_limited", SendOutcome.RATE_LIMITED, 429, float(RESEND_RETRY_S)),
        ("server_error", SendOutcome.TRANSIENT, 500, None),
        ("invalid_to", SendOutcome.RECIPIENT_REFUSED, 422, None),
        ("unverified_domain", SendOutcome.SENDER_PROBLEM, 403, None),
    ],
)
async def test_resend_answers_map_to_outcomes(
    resend: FakeResend, mode: str, outcome: SendOutcome, code: int, retry_after: float | None
) -> None:
    resend.script([mode])
    result = no_secret(await resend_transport(resend).send(outgoing()), KEY)
    assert (result.outcome, result.code, result.retry_after_s) == (outcome, code, retry_after)
    assert resend.emails == []


async def test_resend_a_failed_send_can_be_retried_with_the_same_key(resend: FakeResend) -> None:
    resend.script(["server_error", "ok"])
    transport = resend_transport(resend)
    assert (await transport.send(outgoing())).outcome is SendOutcome.TRANSIENT
    assert (await transport.send(outgoing())).outcome is SendOutcome.ACCEPTED
    assert len(resend.emails) == 1


async def test_resend_a_bad_key_is_a_sender_problem_without_the_key(resend: FakeResend) -> None:
    wrong = "re_wrong_key_zyxwvutsrq987654"
    transport = resend_transport(resend, key=wrong)
    result = no_secret(await transport.send(outgoing()), wrong, KEY)
    assert (result.outcome, result.code) == (SendOutcome.SENDER_PROBLEM, 401)
    assert wrong not in repr(transport) and resend.answered == []


async def test_resend_unreachable_is_transient(resend: FakeResend) -> None:
    transport = resend_transport(resend)
    await resend.stop()
    assert (await transport.send(outgoing())).outcome is SendOutcome.TRANSIENT


# -- Cloudflare send_email through the local binding to a real SMTP sink -----------------------------------------


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    async with SmtpSink(tmp_path / "outbox", port=0) as server:
        yield server


async def test_send_email_sends_our_mime_as_written_by_default(sink: SmtpSink) -> None:
    email = outgoing()
    result = await CloudflareSendEmail(LocalSendEmail("EMAIL", smtp_port=sink.port)).send(email)
    assert result.outcome is SendOutcome.ACCEPTED
    [out] = sink.messages()
    assert out["Message-ID"] == email.message_id  # our Message-ID, fixed at compose time, goes out unchanged
    for name, value in HEADERS.items():
        assert " ".join(str(out[name]).split()) == value


async def test_send_email_accepts_with_the_services_message_id_and_the_allowed_headers(sink: SmtpSink) -> None:
    builder = CloudflareSendEmail(LocalSendEmail("EMAIL", smtp_port=sink.port), raw=False)
    result = await builder.send(outgoing())
    assert result.outcome is SendOutcome.ACCEPTED
    [out] = sink.messages()
    assert out["Message-ID"] == result.provider_id  # the service makes the Message-ID; we record what it made
    assert out["From"] == f"Ada Lovelace <{SENDER}>" and out["To"] == RCPT
    assert out["Reply-To"] == "replies@jengu-demo.test"
    assert out["Subject"] == "Zimmer im Sonnenhof — eine Frage"
    for name, value in HEADERS.items():
        assert " ".join(str(out[name]).split()) == value
    body = out.get_body(("plain",))
    assert body is not None and "kurze Frage" in body.get_content()


@pytest.mark.parametrize(
    ("restriction", "outcome"),
    [
        ({"allowed_sender_addresses": ["someone-else@jengu-demo.test"]}, SendOutcome.SENDER_PROBLEM),
        ({"allowed_destination_addresses": ["ops@jengu-demo.test"]}, SendOutcome.SENDER_PROBLEM),
    ],
)
async def test_send_email_binding_restrictions_are_the_inboxs_problem(
    sink: SmtpSink, restriction: dict[str, list[str]], outcome: SendOutcome
) -> None:
    binding = LocalSendEmail("EMAIL", smtp_port=sink.port, **restriction)  # type: ignore[arg-type]
    result = await CloudflareSendEmail(binding).send(outgoing())
    assert result.outcome is outcome and result.detail.startswith("E_")
    assert sink.messages() == []


async def test_send_email_a_failed_delivery_is_transient(tmp_path: Path) -> None:
    async with SmtpSink(tmp_path, port=0) as stopped:
        port = stopped.port
    result = await CloudflareSendEmail(LocalSendEmail("EMAIL", smtp_port=port)).send(outgoing())
    assert result.outcome is SendOutcome.TRANSIENT and "E_DELIVERY_FAILED" in result.detail


async def test_send_email_an_invalid_recipient_is_refused(sink: SmtpSink) -> None:
    from dataclasses import replace

    bad = replace(outgoing(), rcpt_to="not an address")
    result = await CloudflareSendEmail(LocalSendEmail("EMAIL", smtp_port=sink.port)).send(bad)
    assert result.outcome is SendOutcome.RECIPIENT_REFUSED and "E_VALIDATION_ERROR" in result.detail


async def test_no_secret_or_token_reaches_the_logs(
    graph: FakeGraph, resend: FakeResend, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    caplog.set_level(logging.DEBUG)
    graph.script(["token_expired", "ok", "send_as_denied"])
    transport = graph_transport(graph)
    results = [await transport.send(outgoing(1)), await transport.send(outgoing(2))]
    results.append(await graph_transport(graph, secret="wrong-secret-abcdefghijkl").send(outgoing(3)))
    resend.script(["invalid_to"])
    results.append(await resend_transport(resend).send(outgoing(4)))
    results.append(await resend_transport(resend, key="re_wrong_0123456789abcd").send(outgoing(5)))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    shown = logged + "\n".join(r.detail for r in results)
    for secret in (SECRET, KEY, "wrong-secret-abcdefghijkl", "re_wrong_0123456789abcd", *graph.valid_tokens):
        assert secret not in shown
    assert [r.outcome for r in results] == [
        SendOutcome.ACCEPTED,
        SendOutcome.SENDER_PROBLEM,
        SendOutcome.SENDER_PROBLEM,
        SendOutcome.RECIPIENT_REFUSED,
        SendOutcome.SENDER_PROBLEM,
    ]
