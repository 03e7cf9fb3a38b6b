"""`/api/inbound` end to end (local runtime, real D1 and queues): messages arrive through the email handler, their
verdicts are set as the pipeline records them, then the API lists them (every filter, keyset pages newest first),
reads one (the stored verdict, the parsed view with auth results and the reply's new words, the raw message for 30
days, as UTF-8 or latin-1), serves the raw bytes, and records a person's correction (history kept, the pipeline's
message queued again). Provisional rows are never shown; every route needs a key."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import inbound_sample

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RCPT = "sales@jengu.test"
DAY = 86_400

# A top-posted human reply from Gmail with its Authentication-Results as Email Routing writes them.
GMAIL_REPLY = b"""Received: from mail-wm1-f41.google.com (mail-wm1-f41.google.com [209.85.128.41])
\tby mx.cloudflare.net with ESMTPS id 9a1b2c3d for <sales@jengu.test>; Mon, 02 Mar 2026 09:00:03 +0000
Authentication-Results: mx.cloudflare.net;
\tdkim=pass header.d=grand-hotel.example header.s=google header.b=Xy12;
\tdmarc=pass header.from=grand-hotel.example policy.dmarc=quarantine;
\tspf=pass (mx.cloudflare.net: domain of gm@grand-hotel.example designates 209.85.128.41 as permitted sender)
\tsmtp.mailfrom=gm@grand-hotel.example
From: Maria Rossi <gm@grand-hotel.example>
To: Jengu Sales <sales@jengu.test>
Subject: Re: A question for the Grand Hotel
Date: Mon, 2 Mar 2026 10:00:01 +0100
Message-ID: <CAF=reply-1@mail.gmail.com>
In-Reply-To: <e-7b1c@jengu.test>
References: <e-7b1c@jengu.test>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Hi, yes =E2=80=93 this sounds interesting. Could you send me the prices for 120 ro=
oms?

Best,
Maria

