"""The unsubscribe link end to end (local runtime, real D1, the compose pipeline): a GET shows a page and changes
nothing; the RFC 8058 one-click POST (and the page's button) suppresses the address and the person, stops every open
enrollment of the person in every campaign, cancels its queued emails, records the event and the activity once; the
next step is never composed; forged, tampered and unknown tokens get the "not valid" page; no secret, a clear page;
the client address's rate limit applies; the page shows the address masked and allows no script or Referer."""

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
from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from shared.messages.queues import QueueName
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import CSV_SAMPLES

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SECRET = "unsubscribe-secret-for-the-e2e-tests-0123456789"
OTHER_SECRET = "another-deployment-secret-that-signs-nothing-here"
WEDNESDAY_AFTERNOON = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)
ZONES = Path(__file__).resolve().parents[2] / "local" / "fakes" / "zones.json"
DAY = 86_400.0
ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}
STEPS = [
    {"delay": 0, "kind": "template",
     "variants": [{"key": "A", "weight": 1, "subject": "A question for {{ hotel or 'your hotel' }}",
                   "body": "Hi {{ first_name or 'there' }}, could we help {{ hotel or 'your hotel' }}?"}]},
    {"delay": 3, "delay_unit": "business_days", "kind": "template",
     "variants": [{"key": "A", "weight": 1, "subject": "ignored", "body": "Hi again {{ first_name or 'there' }}."}]},
]  # fmt: skip


@pytest.fixture
def tokens() -> Any:
    from shared.domain.sending import unsubscribe_tokens

    return unsubscribe_tokens


def token_for(tokens: Any, email_id: str, secret: str = SECRET) -> str:
    return str(tokens.make_token(tokens.secrets_from(secret), email_id))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(WEDNESDAY_AFTERNOON)


@pytest.fixture
async def doh() -> AsyncIterator[FakeDohServer]:
    async with FakeDohServer(json.loads(ZONES.read_text())) as server:
        yield server


@pytest.fixture
def dev_vars(tmp_path: Path, doh: FakeDohServer) -> Path:
    path = tmp_path / ".dev.vars"
    path.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=info\nAPI_KEY={TEST_API_KEY}\nDOH_URL={doh.url}\nUNSUBSCRIBE_SECRET={SECRET}\n"
    )
    return path


