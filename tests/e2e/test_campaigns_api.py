"""The campaigns API end to end (local runtime, real D1 adapter): CRUD with ETags, lists, the lifecycle and its
refusals, the step rules after activation, stats from emails and enrollments, and the bad inputs the issue lists —
each a 4xx with a machine-readable body that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.bootstrap import Services
from shared.ports.dns import DnsAnswer
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
HELLO = {"subject": "Hello {{ first_name or 'there' }}", "body": "Hi {{ prospect.first_name }},\n\nA question."}
FOLLOW_UP = {"subject": "Re: hello", "body": "Just checking in, {{ first_name or 'there' }}."}
TWO_STEPS: list[dict[str, Any]] = [
    {"delay": 0, "kind": "template", "variants": [{"key": "A", **HELLO}, {"key": "B", "weight": 2, **HELLO}]},
    {"delay": 3, "delay_unit": "business_days", "kind": "ai", "variants": [{"strategy": "curiosity_value"}]},
]
INBOX: dict[str, Any] = {
    "email": "anna@sonnenhof-hotel.example",
    "display_name": "Anna Berg",
    "postal_address": "Hauptstraße 1, 80331 München, Germany",
    "timezone": "Europe/Berlin",
    "transport": {"kind": "cloudflare"},
    "dkim_selector": "jengu",
    "daily_cap": 40,
    "hourly_cap": 8,
}


class Resolver:
    """DNS answers for the inbox's domain: everything a cloudflare sender needs, or a resolver that cannot answer."""

    def __init__(self, *, healthy: bool = True, broken: bool = False) -> None:
        self.healthy = healthy
        self.broken = broken

    async def lookup(self, name: str, rtype: str) -> DnsAnswer:
        if self.broken:
            raise RuntimeError("resolver exploded")
        zone = {
            ("sonnenhof-hotel.example", "TXT"): ("v=spf1 include:_spf.mx.cloudflare.net -all",),
            ("_spf.mx.cloudflare.net", "TXT"): ("v=spf1 ip4:104.30.0.0/19 -all",),
            ("jengu._domainkey.sonnenhof-hotel.example", "TXT"): ("v=DKIM1; k=rsa; p=MIIBIjANBgkq",),
            ("_dmarc.sonnenhof-hotel.example", "TXT"): ("v=DMARC1; p=reject",),
            ("sonnenhof-hotel.example", "MX"): ("10 route1.mx.cloudflare.net.",),
        }
        found = zone.get((name, rtype)) if self.healthy else None
        return DnsAnswer(name, rtype, "ok", found) if found else DnsAnswer(name, rtype, "nxdomain", ())


@pytest.fixture(autouse=True)
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    fake = Resolver()
    monkeypatch.setattr(Services, "dns", property(lambda self: fake))
    return fake


async def create(http: httpx.AsyncClient, **fields: Any) -> httpx.Response:
    return await http.post("/api/campaigns", json={"name": "Spring spa push", **fields}, headers=AUTH)


