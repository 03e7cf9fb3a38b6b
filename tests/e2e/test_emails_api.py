"""The Emails API end to end (local runtime, real D1 adapter): one-off emails queued for the send path with a fixed
Message-ID on the inbox's domain and the campaign guards (each refusal a 422 with its reason), reads with headers,
body and events, cancelling only what is queued, and the list's filters and keyset pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from consumers.dispatch import QUEUE_HANDLERS
from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.messages.queues import QueueName
from tests.e2e.conftest import BOTH_D1_BACKENDS, TEST_API_KEY
from tests.e2e.helpers import rows
from tests.samples import CSV_SAMPLES

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INBOX: dict[str, Any] = {
    "email": "sales@jengu-demo.test", "display_name": "Maya from Jengu", "timezone": "Europe/London",
    "postal_address": "1 Demo Street, London EC1A 1AA, United Kingdom", "daily_cap": 20, "hourly_cap": 5,
}  # fmt: skip


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def sends(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The `send` messages queued (the send consumer itself is tested elsewhere)."""
    seen: list[dict[str, Any]] = []

    async def record(payload: Any, envelope: Any, services: Any) -> None:
        seen.append(payload.model_dump())

    monkeypatch.setitem(QUEUE_HANDLERS[QueueName.SEND], "send.requested", record)
    return seen


async def setup(http: httpx.AsyncClient, **inbox: Any) -> tuple[str, dict[str, str]]:
    """The sample prospects and an inbox: (inbox id, prospect id by last name)."""
    imported = await http.post(
        "/api/prospects/import", content=(CSV_SAMPLES / "prospects_sample.csv").read_bytes(),
        headers={**AUTH, "Content-Type": "text/csv"},
    )  # fmt: skip
    assert imported.status_code == 200, imported.text
    created = await http.post("/api/inboxes", headers=AUTH, json={**INBOX, **inbox})
    assert created.status_code == 201, created.text
    listed = await http.get("/api/prospects?limit=100", headers=AUTH)
    return str(created.json()["id"]), {p["last_name"]: p["id"] for p in listed.json()["items"]}


def one_off(prospect_id: str, inbox_id: str, **fields: Any) -> dict[str, Any]:
    return {"prospect_id": prospect_id, "inbox_id": inbox_id, "subject": "A question", "body": "Hi,\n\nA question.",
            **fields}  # fmt: skip