@pytest.fixture(autouse=True)
def held_sends(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Composed emails stay `queued` (the send consumer is not what this file tests)."""
    seen: list[str] = []

    async def hold(payload: Any, envelope: Any, services: Any) -> None:
        seen.append(payload.email_id)

    monkeypatch.setitem(QUEUE_HANDLERS[QueueName.SEND], "send.requested", hold)
    return seen


async def campaign(http: httpx.AsyncClient, inbox_id: str, name: str) -> str:
    created = await http.post("/api/campaigns", headers=AUTH, json={
        "name": name, "inbox_ids": [inbox_id], "steps": STEPS,
        "settings": {"timezone": "Europe/London", "window": {"weekdays": ["mon", "tue", "wed", "thu", "fri"],
                                                             "start": "09:00", "end": "17:00"}},
    })  # fmt: skip
    assert created.status_code == 201, created.text
    campaign_id = str(created.json()["id"])
    assert (await http.post(f"/api/campaigns/{campaign_id}/activate", headers=AUTH)).status_code == 200
    return campaign_id


async def queued_emails(http: httpx.AsyncClient, runtime: LocalRuntime) -> tuple[str, list[dict[str, Any]]]:
    """Import the sample, one inbox, one two-step campaign, enroll, tick, compose: three `queued` first emails."""
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
    inbox_id = str(inbox.json()["id"])
    campaign_id = await campaign(http, inbox_id, "Winter outreach")
    ids = [p["id"] for p in (await http.get("/api/prospects?limit=100", headers=AUTH)).json()["items"]]
    enrolled = await http.post(f"/api/campaigns/{campaign_id}/enrollments", headers=AUTH, json={"ids": ids})
    assert enrolled.json()["enrolled"] == 3, enrolled.text
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 3
    await runtime.drain()
    emails = await rows(runtime, "SELECT * FROM emails ORDER BY to_address")
    assert [e["status"] for e in emails] == ["queued"] * 3
    return inbox_id, emails


async def state_of(runtime: LocalRuntime, prospect_id: str, email_id: str) -> dict[str, Any]:
    return {
        "suppressions": await rows(
            runtime, "SELECT kind, value, reason, source, created_by FROM suppressions ORDER BY kind"
        ),
        "enrollments": await rows(
            runtime, "SELECT campaign_id, status, stop_reason FROM enrollments WHERE prospect_id = ? ORDER BY status",
            prospect_id,
        ),
        "emails": await rows(runtime, "SELECT id, status FROM emails WHERE prospect_id = ?", prospect_id),
        "events": await rows(runtime, "SELECT kind FROM email_events WHERE email_id = ? ORDER BY kind", email_id),
        "activities": await rows(
            runtime, "SELECT type, actor FROM activities WHERE prospect_id = ? AND type = 'unsubscribed'", prospect_id
        ),
    }  # fmt: skip


async def test_get_asks_post_unsubscribes_once_and_the_next_step_is_never_composed(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, tokens: Any
) -> None:
    inbox_id, emails = await queued_emails(http, runtime)
    email = emails[0]
    prospect_id, address = email["prospect_id"], email["to_address"]
    # A second, paused enrollment of the same person in another campaign: it must stop too.
    other = await campaign(http, inbox_id, "Spring outreach")
    now = datetime.fromtimestamp(clock.now(), UTC).isoformat()
    await rows(
        runtime, "INSERT INTO enrollments (id, campaign_id, prospect_id, status, next_step, pause_reason, version, "
        "created_at, updated_at) VALUES (?, ?, ?, 'paused', 1, 'manual', 1, ?, ?)",
        "e" * 32, other, prospect_id, now, now,
    )  # fmt: skip
    before = await state_of(runtime, prospect_id, email["id"])
    token = token_for(tokens, email["id"])

    page = await http.get(f"/u/{token}")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'method="post"' in page.text and f'action="/u/{token}"' in page.text
    masked = f"{address[0]}***@{address.split('@')[1]}"
    assert masked in page.text and address not in page.text
    assert (
        page.headers["referrer-policy"] == "no-referrer"
        and "default-src 'none'" in page.headers["content-security-policy"]
    )
    assert page.headers["cache-control"] == "no-store" and page.headers["x-content-type-options"] == "nosniff"
    assert await state_of(runtime, prospect_id, email["id"]) == before  # a GET changes nothing

    one_click = await http.post(f"/u/{token}", content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert one_click.status_code == 200 and one_click.headers["content-type"].startswith("text/plain")
    after = await state_of(runtime, prospect_id, email["id"])
    rule = {"reason": "unsubscribe", "source": "one-click", "created_by": "unsubscribe"}
    assert after["suppressions"] == [
        {"kind": "email", "value": address, **rule}, {"kind": "person", "value": prospect_id, **rule},
    ]  # fmt: skip
    assert {(e["campaign_id"], e["status"], e["stop_reason"]) for e in after["enrollments"]} == {
        (email["campaign_id"], "stopped", "unsubscribed"), (other, "stopped", "unsubscribed"),
    }  # fmt: skip
    assert after["emails"] == [{"id": email["id"], "status": "cancelled"}]
    assert after["events"] == [{"kind": "cancelled"}, {"kind": "unsubscribed"}]
    assert after["activities"] == [{"type": "unsubscribed", "actor": "unsubscribe"}]
    others = await rows(runtime, "SELECT status FROM emails WHERE prospect_id <> ?", prospect_id)
    assert [o["status"] for o in others] == ["queued", "queued"]  # nobody else is touched

    again = await http.post(f"/u/{token}", data={"confirm": "yes"})  # the page's button, after the one-click
    assert again.status_code == 200 and "You are unsubscribed" in again.text and "already" in again.text
    assert await state_of(runtime, prospect_id, email["id"]) == after  # idempotent: nothing added twice
    shown = await http.get(f"/u/{token}")
    assert shown.status_code == 200 and "You are unsubscribed" in shown.text and "<form" not in shown.text

    services = bootstrap(runtime.env)
    blocked = await services.suppressions.check(email=address.upper(), prospect_id=None)
    assert blocked is not None and blocked.kind == "email"
    assert (await services.suppressions.check(email=None, prospect_id=prospect_id)) is not None

    clock.advance(5 * DAY)  # Monday: the other two get their follow-up; the unsubscribed person does not
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 2
    await runtime.drain()
    assert await rows(runtime, "SELECT id FROM emails WHERE prospect_id = ? AND step_position = 2", prospect_id) == []


async def test_the_pages_button_unsubscribes_too(http: httpx.AsyncClient, runtime: LocalRuntime, tokens: Any) -> None:
    _, emails = await queued_emails(http, runtime)
    email = emails[1]
    done = await http.post(f"/u/{token_for(tokens, email['id'])}", data={"confirm": "yes"})
    assert done.status_code == 200 and done.headers["content-type"].startswith("text/html")
    assert "You are unsubscribed" in done.text and "already" not in done.text and email["to_address"] not in done.text
    sources = await rows(runtime, "SELECT DISTINCT source FROM suppressions")
    assert sources == [{"source": "page"}]


async def test_forged_tampered_and_unknown_links_get_a_clear_page_and_change_nothing(
    http: httpx.AsyncClient, runtime: LocalRuntime, tokens: Any
) -> None:
    _, emails = await queued_emails(http, runtime)
    good = token_for(tokens, emails[0]["id"])
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    forged = [
        "not-a-token", tampered, token_for(tokens, "f" * 32), token_for(tokens, emails[0]["id"], OTHER_SECRET),
        "x" * 300, "%00%0d%0a<script>",
    ]  # fmt: skip
    for token in forged:
        page = await http.get(f"/u/{token}")
        assert page.status_code == 404, (token, page.text)
        assert "This link is not valid" in page.text and "Traceback" not in page.text
        posted = await http.post(f"/u/{token}", content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
        assert posted.status_code == 404 and posted.headers["content-type"].startswith("text/plain")
        assert "not valid" in posted.text
        button = await http.post(f"/u/{token}", data={"confirm": "yes"})
        assert button.status_code == 404 and "This link is not valid" in button.text
    assert await rows(runtime, "SELECT * FROM suppressions") == []
    assert [e["status"] for e in await rows(runtime, "SELECT status FROM emails")] == ["queued"] * 3


async def test_without_a_secret_the_link_cannot_be_checked_never_a_500(
    http: httpx.AsyncClient, runtime: LocalRuntime, tokens: Any
) -> None:
    runtime.env.UNSUBSCRIBE_SECRET = ""  # type: ignore[union-attr]
    token = token_for(tokens, "a" * 32)
    page = await http.get(f"/u/{token}")
    assert page.status_code == 503 and "cannot be checked" in page.text
    posted = await http.post(f"/u/{token}", content=b"List-Unsubscribe=One-Click", headers=ONE_CLICK)
    assert posted.status_code == 503 and "cannot be checked" in posted.text


async def test_the_client_address_is_rate_limited_like_an_anonymous_api_call(
    http: httpx.AsyncClient, runtime: LocalRuntime, tokens: Any
) -> None:
    runtime.env.RATE_LIMIT_IP_CAPACITY = "3"  # type: ignore[union-attr]
    runtime.env.RATE_LIMIT_IP_REFILL_PER_S = "0.001"  # type: ignore[union-attr]
    headers = {"X-Forwarded-For": "203.0.113.9"}
    answers = [(await http.get("/u/whatever", headers=headers)).status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    limited = await http.post("/u/whatever", headers=headers)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert (await http.get("/u/whatever", headers={"X-Forwarded-For": "203.0.113.10"})).status_code == 404


async def test_the_routes_need_no_api_key_and_declare_html(http: httpx.AsyncClient) -> None:
    document = (await http.get("/openapi.json")).json()
    get = document["paths"]["/u/{token}"]["get"]
    post = document["paths"]["/u/{token}"]["post"]
    assert "security" not in get and "security" not in post
    assert set(get["responses"]["200"]["content"]) == {"text/html"}
    assert set(post["responses"]["200"]["content"]) == {"text/html", "text/plain"}
    assert "application/x-www-form-urlencoded" in post["requestBody"]["content"]
