"""Webhook delivery over real HTTP: the Notifier and NotificationFlusher on real D1 (both backends), the real
`WorkersFetch` adapter, and the local WebhookReceiver checking signatures. Slack/Discord/JSON shapes, dedup, retries
with backoff after a 500, failed after the last attempt or a 410, rate limits, a dead or hanging endpoint not
blocking the others, concurrent flushes delivering once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import pytest_asyncio

from local.d1 import D1Database, apply_migrations
from local.fakes.webhook_receiver import WebhookReceiver
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.notifications import D1NotificationRepository
from shared.adapters.d1.settings import D1SettingsRepository
from shared.adapters.http import WorkersFetch
from shared.domain import notifications as rules
from shared.observability.log import Logger
from shared.service_layer.notifications import NotificationFlusher, Notifier, WebhookSender, WebhookSettings
from tests.fakes import FixedClock, SequentialIds

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
SECRET = "whsec_9f8e7d6c5b4a39281706f5e4d3c2b1a0"
ENV = SimpleNamespace(CRM_WEBHOOK_SECRET=SECRET, OTHER_SECRET="not-the-receivers-secret")
REPLY = {
    "from": "Hannah Berger <hannah.berger@hotel-sonnenhof.at>",
    "prospect": "Hannah Berger",
    "campaign": "DACH Boutique Hotels Q1",
    "subject": "Re: Zimmerbuchungen über Ihre Website",
    "intent": "interested",
    "confidence": 0.91,
    "reply_text": "Hallo Ada, das klingt spannend. Passt Ihnen Donnerstag um 10 Uhr für ein kurzes Gespräch?",
}


class Harness:
    def __init__(self, db: D1Client, receiver: WebhookReceiver, clock: FixedClock) -> None:
        self.db = db
        self.receiver = receiver
        self.clock = clock
        self.store = D1NotificationRepository(db)
        self.settings = D1SettingsRepository(db)
        self.ids = SequentialIds("n")
        self.log = Logger("test")
        self.sender = WebhookSender(http=WorkersFetch(), env=ENV, clock=clock, timeout_s=2.0)
        self.notifier = Notifier(store=self.store, settings=self.settings, clock=clock, ids=self.ids, log=self.log)
        self.flusher = NotificationFlusher(store=self.store, settings=self.settings, sender=self.sender, log=self.log)

    async def endpoints(self, *items: dict[str, Any]) -> None:
        await self.settings.put("webhooks", list(items), at=self.clock.now())

    async def flush(self, after_s: float = 0) -> dict[str, int]:
        self.clock.advance(after_s)
        return await self.flusher.flush(self.clock.now())

    async def rows(self) -> list[rules.NotificationRecord]:
        return list(reversed(await self.store.page(kind=None, status=None, after=None, limit=200)))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest_asyncio.fixture(loop_scope="session")
async def receiver(clock: FixedClock) -> AsyncIterator[WebhookReceiver]:
    fake = WebhookReceiver(secrets={"/crm": SECRET}, clock=lambda: clock.now().timestamp())
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def h(d1: D1Database, receiver: WebhookReceiver, clock: FixedClock) -> Harness:
    await apply_migrations(d1, MIGRATIONS)
    return Harness(D1Client(d1), receiver, clock)


def ep(name: str, channel: str, url: str, kinds: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "channel": channel, "url": url, "kinds": kinds or ["*"], **extra}


async def test_slack_discord_and_signed_json_arrive_in_their_shapes(h: Harness) -> None:
    r = h.receiver
    await h.endpoints(
        ep("sales-slack", "slack", r.url("/slack")),
        ep("team-discord", "discord", r.url("/hooks/discord")),
        ep("crm", "webhook", r.url("/crm"), ["reply_interested"], secret_name="CRM_WEBHOOK_SECRET"),
        ep("ops-only", "slack", r.url("/ops"), ["task_dead_lettered"]),
    )
    assert await h.notifier.notify("reply_interested", "inb_0001", REPLY) == 3
    assert await h.flush() == {"sent": 3, "retried": 0, "failed": 0, "expired": 0, "deferred": 0, "skipped": 0}

    (slack,) = r.on_path("/slack")
    body = slack.json()
    assert set(body) == {"text", "blocks"} and body["text"].startswith("Interested reply: Hannah Berger")
    assert body["blocks"][0]["text"]["text"] == "Interested reply" and slack.answered == 200
    (discord,) = r.on_path("/hooks/discord")
    assert set(discord.json()) == {"content", "embeds", "allowed_mentions"} and discord.answered == 204
    assert discord.json()["embeds"][0]["description"].startswith("Hallo Ada")
    (crm,) = r.on_path("/crm")
    assert crm.signature_ok is True and crm.answered == 200
    sent = crm.json()
    assert set(sent) == {"id", "kind", "created_at", "data"} and sent["data"] == REPLY
    assert crm.headers["x-jengu-event"] == "reply_interested" and crm.headers["x-jengu-delivery"] == sent["id"]
    assert rules.verify(SECRET, crm.body, crm.headers["x-jengu-signature"], now=h.clock.now().timestamp())
    assert "x-jengu-signature" not in slack.headers
    assert r.on_path("/ops") == []

    rows = await h.rows()
    assert {(x.endpoint, x.status, x.attempts) for x in rows} == {
        ("sales-slack", "sent", 1), ("team-discord", "sent", 1), ("crm", "sent", 1)
    }  # fmt: skip
    assert all(x.sent_at == h.clock.now() and x.error is None for x in rows)
    assert await h.flush(60) == {"sent": 0, "retried": 0, "failed": 0, "expired": 0, "deferred": 0, "skipped": 0}


async def test_the_same_kind_and_subject_is_recorded_once_in_five_minutes(h: Harness) -> None:
    await h.endpoints(ep("a", "slack", h.receiver.url("/a")), ep("b", "webhook", h.receiver.url("/b")))
    assert await h.notifier.notify("inbox_paused", "inb_42", {"inbox": "ada@jengu-demo.test"}) == 2
    h.clock.advance(120)
    assert await h.notifier.notify("inbox_paused", "inb_42", {"inbox": "ada@jengu-demo.test"}) == 0
    assert await h.notifier.notify("inbox_paused", "inb_43", {"inbox": "bob@jengu-demo.test"}) == 2
    assert await h.notifier.notify("task_dead_lettered", "inb_42", {"queue": "send"}) == 2
    h.clock.advance(181)
    assert await h.notifier.notify("inbox_paused", "inb_42", {"inbox": "ada@jengu-demo.test"}) == 2
    assert len(await h.rows()) == 8


async def test_a_kind_no_endpoint_takes_is_listed_as_failed_and_never_sent(h: Harness) -> None:
    await h.endpoints(ep("ops", "slack", h.receiver.url("/ops"), ["inbox_paused"]))
    assert await h.notifier.notify("inbound_unknown", "inb_7", {"subject": "???"}) == 1
    (row,) = await h.rows()
    assert (row.status, row.endpoint, row.error) == ("failed", None, "no webhook endpoint takes this kind")
    assert (await h.flush())["sent"] == 0 and h.receiver.requests == []


async def test_a_500_is_retried_with_backoff_then_delivered(h: Harness) -> None:
    await h.endpoints(ep("crm", "webhook", h.receiver.url("/crm"), secret_name="CRM_WEBHOOK_SECRET"))
    h.receiver.script(["server_error", "rate_limited"])
    await h.notifier.notify("reply_question", "inb_9", {"reply_text": "Was kostet das pro Monat?"})
    assert (await h.flush())["retried"] == 1
    (row,) = await h.rows()
    assert row.status == "pending" and row.attempts == 1 and row.error == "HTTP 500: internal error"
    assert row.next_attempt_at == h.clock.now() + timedelta(seconds=rules.BACKOFF_S[0])
    assert (await h.flush(30))["retried"] == 0  # not due yet: nothing sent
    assert len(h.receiver.requests) == 1
    assert (await h.flush(31))["retried"] == 1  # 429, Retry-After 1 s: the longer backoff wins
    (row,) = await h.rows()
    assert row.next_attempt_at == h.clock.now() + timedelta(seconds=rules.BACKOFF_S[1])
    assert (await h.flush(rules.BACKOFF_S[1]))["sent"] == 1
    (row,) = await h.rows()
    assert (row.status, row.attempts, row.error) == ("sent", 3, None)
    first, second, third = h.receiver.on_path("/crm")
    assert first.body == second.body == third.body  # the same notification id: receivers dedupe on it
    assert [x.answered for x in (first, second, third)] == [500, 429, 200]


async def test_failed_after_the_last_attempt(h: Harness) -> None:
    await h.endpoints(ep("flaky", "slack", h.receiver.url("/flaky")))
    await h.notifier.notify("reply_referral", "inb_3", {"referral": {"name": "Jonas Weber", "email": "jw@x.de"}})
    h.receiver.script(["server_error"] * (rules.MAX_ATTEMPTS + 2))
    outcomes = [await h.flush(rules.MAX_RETRY_AFTER_S) for _ in range(rules.MAX_ATTEMPTS + 1)]
    assert [o["retried"] for o in outcomes] == [1] * (rules.MAX_ATTEMPTS - 1) + [0, 0]
    assert outcomes[rules.MAX_ATTEMPTS - 1]["failed"] == 1
    (row,) = await h.rows()
    assert (row.status, row.attempts, row.error) == ("failed", rules.MAX_ATTEMPTS, "HTTP 500: internal error")
    assert row.next_attempt_at is None
    assert len(h.receiver.on_path("/flaky")) == rules.MAX_ATTEMPTS


async def test_a_gone_endpoint_fails_at_once(h: Harness) -> None:
    await h.endpoints(ep("revoked", "slack", h.receiver.url("/gone")))
    await h.notifier.notify("reply_question", "inb_5", {"subject": "Frage"})
    h.receiver.script(["gone"])
    assert (await h.flush())["failed"] == 1
    (row,) = await h.rows()
    assert (row.status, row.attempts, row.error) == ("failed", 1, "HTTP 410: no_service")
    assert (await h.flush(3600))["sent"] == 0 and len(h.receiver.requests) == 1


async def test_a_wrong_signature_is_refused_by_the_receiver_and_fails(h: Harness) -> None:
    await h.endpoints(ep("crm", "webhook", h.receiver.url("/crm"), secret_name="OTHER_SECRET"))
    await h.notifier.notify("inbound_spoofed", "inb_6", {"from": "ceo@hotel-sonnenhof.at", "reason": "dmarc=fail"})
    assert (await h.flush())["failed"] == 1
    (received,) = h.receiver.requests
    assert received.signature_ok is False and received.answered == 401


async def test_a_missing_secret_is_retried_not_sent_unsigned(h: Harness) -> None:
    await h.endpoints(ep("crm", "webhook", h.receiver.url("/crm"), secret_name="NOT_SET_SECRET"))
    await h.notifier.notify("reply_question", "inb_8", {"subject": "?"})
    assert (await h.flush())["retried"] == 1
    (row,) = await h.rows()
    assert row.error == "secret NOT_SET_SECRET is not set" and h.receiver.requests == []


async def test_a_dead_endpoint_does_not_block_another(h: Harness) -> None:
    closed = WebhookReceiver()
    await closed.start()
    dead_url = closed.url("/dead")
    await closed.stop()  # nothing listens there any more: connection refused
    await h.endpoints(ep("dead", "slack", dead_url), ep("live", "webhook", h.receiver.url("/live")))
    for n in range(4):
        await h.notifier.notify("reply_interested", f"inb_{n}", {**REPLY, "subject": f"Re: Angebot {n}"})
    counts = await h.flush()
    assert counts["sent"] == 4 and counts["retried"] == 1 and counts["deferred"] == 3
    assert len(h.receiver.on_path("/live")) == 4
    dead = [x for x in await h.rows() if x.endpoint == "dead"]
    assert sorted(x.attempts for x in dead) == [0, 0, 0, 1]
    assert all(x.status == "pending" for x in dead)
    error = next(x.error for x in dead if x.attempts == 1)
    assert error is not None and "/dead" not in error  # the URL's path (a Slack token) never reaches the row


async def test_a_hanging_endpoint_costs_one_timeout_and_the_others_go_on(h: Harness) -> None:
    async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)
        writer.close()

    hang = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = hang.sockets[0].getsockname()[1]
    try:
        await h.endpoints(ep("hang", "slack", f"http://127.0.0.1:{port}/h"), ep("live", "slack", h.receiver.url("/l")))
        for n in range(3):
            await h.notifier.notify("inbox_paused", f"inb_{n}", {"inbox": f"s{n}@jengu-demo.test"})
        started = time.monotonic()
        counts = await h.flush()
        elapsed = time.monotonic() - started
    finally:
        hang.close()
    assert counts["sent"] == 3 and counts["retried"] == 1 and counts["deferred"] == 2
    assert elapsed < 2.0 * 2  # one timeout (2 s), not one per notification
    hung = next(x for x in await h.rows() if x.endpoint == "hang" and x.attempts == 1)
    assert hung.error == "no answer within 2 s"


async def test_rate_limits_hold_a_flood_back_until_the_window_moves_on(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(rules.RATE_LIMITS, "task_dead_lettered", 3)
    await h.endpoints(ep("ops", "discord", h.receiver.url("/ops/discord")))
    for n in range(5):
        await h.notifier.notify("task_dead_lettered", f"msg_{n}", {"queue": "send", "error": "TimeoutError"})
    assert (await h.flush())["sent"] == 3
    assert (await h.flush(60))["deferred"] == 2
    counts = await h.flush(rules.RATE_WINDOW.total_seconds())
    assert counts["sent"] == 2
    assert [x.status for x in await h.rows()] == ["sent"] * 5


async def test_two_flushes_at_once_deliver_each_notification_once(h: Harness) -> None:
    await h.endpoints(ep("a", "slack", h.receiver.url("/a")), ep("b", "webhook", h.receiver.url("/b")))
    for n in range(6):
        await h.notifier.notify("reply_meeting_request", f"inb_{n}", {"subject": f"Termin {n}"})
    first, second = await asyncio.gather(h.flush(), h.flusher.flush(h.clock.now()))
    assert first["sent"] + second["sent"] == 12
    assert len(h.receiver.requests) == 12
    assert len({(x.path, x.body) for x in h.receiver.requests}) == 12


async def test_removed_endpoints_and_old_notifications_are_failed(h: Harness) -> None:
    await h.endpoints(ep("old", "slack", h.receiver.url("/old")))
    await h.notifier.notify("reply_question", "inb_1", {"subject": "?"})
    await h.endpoints(ep("new", "slack", h.receiver.url("/new")))
    await h.notifier.notify("reply_question", "inb_2", {"subject": "?"})
    h.clock.advance(rules.EXPIRE_AFTER.total_seconds() + 1)
    await h.notifier.notify("reply_question", "inb_3", {"subject": "?"})
    counts = await h.flush()
    assert (counts["failed"], counts["expired"], counts["sent"]) == (0, 2, 1)
    old, new_expired, fresh = await h.rows()
    assert old.error is not None and old.error.startswith("expired")
    assert new_expired.status == "failed" and fresh.status == "sent"
    await h.endpoints(ep("newest", "slack", h.receiver.url("/newest")))
    await h.notifier.notify("reply_question", "inb_4", {"subject": "?"})
    await h.endpoints(ep("other", "slack", h.receiver.url("/other")))
    assert (await h.flush())["failed"] == 1
    assert (await h.rows())[-1].error == "endpoint 'newest' is no longer configured"


async def test_admin_test_send_reports_each_endpoint(h: Harness) -> None:
    settings = WebhookSettings(settings=h.settings, sender=h.sender, clock=h.clock, ids=h.ids, log=h.log, env=ENV)
    await settings.replace(
        [ep("crm", "webhook", h.receiver.url("/crm"), secret_name="CRM_WEBHOOK_SECRET"),
         ep("revoked", "slack", h.receiver.url("/x"))],
        by="test",
    )  # fmt: skip
    h.receiver.script(["ok", "gone"])
    results = await settings.send_test()
    assert {r["name"]: (r["ok"], r["status"]) for r in results} == {"crm": (True, 200), "revoked": (False, 410)}
    assert h.receiver.on_path("/crm")[0].json()["kind"] == rules.TEST_KIND
    assert await h.rows() == []  # nothing recorded