@BOTH_D1_BACKENDS
async def test_a_one_off_email_is_queued_for_the_send_path(
    http: httpx.AsyncClient, runtime: LocalRuntime, sends: list[dict[str, Any]]
) -> None:
    inbox_id, people = await setup(http)
    body = one_off(
        people["O'Connor"], inbox_id, subject="  A\u200b question\tfor you ", body="Hi James,\r\n\r\n\r\nOk?"
    )
    created = await http.post("/api/emails", json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    email = created.json()
    email_id = email["id"]
    assert created.headers["location"] == f"/api/emails/{email_id}"
    assert (email["status"], email["composer"], email["send_key"]) == ("queued", "manual", f"oneoff:{email_id}")
    assert email["message_id"].startswith("<") and email["message_id"].endswith("@jengu-demo.test>")
    assert email["headers"] == {
        "message_id": email["message_id"], "in_reply_to": None, "references": None,
        "from_address": "sales@jengu-demo.test", "to_address": "james@harbourinn.example",
        "subject": "A question for you",
    }  # fmt: skip
    assert email["thread_id"] == email["message_id"]
    assert (email["body_text"], email["campaign_id"], email["enrollment_id"]) == ("Hi James,\n\nOk?", None, None)
    assert [(e["kind"], e["automated"], e["detail"]) for e in email["events"]] == [("queued", False, {"source": "api"})]
    assert email["queued_at"] == email["created_at"]

    assert await runtime.drain() >= 2  # the send request and the queued event
    assert sends == [{"email_id": email_id, "send_key": f"oneoff:{email_id}"}]
    counters = await rows(runtime, "SELECT day, campaign_id, inbox_id, metric, count FROM daily_counters")
    assert counters == [{"day": "2026-03-02", "campaign_id": "", "inbox_id": inbox_id, "metric": "queued", "count": 1}]

    got = await http.get(f"/api/emails/{email_id}", headers=AUTH)
    assert got.status_code == 200 and got.json() == email
    stored = await rows(runtime, "SELECT to_address, status, from_address FROM emails WHERE id = ?", email_id)
    assert stored == [{"to_address": "james@harbourinn.example", "status": "queued", "from_address": INBOX["email"]}]


async def test_one_off_refusals_follow_the_campaign_guards(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, sends: list[dict[str, Any]]
) -> None:
    inbox_id, people = await setup(http)

    async def refused(prospect: str, inbox: str = inbox_id) -> tuple[int, Any]:
        answer = await http.post("/api/emails", json=one_off(prospect, inbox), headers=AUTH)
        error = answer.json()["error"]
        return answer.status_code, error["details"].get("reason") if error.get("details") else error["code"]

    assert await refused(people["García"]) == (422, "no_sendable_email")
    assert await refused(people["de Vries"]) == (422, "role_address")
    assert await refused(people["Jensen"]) == (422, "country_policy")  # NO needs consent
    assert (await refused("0" * 32)) == (422, "prospect_not_found")  # a body naming a row that does not exist
    assert (await refused(people["Brown"], "f" * 32)) == (422, "inbox_not_found")

    olivia, camille, james = people["Brown"], people["Laurent"], people["O'Connor"]
    suppress = "INSERT INTO suppressions (id, kind, value, reason, created_at) VALUES (?, ?, ?, 'manual', ?)"
    now = MONDAY.isoformat()
    await rows(runtime, suppress, "s1", "email", "olivia.brown@chestergrand.example", now)
    assert await refused(olivia) == (422, "suppressed")
    await rows(runtime, suppress, "s2", "domain", "hoteldesarts.example", now)
    assert await refused(camille) == (422, "suppressed")
    await rows(runtime, suppress, "s3", "person", james, now)
    assert await refused(james) == (422, "suppressed")
    await rows(runtime, "DELETE FROM suppressions")
    await rows(runtime, "UPDATE prospects SET email_status = 'bounced' WHERE id = ?", olivia)
    assert await refused(olivia) == (422, "bounced")
    await rows(runtime, "UPDATE prospects SET archived = 1 WHERE id = ?", camille)
    assert await refused(camille) == (422, "archived")

    bare = await http.post("/api/inboxes", headers=AUTH, json={**INBOX, "email": "bare@jengu-demo.test",
                                                               "postal_address": None})  # fmt: skip
    assert bare.status_code == 201, bare.text
    assert await refused(james, bare.json()["id"]) == (422, "inbox_without_postal_address")
    disabled = await http.post(f"/api/inboxes/{inbox_id}/disable", headers=AUTH)
    assert disabled.status_code == 200, disabled.text
    assert await refused(james) == (422, "inbox_disabled")

    for bad in ({"subject": "\u200b \x00"}, {"body": "  \n\t "}, {"subject": "x" * 301}, {"extra": 1},
                {"prospect_id": ""}):  # fmt: skip
        answer = await http.post("/api/emails", json={**one_off(james, inbox_id), **bad}, headers=AUTH)
        assert answer.status_code == 422, (bad, answer.text)
    assert (await http.post("/api/emails", json=one_off(james, inbox_id))).status_code == 401
    await runtime.drain()
    assert sends == [] and await rows(runtime, "SELECT id FROM emails") == []


async def test_cancel_only_what_is_queued(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, sends: list[dict[str, Any]]
) -> None:
    inbox_id, people = await setup(http)
    first = (await http.post("/api/emails", json=one_off(people["O'Connor"], inbox_id), headers=AUTH)).json()
    second = (await http.post("/api/emails", json=one_off(people["Brown"], inbox_id), headers=AUTH)).json()
    clock.advance(30)

    cancelled = await http.post(f"/api/emails/{first['id']}/cancel", headers=AUTH)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    assert [e["kind"] for e in cancelled.json()["events"]] == ["queued", "cancelled"]
    again = await http.post(f"/api/emails/{first['id']}/cancel", headers=AUTH)
    assert (again.status_code, again.json()["error"]["details"]) == (409, {"status": "cancelled"})
    assert [e["kind"] for e in (await http.get(f"/api/emails/{first['id']}", headers=AUTH)).json()["events"]] == [
        "queued", "cancelled",
    ]  # fmt: skip

    await rows(runtime, "UPDATE emails SET status = 'sent', sent_at = ? WHERE id = ?", MONDAY.isoformat(), second["id"])
    sent = await http.post(f"/api/emails/{second['id']}/cancel", headers=AUTH)
    assert (sent.status_code, sent.json()["error"]["details"]) == (409, {"status": "sent"})
    assert (await http.post(f"/api/emails/{'0' * 32}/cancel", headers=AUTH)).status_code == 404
    assert (await http.get(f"/api/emails/{'0' * 32}", headers=AUTH)).status_code == 404

    await runtime.drain()
    counters = await rows(runtime, "SELECT metric, count FROM daily_counters ORDER BY metric")
    assert counters == [{"metric": "cancelled", "count": 1}, {"metric": "queued", "count": 2}]


@BOTH_D1_BACKENDS
async def test_list_filters_and_keyset_pages(
    http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock, sends: list[dict[str, Any]]
) -> None:
    inbox_id, people = await setup(http)
    other = await http.post("/api/inboxes", headers=AUTH, json={**INBOX, "email": "anna@jengu-demo.test"})
    other_id = other.json()["id"]
    created: list[dict[str, Any]] = []
    for n in range(7):
        prospect = people["O'Connor"] if n % 2 else people["Brown"]
        answer = await http.post("/api/emails", json=one_off(prospect, other_id if n == 6 else inbox_id), headers=AUTH)
        assert answer.status_code == 201, answer.text
        created.append(answer.json())
        clock.advance(3600 if n != 2 else 0)  # two emails share a created_at: the id breaks the tie
    await http.post(f"/api/emails/{created[1]['id']}/cancel", headers=AUTH)
    newest_first = [e["id"] for e in sorted(created, key=lambda e: (e["created_at"], e["id"]), reverse=True)]

    async def walk(query: str, limit: int = 2) -> list[str]:
        seen: list[str] = []
        cursor = None
        for _ in range(20):
            page = await http.get(f"/api/emails?limit={limit}&{query}" + (f"&cursor={cursor}" if cursor else ""),
                                  headers=AUTH)  # fmt: skip
            assert page.status_code == 200, page.text
            items = page.json()["items"]
            assert len(items) <= limit and "body_text" not in (items[0] if items else {})
            seen += [e["id"] for e in items]
            cursor = page.json()["next_cursor"]
            if cursor is None:
                return seen
        raise AssertionError("the pages never ended")

    assert await walk("") == newest_first
    assert await walk("", limit=100) == newest_first
    assert await walk(f"prospect_id={people['Brown']}") == [i for i in newest_first if i in
                                                             {c["id"] for c in created[0::2]}]  # fmt: skip
    assert await walk(f"inbox_id={other_id}") == [created[6]["id"]]
    assert await walk("status=cancelled") == [created[1]["id"]]
    assert await walk("status=queued", limit=3) == [i for i in newest_first if i != created[1]["id"]]
    since, until = created[2]["created_at"], created[5]["created_at"]
    window = await walk(f"since={since.replace('+', '%2B')}&until={until.replace('+', '%2B')}")
    assert window == [
        i for i in newest_first if since <= next(c["created_at"] for c in created if c["id"] == i) < until
    ]
    assert len(window) == 3
    assert await walk(f"campaign_id={'0' * 32}") == []

    for bad in ("cursor=forged", "status=lost", "limit=0", "limit=101", "since=yesterday"):
        answer = await http.get(f"/api/emails?{bad}", headers=AUTH)
        assert answer.status_code == 422, (bad, answer.text)


async def test_the_list_seeks_an_index(runtime: LocalRuntime) -> None:
    """Every filter walks its (…, created_at DESC, id DESC) index in order: no table scan, no sort."""
    from shared.adapters.d1 import sql_emails as sql

    cases = {
        "": "idx_emails_list",
        " WHERE campaign_id = ?": "idx_emails_campaign_list",
        " WHERE inbox_id = ?": "idx_emails_inbox_list",
        " WHERE prospect_id = ? AND (created_at, id) < (?, ?)": "idx_emails_prospect_list",
    }
    for clause, index in cases.items():
        params = ["x"] * (clause.count("?") + 1)
        plan = await rows(runtime, f"EXPLAIN QUERY PLAN {sql.LIST_EMAILS_FROM}{clause} {sql.LIST_EMAILS_ORDER}",
                          *params)  # fmt: skip
        details = " | ".join(str(r["detail"]) for r in plan)
        assert index in details and "TEMP B-TREE" not in details, (clause, details)
