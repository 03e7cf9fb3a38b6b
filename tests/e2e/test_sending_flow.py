"""Sending end to end on the local runtime: import → campaign → tick → compose → send → `.eml` files in the outbox
with the headers a receiver checks; a one-click unsubscribe (RFC 8058) stops that person's next step; nothing is
sent twice when the send message is delivered again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import httpx
import pytest

from local.clock import ManualClock
from local.email.smtp_sink import SmtpSink
from local.runtime import LocalRuntime
from local.server import create_dev_app
from shared.bootstrap import bootstrap
from shared.messages.payloads import SendRequested
from shared.service_layer.sending.send import SendService
from tests.e2e.conftest import ROOT, TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import CSV_SAMPLES

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
WEDNESDAY = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)
DAY = 86_400.0
SECRET = "s" * 40
STEPS = [
    {"kind": "template", "variants": [{"key": "A", "subject": "A question for {{ hotel or 'your hotel' }}",
                                       "body": "Hi {{ first_name or 'there' }},\n\nCould we help {{ hotel }}?\n\nM."}]},
    {"delay": 3, "delay_unit": "business_days", "kind": "template",
     "variants": [{"key": "A", "subject": "-", "body": "Hi {{ first_name or 'there' }}, a quick follow-up.\n\nMaya"}]},
]  # fmt: skip


@pytest.fixture
async def sink(tmp_path: Path) -> AsyncIterator[SmtpSink]:
    server = SmtpSink(tmp_path / "outbox", port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def world(tmp_path: Path, sink: SmtpSink) -> AsyncIterator[tuple[LocalRuntime, httpx.AsyncClient, ManualClock]]:
    clock = ManualClock(WEDNESDAY)
    dev_vars = tmp_path / ".dev.vars"
    dev_vars.write_text(f"APP_ENV=test\nENRICH_ON_CREATE=false\nAPI_KEY={TEST_API_KEY}\nUNSUBSCRIBE_SECRET={SECRET}\n"
                        "PUBLIC_BASE_URL=https://jengu.test\n")  # fmt: skip
    runtime = LocalRuntime(ROOT, state_dir=tmp_path / "state", clock=clock, dev_vars=dev_vars, smtp_sink_port=sink.port)
    await runtime.start(migrate=True)
    transport = httpx.ASGITransport(app=create_dev_app(runtime))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8787") as http:
            yield runtime, http, clock
    finally:
        await runtime.close()


async def start_campaign(http: httpx.AsyncClient) -> str:
    imported = await http.post("/api/prospects/import", content=(CSV_SAMPLES / "prospects_sample.csv").read_bytes(),
                               headers={**AUTH, "Content-Type": "text/csv"})  # fmt: skip
    assert imported.status_code == 200, imported.text
    inbox = await http.post("/api/inboxes", headers=AUTH, json={
        "email": "maya@jengu-demo.test", "display_name": "Maya Ødegård", "timezone": "Europe/London",
        "postal_address": "1 Demo Street, London EC1A 1AA", "warmup": {"enabled": False, "target": 20},
        "send_window": {"start": "08:00", "end": "16:00"},
    })  # fmt: skip
    assert inbox.status_code == 201, inbox.text
    campaign = await http.post("/api/campaigns", headers=AUTH, json={
        "name": "Winter", "inbox_ids": [inbox.json()["id"]], "steps": STEPS,
        "settings": {"timezone": "Europe/London"},
    })  # fmt: skip
    cid = campaign.json()["id"]
    assert (await http.post(f"/api/campaigns/{cid}/activate", headers=AUTH)).status_code == 200
    ids = [p["id"] for p in (await http.get("/api/prospects?limit=100", headers=AUTH)).json()["items"]]
    enrolled = await http.post(f"/api/campaigns/{cid}/enrollments", headers=AUTH, json={"ids": ids})
    assert enrolled.json()["enrolled"] == 3, enrolled.text
    return str(cid)


def parsed(paths: list[Path]) -> list[Any]:
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


async def test_campaign_mail_lands_in_the_outbox_with_correct_headers(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    await start_campaign(http)
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 3
    await runtime.drain()
    sent = await rows(runtime, "SELECT * FROM emails ORDER BY to_address")
    assert [e["status"] for e in sent] == ["sent"] * 3, [(e["status"], e["error"]) for e in sent]
    messages = {m["To"].addresses[0].addr_spec: m for m in parsed(sink.written)}
    assert len(messages) == 3
    for email in sent:
        message = messages[email["to_address"]]
        raw = message.as_bytes()
        assert message["Message-ID"] == email["message_id"]
        assert message["From"].addresses[0].display_name == "Maya Ødegård"
        assert message["From"].addresses[0].addr_spec == "maya@jengu-demo.test"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(message["List-Unsubscribe"])
        assert "<https://jengu.test/u/" in unsubscribe and "<mailto:" in unsubscribe
        assert message["X-Auto-Response-Suppress"] == "OOF, AutoReply"
        assert message["Auto-Submitted"] is None and message["Date"] is not None
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert "1 Demo Street, London EC1A 1AA" in text and "https://jengu.test/u/" in text
        assert email["prospect_id"] not in raw.decode("ascii", "replace")  # opaque tokens
    contacted = await rows(runtime, "SELECT stage FROM prospects WHERE id IN (SELECT prospect_id FROM emails)")
    assert {r["stage"] for r in contacted} == {"contacted"}

    # A duplicate delivery of a send message changes nothing.
    services = bootstrap(runtime.env)
    again = await SendService(services).handle(SendRequested(email_id=sent[0]["id"], send_key=sent[0]["send_key"]),
                                               owner="dup")  # fmt: skip
    assert again == "skipped" and len(sink.written) == 3


async def test_one_click_unsubscribe_stops_the_next_step(world: Any, sink: SmtpSink) -> None:
    runtime, http, clock = world
    await start_campaign(http)
    await http.post("/api/admin/trigger-send", headers=AUTH)
    await runtime.drain()
    olivia = next(m for m in parsed(sink.written) if m["To"].addresses[0].addr_spec.startswith("olivia"))
    url = str(olivia["List-Unsubscribe"]).split("<", 1)[1].split(">", 1)[0]
    path = url.removeprefix("https://jengu.test")
    page = await http.get(path)
    assert page.status_code == 200 and "olivia.brown@" not in page.text  # a GET never unsubscribes
    done = await http.post(path, content=b"List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert done.status_code == 200, done.text
    stopped = await rows(runtime, "SELECT e.status, e.stop_reason FROM enrollments e JOIN prospects p "
                                  "ON p.id = e.prospect_id WHERE p.email_normalized LIKE 'olivia%'")  # fmt: skip
    assert stopped[0]["status"] == "stopped"
    clock.advance(5 * DAY)  # Monday: the follow-ups are due
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 2
    await runtime.drain()
    follow_ups = [m for m in parsed(sink.written) if m["In-Reply-To"]]
    assert len(follow_ups) == 2 and all(not m["To"].addresses[0].addr_spec.startswith("olivia") for m in follow_ups)
    assert all(str(m["Subject"]).startswith("Re: ") for m in follow_ups)


async def test_click_tracking_is_opt_in_and_redirects_to_the_original_link(world: Any, sink: SmtpSink) -> None:
    runtime, http, _ = world
    csv = b'email,first_name,company,location\r\nann@a.example,Ann,Hotel A,"Cork, Ireland"\r\n'
    imported = await http.post("/api/prospects/import", headers={**AUTH, "Content-Type": "text/csv"}, content=csv)
    assert imported.status_code == 200
    inbox = (await http.post("/api/inboxes", headers=AUTH, json={
        "email": "maya@jengu-demo.test", "postal_address": "1 Demo Street, London", "warmup": {"enabled": False},
        "send_window": {"start": "00:00", "end": "23:59"},
    })).json()  # fmt: skip
    step = {
        "kind": "template",
        "variants": [
            {
                "key": "A",
                "subject": "Hi {{ first_name }}",
                "body": "Hi {{ first_name }}, see https://jengu.example/case-study",
            }
        ],
    }
    campaign = (await http.post("/api/campaigns", headers=AUTH, json={
        "name": "tracked", "inbox_ids": [inbox["id"]], "steps": [step],
        "settings": {"tracking": {"clicks": True}, "window": {"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                                                             "start": "00:00", "end": "24:00"}},
    })).json()  # fmt: skip
    await http.post(f"/api/campaigns/{campaign['id']}/activate", headers=AUTH)
    ids = [p["id"] for p in (await http.get("/api/prospects", headers=AUTH)).json()["items"]]
    await http.post(f"/api/campaigns/{campaign['id']}/enrollments", headers=AUTH, json={"ids": ids})
    await http.post("/api/admin/trigger-send", headers=AUTH)
    await runtime.drain()
    [message] = parsed(sink.written)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "https://jengu.example/case-study" not in text.split("https://jengu.test/u/")[0]
    tracked = next(word for word in text.split() if word.startswith("https://jengu.test/t/c/"))
    answer = await http.get(tracked.removeprefix("https://jengu.test"), follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == "https://jengu.example/case-study"
    stored = await rows(runtime, "SELECT body_text FROM emails")
    assert "https://jengu.example/case-study" in stored[0]["body_text"]  # the stored body stays the original
