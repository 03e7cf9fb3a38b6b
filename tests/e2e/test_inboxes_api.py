"""The inboxes API end to end (local runtime, real D1 and Durable Objects): CRUD with ETags, the push of every change
to WarmupManager and InboxHealth, pause / resume / disable, secrets as names only, the admin scope, re-pushing all
inboxes after a failed push, the DNS check, and the bad inputs each refused with a clear 4xx."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.adapters.coordination import DurableWarmup
from shared.bootstrap import Services, bootstrap
from shared.ports.dns import DnsAnswer
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SECRET_VALUE = "pa55-w0rd-that-must-never-leave-the-env"
ANNA: dict[str, Any] = {
    "email": "Anna.Berg@Sonnenhof-Hotel.example",
    "display_name": "Anna Berg",
    "reply_to": "sales@sonnenhof-hotel.example",
    "signature": "Anna Berg\nSales, Hotel Sonnenhof",
    "postal_address": "Hauptstraße 1\n80331 München\nGermany",
    "timezone": "Europe/Berlin",
    "transport": {
        "kind": "smtp",
        "settings": {"host": "smtp.sonnenhof-hotel.example", "port": 465, "username": "anna"},
    },
    "secret_names": {"password": "SMTP_INBOX_1_PASSWORD"},
    "warmup": {"ramp": [4, 8, 12], "target": 30, "start_date": "2026-01-05"},
    "daily_cap": 40,
    "hourly_cap": 8,
    "send_window": {"start": "09:00", "end": "17:30"},
    "dkim_selector": "s1",
}


@pytest.fixture
def dev_vars(tmp_path: Path) -> Path:
    path = tmp_path / ".dev.vars"
    path.write_text(
        f"APP_ENV=test\nENRICH_ON_CREATE=false\nLOG_LEVEL=info\nAPI_KEY={TEST_API_KEY}\nSMTP_INBOX_1_PASSWORD={SECRET_VALUE}\n"
    )
    return path


async def create(http: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    return await http.post("/api/inboxes", json={**ANNA, **fields}, headers=AUTH)


async def warmup_plan(runtime: LocalRuntime, inbox_id: str, clock: ManualClock) -> dict[str, Any]:
    status = await bootstrap(runtime.env).warmup.status(inbox_id, clock.now())
    assert status.configured
    return status.plan.model_dump(mode="json")


@BOTH_D1_BACKENDS
async def test_create_read_patch_and_the_objects_hold_the_settings(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock
) -> None:
    created = await create(http)
    assert created.status_code == 201, created.text
    body = created.json()
    inbox_id = body["id"]
    assert created.headers["etag"] == '"v1"' and created.headers["location"] == f"/api/inboxes/{inbox_id}"
    assert (body["email"], body["domain"], body["status"], body["version"]) == (
        "anna.berg@sonnenhof-hotel.example", "sonnenhof-hotel.example", "active", 1,
    )  # fmt: skip
    assert body["transport"] == {
        "kind": "smtp", "settings": {"host": "smtp.sonnenhof-hotel.example", "port": 465, "security": "tls",
                                     "username": "anna"},
    }  # fmt: skip
    assert body["secrets"] == {"password": {"name": "SMTP_INBOX_1_PASSWORD", "set": True}}
    assert (body["configured"], body["warnings"]) == (True, [])
    assert await warmup_plan(runtime, inbox_id, clock) == {
        "timezone": "Europe/Berlin", "start_date": "2026-01-05", "warmup": True, "ramp": [4, 8, 12], "target": 30,
        "daily_cap": 40, "hourly_cap": 8, "reservation_ttl_s": 600.0,
    }  # fmt: skip
    health = await bootstrap(runtime.env).inbox_health.status(inbox_id, clock.now())
    assert health.config.bounce_threshold == 0.03

    got = await http.get(f"/api/inboxes/{inbox_id}", headers=AUTH)
    assert got.status_code == 200 and got.headers["etag"] == '"v1"'
    assert got.json()["send_window"] == {"start": "09:00", "end": "17:30"}

    clock.advance(60)
    patched = await http.patch(
        f"/api/inboxes/{inbox_id}",
        json={"daily_cap": 60, "warmup": {"target": 50}, "signature": None},
        headers={**AUTH, "If-Match": '"v1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"v2"'
    changed = patched.json()
    assert (changed["daily_cap"], changed["signature"], changed["configured"]) == (60, None, True)
    assert changed["warmup"] == {"enabled": True, "ramp": [4, 8, 12], "target": 50, "start_date": "2026-01-05"}
    plan = await warmup_plan(runtime, inbox_id, clock)
    assert (plan["daily_cap"], plan["target"]) == (60, 50)

    stale = await http.patch(f"/api/inboxes/{inbox_id}", json={"daily_cap": 1}, headers={**AUTH, "If-Match": '"v1"'})
    assert stale.status_code == 409 and stale.json()["error"]["details"] == {"current_version": 2}
    missing = await http.patch(f"/api/inboxes/{inbox_id}", json={"daily_cap": 1}, headers=AUTH)
    assert missing.status_code == 428
    anyver = await http.patch(f"/api/inboxes/{inbox_id}", json={"hourly_cap": 9}, headers={**AUTH, "If-Match": "*"})
    assert anyver.status_code == 200 and anyver.json()["version"] == 3
    assert (await http.get("/api/inboxes/nope", headers=AUTH)).status_code == 404


async def test_a_duplicate_address_is_409_with_a_code_and_the_existing_id(http: httpx.AsyncClient) -> None:
    first = (await create(http)).json()
    again = await create(http, email="ANNA.BERG@sonnenhof-hotel.example")
    assert again.status_code == 409
    error = again.json()["error"]
    assert (error["code"], error["details"]["existing_id"]) == ("duplicate_email", first["id"])
    other = (await create(http, email="ben@sonnenhof-hotel.example")).json()
    moved = await http.patch(
        f"/api/inboxes/{other['id']}", json={"email": "anna.berg@sonnenhof-hotel.example"},
        headers={**AUTH, "If-Match": "*"},
    )  # fmt: skip
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "duplicate_email"


async def test_secret_values_are_never_stored_returned_or_logged(
    http: httpx.AsyncClient, runtime: LocalRuntime, capsys: pytest.CaptureFixture[str]
) -> None:
    created = await create(http)
    inbox_id = created.json()["id"]
    listed = await http.get("/api/inboxes", headers=AUTH)
    got = await http.get(f"/api/inboxes/{inbox_id}", headers=AUTH)
    [row] = await rows(runtime, "SELECT * FROM inboxes WHERE id = ?", inbox_id)
    assert row["secret_names"] == '{"password":"SMTP_INBOX_1_PASSWORD"}'
    # A value sent where a name belongs is refused, and not echoed back.
    leaked = await create(http, email="leak@sonnenhof-hotel.example", secret_names={"password": SECRET_VALUE})
    assert leaked.status_code == 422
    assert "values never go here" in leaked.json()["error"]["details"][0]["message"]
    for text in (created.text, listed.text, got.text, str(row), leaked.text, capsys.readouterr().out):
        assert SECRET_VALUE not in text
    assert await rows(runtime, "SELECT id FROM inboxes WHERE email = 'leak@sonnenhof-hotel.example'") == []


async def test_a_missing_secret_is_not_an_error_at_create_time(http: httpx.AsyncClient) -> None:
    graph = {"kind": "graph", "settings": {"tenant_id": "contoso.example", "client_id": "abc-123", "user": "anna"}}
    created = await create(http, transport=graph, secret_names={"client_secret": "GRAPH_INBOX_2_SECRET"})
    assert created.status_code == 201, created.text
    assert created.json()["secrets"] == {"client_secret": {"name": "GRAPH_INBOX_2_SECRET", "set": False}}
    unnamed = await create(http, email="c@sonnenhof-hotel.example", transport={"kind": "resend"}, secret_names={})
    assert unnamed.json()["secrets"] == {"api_key": {"name": None, "set": False}}
    # Switching transport drops the names the new one does not take.
    switched = await http.patch(
        f"/api/inboxes/{created.json()['id']}", json={"transport": {"kind": "cloudflare"}},
        headers={**AUTH, "If-Match": "*"},
    )  # fmt: skip
    assert (switched.json()["secret_names"], switched.json()["secrets"]) == ({}, {})


async def test_pause_resume_disable(http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock) -> None:
    inbox_id = (await create(http)).json()["id"]
    paused = await http.post(f"/api/inboxes/{inbox_id}/pause", json={"reason": "  domain\u200b moving "}, headers=AUTH)
    assert paused.status_code == 200, paused.text
    assert (paused.json()["status"], paused.json()["status_reason"], paused.headers["etag"]) == (
        "paused", "domain moving", '"v2"',
    )  # fmt: skip
    assert (await warmup_plan(runtime, inbox_id, clock))["daily_cap"] == 0  # the WarmupManager grants it nothing
    again = await http.post(f"/api/inboxes/{inbox_id}/pause", headers=AUTH)  # no body: idempotent
    assert (again.status_code, again.json()["version"]) == (200, 2)
    resumed = await http.post(f"/api/inboxes/{inbox_id}/resume", headers=AUTH)
    assert (resumed.json()["status"], resumed.json()["status_reason"], resumed.json()["version"]) == ("active", None, 3)
    assert (await warmup_plan(runtime, inbox_id, clock))["daily_cap"] == 40
    disabled = await http.post(f"/api/inboxes/{inbox_id}/disable", json={"reason": "left"}, headers=AUTH)
    assert disabled.json()["status"] == "disabled"
    refused = await http.post(f"/api/inboxes/{inbox_id}/pause", headers=AUTH)
    assert refused.status_code == 409 and refused.json()["error"]["details"] == {"status": "disabled"}
    listed = await http.get("/api/inboxes?status=disabled", headers=AUTH)
    assert [i["id"] for i in listed.json()["items"]] == [inbox_id]
    assert (await http.post("/api/inboxes/nope/resume", headers=AUTH)).status_code == 404


async def test_list_pages_with_a_cursor(http: httpx.AsyncClient, clock: ManualClock) -> None:
    ids = []
    for n in range(5):
        clock.advance(1)
        ids.append((await create(http, email=f"sender{n}@sonnenhof-hotel.example")).json()["id"])
    first = (await http.get("/api/inboxes?limit=2", headers=AUTH)).json()
    second = (await http.get(f"/api/inboxes?limit=2&cursor={first['next_cursor']}", headers=AUTH)).json()
    third = (await http.get(f"/api/inboxes?limit=2&cursor={second['next_cursor']}", headers=AUTH)).json()
    assert [i["id"] for p in (first, second, third) for i in p["items"]] == ids
    assert third["next_cursor"] is None
    assert (await http.get("/api/inboxes?cursor=forged", headers=AUTH)).status_code == 422


async def test_writes_need_the_admin_scope(http: httpx.AsyncClient) -> None:
    inbox_id = (await create(http)).json()["id"]
    key = (await http.post("/api/keys", json={"name": "reader"}, headers=AUTH)).json()["key"]
    reader = {"Authorization": f"Bearer {key}"}
    assert (await http.get(f"/api/inboxes/{inbox_id}", headers=reader)).status_code == 200
    assert (await http.get("/api/inboxes", headers=reader)).status_code == 200
    for response in (
        await http.post("/api/inboxes", json={**ANNA, "email": "x@sonnenhof-hotel.example"}, headers=reader),
        await http.patch(f"/api/inboxes/{inbox_id}", json={}, headers={**reader, "If-Match": "*"}),
        await http.post(f"/api/inboxes/{inbox_id}/pause", headers=reader),
        await http.post(f"/api/inboxes/{inbox_id}/resume", headers=reader),
        await http.post(f"/api/inboxes/{inbox_id}/disable", headers=reader),
        await http.post("/api/admin/initialize-inboxes", headers=reader),
    ):
        assert response.status_code == 403, response.request.url


async def test_a_failed_push_keeps_the_write_and_initialize_inboxes_pushes_again(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unavailable(self: DurableWarmup, inbox_id: str, plan: Any) -> None:
        raise RuntimeError("Durable Object reset")

    with monkeypatch.context() as patch:
        patch.setattr(DurableWarmup, "configure", unavailable)
        created = await create(http)
    assert created.status_code == 201
    inbox_id = created.json()["id"]
    assert created.json()["configured"] is False and created.json()["configured_at"] is None
    [warning] = created.json()["warnings"]
    assert "WarmupManager" in warning and "/api/admin/initialize-inboxes" in warning
    assert not (await bootstrap(runtime.env).warmup.status(inbox_id, clock.now())).configured
    assert (await http.get(f"/api/inboxes/{inbox_id}", headers=AUTH)).json()["configured"] is False

    other = (await create(http, email="ben@sonnenhof-hotel.example")).json()["id"]
    for _ in range(2):  # idempotent
        report = await http.post("/api/admin/initialize-inboxes", headers=AUTH)
        assert report.status_code == 200, report.text
        assert (report.json()["configured"], report.json()["failed"]) == (2, 0)
        assert [line["inbox_id"] for line in report.json()["inboxes"]] == [inbox_id, other]
    assert (await warmup_plan(runtime, inbox_id, clock))["daily_cap"] == 40
    assert (await http.get(f"/api/inboxes/{inbox_id}", headers=AUTH)).json()["configured"] is True


class FakeResolver:
    def __init__(self, records: dict[tuple[str, str], tuple[str, ...]]) -> None:
        self.records = records
        self.asked: list[tuple[str, str]] = []

    async def lookup(self, name: str, rtype: str) -> DnsAnswer:
        self.asked.append((name, rtype))
        found = self.records.get((name, rtype))
        return DnsAnswer(name, rtype, "ok", found) if found else DnsAnswer(name, rtype, "nxdomain")


async def test_dns_check_looks_up_the_sending_domain(http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    resolver = FakeResolver({("sonnenhof-hotel.example", "MX"): ("10 mx.sonnenhof-hotel.example.",)})
    monkeypatch.setattr(Services, "dns", property(lambda self: resolver))
    inbox_id = (await create(http)).json()["id"]
    response = await http.get(f"/api/inboxes/{inbox_id}/dns-check", headers=AUTH)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["domain"], report["ok"]) == ("sonnenhof-hotel.example", False)  # no SPF, DKIM or DMARC
    assert ("s1._domainkey.sonnenhof-hotel.example", "TXT") in resolver.asked
    assert ("sonnenhof-hotel.example", "MX") in resolver.asked
    assert (await http.get("/api/inboxes/nope/dns-check", headers=AUTH)).status_code == 404


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"email": "not an address"}, "email 'not an address' is not a valid address"),
        ({"reply_to": "a@@b"}, "reply_to 'a@@b' is not a valid address"),
        ({"timezone": "Mars/Olympus"}, "timezone 'Mars/Olympus' is not an IANA time zone"),
        ({"daily_cap": 5, "hourly_cap": 6}, "hourly_cap (6) cannot be above daily_cap (5)"),
        ({"send_window": {"start": "18:00", "end": "08:00"}}, "send_window end (08:00) must be after its start"),
        ({"secret_names": {"api_key": "SMTP_KEY"}}, "secret_names: a smtp transport takes password; not api_key"),
    ],
)
async def test_rules_on_the_whole_inbox_are_422_with_the_reason(
    http: httpx.AsyncClient, fields: dict[str, Any], says: str
) -> None:
    response = await create(http, **fields)
    assert response.status_code == 422
    assert response.json()["error"]["message"].startswith(says)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"transport": {"kind": "smtp", "settings": {"host": "smtp.x.example", "port": 25}}}, "port"),
        ({"transport": {"kind": "smtp", "settings": {"host": "smtp.x.example", "port": 587, "tls": True}}}, "tls"),
        ({"transport": {"kind": "resend", "settings": {"api_key": "re_123"}}}, "api_key"),
        ({"transport": {"kind": "pigeon"}}, "transport"),
        ({"secret_names": {"password": "lower_case"}}, "secret_names.password"),
        ({"warmup": {"ramp": [1] * 53}}, "warmup.ramp"),
        ({"daily_cap": 10_001}, "daily_cap"),
        ({"hourly_cap": -1}, "hourly_cap"),
        ({"send_window": {"start": "8am"}}, "send_window.start"),
        ({"signature": "x" * 2001}, "signature"),
        ({"unknown": 1}, "unknown"),
    ],
)
async def test_bad_shapes_are_422_naming_the_field(
    http: httpx.AsyncClient, runtime: LocalRuntime, fields: dict[str, Any], field: str
) -> None:
    response = await create(http, **fields)
    assert response.status_code == 422, response.text
    assert any(field in d["field"] for d in response.json()["error"]["details"]), response.json()
    assert await rows(runtime, "SELECT id FROM inboxes") == []


async def test_patch_refuses_null_for_what_cannot_be_cleared(http: httpx.AsyncClient) -> None:
    inbox_id = (await create(http)).json()["id"]
    response = await http.patch(
        f"/api/inboxes/{inbox_id}", json={"daily_cap": None}, headers={**AUTH, "If-Match": '"v1"'}
    )
    assert response.status_code == 422 and "daily_cap cannot be null" in response.text
    window = await http.patch(  # checked against the stored window: end 17:30
        f"/api/inboxes/{inbox_id}", json={"send_window": {"start": "18:00"}}, headers={**AUTH, "If-Match": '"v1"'}
    )
    assert window.status_code == 422 and "send_window end (17:30)" in window.json()["error"]["message"]
