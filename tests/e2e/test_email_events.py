"""Email events end to end: `record` stores each event (once for a once-per-email kind) and publishes it; the `events`
consumer keeps daily counters per UTC day, campaign, step, variant and inbox, counting each message once however
often it is delivered; the tracking routes record opens and clicks (flagged when probably automated), answer without
an API key, and redirect only to links of the email that were signed for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.adapters.d1.emails import D1EmailLedger
from shared.bootstrap import bootstrap
from shared.domain.tracking import click_url, tracking_key, tracking_urls
from shared.messages.queues import QueueName
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows
from tests.e2e.test_emails_api import AUTH, one_off, setup
from tests.e2e.test_emails_api import sends as sends  # the fixture: send messages are captured, not sent

pytestmark = pytest.mark.usefixtures("sends")
SECRET = "events-test-unsubscribe-secret-0123456789"
LATE_SUNDAY = datetime(2026, 3, 1, 23, 59, 40, tzinfo=UTC)
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
BODY = "Hi Olivia,\n\nour rates: https://hotel.example/rates?season=winter&n=2.\nMore at https://hotel.example/."


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(LATE_SUNDAY)


@pytest.fixture
def dev_vars(tmp_path: Path) -> Path:
    path = tmp_path / ".dev.vars"
    path.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=info\nAPI_KEY={TEST_API_KEY}\nUNSUBSCRIBE_SECRET={SECRET}\n"
    )
    return path


async def campaign_email(http: httpx.AsyncClient, runtime: LocalRuntime, *, sent: bool = True) -> dict[str, Any]:
    """A one-off email made to look like step 2, variant B of a campaign, sent at the clock's time."""
    inbox_id, people = await setup(http)
    campaign = await http.post("/api/campaigns", json={"name": "Winter", "inbox_ids": [inbox_id]}, headers=AUTH)
    assert campaign.status_code == 201, campaign.text
    created = await http.post("/api/emails", json=one_off(people["Brown"], inbox_id, body=BODY), headers=AUTH)
    assert created.status_code == 201, created.text
    await runtime.drain()
    now = runtime.now().isoformat()
    await rows(
        runtime,
        "UPDATE emails SET campaign_id = ?, step_position = 2, variant = 'B', status = ?, sent_at = ? WHERE id = ?",
        campaign.json()["id"], "sent" if sent else "queued", now if sent else None, created.json()["id"],
    )  # fmt: skip
    row = await bootstrap(runtime.env).emails.get(created.json()["id"])
    assert row is not None
    return row


async def counters(runtime: LocalRuntime) -> dict[tuple[str, str, str], int]:
    found = await rows(runtime, "SELECT day, campaign_id, step_position, variant, inbox_id, metric, count FROM "
                                "daily_counters")  # fmt: skip
    return {(r["day"], r["metric"], f"{r['campaign_id'][:4]}/{r['step_position']}/{r['variant']}"): r["count"]
            for r in found}  # fmt: skip


