"""The outreach pipeline from the API alone: an inbox, a two-step campaign, the sample prospects enrolled, a tick,
drafts composed by the template composer with fixed Message-IDs and `send` messages queued; the follow-up threads
under the first email; the same with an AI step against the local LLM fake, including a fallback when it fails.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from consumers.dispatch import QUEUE_HANDLERS
from local.clock import ManualClock
from local.fakes.doh import FakeDohServer
from local.fakes.llm import FakeLlmServer
from local.runtime import LocalRuntime
from shared.messages.queues import QueueName
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import CSV_SAMPLES

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
WEDNESDAY_AFTERNOON = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)  # 14:30 London and Dublin, 15:30 Lyon
ZONES = Path(__file__).resolve().parents[2] / "local" / "fakes" / "zones.json"
DAY = 86_400.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(WEDNESDAY_AFTERNOON)


@pytest.fixture
async def doh() -> AsyncIterator[FakeDohServer]:
    server = FakeDohServer(json.loads(ZONES.read_text()))
    async with server:
        yield server


@pytest.fixture
async def llm() -> AsyncIterator[FakeLlmServer]:
    server = FakeLlmServer()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def dev_vars(tmp_path: Path, doh: FakeDohServer, llm: FakeLlmServer) -> Path:
    path = tmp_path / ".dev.vars"
    path.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=info\nAPI_KEY={TEST_API_KEY}\nDOH_URL={doh.url}\n"
        f"XAI_API_KEY={llm.api_key}\nXAI_BASE_URL={llm.base_url}/v1\nAI_TIMEOUT_S=2\n"
    )
    return path


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The `send` messages the compose consumer queued (the send consumer arrives with issue 9)."""
    seen: list[dict[str, Any]] = []

    async def record(payload: Any, envelope: Any, services: Any) -> None:
        seen.append(payload.model_dump())

    monkeypatch.setitem(QUEUE_HANDLERS[QueueName.SEND], "send.requested", record)
    return seen


TEMPLATE_STEPS = [
    {
        "delay": 0,
        "kind": "template",
        "variants": [
            {"key": "A", "weight": 1, "subject": "A question for {{ hotel or 'your hotel' }}",
             "body": "Hi {{ first_name or 'there' }},\n\nI noticed {{ hotel or 'your hotel' }} in"
                     " {{ city or 'your city' }}. Could we help you fill shoulder-season rooms?\n\n{{ sender.name }}"},
            {"key": "B", "weight": 1, "subject": "{{ hotel or 'Your hotel' }} and direct bookings",
             "body": "Hello {{ first_name or 'there' }},\n\nWould a short call about direct bookings for"
                     " {{ hotel or 'your hotel' }} be useful?\n\n{{ sender.name }}"},
        ],
    },
    {
        "delay": 3,
        "delay_unit": "business_days",
        "kind": "template",
        "variants": [{"key": "A", "weight": 1, "subject": "ignored for a follow-up",
                      "body": "Hi {{ first_name or 'there' }}, just bringing this back to the top of your inbox."
                              " Worth a chat?\n\n{{ sender.name }}"}],
    },
]  # fmt: skip