On Fri, Feb 27, 2026 at 4:12 PM Jengu Sales <sales@jengu.test> wrote:
> Hi Maria, could we help the Grand Hotel fill its shoulder season?
> Kind regards, the Jengu team
""".replace(b"\n", b"\r\n")

# A reply whose body is 8-bit ISO-8859-1: not UTF-8, so the raw text is read as latin-1 (every byte kept).
LATIN1_REPLY = (
    "From: =?iso-8859-1?q?Jos=E9_Mart=EDnez?= <jose@hostal-sol.example>\r\n"
    "To: sales@jengu.test\r\nSubject: Re: Propuesta\r\nDate: Mon, 2 Mar 2026 11:30:00 +0100\r\n"
    "Message-ID: <a1b2@hostal-sol.example>\r\nIn-Reply-To: <e-99@jengu.test>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    "Gracias, pero no nos interesa en este año. Saludos, José\r\n"
).encode("latin-1")


def sample(name: str, sender: str, subject: str, msgid: str) -> bytes:
    return inbound_sample(
        name, TO=RCPT, FROM=sender, MSGID=msgid, SUBJECT=subject, DATE="Mon, 02 Mar 2026 09:00:00 +0000"
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


async def deliver(http: httpx.AsyncClient, runtime: LocalRuntime, raw: bytes, sender: str) -> str:
    response = await http.post("/cdn-cgi/handler/email", params={"from": sender, "to": RCPT}, content=raw)
    assert response.status_code == 200, response.text
    [row] = await rows(runtime, "SELECT id FROM inbound_messages ORDER BY received_at DESC, id DESC LIMIT 1")
    return str(row["id"])


async def record(runtime: LocalRuntime, inbound_id: str, **columns: Any) -> None:
    """What the pipeline records for a message (its verdict and match)."""
    sets = ", ".join(f"{name} = ?" for name in columns)
    await rows(runtime, f"UPDATE inbound_messages SET status = 'processed', {sets} WHERE id = ?", *columns.values(),
               inbound_id)  # fmt: skip


async def create_prospect(http: httpx.AsyncClient, email: str) -> str:
    response = await http.post("/api/prospects", headers=AUTH, json={"email": email, "company_name": "Grand Hotel"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
async def mailbox(http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock) -> dict[str, str]:
    """Five messages an hour apart, oldest first, with the verdicts and matches the pipeline would record."""
    maria = await create_prospect(http, "gm@grand-hotel.example")
    jose = await create_prospect(http, "jose@hostal-sol.example")
    ids: dict[str, str] = {}
    ids["reply"] = await deliver(http, runtime, GMAIL_REPLY, "gm@grand-hotel.example")
    clock.advance(3600)
    ooo = sample("out_of_office.eml", "frontdesk@hotel-adler.example", "Abwesenheitsnotiz", "<ooo-1@adler.example>")
    ids["ooo"] = await deliver(http, runtime, ooo, "frontdesk@hotel-adler.example")
    clock.advance(3600)
    bounce = sample("bounce_user_unknown.eml", "MAILER-DAEMON@mx.example", "Undelivered", "<b-1@mx.example>")
    ids["bounce"] = await deliver(http, runtime, bounce, "mailer-daemon@mx.example")
    clock.advance(3600)
    ids["latin1"] = await deliver(http, runtime, LATIN1_REPLY, "jose@hostal-sol.example")
    clock.advance(3600)
    stray = sample("reply_interested.eml", "someone@unknown.example", "Hello", "<stray-1@unknown.example>")
    ids["stray"] = await deliver(http, runtime, stray, "someone@unknown.example")
    await record(runtime, ids["reply"], classification="reply", intent="interested", confidence=0.92,
                 prospect_id=maria, campaign_id="camp-a")  # fmt: skip
    await record(runtime, ids["ooo"], classification="auto_reply", intent="out_of_office", campaign_id="camp-b")
    await record(runtime, ids["bounce"], classification="bounce", intent="hard", prospect_id=maria,
                 campaign_id="camp-a")  # fmt: skip
    await record(runtime, ids["latin1"], classification="reply", intent="not_interested", prospect_id=jose,
                 campaign_id="camp-b", spoofed=1)  # fmt: skip
    await record(runtime, ids["stray"], classification="unknown")
    return {**ids, "maria": maria, "jose": jose}


async def listed(http: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await http.get("/api/inbound", headers=AUTH, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def queued_inbound_ids(runtime: LocalRuntime) -> list[str]:
    assert runtime.broker is not None
    bodies = runtime.broker._db.execute("SELECT body FROM messages WHERE queue = 'inbound' ORDER BY sent_at")
    envelopes = [json.loads(body) for (body,) in bodies]
    envelopes = [json.loads(e) if isinstance(e, str) else e for e in envelopes]
    return [e["payload"]["inbound_id"] for e in envelopes]


# -- list ------------------------------------------------------------------------------------------------------


async def test_newest_first_with_every_filter(http: httpx.AsyncClient, mailbox: dict[str, str]) -> None:
    m = mailbox
    assert await listed(http) == [m["stray"], m["latin1"], m["bounce"], m["ooo"], m["reply"]]
    assert await listed(http, classification="reply") == [m["latin1"], m["reply"]]
    assert await listed(http, intent="hard") == [m["bounce"]]
    assert await listed(http, classification="auto_reply", intent="out_of_office") == [m["ooo"]]
    assert await listed(http, campaign_id="camp-a") == [m["bounce"], m["reply"]]
    assert await listed(http, prospect_id=m["maria"]) == [m["bounce"], m["reply"]]
    assert await listed(http, prospect_id=m["jose"], classification="reply") == [m["latin1"]]
    assert await listed(http, matched="true") == [m["latin1"], m["bounce"], m["reply"]]
    assert await listed(http, matched="false") == [m["stray"], m["ooo"]]
    since, until = (START + timedelta(hours=1)).isoformat(), (START + timedelta(hours=3)).isoformat()
    assert await listed(http, since=since, until=until) == [m["bounce"], m["ooo"]]  # since inclusive, until not
    assert await listed(http, since="2026-03-02T11:00:00") == [m["stray"], m["latin1"], m["bounce"]]  # UTC
    assert await listed(http, classification="complaint") == []


async def test_items_carry_the_verdict_and_the_match(http: httpx.AsyncClient, mailbox: dict[str, str]) -> None:
    items = {i["id"]: i for i in (await http.get("/api/inbound", headers=AUTH)).json()["items"]}
    reply = items[mailbox["reply"]]
    assert (reply["classification"], reply["intent"], reply["confidence"]) == ("reply", "interested", 0.92)
    assert (reply["prospect_id"], reply["campaign_id"], reply["matched"]) == (mailbox["maria"], "camp-a", True)
    assert (reply["mail_from"], reply["rcpt_to"], reply["status"]) == ("gm@grand-hotel.example", RCPT, "processed")
    assert reply["subject"] == "Re: A question for the Grand Hotel"
    assert reply["message_id"] == "<CAF=reply-1@mail.gmail.com>"
    assert reply["spoofed"] is False and reply["corrected"] is False
    assert items[mailbox["latin1"]]["spoofed"] is True
    assert items[mailbox["bounce"]]["mail_from"] == "mailer-daemon@mx.example"
    assert items[mailbox["stray"]]["matched"] is False


async def test_keyset_pages_cover_everything_once(
    http: httpx.AsyncClient, runtime: LocalRuntime, mailbox: dict[str, str], clock: ManualClock
) -> None:
    clock.set(START + timedelta(hours=4))  # two more in the same second as the stray one: ties broken by id
    for n in range(2):
        await deliver(http, runtime, GMAIL_REPLY.replace(b"reply-1", f"tie-{n}".encode()), "gm@grand-hotel.example")
    everything = await listed(http, limit=100)
    assert len(everything) == 7
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await http.get("/api/inbound", headers=AUTH, params=params)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything
    filtered = (await http.get("/api/inbound", headers=AUTH, params={"limit": 1, "classification": "reply"})).json()
    second = await listed(http, limit=1, classification="reply", cursor=filtered["next_cursor"])
    assert [filtered["items"][0]["id"], *second] == [mailbox["latin1"], mailbox["reply"]]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"classification": "interested"},
        {"intent": "Interested!"},
        {"matched": "maybe"},
        {"since": "yesterday"},
        {"since": "1772442000"},
        {"limit": 0},
        {"limit": 101},
    ],
)
async def test_bad_list_parameters_are_422(http: httpx.AsyncClient, params: dict[str, Any]) -> None:
    response = await http.get("/api/inbound", headers=AUTH, params=params)
    assert response.status_code == 422, response.text


async def test_a_message_still_streaming_in_is_not_shown(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    await rows(
        runtime,
        "INSERT INTO inbound_messages (id, received_at, mail_from, rcpt_to, raw_size, raw_sha256, raw_chunks) "
        "VALUES ('p1', '2026-03-02T09:00:00+00:00', 'a@b.example', ?, 0, 'partial:p1', 0)",
        RCPT,
    )
    assert await listed(http) == []
    assert (await http.get("/api/inbound/p1", headers=AUTH)).status_code == 404
    assert (await http.post("/api/inbound/p1/reclassify", headers=AUTH, json={"intent": "hard"})).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/inbound"), ("GET", "/api/inbound/x"), ("GET", "/api/inbound/x/raw"),
     ("POST", "/api/inbound/x/reclassify")],
)  # fmt: skip
async def test_every_route_needs_a_key(http: httpx.AsyncClient, method: str, path: str) -> None:
    response = await http.request(method, path, json={"intent": "hard"} if method == "POST" else None)
    assert response.status_code == 401


# -- read one --------------------------------------------------------------------------------------------------


async def test_one_message_with_its_parsed_view_and_raw_text(http: httpx.AsyncClient, mailbox: dict[str, str]) -> None:
    response = await http.get(f"/api/inbound/{mailbox['reply']}", headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["classification"], body["intent"], body["prospect_id"]) == ("reply", "interested", mailbox["maria"])
    parsed = body["parsed"]
    assert (parsed["from_address"], parsed["from_name"]) == ("gm@grand-hotel.example", "Maria Rossi")
    assert parsed["to_addresses"] == [RCPT]
    assert parsed["subject"] == "Re: A question for the Grand Hotel"
    assert datetime.fromisoformat(parsed["date"]) == datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)
    assert parsed["auth"] == {"spf": "pass", "dkim": "pass", "dmarc": "pass"}
    assert parsed["in_reply_to"] == ["<e-7b1c@jengu.test>"]
    assert "prices for 120 rooms" in parsed["reply_text"]
    assert "shoulder season" not in parsed["reply_text"]  # the quoted history is not the reply
    assert "shoulder season" in parsed["text"]
    assert parsed["partial"] is False
    assert body["raw"] == GMAIL_REPLY.decode()
    assert (body["raw_encoding"], body["raw_omitted"]) == ("utf-8", None)
    assert datetime.fromisoformat(body["raw_available_until"]) == START + timedelta(days=30, seconds=0)
    assert body["corrections"] == [] and body["details"] is None


async def test_a_latin1_message_reads_as_latin1_and_keeps_every_byte(
    http: httpx.AsyncClient, mailbox: dict[str, str]
) -> None:
    body = (await http.get(f"/api/inbound/{mailbox['latin1']}", headers=AUTH)).json()
    assert body["raw_encoding"] == "latin-1"
    assert body["raw"].encode("latin-1") == LATIN1_REPLY
    assert body["parsed"]["from_name"] == "José Martínez"
    assert "no nos interesa en este año" in body["parsed"]["reply_text"]
    assert body["spoofed"] is True


async def test_the_raw_message_is_shown_for_30_days(
    http: httpx.AsyncClient, mailbox: dict[str, str], clock: ManualClock
) -> None:
    path = f"/api/inbound/{mailbox['reply']}"
    clock.set(START + timedelta(days=30) - timedelta(seconds=1))
    assert (await http.get(path, headers=AUTH)).json()["raw"] == GMAIL_REPLY.decode()
    raw = await http.get(f"{path}/raw", headers=AUTH)
    assert raw.status_code == 200
    assert raw.content == GMAIL_REPLY
    assert raw.headers["content-type"].startswith("message/rfc822")
    assert f'filename="{mailbox["reply"]}.eml"' in raw.headers["content-disposition"]

    clock.set(START + timedelta(days=30))
    later = (await http.get(path, headers=AUTH)).json()
    assert (later["raw"], later["raw_encoding"], later["raw_omitted"]) == (None, None, "expired")
    assert later["parsed"]["subject"] == "Re: A question for the Grand Hotel"  # the parsed view stays
    expired = await http.get(f"{path}/raw", headers=AUTH)
    assert expired.status_code == 404
    assert expired.json()["error"]["code"] == "raw_expired"


async def test_a_large_message_is_read_through_raw(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    attachment = b"".join(b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=" * 2 + b"\r\n" for _ in range(40_000))  # ~2.9 MB
    big = GMAIL_REPLY.replace(
        b"Content-Type: text/plain", b"X-Big: 1\r\nContent-Type: text/plain"
    ) + b"\r\n" + attachment  # fmt: skip
    inbound_id = await deliver(http, runtime, big, "gm@grand-hotel.example")
    body = (await http.get(f"/api/inbound/{inbound_id}", headers=AUTH)).json()
    assert (body["raw"], body["raw_omitted"]) == (None, "too_large")
    assert body["raw_size"] == len(big)
    assert body["parsed"]["from_address"] == "gm@grand-hotel.example"
    assert (await http.get(f"/api/inbound/{inbound_id}/raw", headers=AUTH)).content == big


async def test_an_unknown_message_is_404(http: httpx.AsyncClient) -> None:
    for path in ("/api/inbound/nope", "/api/inbound/nope/raw"):
        response = await http.get(path, headers=AUTH)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


async def test_a_broken_message_still_reads(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    truncated = (
        b"From: <gm@grand-hotel.example>\r\nTo: sales@jengu.test\r\nSubject: Re: offer\r\n"
        b'Content-Type: multipart/alternative; boundary="zz"\r\n\r\n--zz\r\nContent-Type: text/plain; charset=x-unknown'
        b"\r\n\r\nYes please, call me on Tuesday.\r\n--z"
    )
    inbound_id = await deliver(http, runtime, truncated, "gm@grand-hotel.example")
    body = (await http.get(f"/api/inbound/{inbound_id}", headers=AUTH)).json()
    assert body["parsed"]["from_address"] == "gm@grand-hotel.example"
    assert "call me on Tuesday" in body["parsed"]["text"]
    assert body["raw"] == truncated.decode()


# -- reclassify ------------------------------------------------------------------------------------------------


async def test_a_correction_is_recorded_and_the_pipeline_queued_again(
    http: httpx.AsyncClient, runtime: LocalRuntime, mailbox: dict[str, str], clock: ManualClock
) -> None:
    before = queued_inbound_ids(runtime)
    path = f"/api/inbound/{mailbox['reply']}/reclassify"
    response = await http.post(path, headers=AUTH, json={"intent": "meeting_request", "note": "asks for a call"})
    assert response.status_code == 202, response.text
    out = response.json()
    assert (out["item"]["classification"], out["item"]["intent"], out["item"]["corrected"]) == (
        "reply", "meeting_request", True,
    )  # fmt: skip
    correction = out["correction"]
    assert (correction["previous_classification"], correction["previous_intent"]) == ("reply", "interested")
    assert (correction["classification"], correction["intent"], correction["note"]) == (
        "reply", "meeting_request", "asks for a call",
    )  # fmt: skip
    assert correction["by"]  # the key that made it
    assert out["message_id"] and out["trace_id"]
    assert queued_inbound_ids(runtime) == [*before, mailbox["reply"]]
    [row] = await rows(runtime, "SELECT classification, intent, corrections FROM inbound_messages WHERE id = ?",
                       mailbox["reply"])  # fmt: skip
    assert (row["classification"], row["intent"]) == ("reply", "meeting_request")
    assert [c["intent"] for c in json.loads(row["corrections"])] == ["meeting_request"]

    clock.advance(60)
    second = await http.post(path, headers=AUTH, json={"classification": "auto_reply", "intent": "out_of_office"})
    assert second.status_code == 202
    detail = (await http.get(f"/api/inbound/{mailbox['reply']}", headers=AUTH)).json()
    assert [(c["previous_intent"], c["intent"]) for c in detail["corrections"]] == [
        ("interested", "meeting_request"), ("meeting_request", "out_of_office"),
    ]  # fmt: skip
    assert datetime.fromisoformat(detail["corrections"][1]["at"]) == START + timedelta(hours=4, seconds=60)
    assert detail["corrected"] is True
    assert await listed(http, classification="auto_reply") == [mailbox["ooo"], mailbox["reply"]]


async def test_a_new_classification_without_an_intent_clears_the_old_one(
    http: httpx.AsyncClient, mailbox: dict[str, str]
) -> None:
    response = await http.post(f"/api/inbound/{mailbox['stray']}/reclassify", headers=AUTH,
                               json={"classification": "reply"})  # fmt: skip
    assert response.status_code == 202
    response = await http.post(f"/api/inbound/{mailbox['bounce']}/reclassify", headers=AUTH,
                               json={"classification": "auto_reply"})  # fmt: skip
    assert response.status_code == 202
    assert (response.json()["item"]["classification"], response.json()["item"]["intent"]) == ("auto_reply", None)
    response = await http.post(f"/api/inbound/{mailbox['bounce']}/reclassify", headers=AUTH,
                               json={"classification": "bounce", "intent": "soft"})  # fmt: skip
    assert response.json()["item"]["intent"] == "soft"


@pytest.mark.parametrize(
    ("target", "body", "reason"),
    [
        ("reply", {}, "empty_correction"),
        ("reply", {"intent": "hard"}, "intent_mismatch"),
        ("bounce", {"intent": "interested"}, "intent_mismatch"),
        ("bounce", {"classification": "reply", "intent": "policy"}, "intent_mismatch"),
        ("reply", {"classification": "unknown", "intent": "other"}, "intent_mismatch"),
    ],
)
async def test_corrections_that_do_not_fit_are_422(
    http: httpx.AsyncClient, runtime: LocalRuntime, mailbox: dict[str, str], target: str, body: dict[str, Any],
    reason: str,
) -> None:  # fmt: skip
    before = queued_inbound_ids(runtime)
    response = await http.post(f"/api/inbound/{mailbox[target]}/reclassify", headers=AUTH, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"]["reason"] == reason
    assert queued_inbound_ids(runtime) == before
    [row] = await rows(runtime, "SELECT corrections FROM inbound_messages WHERE id = ?", mailbox[target])
    assert row["corrections"] is None


@pytest.mark.parametrize(
    "body",
    [{"classification": "interested"}, {"intent": "Not Interested"}, {"intent": "hard", "by": "me"}, {"intent": 3}],
)
async def test_malformed_corrections_are_422(
    http: httpx.AsyncClient, mailbox: dict[str, str], body: dict[str, Any]
) -> None:
    response = await http.post(f"/api/inbound/{mailbox['bounce']}/reclassify", headers=AUTH, json=body)
    assert response.status_code == 422, response.text


async def test_reclassifying_an_unknown_message_is_404(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    response = await http.post("/api/inbound/nope/reclassify", headers=AUTH, json={"classification": "reply"})
    assert response.status_code == 404
    assert queued_inbound_ids(runtime) == []


async def test_the_openapi_document_states_the_routes(http: httpx.AsyncClient) -> None:
    paths = (await http.get("/openapi.json")).json()["paths"]
    assert {"/api/inbound", "/api/inbound/{inbound_id}", "/api/inbound/{inbound_id}/raw",
            "/api/inbound/{inbound_id}/reclassify"} <= set(paths)  # fmt: skip
    assert "message/rfc822" in paths["/api/inbound/{inbound_id}/raw"]["get"]["responses"]["200"]["content"]
    assert {"202", "404", "422"} <= set(paths["/api/inbound/{inbound_id}/reclassify"]["post"]["responses"])