@BOTH_D1_BACKENDS
async def test_events_are_recorded_and_counted_once_per_utc_day(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    email = await campaign_email(http, runtime)
    tag = f"{email['campaign_id'][:4]}/2/B"
    events = bootstrap(runtime.env).email_events
    at = runtime.now()
    first = await events.record(email, "sent", at=at, detail={"transport": "local"})
    again = await events.record(email, "sent", at=at + timedelta(seconds=5))  # a redelivered send records it again
    assert first == again
    after_midnight = at + timedelta(seconds=30)
    for automated in (False, False, True):
        await events.record(email, "opened", at=after_midnight, automated=automated)
    await runtime.drain()

    stored = await rows(
        runtime, "SELECT kind, automated, detail FROM email_events WHERE email_id = ? ORDER BY at, kind", email["id"]
    )
    assert [(r["kind"], r["automated"]) for r in stored] == [
        ("queued", 0), ("sent", 0), ("opened", 0), ("opened", 0), ("opened", 1),
    ]  # fmt: skip
    assert stored[1]["detail"] == '{"transport":"local"}'
    assert await counters(runtime) == {
        ("2026-03-01", "queued", "/0/"): 1,  # queued before it joined the campaign (a one-off)
        ("2026-03-01", "sent", tag): 1,
        ("2026-03-02", "opened", tag): 2,
        ("2026-03-02", "opened_automated", tag): 1,
    }
    (opened_at,) = await rows(runtime, "SELECT opened_at FROM emails WHERE id = ?", email["id"])
    assert opened_at["opened_at"] == after_midnight.isoformat()

    # a republished event and a duplicate delivery of the same envelope are counted once
    stored_sent = (await rows(runtime, "SELECT id FROM email_events WHERE kind = 'sent'"))[0]["id"]
    assert stored_sent == first
    from shared.adapters.d1.emails import EventRow

    await events.publish(email, EventRow(first, email["id"], "sent", False, {}, at))
    await events.publish(email, EventRow(first, email["id"], "sent", False, {}, at))
    await runtime.drain()
    assert (await counters(runtime))[("2026-03-01", "sent", tag)] == 1
    processed = await rows(runtime, "SELECT queue FROM processed_messages WHERE message_id = ?", first)
    assert processed == [{"queue": "events"}]

    ledger = D1EmailLedger(bootstrap(runtime.env).db)  # type: ignore[arg-type]
    read = await ledger.counters(email["campaign_id"], "2026-03-01", "2026-03-02")
    assert [(r["day"], r["metric"], r["count"]) for r in read] == [
        ("2026-03-01", "sent", 1), ("2026-03-02", "opened", 2), ("2026-03-02", "opened_automated", 1),
    ]  # fmt: skip
    with pytest.raises(ValueError):
        await events.record(email, "teleported", at=at)


async def test_a_counter_batch_that_fails_counts_nothing_and_its_retry_counts_once(
    http: httpx.AsyncClient,
    runtime: LocalRuntime,
    clock: ManualClock,
    sends: list[Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    email = await campaign_email(http, runtime)
    services = bootstrap(runtime.env)
    calls = {"n": 0}
    original = D1EmailLedger.count_once

    async def flaky(self: D1EmailLedger, message_id: str, queue: str, keys: Any, at: datetime) -> None:
        calls["n"] += 1
        if calls["n"] == 1:  # the batch fails as a whole: neither the counter nor the processed mark is written
            broken = [*keys, type(keys[0])(keys[0].day, "", 0, "", "", None)]  # NOT NULL fails
            await original(self, message_id, queue, broken, at)
        await original(self, message_id, queue, keys, at)

    monkeypatch.setattr(D1EmailLedger, "count_once", flaky)
    await services.email_events.record(email, "sent", at=runtime.now())
    await runtime.drain()
    assert calls["n"] == 1
    assert await rows(runtime, "SELECT count FROM daily_counters WHERE metric = 'sent'") == []
    clock.advance(120)  # the events queue retries after its delay
    await runtime.run_due()
    await runtime.drain()
    assert calls["n"] == 2
    assert await rows(runtime, "SELECT count FROM daily_counters WHERE metric = 'sent'") == [{"count": 1}]
    assert runtime.queue_stats()[QueueName.EVENTS.value].get("pending", 0) == 0


async def test_tracking_records_opens_and_clicks_and_never_redirects_elsewhere(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    email = await campaign_email(http, runtime)
    base = "http://127.0.0.1:8787"
    body, pixel = tracking_urls(email["id"], email["body_text"], SECRET, base)
    assert pixel is not None
    wrapped = [w.rstrip(".") for w in body.split() if w.startswith(f"{base}/t/c/")]
    assert len(wrapped) == 2

    scanner = await http.get(pixel, headers={"User-Agent": CHROME})  # 3 s after the send: a gateway, probably
    assert scanner.status_code == 200 and scanner.headers["content-type"] == "image/gif"
    assert scanner.content.startswith(b"GIF89a") and "no-store" in scanner.headers["cache-control"]
    clock.advance(600)
    reader = await http.get(pixel, headers={"User-Agent": CHROME})
    proxy = await http.get(pixel, headers={"User-Agent": "Mozilla/5.0 (via ggpht.com GoogleImageProxy)"})
    assert reader.status_code == proxy.status_code == 200

    clicked = await http.get(wrapped[0], headers={"User-Agent": CHROME})
    assert clicked.status_code == 302
    assert clicked.headers["location"] == "https://hotel.example/rates?season=winter&n=2"
    assert (await http.get(wrapped[1], headers={"User-Agent": CHROME})).headers["location"] == "https://hotel.example/"

    key = tracking_key(SECRET)
    token = urlsplit(wrapped[0]).path.removeprefix("/t/c/")
    refused = [
        f"{base}/t/c/{token}?u=https%3A%2F%2Fevil.example%2F",  # another URL under a real token
        click_url(key, email["id"], "https://evil.example/", base),  # signed by us, but not a link of this email
        click_url(tracking_key("another deployment"), email["id"], "https://hotel.example/", base),
        f"{base}/t/c/{token}",  # no target
        f"{base}/t/o/{email['id']}.AAAAAAAAAAAAAAAAAAAAAA.gif",
        f"{base}/t/o/nonsense.gif",
        click_url(key, "0" * 32, "https://hotel.example/", base),  # an email that does not exist
    ]
    for url in refused:
        answer = await http.get(url)
        assert answer.status_code in (404, 422), (url, answer.status_code)
        assert "location" not in answer.headers

    await runtime.drain()
    found = await rows(runtime, "SELECT kind, automated, detail FROM email_events WHERE kind IN ('opened', 'clicked') "
                                "ORDER BY at, kind DESC, automated")  # fmt: skip
    assert [(r["kind"], r["automated"]) for r in found] == [
        ("opened", 1), ("opened", 0), ("opened", 1), ("clicked", 0), ("clicked", 0),
    ]  # fmt: skip
    urls = sorted(r["detail"] for r in found[3:])
    assert '"url":"https://hotel.example/rates?season=winter&n=2"' in urls[1] and CHROME[:40] in urls[0]
    tag = f"{email['campaign_id'][:4]}/2/B"
    got = await counters(runtime)
    assert (got[("2026-03-02", "opened", tag)], got[("2026-03-01", "opened_automated", tag)]) == (1, 1)
    assert (got[("2026-03-02", "opened_automated", tag)], got[("2026-03-02", "clicked", tag)]) == (1, 2)
    marks = await rows(runtime, "SELECT opened_at, clicked_at FROM emails WHERE id = ?", email["id"])
    assert marks == [{"opened_at": runtime.now().isoformat(), "clicked_at": runtime.now().isoformat()}]


async def test_opens_before_any_send_are_automated(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    email = await campaign_email(http, runtime, sent=False)
    _, pixel = tracking_urls(email["id"], "", SECRET, "http://127.0.0.1:8787")
    clock.advance(3600)
    assert pixel is not None and (await http.get(pixel, headers={"User-Agent": CHROME})).status_code == 200
    assert await rows(runtime, "SELECT automated FROM email_events WHERE kind = 'opened'") == [{"automated": 1}]
    assert await rows(runtime, "SELECT opened_at FROM emails") == [{"opened_at": None}]