async def setup_campaign(http: httpx.AsyncClient, steps: list[dict[str, Any]]) -> tuple[str, str, list[str]]:
    imported = await http.post(
        "/api/prospects/import", content=(CSV_SAMPLES / "prospects_sample.csv").read_bytes(),
        headers={**AUTH, "Content-Type": "text/csv"},
    )  # fmt: skip
    assert imported.status_code == 200, imported.text
    inbox = await http.post("/api/inboxes", headers=AUTH, json={
        "email": "sales@jengu-demo.test", "display_name": "Maya from Jengu", "timezone": "Europe/London",
        "postal_address": "1 Demo Street, London EC1A 1AA, United Kingdom", "daily_cap": 20, "hourly_cap": 5,
        "warmup": {"enabled": False, "target": 20}, "send_window": {"start": "08:00", "end": "16:00"},
        "dkim_selector": "jengu",
    })  # fmt: skip
    assert inbox.status_code == 201, inbox.text
    inbox_id = inbox.json()["id"]
    campaign = await http.post("/api/campaigns", headers=AUTH, json={
        "name": "Winter outreach", "inbox_ids": [inbox_id], "steps": steps,
        "settings": {"timezone": "Europe/London", "window": {"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                                                             "start": "09:00", "end": "17:00"}},
    })  # fmt: skip
    assert campaign.status_code == 201, campaign.text
    campaign_id = campaign.json()["id"]
    activated = await http.post(f"/api/campaigns/{campaign_id}/activate", headers=AUTH)
    assert activated.status_code == 200, activated.text
    listed = await http.get("/api/prospects?limit=100", headers=AUTH)
    return inbox_id, campaign_id, [p["id"] for p in listed.json()["items"]]


async def test_two_step_template_campaign_from_the_api(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, sends: list[dict[str, Any]]
) -> None:
    inbox_id, campaign_id, prospect_ids = await setup_campaign(http, TEMPLATE_STEPS)

    enrolled = await http.post(f"/api/campaigns/{campaign_id}/enrollments", headers=AUTH, json={"ids": prospect_ids})
    assert enrolled.status_code == 200, enrolled.text
    report = enrolled.json()
    # IE, FR and GB allow cold B2B email with an opt-out; DE, IT, PL, NO, GR need consent; JP has no rule (a recorded
    # basis is needed); the Spanish lead has no address; the Dutch one is a role address.
    assert report["enrolled"] == 3, report
    assert report["refused"] == {"country_policy": 6, "no_sendable_email": 1, "role_address": 1}

    tick = await http.post("/api/admin/trigger-send", headers=AUTH)
    assert tick.status_code == 200, tick.text
    assert tick.json()["enqueued"] == 3, tick.json()
    again = await http.post("/api/admin/trigger-send", headers=AUTH)
    assert again.json()["enqueued"] == 0  # claimed: the same step is never enqueued twice

    await runtime.drain()
    emails = await rows(runtime, "SELECT * FROM emails ORDER BY to_address")
    assert len(emails) == 3 and len(sends) == 3
    assert {e["id"] for e in emails} == {s["email_id"] for s in sends}
    sends.clear()
    for email in emails:
        assert email["status"] == "queued" and email["composer"] == "template"
        assert email["message_id"].startswith("<") and email["message_id"].endswith("@jengu-demo.test>")
        assert email["thread_id"] == email["message_id"] and email["in_reply_to"] is None
        assert email["inbox_id"] == inbox_id and email["from_address"] == "sales@jengu-demo.test"
        assert email["send_key"] == f"{email['enrollment_id']}:1" and email["variant"] in ("A", "B")
        assert "{{" not in email["subject"] + email["body_text"]
    olivia = next(e for e in emails if e["to_address"].startswith("olivia"))
    assert "Olivia" in olivia["body_text"] and "Chester Grand" in olivia["subject"] + olivia["body_text"]

    # The follow-up is due three business days later (Wednesday -> Monday), threads under the first email.
    clock.advance(2 * DAY)  # Friday
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 0
    clock.advance(3 * DAY)  # Monday
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 3
    await runtime.drain()
    follow_ups = await rows(runtime, "SELECT * FROM emails WHERE step_position = 2")
    follow_up_sends = {s["email_id"] for s in sends}  # the sweeper may re-queue the unsent first emails (harmless)
    assert len(follow_ups) == 3 and {e["id"] for e in follow_ups} <= follow_up_sends
    firsts = {e["enrollment_id"]: e for e in emails}
    for email in follow_ups:
        first = firsts[email["enrollment_id"]]
        assert email["subject"] == f"Re: {first['subject']}"
        assert email["in_reply_to"] == first["message_id"] and first["message_id"] in email["references_"]
        assert email["thread_id"] == first["message_id"] and email["inbox_id"] == first["inbox_id"]
    done = await rows(runtime, "SELECT status, next_due_at FROM enrollments WHERE campaign_id = ?", campaign_id)
    assert all(r["status"] == "active" and r["next_due_at"] is None for r in done)

    stats = await http.get(f"/api/campaigns/{campaign_id}/stats", headers=AUTH)
    assert stats.status_code == 200, stats.text


async def test_an_ai_step_composes_through_the_fake_and_falls_back_when_it_fails(
    http: httpx.AsyncClient, runtime: LocalRuntime, llm: FakeLlmServer, sends: list[dict[str, Any]]
) -> None:
    runtime.env.AI_PROVIDERS = "xai"  # type: ignore[union-attr]
    steps = [{"delay": 0, "kind": "ai", "variants": [{"key": "A", "weight": 1, "strategy": "curiosity_value"}]}]
    _, campaign_id, prospect_ids = await setup_campaign(http, steps)
    enrolled = await http.post(f"/api/campaigns/{campaign_id}/enrollments", headers=AUTH, json={"ids": prospect_ids})
    assert enrolled.json()["enrolled"] == 3
    llm.script(["success", "server_error", "invalid_output"])  # then success again for nobody
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 3
    await runtime.drain()
    emails = await rows(runtime, "SELECT composer, compose_notes, subject, body_text FROM emails")
    composers = sorted(e["composer"] for e in emails)
    assert composers == ["template", "template", "xai"], emails
    for email in emails:
        assert "{{" not in email["body_text"] and email["subject"]
        notes = json.loads(email["compose_notes"])
        if email["composer"] == "template":
            assert notes[-1]["outcome"] == "fallback" and notes[0]["provider"] == "xai"
    assert len(sends) == 3