async def inbox(http: httpx.AsyncClient, **fields: Any) -> str:
    response = await http.post("/api/inboxes", json={**INBOX, **fields}, headers=AUTH)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def ready(http: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    """A campaign that may be activated: two steps and an inbox with a postal address."""
    created = await create(http, steps=TWO_STEPS, inbox_ids=[await inbox(http)], **fields)
    assert created.status_code == 201, created.text
    return dict(created.json())


def error(response: httpx.Response) -> dict[str, Any]:
    return dict(response.json()["error"])


@BOTH_D1_BACKENDS
async def test_create_read_patch(http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock) -> None:
    created = await create(http, description="Spa hotels\n\n\n\nin Bavaria", steps=TWO_STEPS)
    assert created.status_code == 201, created.text
    body = created.json()
    cid = body["id"]
    assert (created.headers["etag"], created.headers["location"]) == ('"v1"', f"/api/campaigns/{cid}")
    assert (body["status"], body["archived"], body["version"], body["description"]) == (
        "draft",
        False,
        1,
        "Spa hotels\n\nin Bavaria",
    )
    settings = body["settings"]
    assert settings["tracking"] == {"opens": False, "clicks": False}
    assert settings["stop"] == {
        "on_reply": "stop", "on_auto_reply": "pause", "on_bounce": "stop", "on_unsubscribe": "stop", "company": False,
    }  # fmt: skip
    assert settings["window"] == {"weekdays": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}
    assert [(s["position"], s["kind"], [v["key"] for v in s["variants"]]) for s in body["steps"]] == [
        (1, "template", ["A", "B"]),
        (2, "ai", ["A"]),
    ]

    got = await http.get(f"/api/campaigns/{cid}", headers=AUTH)
    assert got.status_code == 200 and got.headers["etag"] == '"v1"'
    assert got.json() == body

    clock.advance(60)
    patched = await http.patch(
        f"/api/campaigns/{cid}",
        json={"name": "Summer spa push", "settings": {"window": {"end": "18:30"}, "daily_cap": 25}},
        headers={**AUTH, "If-Match": '"v1"'},
    )
    assert patched.status_code == 200, patched.text
    assert patched.headers["etag"] == '"v2"'
    after = patched.json()
    assert (after["name"], after["settings"]["daily_cap"], after["settings"]["window"]["end"]) == (
        "Summer spa push",
        25,
        "18:30",
    )
    assert after["settings"]["window"]["start"] == "09:00"  # merged, not reset
    [stored] = await rows(runtime, "SELECT version, name FROM campaigns WHERE id = ?", cid)
    assert stored == {"version": 2, "name": "Summer spa push"}


async def test_optimistic_locking(http: httpx.AsyncClient) -> None:
    cid = (await create(http)).json()["id"]
    missing = await http.patch(f"/api/campaigns/{cid}", json={"name": "x"}, headers=AUTH)
    assert missing.status_code == 428
    assert (
        await http.patch(f"/api/campaigns/{cid}", json={"name": "B"}, headers={**AUTH, "If-Match": '"v1"'})
    ).is_success
    stale = await http.patch(f"/api/campaigns/{cid}", json={"name": "C"}, headers={**AUTH, "If-Match": '"v1"'})
    assert stale.status_code == 409
    assert error(stale)["details"]["current_version"] == 2
    anyver = await http.patch(f"/api/campaigns/{cid}", json={"name": "D"}, headers={**AUTH, "If-Match": "*"})
    assert anyver.status_code == 200 and anyver.headers["etag"] == '"v3"'
    stale_action = await http.post(f"/api/campaigns/{cid}/archive", headers={**AUTH, "If-Match": '"v1"'})
    assert stale_action.status_code == 409
    assert (await http.get(f"/api/campaigns/{cid}", headers=AUTH)).json()["name"] == "D"


async def test_list_filters_and_pages(http: httpx.AsyncClient, clock: ManualClock) -> None:
    ids = []
    for n in range(5):
        clock.advance(1)
        ids.append((await create(http, name=f"Campaign {n}")).json()["id"])
    await http.post(f"/api/campaigns/{ids[0]}/archive", headers=AUTH)

    listed = (await http.get("/api/campaigns", params={"limit": 3}, headers=AUTH)).json()
    assert [c["id"] for c in listed["items"]] == ids[4:1:-1]
    rest = (await http.get("/api/campaigns", params={"limit": 3, "cursor": listed["next_cursor"]}, headers=AUTH)).json()
    assert ([c["id"] for c in rest["items"]], rest["next_cursor"]) == ([ids[1]], None)

    archived = (await http.get("/api/campaigns", params={"archived": "true"}, headers=AUTH)).json()
    assert [c["id"] for c in archived["items"]] == [ids[0]]
    every = (await http.get("/api/campaigns", params={"archived": "all", "status": "draft"}, headers=AUTH)).json()
    assert len(every["items"]) == 5
    assert (await http.get("/api/campaigns", params={"status": "active"}, headers=AUTH)).json()["items"] == []
    assert (await http.get("/api/campaigns", params={"cursor": "forged"}, headers=AUTH)).status_code == 422


async def test_lifecycle(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    campaign = await ready(http)
    cid = campaign["id"]
    activated = await http.post(f"/api/campaigns/{cid}/activate", headers=AUTH)
    assert activated.status_code == 200, activated.text
    body = activated.json()
    assert (body["status"], body["warnings"], activated.headers["etag"]) == ("active", [], '"v2"')
    assert body["activated_at"] is not None

    archive_active = await http.post(f"/api/campaigns/{cid}/archive", headers=AUTH)
    assert archive_active.status_code == 409
    assert error(archive_active)["code"] == "invalid_transition"
    assert error(archive_active)["details"]["allowed"] == ["pause", "complete"]

    assert (await http.post(f"/api/campaigns/{cid}/pause", headers=AUTH)).json()["status"] == "paused"
    again = await http.post(f"/api/campaigns/{cid}/pause", headers=AUTH)  # a retried pause changes nothing
    assert (again.status_code, again.headers["etag"]) == (200, '"v3"')
    wrong = await http.post(f"/api/campaigns/{cid}/activate", headers=AUTH)
    assert (wrong.status_code, error(wrong)["code"]) == (409, "invalid_transition")
    assert set(error(wrong)["details"]["allowed"]) == {"resume", "complete", "archive"}

    assert (await http.post(f"/api/campaigns/{cid}/resume", headers=AUTH)).json()["status"] == "active"
    completed = (await http.post(f"/api/campaigns/{cid}/complete", headers={**AUTH, "If-Match": '"v4"'})).json()
    assert (completed["status"], completed["completed_at"] is not None) == ("completed", True)
    archived = (await http.post(f"/api/campaigns/{cid}/archive", headers=AUTH)).json()
    assert (archived["archived"], archived["archived_at"] is not None) == (True, True)
    [row] = await rows(runtime, "SELECT status, archived, version FROM campaigns WHERE id = ?", cid)
    assert row == {"status": "completed", "archived": 1, "version": 6}
    assert (await http.post("/api/campaigns/nope/activate", headers=AUTH)).status_code == 404


async def test_activation_refusals_name_the_reason(http: httpx.AsyncClient, clock: ManualClock) -> None:
    async def refused(cid: str) -> str:
        response = await http.post(f"/api/campaigns/{cid}/activate", headers=AUTH)
        assert response.status_code == 422, response.text
        assert error(response)["code"] == "validation_failed"
        return str(error(response)["details"]["reason"])

    assert await refused((await create(http, inbox_ids=[await inbox(http)])).json()["id"]) == "no_steps"
    assert await refused((await create(http, steps=TWO_STEPS)).json()["id"]) == "no_inbox"
    assert await refused((await create(http, steps=TWO_STEPS, inbox_ids=["ghost"])).json()["id"]) == "inbox_not_found"
    bare = await inbox(http, email="bare@sonnenhof-hotel.example", postal_address=None)
    assert await refused((await create(http, steps=TWO_STEPS, inbox_ids=[bare])).json()["id"]) == (
        "inbox_without_postal_address"
    )
    off = await inbox(http, email="off@sonnenhof-hotel.example")
    assert (await http.post(f"/api/inboxes/{off}/disable", json={"reason": "left"}, headers=AUTH)).is_success
    assert await refused((await create(http, steps=TWO_STEPS, inbox_ids=[off])).json()["id"]) == "inbox_disabled"
    ended = await create(
        http, steps=TWO_STEPS, inbox_ids=[await inbox(http, email="late@sonnenhof-hotel.example")],
        settings={"schedule_end": datetime.fromtimestamp(clock.now(), UTC).isoformat()},
    )  # fmt: skip
    clock.advance(1)
    assert await refused(ended.json()["id"]) == "schedule_ended"


async def test_activation_warns_about_dns_and_never_fails_on_it(http: httpx.AsyncClient, resolver: Resolver) -> None:
    resolver.healthy = False
    cid = (await ready(http))["id"]
    response = await http.post(f"/api/campaigns/{cid}/activate", headers=AUTH)
    assert response.status_code == 200, response.text
    [warning] = response.json()["warnings"]
    assert (warning["code"], warning["domain"]) == ("dns_check_failed", "sonnenhof-hotel.example")
    assert {c["name"] for c in warning["checks"]} >= {"spf", "dmarc", "mx"}

    resolver.broken = True
    await http.post(f"/api/campaigns/{cid}/pause", headers=AUTH)
    resumed = await http.post(f"/api/campaigns/{cid}/resume", headers=AUTH)
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "active"
    assert resumed.json()["warnings"], "a DNS check that cannot run is a warning"


async def test_steps_in_draft_change_freely(http: httpx.AsyncClient) -> None:
    cid = (await create(http, steps=TWO_STEPS)).json()["id"]
    first_id = (await http.get(f"/api/campaigns/{cid}/steps", headers=AUTH)).json()["steps"][0]["id"]
    replaced = await http.put(
        f"/api/campaigns/{cid}/steps",
        json={"steps": [{"kind": "ai", "variants": [{"prompt": "Write to {{ first_name }} about {{ facts }}"}]}]},
        headers={**AUTH, "If-Match": '"v1"'},
    )
    assert replaced.status_code == 200, replaced.text
    [step] = replaced.json()["steps"]
    assert (step["id"], step["kind"], replaced.headers["etag"]) == (first_id, "ai", '"v2"')  # the row is kept
    assert (await http.put(f"/api/campaigns/{cid}/steps", json={"steps": []}, headers=AUTH)).status_code == 428


async def test_step_rules_after_activation(http: httpx.AsyncClient) -> None:
    campaign = await ready(http)
    cid = campaign["id"]
    await http.post(f"/api/campaigns/{cid}/activate", headers=AUTH)
    steps = (await http.get(f"/api/campaigns/{cid}/steps", headers=AUTH)).json()["steps"]
    any_version = {**AUTH, "If-Match": "*"}

    async def locked(response: httpx.Response) -> tuple[int, str]:
        assert response.status_code == 409, response.text
        assert error(response)["code"] == "step_locked"
        return int(error(response)["details"]["step"]), str(error(response)["details"]["rule"])

    # Wording, weights and a new variant: allowed.
    reworded = await http.patch(
        f"/api/campaigns/{cid}/steps/1",
        json={"variants": [{"key": "A", "weight": 0, "subject": "New words", "body": HELLO["body"]},
                           {"key": "B", **HELLO}, {"key": "C", **FOLLOW_UP}]},
        headers=any_version,
    )  # fmt: skip
    assert reworded.status_code == 200, reworded.text
    assert [v["key"] for v in reworded.json()["steps"][0]["variants"]] == ["A", "B", "C"]
    assert reworded.json()["steps"][0]["id"] == steps[0]["id"]

    bodies = {
        "remove_variant": {"variants": [{"key": "A", **HELLO}]},
        "change_kind": {"kind": "ai", "variants": [{"key": k, "strategy": "cold_direct"} for k in "ABC"]},
        "change_delay": {"delay": 9},
    }
    for rule, body in bodies.items():
        response = await http.patch(f"/api/campaigns/{cid}/steps/1", json=body, headers=any_version)
        assert await locked(response) == (1, rule)

    sequence = [{k: v for k, v in s.items() if k not in ("position", "created_at", "updated_at")} for s in steps]
    deleted = await http.put(f"/api/campaigns/{cid}/steps", json={"steps": sequence[:1]}, headers=any_version)
    assert await locked(deleted) == (2, "delete_step")
    moved = await http.put(f"/api/campaigns/{cid}/steps", json={"steps": sequence[::-1]}, headers=any_version)
    assert (await locked(moved))[1] in ("reorder_steps", "change_kind")

    appended = await http.post(f"/api/campaigns/{cid}/steps", json={"delay": 5, "variants": [FOLLOW_UP]}, headers=AUTH)
    assert appended.status_code == 201, appended.text
    assert appended.headers["location"] == f"/api/campaigns/{cid}/steps/3"
    third = await http.get(f"/api/campaigns/{cid}/steps/3", headers=AUTH)
    assert (third.status_code, third.json()["delay"]) == (200, 5)
    assert (await http.get(f"/api/campaigns/{cid}/steps/4", headers=AUTH)).status_code == 404
    assert (await http.patch(f"/api/campaigns/{cid}/steps/4", json={}, headers=any_version)).status_code == 404


async def test_stats_count_emails_per_step_and_variant(http: httpx.AsyncClient, runtime: LocalRuntime) -> None:
    campaign = await ready(http)
    cid, step_ids = campaign["id"], [s["id"] for s in campaign["steps"]]
    assert runtime.env is not None
    db = runtime.env.DB
    now = "2026-01-05T09:00:00+00:00"
    emails = [(1, "A", "sent", now), (1, "A", "sent", None), (1, "B", "bounced", None), (2, "A", "queued", None)]
    for n, (position, variant, status, replied) in enumerate(emails):
        pid, eid = f"p{n:031d}", f"e{n:031d}"
        await (
            db.prepare(
                "INSERT INTO prospects (id, email, email_normalized, created_at, updated_at) VALUES (?, ?, ?, ?, ?)"
            )
            .bind(pid, f"x{n}@hotel.example", f"x{n}@hotel.example", now, now)
            .run()
        )
        await (
            db.prepare(
                "INSERT INTO enrollments (id, campaign_id, prospect_id, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)"
            )
            .bind(eid, cid, pid, "stopped" if replied else "active", now, now)
            .run()
        )
        await db.prepare(
            "INSERT INTO emails (id, prospect_id, enrollment_id, campaign_id, step_id, step_position, variant, "
            "send_key, message_id, to_address, subject, status, created_at, replied_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ).bind(
            f"m{n}", pid, eid, cid, step_ids[position - 1], position, variant, f"{eid}:{position}",
            f"<m{n}@hotel.example>", f"x{n}@hotel.example", "Hello", status, now, replied,
        ).run()  # fmt: skip

    response = await http.get(f"/api/campaigns/{cid}/stats", headers=AUTH)
    assert response.status_code == 200, response.text
    stats = response.json()
    by_variant = {(s["position"], v["variant"]): v for s in stats["steps"] for v in s["variants"]}
    assert by_variant[(1, "A")]["counts"]["sent"] == 2 and by_variant[(1, "A")]["counts"]["replied"] == 1
    assert (by_variant[(1, "B")]["counts"]["bounced"], by_variant[(1, "B")]["total"]) == (1, 1)
    assert by_variant[(2, "A")]["counts"]["queued"] == 1
    assert stats["steps"][0]["step_id"] == step_ids[0]
    assert (stats["emails"]["total"], stats["emails"]["replied"], stats["emails"]["sent"]) == (4, 1, 2)
    assert stats["enrollments"] == {"active": 3, "paused": 0, "completed": 0, "stopped": 1, "total": 4}
    assert (await http.get("/api/campaigns/nope/stats", headers=AUTH)).status_code == 404


BAD_STEP_TEMPLATE = {"kind": "template", "variants": [{"subject": "Hi", "body": "Hello {{ first_name "}]}


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"steps": [BAD_STEP_TEMPLATE]}, "steps.0.variants.0.body", "syntax error"),
        ({"steps": [{"variants": [{"subject": "{{ favourite_colour }}", "body": "x"}]}]}, "steps.0.variants.0.subject",
         "'favourite_colour', which is not defined"),
        ({"steps": [{"variants": [{"subject": "x", "body": "{{ ''.__class__ }}"}]}]}, "steps.0.variants.0.body", ""),
        ({"steps": [{"kind": "ai", "variants": [{"prompt": "{{ prospect.frist_name }}"}]}]},
         "steps.0.variants.0.prompt", "prospect.frist_name"),
        ({"steps": [{"variants": [{"weight": 0, **HELLO}, {"key": "B", "weight": 0, **HELLO}]}]},
         "steps.0.variants", "weight above 0"),
        ({"steps": [{"variants": [HELLO, HELLO]}]}, "steps.0.variants", "distinct"),
        ({"settings": {"timezone": "Mars/Olympus"}}, "settings.timezone", "not an IANA time zone"),
        ({"settings": {"window": {"start": "18:00", "end": "08:00"}}}, "settings.window", "before or when it starts"),
        ({"settings": {"schedule_start": "2026-03-01T00:00:00Z", "schedule_end": "2026-02-01T00:00:00Z"}},
         "settings.schedule_end", "after schedule_start"),
    ],
)  # fmt: skip
async def test_rules_beyond_the_schema_are_422_with_field_and_message(
    http: httpx.AsyncClient, runtime: LocalRuntime, fields: dict[str, Any], field: str, says: str
) -> None:
    response = await create(http, **fields)
    assert response.status_code == 422, response.text
    body = error(response)
    assert body["code"] == "validation_failed"
    [detail, *_] = body["details"]
    assert detail["field"] == field
    assert says in detail["message"]
    assert body["message"].startswith(f"{field}: ")
    assert await rows(runtime, "SELECT id FROM campaigns") == []


