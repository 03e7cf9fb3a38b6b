"""The transport registry (per inbox kind, secrets by name, clear errors), the request bodies each HTTP/binding
transport builds, and the send_email error codes mapped to outcomes. Over-the-wire behaviour is in
tests/integration/test_http_mail_transports.py."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from local.email.mime import EmailError, build_message
from shared.adapters.mail.cloudflare import CloudflareSendEmail, builder_for, error_code, outcome_for_error
from shared.adapters.mail.graph import GraphTransport, dropped_headers, graph_message
from shared.adapters.mail.registry import transport_for
from shared.adapters.mail.resend import ResendTransport, display_address, resend_payload
from shared.adapters.mail.smtp import SmtpTransport
from shared.domain.inboxes.models import InboxCreate, InboxRecord, new_inbox
from shared.ports.mail import OutgoingEmail, SendOutcome, TransportUnavailable
from tests.fakes import FakeCache, FixedClock

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HEADERS = {
    "Message-ID": "<m1@jengu-demo.test>",
    "Date": "Mon, 05 Jan 2026 09:00:00 +0000",
    "List-Unsubscribe": "<https://jengu-demo.test/u/t>, <mailto:u@jengu-demo.test>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "In-Reply-To": "<step1@jengu-demo.test>",
    "References": "<step1@jengu-demo.test>",
    "X-Auto-Response-Suppress": "OOF, AutoReply",
    "Received": "from somewhere",
}


def outgoing(**changes: Any) -> OutgoingEmail:
    fields: dict[str, Any] = {
        "message_id": "<m1@jengu-demo.test>",
        "mail_from": "ada@jengu-demo.test",
        "from_name": "Ada Lovelace",
        "rcpt_to": "hannah@hotel.example",
        "subject": "Eine Frage",
        "text": "Hallo",
        "raw": b"Subject: Eine Frage\r\n\r\nHallo\r\n",
        "reply_to": "replies@jengu-demo.test",
        "headers": HEADERS,
        "idempotency_key": "send:e1:1",
    }
    return OutgoingEmail(**{**fields, **changes})


def inbox(transport: dict[str, Any], secret_names: dict[str, str] | None = None) -> InboxRecord:
    data = InboxCreate.model_validate(
        {"email": "ada@jengu-demo.test", "transport": transport, "secret_names": secret_names or {}}
    )
    return new_inbox(data, inbox_id="inbox-1", now=NOW)


def build(record: InboxRecord, **env: Any) -> Any:
    return transport_for(
        record, env=SimpleNamespace(**env), http=SimpleNamespace(), cache=FakeCache(), clock=FixedClock()
    )


# -- registry ----------------------------------------------------------------------------------------------------


def test_cloudflare_uses_the_email_binding() -> None:
    binding = object()
    transport = build(inbox({"kind": "cloudflare"}), EMAIL=binding)
    assert isinstance(transport, CloudflareSendEmail) and transport.kind == "cloudflare"
    with pytest.raises(TransportUnavailable, match="inbox inbox-1: no send_email binding EMAIL"):
        build(inbox({"kind": "cloudflare"}))


def test_local_delivers_to_the_dev_sink_without_tls() -> None:
    transport = build(inbox({"kind": "local"}))
    assert isinstance(transport, SmtpTransport)
    assert (transport.host, transport.port, transport.security) == ("127.0.0.1", 1025, "none")
    assert transport.helo_name == "jengu-demo.test"


@pytest.mark.parametrize(("port", "security"), [(465, "tls"), (587, "starttls"), (2525, "starttls")])
def test_smtp_takes_its_settings_and_the_password_by_name(port: int, security: str) -> None:
    record = inbox(
        {"kind": "smtp", "settings": {"host": "smtp.jengu-demo.test", "port": port}}, {"password": "SMTP_INBOX_1_PASS"}
    )
    transport = build(record, SMTP_INBOX_1_PASS="hunter2-but-longer")
    assert isinstance(transport, SmtpTransport)
    assert (transport.host, transport.port, transport.security) == ("smtp.jengu-demo.test", port, security)
    assert "hunter2" not in repr(transport) and "ada@jengu-demo.test" in repr(transport)  # username: the address


def test_graph_takes_tenant_client_user_and_the_secret_by_name() -> None:
    record = inbox(
        {"kind": "graph", "settings": {"tenant_id": "t-1", "client_id": "c-1", "user": "ada@jengu-demo.test"}},
        {"client_secret": "GRAPH_SECRET_1"},
    )
    transport = build(record, GRAPH_SECRET_1="the-client-secret-value", GRAPH_LOGIN_URL="http://127.0.0.1:9/")
    assert isinstance(transport, GraphTransport)
    assert (transport.tenant_id, transport.client_id, transport.user, transport.mime) == (
        "t-1",
        "c-1",
        "ada@jengu-demo.test",
        True,  # MIME by default: Graph's JSON message cannot carry List-Unsubscribe or threading headers
    )
    assert "the-client-secret-value" not in repr(transport)


def test_resend_takes_the_api_key_by_name() -> None:
    record = inbox({"kind": "resend"}, {"api_key": "RESEND_KEY_1"})
    transport = build(record, RESEND_KEY_1="re_abcdefghijklmnop", RESEND_BASE_URL="http://127.0.0.1:9")
    assert isinstance(transport, ResendTransport) and transport.kind == "resend"
    assert "re_abcdefghijklmnop" not in repr(transport) and "127.0.0.1:9" in repr(transport)


@pytest.mark.parametrize(
    ("transport", "names"),
    [
        ({"kind": "smtp", "settings": {"host": "smtp.x.test", "port": 465}}, {"password": "SMTP_INBOX_1_PASSWORD"}),
        ({"kind": "graph", "settings": {"tenant_id": "t", "client_id": "c", "user": "u"}}, {"client_secret": "G_S1"}),
        ({"kind": "resend"}, {"api_key": "RESEND_KEY_1"}),
    ],
)
@pytest.mark.parametrize("value", [None, "", "   "])
def test_a_missing_or_empty_secret_is_a_clear_error_naming_it(
    transport: dict[str, Any], names: dict[str, str], value: str | None
) -> None:
    [name] = names.values()
    env = {} if value is None else {name: value}
    with pytest.raises(TransportUnavailable) as caught:
        build(inbox(transport, names), **env)
    assert str(caught.value) == f"inbox inbox-1: secret {name} is not set"


def test_a_transport_without_a_secret_name_says_which_role() -> None:
    with pytest.raises(TransportUnavailable, match=r"no secret name for api_key \(secret_names.api_key\)"):
        build(inbox({"kind": "resend"}), RESEND_KEY_1="re_x")


def test_an_env_that_raises_for_a_missing_name_is_a_missing_secret() -> None:
    class Strict:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError(f"no binding {name}")

    record = inbox({"kind": "resend"}, {"api_key": "RESEND_KEY_1"})
    with pytest.raises(TransportUnavailable, match="secret RESEND_KEY_1 is not set"):
        transport_for(record, env=Strict(), http=SimpleNamespace(), cache=FakeCache())


# -- request bodies ------------------------------------------------------------------------------------------------


def test_graph_json_keeps_only_x_headers_and_says_which_it_dropped() -> None:
    body = graph_message(outgoing())
    assert body["saveToSentItems"] is True
    assert body["message"]["internetMessageHeaders"] == [
        {"name": "X-Auto-Response-Suppress", "value": "OOF, AutoReply"}
    ]
    assert dropped_headers(outgoing()) == [n for n in HEADERS if not n.startswith("X-")]
    html = graph_message(outgoing(html="<p>Hallo</p>", reply_to=None, from_name=None))["message"]
    assert html["body"] == {"contentType": "HTML", "content": "<p>Hallo</p>"}
    assert "replyTo" not in html and html["from"] == {"emailAddress": {"address": "ada@jengu-demo.test"}}


def test_resend_payload_uses_our_message_id_once() -> None:
    payload = resend_payload(outgoing(headers={k: v for k, v in HEADERS.items() if k != "Message-ID"}))
    assert payload["headers"]["Message-ID"] == "<m1@jengu-demo.test>"
    assert "Message-ID" not in resend_payload(outgoing(), message_id_header=False)["headers"]
    assert resend_payload(outgoing(reply_to=None, headers={}), message_id_header=False).keys() == {
        "from",
        "to",
        "subject",
        "text",
    }


@given(st.text(min_size=1, max_size=60))
def test_resend_display_names_round_trip_through_an_address_parser(name: str) -> None:
    shown = display_address(name, "ada@jengu-demo.test")
    assert "\n" not in shown and "\r" not in shown
    parsed_name, address = email.utils.parseaddr(shown)
    assert address == "ada@jengu-demo.test"
    if name.strip() and not any(c in name for c in '\\"()<>[]:;@,.'):
        assert parsed_name == " ".join(name.split())


def test_the_send_email_builder_holds_only_what_the_service_accepts() -> None:
    builder = builder_for(outgoing())
    assert builder["from"] == {"email": "ada@jengu-demo.test", "name": "Ada Lovelace"}
    assert builder["to"] == ["hannah@hotel.example"] and builder["replyTo"] == "replies@jengu-demo.test"
    assert set(builder["headers"]) == {
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "In-Reply-To",
        "References",
        "X-Auto-Response-Suppress",
    }
    built = build_message(builder)  # the local binding's validation, which mirrors the service's
    assert built.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert builder_for(outgoing(from_name=None))["from"] == "ada@jengu-demo.test"


# -- send_email errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message", "outcome"),
    [
        ("E_RECIPIENT_SUPPRESSED", "Recipient is on suppression list", SendOutcome.RECIPIENT_REFUSED),
        ("E_VALIDATION_ERROR", "'to' is not a valid email address: 'x'", SendOutcome.RECIPIENT_REFUSED),
        ("E_VALIDATION_ERROR", "'subject' must be a single-line string", SendOutcome.SENDER_PROBLEM),
        ("E_SENDER_NOT_VERIFIED", "Sender domain not verified", SendOutcome.SENDER_PROBLEM),
        ("E_SENDER_NOT_ALLOWED", "sender is not in allowed_sender_addresses", SendOutcome.SENDER_PROBLEM),
        ("E_RECIPIENT_NOT_ALLOWED", "recipient not in allowed_destination_addresses", SendOutcome.SENDER_PROBLEM),
        ("E_HEADER_NOT_ALLOWED", "Header 'Date' is not allowed.", SendOutcome.SENDER_PROBLEM),
        ("E_CONTENT_TOO_LARGE", "message is 6000000 bytes", SendOutcome.SENDER_PROBLEM),
        ("E_RATE_LIMIT_EXCEEDED", "Too many requests", SendOutcome.RATE_LIMITED),
        ("E_DAILY_LIMIT_EXCEEDED", "Daily sending quota reached", SendOutcome.RATE_LIMITED),
        ("E_DELIVERY_FAILED", "SMTP delivery failed", SendOutcome.TRANSIENT),
        ("E_INTERNAL_SERVER_ERROR", "try again", SendOutcome.TRANSIENT),
    ],
)
async def test_send_email_errors_map_by_code(code: str, message: str, outcome: SendOutcome) -> None:
    async def failing(binding: Any, builder: Any) -> dict[str, Any]:
        raise EmailError(code, message)

    result = await CloudflareSendEmail(object(), send=failing).send(outgoing())
    assert result.outcome is outcome and result.provider_id is None
    assert result.detail.startswith(code)


def test_codes_are_read_from_pyodide_errors_and_messages_too() -> None:
    class PyodideError(Exception):  # Pyodide's JsException: the JS Error is `js_error`
        def __init__(self) -> None:
            super().__init__("Error: something")
            self.js_error = SimpleNamespace(code="E_SENDER_NOT_VERIFIED")

    assert error_code(PyodideError()) == "E_SENDER_NOT_VERIFIED"
    assert error_code(Exception("Error: E_FIELD_MISSING: from is required")) == "E_FIELD_MISSING"
    assert error_code(Exception("socket closed")) is None
    assert outcome_for_error(Exception("socket closed"), "a@b.c").outcome is SendOutcome.TRANSIENT


async def test_send_email_accepts_with_the_returned_message_id() -> None:
    seen: list[Any] = []

    async def sending(binding: Any, builder: Any) -> dict[str, Any]:
        seen.append((binding, builder))
        return {"messageId": "<svc-1@jengu-demo.test>"}

    binding = object()
    result = await CloudflareSendEmail(binding, send=sending).send(outgoing())
    assert (result.outcome, result.provider_id) == (SendOutcome.ACCEPTED, "<svc-1@jengu-demo.test>")
    assert seen == [(binding, builder_for(outgoing()))]
    assert await CloudflareSendEmail(binding, send=sending).confirm("<m1@jengu-demo.test>") is None
