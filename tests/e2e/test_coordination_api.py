"""Status and admin endpoints over the real Durable Objects, and the send gate a sender passes (emergency stop,
inbox health, warmup capacity)."""

from __future__ import annotations

import httpx

from local.runtime import LocalRuntime
from shared.bootstrap import Services, bootstrap
from shared.messages.inbox_health import HealthEvent
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}


async def add_inbox(runtime: LocalRuntime, inbox_id: str, email: str) -> None:
    await rows(
        runtime,
        "INSERT INTO inboxes (id, email, timezone, created_at, updated_at) VALUES (?, ?, 'Europe/Berlin', ?, ?)",
        inbox_id, email, "2026-01-05T09:00:00+00:00", "2026-01-05T09:00:00+00:00",
    )  # fmt: skip


def services_of(runtime: LocalRuntime) -> Services:
    return bootstrap(runtime.env, component="test-sender")


class GatedSender:
    """What every real sender does: pass the gate, 'send', commit the warmup reservation."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.sent: list[str] = []

    async def send(self, inbox_id: str, to: str) -> str:
        decision = await self.services.send_gate.acquire(inbox_id)
        if not decision.allowed:
            return decision.reason
        assert decision.reservation is not None
        self.sent.append(to)
        await self.services.warmup.commit(inbox_id, decision.reservation)
        return "sent"


async def test_warmup_status_shows_live_values(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    await add_inbox(runtime, "in-1", "anna@jengu.test")
    sender = GatedSender(services_of(runtime))
    assert [await sender.send("in-1", f"p{i}@x.example") for i in range(6)] == ["sent"] * 5 + ["warmup_capacity"]
    body = (await http.get("/api/status/warmup", headers=AUTH)).json()
    [inbox] = body["inboxes"]
    assert (inbox["inbox_id"], inbox["email"], inbox["day_limit"], inbox["sent"], inbox["remaining_day"]) == (
        "in-1", "anna@jengu.test", 5, 5, 0,
    )  # fmt: skip


async def test_inbox_health_pause_and_manual_resume(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    await add_inbox(runtime, "in-2", "ben@jengu.test")
    services = services_of(runtime)
    now = services.clock.now().timestamp()
    await services.inbox_health.record("in-2", HealthEvent.SENT, now)
    for _ in range(25):
        await services.inbox_health.record("in-2", HealthEvent.SENT, now)
    for _ in range(3):
        await services.inbox_health.record("in-2", HealthEvent.HARD_BOUNCE, now)
    [inbox] = (await http.get("/api/status/inboxes", headers=AUTH)).json()["inboxes"]
    assert inbox["state"] == "paused"
    assert await GatedSender(services).send("in-2", "x@y.example") == "paused"

    resumed = await http.post("/api/admin/inboxes/in-2/resume", headers=AUTH)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["state"] == "ok"
    assert await GatedSender(services).send("in-2", "x@y.example") == "sent"
    assert (await http.post("/api/admin/inboxes/nope/resume", headers=AUTH)).status_code == 404


async def test_emergency_stop_is_durable_and_honoured_by_the_sender(
    http: httpx.AsyncClient, runtime: LocalRuntime
) -> None:
    await add_inbox(runtime, "in-3", "cara@jengu.test")
    sender = GatedSender(services_of(runtime))
    stop = await http.post("/api/admin/emergency-stop", json={"enabled": True}, headers=AUTH)
    assert stop.status_code == 200 and stop.json()["enabled"] is True
    assert await sender.send("in-3", "a@b.example") == "emergency_stop"
    assert sender.sent == []
    assert (await http.get("/api/status/inboxes", headers=AUTH)).json()["emergency_stop"]["enabled"] is True
    assert (await http.post("/api/admin/emergency-stop", json={"enabled": False}, headers=AUTH)).status_code == 200
    assert await sender.send("in-3", "a@b.example") == "sent"


async def test_admin_routes_need_the_admin_scope_and_valid_bodies(http: httpx.AsyncClient) -> None:
    created = await http.post("/api/keys", json={"name": "reader"}, headers=AUTH)
    reader = {"Authorization": f"Bearer {created.json()['key']}"}
    assert (await http.post("/api/admin/emergency-stop", json={"enabled": True}, headers=reader)).status_code == 403
    assert (await http.get("/api/status/warmup", headers=reader)).status_code == 200
    assert (await http.post("/api/admin/emergency-stop", json={"enabled": "yes"}, headers=AUTH)).status_code == 422
    assert (await http.post("/api/admin/emergency-stop", json={}, headers=AUTH)).status_code == 422


async def test_rate_limit_status_shows_the_callers_bucket_and_provider_quotas(http: httpx.AsyncClient) -> None:
    body = (await http.get("/api/status/rate-limits", headers=AUTH)).json()
    assert body["enabled"] is True
    by_class = {item["key_class"]: item for item in body["limits"]}
    assert by_class["api_key"]["key"] == "bootstrap"
    assert by_class["api_key"]["available"] < by_class["api_key"]["capacity"]  # this very request took a token
    assert by_class["provider:google_cse"]["daily_quota"] == 100
    assert by_class["provider:google_cse"]["quota_used"] == 0
