"""The weekly maintenance (daily cron, Sundays): enrollments past their last step are completed, prospects with no
reply long after it are archived, old bodies are purged while the rows that prove what was sent stay."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from local.clock import ManualClock
from local.runtime import LocalRuntime
from shared.bootstrap import bootstrap
from shared.service_layer.scheduling.maintenance import WeeklyMaintenance
from tests.e2e.conftest import TEST_API_KEY
from tests.e2e.helpers import rows

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
DAY = 86_400.0


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))


async def test_complete_archive_and_purge(http: httpx.AsyncClient, runtime: LocalRuntime, clock: ManualClock) -> None:
    body = b'email,first_name,company,location\r\nann@a.example,Ann,Hotel A,"London, United Kingdom"\r\n'
    body += b'bob@b.example,Bob,Hotel B,"London, United Kingdom"\r\n'
    assert (
        await http.post("/api/prospects/import", content=body, headers={**AUTH, "Content-Type": "text/csv"})
    ).status_code == 200
    inbox = (await http.post("/api/inboxes", headers=AUTH, json={
        "email": "a@jengu-demo.test", "postal_address": "1 Demo Street, London", "warmup": {"enabled": False},
        "send_window": {"start": "00:00", "end": "23:59"},
    })).json()  # fmt: skip
    step = {
        "kind": "template",
        "variants": [{"key": "A", "subject": "Hi {{ first_name }}", "body": "Hello, one note."}],
    }
    campaign = (await http.post("/api/campaigns", headers=AUTH, json={
        "name": "c", "inbox_ids": [inbox["id"]], "steps": [step],
        "settings": {"window": {"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "00:00",
                                "end": "24:00"}},
    })).json()  # fmt: skip
    assert (await http.post(f"/api/campaigns/{campaign['id']}/activate", headers=AUTH)).status_code == 200
    ids = [p["id"] for p in (await http.get("/api/prospects", headers=AUTH)).json()["items"]]
    await http.post(f"/api/campaigns/{campaign['id']}/enrollments", headers=AUTH, json={"ids": ids})
    assert (await http.post("/api/admin/trigger-send", headers=AUTH)).json()["enqueued"] == 2
    await runtime.drain()
    await (
        runtime.env.DB.prepare("UPDATE emails SET replied_at = ? WHERE to_address = 'bob@b.example'")
        .bind(  # type: ignore[union-attr]
            datetime.fromtimestamp(clock.now(), UTC).isoformat()
        )
        .run()
    )

    services = bootstrap(runtime.env)
    maintenance = WeeklyMaintenance(services.enrollments, services.settings)
    assert not maintenance.due(datetime(2026, 12, 5, tzinfo=UTC)) and maintenance.due(datetime(2026, 12, 6, tzinfo=UTC))
    early = await maintenance.run(services.clock.now())
    assert early == {"completed": 0, "archived": 0, "bodies_purged": 0}

    clock.advance(15 * DAY)  # past COMPLETE_AFTER_DAYS (14)
    assert (await maintenance.run(services.clock.now()))["completed"] == 2
    clock.advance(31 * DAY)  # past ARCHIVE_AFTER_DAYS (30) after the last step: Ann never replied, Bob did
    assert (await maintenance.run(services.clock.now()))["archived"] == 1
    archived = await rows(runtime, "SELECT email_normalized, archived FROM prospects ORDER BY email_normalized")
    assert [(r["email_normalized"], r["archived"]) for r in archived] == [("ann@a.example", 1), ("bob@b.example", 0)]

    short = bootstrap(runtime.env, settings=services.settings.model_copy(update={"email_retention_days": 30}))
    purged = await WeeklyMaintenance(short.enrollments, short.settings).run(short.clock.now())
    assert purged["bodies_purged"] == 2
    kept = await rows(runtime, "SELECT to_address, message_id, subject, body_text, body_purged_at FROM emails")
    assert len(kept) == 2 and all(r["body_text"] is None and r["body_purged_at"] and r["message_id"] for r in kept)
    again = await WeeklyMaintenance(short.enrollments, short.settings).run(short.clock.now())
    assert again == {"completed": 0, "archived": 0, "bodies_purged": 0}  # idempotent
