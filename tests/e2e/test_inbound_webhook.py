"""`POST /webhooks/inbound` end to end (local runtime, real D1 and queues): a relay's signed raw message is stored
through the email handler's path and queued; unsigned, tampered, stale, future and replayed requests are refused
with 401 and write nothing; secret rotation, the null sender of bounces, content types, the envelope, the size cap,
the client address's rate limit, and a deployment without a secret (503). The signature rules are checked as
properties too (any chunking of the body, any flipped byte)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.routes.inbound_webhook import SEEN_TTL_S, envelope_address, sign, signatures_of, verified
from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from shared.domain.errors import ValidationFailed
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import INTERESTED_REPLY, inbound_sample

SECRET = "whsec_relay_for_the_e2e_tests_0123456789abcdef"
OLD_SECRET = "whsec_the_previous_secret_still_verifying_42"
START = datetime(2026, 3, 4, 10, 15, tzinfo=UTC)
RCPT = "sales@jengu.test"
ENVELOPE = {"from": "gm@grand-hotel.example", "to": RCPT}
RFC822 = "message/rfc822"

# A Postfix bounce as a relay forwards it: the envelope sender is null (<>), the report names the failed recipient.
POSTFIX_BOUNCE = b"""Return-Path: <>
Received: by mx.jengu.test (Postfix) id 4Z1; Wed,  4 Mar 2026 10:14:02 +0000 (UTC)
Date: Wed,  4 Mar 2026 10:14:02 +0000 (UTC)
From: MAILER-DAEMON@mx1.hotel-adler.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: sales@jengu.test
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4Z1.1772619242/mx1.hotel-adler.example"
Message-Id: <20260304101402.4Z1@mx1.hotel-adler.example>

This is a MIME-encapsulated message.

--4Z1.1772619242/mx1.hotel-adler.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx1.hotel-adler.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<reservations@hotel-adler.example>: host mail.hotel-adler.example[203.0.113.7]
    said: 550 5.1.1 <reservations@hotel-adler.example>: Recipient address
    rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)

--4Z1.1772619242/mx1.hotel-adler.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx1.hotel-adler.example
Arrival-Date: Wed,  4 Mar 2026 10:14:01 +0000 (UTC)

Final-Recipient: rfc822; reservations@hotel-adler.example
Original-Recipient: rfc822;reservations@hotel-adler.example
Action: failed
Status: 5.1.1
Remote-MTA: dns; mail.hotel-adler.example
Diagnostic-Code: smtp; 550 5.1.1 <reservations@hotel-adler.example>: Recipient
    address rejected: User unknown in virtual mailbox table

--4Z1.1772619242/mx1.hotel-adler.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: Jengu Sales <sales@jengu.test>
To: reservations@hotel-adler.example
Subject: A question for Hotel Adler
Message-ID: <e-1f2a@jengu.test>