async def test_a_template_syntax_error_names_its_line(http: httpx.AsyncClient) -> None:
    body = "Hello,\n\nabout {{ prospect.city }}\n{% if %}\n"
    response = await create(http, steps=[{"variants": [{"subject": "Hi", "body": body}]}])
    [detail] = error(response)["details"]
    assert (detail["kind"], detail["line"], detail["variant"]) == ("syntax", 4, "A")
    escape = await create(http, steps=[{"variants": [{"subject": "{{ lipsum.__globals__ }}", "body": "x"}]}])
    assert error(escape)["details"][0]["kind"] in ("security", "undefined")


@pytest.mark.parametrize(
    "fields",
    [
        {"steps": [{"variants": []}]},  # empty step
        {"steps": [{"delay": 366, "variants": [HELLO]}]},
        {"steps": [{"delay": 10**30, "variants": [HELLO]}]},  # a delay that would overflow
        {"steps": [{"delay": -1, "variants": [HELLO]}]},
        {"steps": [{"variants": [{"weight": -1, **HELLO}]}]},
        {"steps": [{"kind": "ai", "variants": [{"strategy": "hard_sell"}]}]},
        {"steps": [{"kind": "ai", "variants": [HELLO]}]},  # template fields on an ai step
        {"steps": [{"kind": "template", "variants": [{"strategy": "cold_direct"}]}]},
        {"steps": [{"variants": [HELLO]}] * 21},
        {"settings": {"stop": {"on_unsubscribe": "continue"}}},
        {"settings": {"daily_cap": 0}},
        {"settings": {"window": {"start": "9am"}}},
        {"settings": {"tracking": {"opens": "yes"}}},
        {"name": "   "},
        {"inbox_ids": ["a"] * 51},
        {"colour": "red"},
    ],
)
async def test_bad_shapes_are_422(http: httpx.AsyncClient, runtime: LocalRuntime, fields: dict[str, Any]) -> None:
    response = await create(http, **fields)
    assert response.status_code == 422, response.text
    assert error(response)["details"]
    assert await rows(runtime, "SELECT id FROM campaigns") == []


