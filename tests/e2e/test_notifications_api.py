"""The notifications API through the local runtime: webhook endpoints configured with the admin scope (validated,
URLs masked on read), a notification recorded then delivered by the every-minute cron to a local receiver that checks
the signature, `GET /api/notifications` with filters and keyset pages, and the test send."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from local.clock import ManualClock
from local.fakes.webhook_receiver import WebhookReceiver
from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from shared.domain.notifications import BACKOFF_S, TEST_KIND
from tests.e2e.conftest import TEST_API_KEY

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SECRET = "whsec_e2e_5b0c9d8e7f6a5b4c3d2e1f00"
EVERY_MINUTE = "* * * * *"


@pytest.fixture
def dev_vars(tmp_path: Path) -> Path:
    path = tmp_path / ".dev.vars"
    path.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=info\nAPI_KEY={TEST_API_KEY}\nCRM_WEBHOOK_SECRET={SECRET}\n"
    )
    return path


@pytest.fixture
async def receiver(clock: ManualClock) -> AsyncIterator[WebhookReceiver]:
    fake = WebhookReceiver(secrets={"/crm": SECRET}, clock=clock.now)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


def endpoints(receiver: WebhookReceiver) -> list[dict[str, Any]]:
    return [
        {"name": "crm", "channel": "webhook", "url": receiver.url("/crm"), "kinds": ["*"],
         "secret_name": "CRM_WEBHOOK_SECRET"},
        {"name": "sales", "channel": "slack", "url": receiver.url("/services/T0/B0/slackTokenXYZ123"),
         "kinds": ["reply_interested", "reply_meeting_request"]},
    ]  # fmt: skip


async def configure(http: httpx.AsyncClient, receiver: WebhookReceiver) -> httpx.Response:
    response = await http.put("/api/admin/webhooks", json={"endpoints": endpoints(receiver)}, headers=AUTH)
    assert response.status_code == 200, response.text
    return response


async def test_webhook_settings_are_admin_only_validated_and_masked(
    http: httpx.AsyncClient, runtime: LocalRuntime, receiver: WebhookReceiver
) -> None:
    assert (await http.get("/api/admin/webhooks")).status_code == 401
    created = await http.post("/api/keys", json={"name": "reader", "scopes": []}, headers=AUTH)
    reader = {"Authorization": f"Bearer {created.json()['key']}"}
    assert (await http.get("/api/admin/webhooks", headers=reader)).status_code == 403
    assert (await http.put("/api/admin/webhooks", json={"endpoints": []}, headers=reader)).status_code == 403
    assert (await http.get("/api/notifications", headers=reader)).status_code == 200

    assert (await http.get("/api/admin/webhooks", headers=AUTH)).json() == {"endpoints": []}
    stored = (await configure(http, receiver)).json()["endpoints"]
    assert [e["name"] for e in stored] == ["crm", "sales"]
    assert stored[0]["secret_set"] is True and stored[0]["secret_name"] == "CRM_WEBHOOK_SECRET"
    assert "slackTokenXYZ123" not in str(stored) and stored[1]["url"].endswith("/…Z123")
    assert (await http.get("/api/admin/webhooks", headers=AUTH)).json()["endpoints"] == stored

    # a read-modify-write sends the masked URL back: the stored URL is kept
    changed = [{**e, "kinds": ["*"]} for e in stored]
    for e in changed:
        e.pop("secret_set", None)
        if e.get("secret_name") is None:
            e.pop("secret_name", None)
    assert (await http.put("/api/admin/webhooks", json={"endpoints": changed}, headers=AUTH)).status_code == 200
    kept = await bootstrap(runtime.env).settings_store.get("webhooks")
    assert isinstance(kept, list)
    assert [e["url"] for e in kept] == [e["url"] for e in endpoints(receiver)]
    assert [e["kinds"] for e in kept] == [["*"], ["*"]]

    bad_cases = [
        {"name": "x", "channel": "slack", "url": "http://hooks.slack.com/services/a", "kinds": ["*"]},
        {"name": "x", "channel": "slack", "url": "https://hooks.slack.com/services/a", "kinds": ["reply_maybe"]},
        {"name": "x", "channel": "slack", "url": "https://hooks.slack.com/a", "kinds": ["*"], "secret_name": "S_1"},
        {"name": "x", "channel": "teams", "url": "https://example.com/a", "kinds": ["*"]},
    ]
    for bad in bad_cases:
        response = await http.put("/api/admin/webhooks", json={"endpoints": [bad]}, headers=AUTH)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"]
    twice = [endpoints(receiver)[0], {**endpoints(receiver)[0], "name": "CRM"}]
    duplicate = await http.put("/api/admin/webhooks", json={"endpoints": twice}, headers=AUTH)
    assert duplicate.status_code == 409 and "used twice" in duplicate.json()["error"]["message"]


async def test_a_notification_is_delivered_signed_by_the_cron_and_listed(
    http: httpx.AsyncClient, runtime: LocalRuntime, receiver: WebhookReceiver, clock: ManualClock
) -> None:
    await configure(http, receiver)
    notifier = bootstrap(runtime.env).notifier
    data = {"from": "Hannah Berger <hannah@hotel-sonnenhof.at>", "subject": "Re: Angebot", "intent": "interested"}
    assert await notifier.notify("reply_interested", "inb_001", data) == 2
    assert await notifier.notify("reply_interested", "inb_001", data) == 0  # the 5-minute dedup
    assert await notifier.notify("inbox_paused", "inb_box_1", {"inbox": "ada@jengu-demo.test"}) == 1

    page = (await http.get("/api/notifications", params={"status": "pending"}, headers=AUTH)).json()
    assert len(page["items"]) == 3 and page["next_cursor"] is None

    receiver.script(["ok", "ok", "server_error"])
    response = await http.post("/cdn-cgi/handler/scheduled", params={"cron": EVERY_MINUTE})
    assert response.status_code == 200
    assert len(receiver.requests) == 3
    signed = receiver.on_path("/crm")
    assert len(signed) == 2 and all(r.signature_ok for r in signed)
    assert {r.json()["kind"] for r in signed} == {"reply_interested", "inbox_paused"}

    listed = (await http.get("/api/notifications", headers=AUTH)).json()["items"]
    by_status = sorted((x["kind"], x["endpoint"], x["status"]) for x in listed)
    assert len(by_status) == 3 and sum(1 for _, _, s in by_status if s == "sent") == 2
    retrying = next(x for x in listed if x["status"] == "pending")
    assert retrying["attempts"] == 1 and retrying["error"] == "HTTP 500: internal error"
    assert retrying["next_attempt_at"] is not None

    clock.advance(BACKOFF_S[0] + 1)
    await http.post("/cdn-cgi/handler/scheduled", params={"cron": EVERY_MINUTE})
    statuses = [x["status"] for x in (await http.get("/api/notifications", headers=AUTH)).json()["items"]]
    assert statuses == ["sent"] * 3

    only = (await http.get("/api/notifications", params={"kind": "inbox_paused"}, headers=AUTH)).json()["items"]
    assert [(x["kind"], x["subject_id"], x["channel"]) for x in only] == [("inbox_paused", "inb_box_1", "webhook")]
    assert only[0]["data"] == {"inbox": "ada@jengu-demo.test"} and only[0]["sent_at"] is not None
    bad = await http.get("/api/notifications", params={"status": "lost"}, headers=AUTH)
    assert bad.status_code == 422


async def test_notifications_page_newest_first_with_a_keyset_cursor(
    http: httpx.AsyncClient, runtime: LocalRuntime, receiver: WebhookReceiver, clock: ManualClock
) -> None:
    await configure(http, receiver)
    notifier = bootstrap(runtime.env).notifier
    for n in range(7):
        await notifier.notify("task_dead_lettered", f"msg_{n}", {"queue": "send", "error": "TimeoutError"})
        clock.advance(1)
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await http.get("/api/notifications", params=params, headers=AUTH)).json()
        seen += [x["subject_id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"msg_{n}" for n in range(6, -1, -1)]
    forged = await http.get("/api/notifications", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=AUTH)
    assert forged.status_code == 422


async def test_the_test_send_reports_each_endpoint_and_records_nothing(
    http: httpx.AsyncClient, receiver: WebhookReceiver
) -> None:
    await configure(http, receiver)
    receiver.script(["ok", "gone"])
    response = await http.post("/api/admin/webhooks/test", json={}, headers=AUTH)
    assert response.status_code == 200
    results = {r["name"]: r for r in response.json()["results"]}
    assert results["crm"]["ok"] is True and results["crm"]["status"] == 200
    assert results["sales"] == {"name": "sales", "ok": False, "status": 410, "error": "HTTP 410: no_service"}
    assert receiver.on_path("/crm")[0].signature_ok is True
    assert receiver.on_path("/crm")[0].json()["kind"] == TEST_KIND

    one = await http.post("/api/admin/webhooks/test", json={"name": "crm"}, headers=AUTH)
    assert [r["name"] for r in one.json()["results"]] == ["crm"]
    missing = await http.post("/api/admin/webhooks/test", json={"name": "nope"}, headers=AUTH)
    assert missing.status_code == 404
    assert (await http.get("/api/notifications", headers=AUTH)).json()["items"] == []