--4Z1.1772619242/mx1.hotel-adler.example--
""".replace(b"\n", b"\r\n")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


def vars_file(tmp_path: Path, **extra: str) -> Path:
    path = tmp_path / ".dev.vars"
    lines = ["APP_ENV=test", "ENRICH_ON_CREATE=false", "LOG_LEVEL=info", f"API_KEY={TEST_API_KEY}"]
    lines += [f"{k}={v}" for k, v in extra.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def dev_vars(tmp_path: Path) -> Path:
    return vars_file(tmp_path, INBOUND_WEBHOOK_SECRET=f"{SECRET},{OLD_SECRET}")


def signed(body: bytes, ts: int | str, secret: str = SECRET) -> dict[str, str]:
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Jengu-Timestamp": str(ts), "X-Jengu-Signature": f"v1={mac}", "Content-Type": RFC822}


def now_ts(clock: ManualClock) -> int:
    return int(clock.now())


async def post(http: httpx.AsyncClient, body: bytes, headers: dict[str, str], **params: str) -> httpx.Response:
    return await http.post("/webhooks/inbound", params=params or ENVELOPE, content=body, headers=headers)


async def stored(runtime: LocalRuntime) -> list[dict[str, Any]]:
    return await rows(runtime, "SELECT id, mail_from, rcpt_to, raw_size, status FROM inbound_messages ORDER BY id")


def queued_inbound_ids(runtime: LocalRuntime) -> list[str]:
    assert runtime.broker is not None
    bodies = runtime.broker._db.execute("SELECT body FROM messages WHERE queue = 'inbound' ORDER BY sent_at")
    envelopes = [json.loads(body) for (body,) in bodies]
    envelopes = [json.loads(e) if isinstance(e, str) else e for e in envelopes]  # a JSON envelope, as text
    return [e["payload"]["inbound_id"] for e in envelopes]


# -- accepted --------------------------------------------------------------------------------------------------


async def test_a_signed_message_is_stored_through_the_email_path_and_queued(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    response = await post(http, INTERESTED_REPLY, signed(INTERESTED_REPLY, now_ts(clock)))
    assert response.status_code == 202, response.text
    inbound_id = response.json()["inbound_id"]
    assert response.json()["trace_id"]
    [row] = await stored(runtime)
    assert (row["id"], row["mail_from"], row["rcpt_to"], row["raw_size"], row["status"]) == (
        inbound_id, "gm@grand-hotel.example", RCPT, len(INTERESTED_REPLY), "received",
    )  # fmt: skip
    assert await bootstrap(runtime.env).inbound.raw(inbound_id) == INTERESTED_REPLY
    assert queued_inbound_ids(runtime) == [inbound_id]

    await runtime.drain()  # the inbound consumer takes it like any message Email Routing handed us
    [after] = await stored(runtime)
    assert after["status"] in ("parsed", "processed")


async def test_a_bounce_with_a_null_sender_is_accepted(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    for sender in ("<>", ""):
        body = POSTFIX_BOUNCE + f"X-Variant: {sender or 'empty'}\r\n".encode()
        response = await post(http, body, signed(body, now_ts(clock)), **{"from": sender, "to": RCPT})
        assert response.status_code == 202, response.text
    assert [r["mail_from"] for r in await stored(runtime)] == ["", ""]
    response = await post(http, POSTFIX_BOUNCE, signed(POSTFIX_BOUNCE, now_ts(clock)), to=RCPT)  # no `from` at all
    assert response.status_code == 202, response.text


async def test_the_same_message_over_email_routing_and_the_webhook_is_one_row(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    routed = await http.post("/cdn-cgi/handler/email", params=ENVELOPE, content=INTERESTED_REPLY)
    assert routed.status_code == 200
    [row] = await stored(runtime)
    response = await post(http, INTERESTED_REPLY, signed(INTERESTED_REPLY, now_ts(clock)))
    assert response.status_code == 202
    assert response.json()["inbound_id"] == row["id"]
    assert len(await stored(runtime)) == 1
    assert queued_inbound_ids(runtime) == [row["id"], row["id"]]  # queued again; the consumer is idempotent


async def test_octet_stream_and_a_charset_parameter_are_taken(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    for media in ("application/octet-stream", "message/rfc822; charset=utf-8", "Message/RFC822"):
        body = INTERESTED_REPLY + f"\r\n-- {media}\r\n".encode()
        response = await post(http, body, {**signed(body, now_ts(clock)), "Content-Type": media})
        assert response.status_code == 202, (media, response.text)
    assert len(await stored(runtime)) == 3


async def test_a_large_message_streams_into_several_chunks(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    big = INTERESTED_REPLY + b"\r\n" + (b"B" * 76 + b"\r\n") * 45_000  # ~3.5 MB: several chunk rows
    response = await post(http, big, signed(big, now_ts(clock)))
    assert response.status_code == 202, response.text
    [row] = await rows(runtime, "SELECT id, raw_chunks FROM inbound_messages")
    assert row["raw_chunks"] > 1
    assert await bootstrap(runtime.env).inbound.raw(row["id"]) == big


async def test_rotation_the_previous_secret_and_any_of_several_signatures_verify(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    ts = now_ts(clock)
    old = signed(INTERESTED_REPLY, ts, OLD_SECRET)
    assert (await post(http, INTERESTED_REPLY, old)).status_code == 202
    body = POSTFIX_BOUNCE
    good = signed(body, ts)["X-Jengu-Signature"]
    several = {**signed(body, ts), "X-Jengu-Signature": f"v0=abc, v1={'0' * 64}, {good}"}
    assert (await post(http, body, several)).status_code == 202


async def test_a_timestamp_inside_the_window_is_accepted(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    for offset, body in ((-299, INTERESTED_REPLY), (299, POSTFIX_BOUNCE)):
        response = await post(http, body, signed(body, now_ts(clock) + offset))
        assert response.status_code == 202, (offset, response.text)


# -- refused ---------------------------------------------------------------------------------------------------


def _tampered(headers: dict[str, str]) -> dict[str, str]:
    mac = headers["X-Jengu-Signature"]
    return {**headers, "X-Jengu-Signature": mac[:-1] + ("0" if mac[-1] != "0" else "1")}


@pytest.mark.parametrize(
    "make_headers",
    [
        pytest.param(lambda body, ts: {"Content-Type": RFC822}, id="no headers"),
        pytest.param(lambda body, ts: {**signed(body, ts), "X-Jengu-Signature": ""}, id="empty signature"),
        pytest.param(
            lambda body, ts: {k: v for k, v in signed(body, ts).items() if k != "X-Jengu-Timestamp"}, id="no timestamp"
        ),
        pytest.param(lambda body, ts: signed(body, ts, "whsec_someone_else"), id="another secret"),
        pytest.param(lambda body, ts: _tampered(signed(body, ts)), id="changed signature"),
        pytest.param(lambda body, ts: signed(body + b" ", ts), id="signature of another body"),
        pytest.param(lambda body, ts: {**signed(body, ts), "X-Jengu-Timestamp": str(ts + 1)}, id="another timestamp"),
        pytest.param(lambda body, ts: signed(body, ts - 301), id="stale by 5 min 1 s"),
        pytest.param(lambda body, ts: signed(body, ts + 301), id="future by 5 min 1 s"),
        pytest.param(lambda body, ts: signed(body, f"{ts}.5"), id="fractional timestamp"),
        pytest.param(lambda body, ts: signed(body, f"-{ts}"), id="negative timestamp"),
        pytest.param(lambda body, ts: signed(body, f"{ts}000"), id="milliseconds"),
        pytest.param(
            lambda body, ts: {
                **signed(body, ts),
                "X-Jengu-Signature": signed(body, ts)["X-Jengu-Signature"].replace("v1=", "v2="),
            },
            id="unknown scheme",
        ),
        pytest.param(
            lambda body, ts: {**signed(body, ts), "X-Jengu-Signature": signed(body, ts)["X-Jengu-Signature"][:-2]},
            id="short hex",
        ),
    ],
)
async def test_unsigned_or_wrongly_signed_requests_are_refused_and_write_nothing(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, make_headers: Any
) -> None:
    response = await post(http, INTERESTED_REPLY, make_headers(INTERESTED_REPLY, now_ts(clock)))
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "unauthorized"
    assert await stored(runtime) == []
    assert queued_inbound_ids(runtime) == []


async def test_a_replayed_signed_request_is_refused(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    headers = signed(INTERESTED_REPLY, now_ts(clock))
    assert (await post(http, INTERESTED_REPLY, headers)).status_code == 202
    clock.advance(60)
    replay = await post(http, INTERESTED_REPLY, headers)
    assert replay.status_code == 401
    assert "replay" in replay.json()["error"]["message"]
    # ... even to another recipient: the signature does not cover the envelope, the seen list does
    other = await post(http, INTERESTED_REPLY, headers, **{"from": "x@evil.example", "to": "ops@jengu.test"})
    assert other.status_code == 401
    assert [r["rcpt_to"] for r in await stored(runtime)] == [RCPT]
    assert len(queued_inbound_ids(runtime)) == 1
    # a relay retrying signs again with a fresh timestamp: accepted, the stored message found again
    again = await post(http, INTERESTED_REPLY, signed(INTERESTED_REPLY, now_ts(clock)))
    assert again.status_code == 202
    assert len(await stored(runtime)) == 1


def test_seen_signatures_outlive_the_window_on_both_sides() -> None:
    assert SEEN_TTL_S > 2 * 300


async def test_other_content_types_are_refused(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    for media in ("text/plain", "application/json", "multipart/form-data; boundary=x"):
        headers = {**signed(INTERESTED_REPLY, now_ts(clock)), "Content-Type": media}
        response = await post(http, INTERESTED_REPLY, headers)
        assert response.status_code == 415, (media, response.text)
    headers = {k: v for k, v in signed(INTERESTED_REPLY, now_ts(clock)).items() if k != "Content-Type"}
    assert (await post(http, INTERESTED_REPLY, headers)).status_code == 415
    assert await stored(runtime) == []


@pytest.mark.parametrize(
    "params",
    [
        {"from": "gm@grand-hotel.example"},
        {"from": "gm@grand-hotel.example", "to": ""},
        {"from": "gm@grand-hotel.example", "to": "not-an-address"},
        {"from": "gm@grand-hotel.example", "to": "two words@jengu.test"},
        {"from": "Sales <sales@jengu.test>", "to": RCPT},
        {"from": "nobody", "to": RCPT},
    ],
)
async def test_a_bad_envelope_is_refused(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, params: dict[str, str]
) -> None:
    response = await http.post(
        "/webhooks/inbound", params=params, content=INTERESTED_REPLY, headers=signed(INTERESTED_REPLY, now_ts(clock))
    )
    assert response.status_code == 422, response.text
    assert await stored(runtime) == []


async def test_an_envelope_in_angle_brackets_is_read(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    params = {"from": "<gm@grand-hotel.example>", "to": "<sales@jengu.test>"}
    assert (await post(http, INTERESTED_REPLY, signed(INTERESTED_REPLY, now_ts(clock)), **params)).status_code == 202
    [row] = await stored(runtime)
    assert (row["mail_from"], row["rcpt_to"]) == ("gm@grand-hotel.example", RCPT)


async def test_an_empty_body_is_refused(http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock) -> None:
    response = await post(http, b"", signed(b"", now_ts(clock)))
    assert response.status_code == 400
    assert await stored(runtime) == []


async def test_a_body_over_25_mib_is_refused(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    body = INTERESTED_REPLY + b"\r\n" + b"C" * (25 * 1024 * 1024)
    response = await post(http, body, signed(body, now_ts(clock)))
    assert response.status_code == 413
    assert response.json()["error"]["details"]["limit_bytes"] == 25 * 1024 * 1024
    assert await stored(runtime) == []


async def test_without_a_secret_the_webhook_is_off(tmp_path: Path, clock: ManualClock) -> None:
    from local.server import create_dev_app
    from tests.e2e.conftest import ROOT

    rt = LocalRuntime(ROOT, state_dir=tmp_path / "s", clock=clock, dev_vars=vars_file(tmp_path), smtp_sink_port=0)
    await rt.start(migrate=True)
    try:
        transport = httpx.ASGITransport(app=create_dev_app(rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as client:
            response = await post(client, INTERESTED_REPLY, signed(INTERESTED_REPLY, now_ts(clock)))
        assert response.status_code == 503
        assert "INBOUND_WEBHOOK_SECRET" in response.json()["error"]["message"]
        assert await stored(rt) == []
    finally:
        await rt.close()


async def test_failed_attempts_count_against_the_client_address(tmp_path: Path, clock: ManualClock) -> None:
    from local.server import create_dev_app
    from tests.e2e.conftest import ROOT

    env = vars_file(
        tmp_path, INBOUND_WEBHOOK_SECRET=SECRET, RATE_LIMIT_IP_CAPACITY="3", RATE_LIMIT_IP_REFILL_PER_S="0.001"
    )
    rt = LocalRuntime(ROOT, state_dir=tmp_path / "s", clock=clock, dev_vars=env, smtp_sink_port=0)
    await rt.start(migrate=True)
    try:
        transport = httpx.ASGITransport(app=create_dev_app(rt))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as client:
            bad = signed(INTERESTED_REPLY, now_ts(clock), "whsec_guess")
            statuses = [(await post(client, INTERESTED_REPLY, bad)).status_code for _ in range(4)]
            assert statuses == [401, 401, 401, 429]
            # a throttled address cannot try even a good signature
            limited = await post(client, INTERESTED_REPLY, signed(INTERESTED_REPLY, now_ts(clock)))
            assert limited.status_code == 429
            assert limited.headers["Retry-After"]
            elsewhere = {**signed(INTERESTED_REPLY, now_ts(clock)), "X-Forwarded-For": "198.51.100.9"}
            assert (await post(client, INTERESTED_REPLY, elsewhere)).status_code == 202
    finally:
        await rt.close()


async def test_the_openapi_document_states_the_webhook(http: httpx.AsyncClient) -> None:
    operation = (await http.get("/openapi.json")).json()["paths"]["/webhooks/inbound"]["post"]
    assert set(operation["requestBody"]["content"]) == {RFC822, "application/octet-stream"}
    assert {"202", "401", "415", "503"} <= set(operation["responses"])
    assert not operation.get("security")


# -- the signature rules as properties ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(body=st.binary(min_size=1, max_size=2000), cuts=st.lists(st.integers(0, 2000), max_size=6),
       ts=st.integers(1_000_000_000, 9_999_999_999))  # fmt: skip
def test_any_chunking_of_the_body_gives_the_signature_of_the_whole(body: bytes, cuts: list[int], ts: int) -> None:
    points = sorted({min(c, len(body)) for c in cuts} | {0, len(body)})
    chunks = [body[a:b] for a, b in itertools.pairwise(points)]
    whole = hmac.new(SECRET.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    assert sign(SECRET.encode(), str(ts), chunks) == whole
    assert verified([b"other", SECRET.encode()], str(ts), chunks, signatures_of(f"v1={whole.upper()}")) == whole


@settings(max_examples=60, deadline=None)
@given(body=st.binary(min_size=1, max_size=500), data=st.data())
def test_any_flipped_byte_breaks_the_signature(body: bytes, data: st.DataObject) -> None:
    at = data.draw(st.integers(0, len(body) - 1))
    bit = data.draw(st.integers(0, 7))
    good = sign(SECRET.encode(), "1772619300", [body])
    flipped = bytearray(body)
    flipped[at] ^= 1 << bit
    assert verified([SECRET.encode()], "1772619300", [bytes(flipped)], [good]) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<>", ""),
        ("", ""),
        ("  ", ""),
        ("<a@b.example>", "a@b.example"),
        ("bounce+x=y@mx.example", "bounce+x=y@mx.example"),
    ],
)
def test_envelope_senders(value: str, expected: str) -> None:
    assert envelope_address(value, name="from", allow_null=True) == expected


@pytest.mark.parametrize("value", ["", "<>", "a@b", "@b.example", "a@", "a b@c.example", "A <a@b.example>"])
def test_envelope_recipients_must_be_addresses(value: str) -> None:
    with pytest.raises(ValidationFailed):
        envelope_address(value, name="to", allow_null=False)


def test_the_samples_sign_like_a_relay_would() -> None:
    body = inbound_sample(
        "bounce_user_unknown.eml", TO=RCPT, FROM="MAILER-DAEMON@mx.example", MSGID="<m@jengu.test>",
        SUBJECT="Undelivered", DATE="Wed, 04 Mar 2026 10:14:02 +0000",
    )  # fmt: skip
    headers = signed(body, 1772619300)
    assert signatures_of(headers["X-Jengu-Signature"]) == [sign(SECRET.encode(), "1772619300", [body])]