async def test_bad_step_edits_are_4xx_and_change_nothing(http: httpx.AsyncClient) -> None:
    cid = (await create(http, steps=TWO_STEPS)).json()["id"]
    any_version = {**AUTH, "If-Match": "*"}
    bad_kind = await http.patch(f"/api/campaigns/{cid}/steps/1", json={"kind": "ai"}, headers=any_version)
    assert bad_kind.status_code == 422  # template variants on an ai step
    bad_template = await http.post(
        f"/api/campaigns/{cid}/steps", json={"variants": [{"subject": "{{ x", "body": "y"}]}, headers=AUTH
    )
    assert bad_template.status_code == 422
    assert error(bad_template)["details"][0]["field"] == "variants.0.subject"
    null = await http.patch(f"/api/campaigns/{cid}", json={"name": None}, headers=any_version)
    assert null.status_code == 422
    assert (await http.get(f"/api/campaigns/{cid}", headers=AUTH)).json()["version"] == 1


async def test_an_active_campaign_keeps_a_usable_inbox(http: httpx.AsyncClient) -> None:
    cid = (await ready(http))["id"]
    await http.post(f"/api/campaigns/{cid}/activate", headers=AUTH)
    emptied = await http.patch(f"/api/campaigns/{cid}", json={"inbox_ids": []}, headers={**AUTH, "If-Match": "*"})
    assert emptied.status_code == 422
    assert error(emptied)["details"]["reason"] == "no_inbox"
    renamed = await http.patch(f"/api/campaigns/{cid}", json={"name": "Renamed"}, headers={**AUTH, "If-Match": "*"})
    assert renamed.status_code == 200
