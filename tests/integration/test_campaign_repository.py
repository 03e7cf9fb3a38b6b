"""The campaign repository on both D1 backends: a campaign and its steps in one read, version-guarded writes that
change nothing when stale (steps included), step replacement keeping ids, keyset lists with filters, grouped
counts; and the query plans of the counts and lists (sqlite3)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from local.d1 import D1Database, apply_migrations
from shared.adapters.d1 import sql_campaigns as sql
from shared.adapters.d1.campaigns import D1CampaignRepository
from shared.adapters.d1.client import D1Client
from shared.domain.campaigns.models import Campaign, CampaignStatus, Step

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HELLO = {"subject": "Hello {{ first_name }}", "body": "Grüße, {{ sender.name }} — 你好"}


@pytest_asyncio.fixture(loop_scope="session")
async def repo(d1: D1Database) -> D1CampaignRepository:
    await apply_migrations(d1, MIGRATIONS)
    return D1CampaignRepository(D1Client(d1))


def step(n: int, campaign_id: str, **fields: Any) -> Step:
    values: dict[str, Any] = {"id": f"{campaign_id}-s{n}", "position": n, "delay": n, "variants": [HELLO],
                              "created_at": T0, "updated_at": T0, **fields}  # fmt: skip
    return Step.model_validate(values)


def campaign(n: int, *, steps: int = 2, **fields: Any) -> Campaign:
    cid = f"c{n:03d}"
    values: dict[str, Any] = {
        "id": cid,
        "name": f"Campaign {n}",
        "settings": {"timezone": "Europe/Berlin", "window": {"weekdays": ["tue"], "start": "08:30", "end": "24:00"},
                     "schedule_end": (T0 + timedelta(days=30)).isoformat(), "stop": {"company": True}},
        "inbox_ids": ["i1", "i2"],
        "steps": [step(i + 1, cid) for i in range(steps)],
        "created_at": T0 + timedelta(minutes=n),
        "updated_at": T0 + timedelta(minutes=n),
        **fields,
    }  # fmt: skip
    return Campaign.model_validate(values)


async def test_insert_and_read_back_whole(repo: D1CampaignRepository) -> None:
    c = campaign(1)
    c = c.model_copy(
        update={"steps": [*c.steps, step(3, c.id, kind="ai", variants=[{"strategy": "cold_direct", "weight": 0.5}])]}
    )
    await repo.insert(c)
    assert await repo.get(c.id) == c
    assert await repo.get_many([c.id, "missing", c.id]) == {c.id: c}
    assert await repo.get_many([]) == {}
    assert await repo.get("missing") is None
    assert await repo.version_of(c.id) == 1


async def test_a_stale_save_changes_nothing_steps_included(repo: D1CampaignRepository) -> None:
    c = campaign(2)
    await repo.insert(c)
    renamed = c.model_copy(update={"name": "Renamed", "version": 2, "steps": c.steps[:1]})
    assert await repo.save(renamed, 1, steps=True)
    stale = renamed.model_copy(update={"name": "Lost", "version": 2, "steps": []})
    assert not await repo.save(stale, 1, steps=True)
    stored = await repo.get(c.id)
    assert stored is not None and (stored.name, stored.version, len(stored.steps)) == ("Renamed", 2, 1)
    assert not await repo.save(campaign(99).model_copy(update={"version": 2}), 1, steps=True)  # gone: nothing
    assert await repo.get("c099") is None


async def test_steps_are_replaced_in_place_and_appended(repo: D1CampaignRepository) -> None:
    c = campaign(3, steps=2)
    await repo.insert(c)
    later = T0 + timedelta(hours=1)
    edited = step(1, c.id, variants=[{"key": "A", **HELLO}, {"key": "B", "subject": "Other", "body": "x"}],
                  updated_at=later)  # fmt: skip
    changes = {"steps": [edited, c.steps[1], step(3, c.id)], "version": 2, "status": CampaignStatus.ACTIVE}
    new = c.model_copy(update={**changes, "activated_at": later})
    assert await repo.save(new, 1, steps=True)
    assert await repo.get(c.id) == new
    shorter = new.model_copy(update={"steps": new.steps[:1], "version": 3})
    assert await repo.save(shorter, 2, steps=True)
    assert await repo.get(c.id) == shorter
    only_status = shorter.model_copy(update={"status": CampaignStatus.PAUSED, "version": 4, "steps": []})
    assert await repo.save(only_status, 3, steps=False)  # steps=False leaves the stored steps alone
    stored = await repo.get(c.id)
    assert stored is not None and (stored.status, len(stored.steps)) == (CampaignStatus.PAUSED, 1)


async def test_pages_filter_and_continue(repo: D1CampaignRepository) -> None:
    for n in range(10, 16):
        await repo.insert(campaign(n, steps=1, status="active" if n % 2 else "draft", archived=n == 15))
    first = await repo.page(status=None, archived=False, limit=3, after=None)
    assert [c.id for c in first] == ["c014", "c013", "c012"]
    rest = await repo.page(
        status=None, archived=False, limit=10, after=(first[-1].created_at.isoformat(), first[-1].id)
    )
    assert [c.id for c in rest] == ["c011", "c010"]
    active = await repo.page(status=CampaignStatus.ACTIVE, archived=None, limit=10, after=None)
    assert [c.id for c in active] == ["c015", "c013", "c011"]
    assert [c.id for c in await repo.page(status=None, archived=True, limit=10, after=None)] == ["c015"]


async def test_counts_group_emails_and_enrollments(repo: D1CampaignRepository, d1: D1Database) -> None:
    c = campaign(20)
    await repo.insert(c)
    now = T0.isoformat()
    for n, (position, variant, status, replied) in enumerate(
        [(1, "A", "sent", now), (1, "A", "sent", None), (1, "B", "failed", None), (2, "A", "sent", now)]
    ):
        pid, eid = f"p{n}", f"e{n}"
        await (
            d1.prepare("INSERT INTO prospects (id, created_at, updated_at) VALUES (?, ?, ?)").bind(pid, now, now).run()
        )
        await (
            d1.prepare(
                "INSERT INTO enrollments (id, campaign_id, prospect_id, status, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?)"
            )
            .bind(eid, c.id, pid, "stopped" if replied else "active", now, now)
            .run()
        )
        await d1.prepare(
            "INSERT INTO emails (id, prospect_id, campaign_id, step_position, variant, send_key, message_id, "
            "to_address, subject, status, created_at, replied_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ).bind(f"m{n}", pid, c.id, position, variant, f"{eid}:{position}", f"<m{n}@x>", "a@x.example", "Hi", status,
               now, replied).run()  # fmt: skip
    counts = await repo.counts(c.id)
    grouped = {(e.step_position, e.variant, e.status): (e.emails, e.replied) for e in counts.emails}
    assert grouped == {(1, "A", "sent"): (2, 1), (1, "B", "failed"): (1, 0), (2, "A", "sent"): (1, 1)}
    assert counts.enrollments == {"active": 2, "stopped": 2}
    empty = await repo.counts("c404")
    assert (empty.emails, empty.enrollments) == ([], {})


# -- query plans (sqlite3 with the migrations) ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def plans_db() -> Any:
    conn = sqlite3.connect(":memory:")
    for migration in sorted(MIGRATIONS.glob("*.sql")):
        conn.executescript(migration.read_text())
    yield conn
    conn.close()


def plan(db: sqlite3.Connection, statement: str, params: tuple[object, ...]) -> list[str]:
    return [str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + statement, params)]


@pytest.mark.parametrize(
    ("statement", "params", "index"),
    [
        (sql.EMAIL_COUNTS, ("c1",), "idx_emails_campaign_stats"),
        (sql.ENROLLMENT_COUNTS, ("c1",), "idx_enrollments_campaign"),
        (sql.GET_CAMPAIGN, ("c1",), "sqlite_autoindex_campaigns_1"),
        (sql.GET_CAMPAIGNS, ('["c1","c2"]',), "sqlite_autoindex_campaigns_1"),
        (f"{sql.LIST_FROM} WHERE {sql.FILTER_ARCHIVED} {sql.LIST_ORDER}", (0, 50), "idx_campaigns_created"),
        (f"{sql.LIST_FROM} WHERE {sql.FILTER_STATUS} AND {sql.FILTER_ARCHIVED} AND {sql.FILTER_AFTER} "
         f"{sql.LIST_ORDER}", ("active", 0, "2026", "x", 50), "idx_campaigns_status"),
    ],
)  # fmt: skip
async def test_reads_use_their_index(
    plans_db: sqlite3.Connection, statement: str, params: tuple[object, ...], index: str
) -> None:
    steps = plan(plans_db, statement, params)
    assert any(index in s for s in steps), steps
    scans = [s for s in steps if s.startswith("SCAN ") and " USING " not in s and "VIRTUAL" not in s and s != "SCAN s"]
    assert not scans, steps  # `SCAN s`: the co-routine over the one campaign's steps, found by index above
