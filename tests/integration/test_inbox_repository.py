"""The inbox repository on both D1 backends: round trips of every column, the unique address, version-guarded
writes, keyset pages, one-statement lookups, rows from before migration 0005, and index-served queries."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from local.d1 import D1Database, apply_migrations
from shared.adapters.d1 import sql_inboxes
from shared.adapters.d1.client import D1Client
from shared.adapters.d1.inboxes import D1InboxRepository
from shared.domain.errors import ConstraintViolation
from shared.domain.inboxes.models import InboxCreate, InboxRecord, InboxStatus, new_inbox

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest_asyncio.fixture(loop_scope="session")
async def repo(d1: D1Database) -> D1InboxRepository:
    await apply_migrations(d1, MIGRATIONS)
    return D1InboxRepository(D1Client(d1))


def inbox(n: int, **fields: object) -> InboxRecord:
    body: dict[str, object] = {
        "email": f"sender{n}@hotel{n}.example",
        "display_name": f"Sender {n}",
        "timezone": "Europe/Berlin",
        "transport": {"kind": "smtp", "settings": {"host": "smtp.example.net", "port": 587, "username": f"s{n}"}},
        "secret_names": {"password": f"SMTP_INBOX_{n}_PASSWORD"},
        "warmup": {"ramp": [3, 6, 9], "target": 25, "start_date": "2026-01-12"},
        "send_window": {"start": "09:30", "end": "17:00"},
        "signature": "Anna\nFront office",
        "postal_address": "Hauptstr. 1\n80331 München",
        "dkim_selector": "s1",
        **fields,
    }
    return new_inbox(InboxCreate.model_validate(body), inbox_id=f"in{n:03d}", now=T0 + timedelta(minutes=n))


async def test_create_and_get_round_trip_every_field(repo: D1InboxRepository) -> None:
    record = inbox(1)
    await repo.create(record)
    assert await repo.get(record.id) == record
    assert (await repo.get(record.id)).warmup.start_date == date(2026, 1, 12)  # type: ignore[union-attr]
    assert await repo.get("missing") is None
    assert await repo.id_for_email("sender1@hotel1.example") == record.id
    assert await repo.version_of(record.id) == 1


async def test_the_address_is_unique(repo: D1InboxRepository) -> None:
    await repo.create(inbox(1))
    with pytest.raises(ConstraintViolation):
        await repo.create(replace(inbox(2), email="sender1@hotel1.example"))


async def test_update_is_guarded_by_the_version(repo: D1InboxRepository) -> None:
    record = inbox(1)
    await repo.create(record)
    changed = replace(record, daily_cap=40, updated_at=T0 + timedelta(hours=1))
    stored = await repo.update(changed, expected_version=1)
    assert stored is not None and (stored.daily_cap, stored.version) == (40, 2)
    assert await repo.update(replace(changed, daily_cap=50), expected_version=1) is None  # stale
    assert (await repo.get(record.id)).daily_cap == 40  # type: ignore[union-attr]
    assert await repo.update(replace(changed, id="missing"), expected_version=1) is None


async def test_status_changes_bump_the_version_and_configured_marks_do_not(repo: D1InboxRepository) -> None:
    record = inbox(1)
    await repo.create(record)
    later = T0 + timedelta(hours=2)
    paused = await repo.set_status(record.id, InboxStatus.PAUSED, "holiday", at=later, expected_version=1)
    assert paused is not None and (paused.status, paused.status_reason, paused.version) == ("paused", "holiday", 2)
    assert paused.updated_at == later
    assert await repo.set_status(record.id, InboxStatus.ACTIVE, None, at=later, expected_version=1) is None
    assert not await repo.mark_configured(record.id, later, version=1)  # a push of a stale version marks nothing
    assert await repo.mark_configured(record.id, later, version=2)
    stored = await repo.get(record.id)
    assert stored is not None and (stored.configured_at, stored.version) == (later, 2)


async def test_get_many_is_in_the_order_given_and_skips_unknown_ids(repo: D1InboxRepository) -> None:
    for n in (1, 2, 3):
        await repo.create(inbox(n))
    found = await repo.get_many(["in003", "nope", "in001", "in003"])
    assert [r.id for r in found] == ["in003", "in001"]
    assert await repo.get_many([]) == []


async def test_keyset_pages_and_status_filter(repo: D1InboxRepository) -> None:
    for n in range(1, 8):
        await repo.create(inbox(n))
    await repo.set_status("in004", InboxStatus.DISABLED, None, at=T0 + timedelta(days=1), expected_version=1)
    first = await repo.list(limit=3)
    assert [r.id for r in first] == ["in001", "in002", "in003"]
    last = first[-1]
    second = await repo.list(limit=3, after=(last.created_at.isoformat(), last.id))
    assert [r.id for r in second] == ["in004", "in005", "in006"]
    assert [r.id for r in await repo.list(status=InboxStatus.DISABLED)] == ["in004"]
    active = await repo.list(status=InboxStatus.ACTIVE, limit=10, after=(last.created_at.isoformat(), last.id))
    assert [r.id for r in active] == ["in005", "in006", "in007"]
    assert await repo.list_all_ids() == [f"in{n:03d}" for n in range(1, 8)]


async def test_a_row_from_before_0005_reads_with_defaults(repo: D1InboxRepository, d1: D1Database) -> None:
    await (
        d1.prepare(
            "INSERT INTO inboxes (id, email, timezone, warmup_enabled, warmup_start, created_at, updated_at) "
            "VALUES ('old', 'old@hotel.example', 'Europe/Rome', 0, '2026-01-02', ?1, ?1)"
        )
        .bind(T0.isoformat())
        .run()
    )
    old = await repo.get("old")
    assert old is not None
    assert (old.domain, old.transport_kind, old.daily_cap, old.hourly_cap) == ("hotel.example", "cloudflare", 20, 5)
    assert (old.warmup.enabled, old.warmup.start_date, old.secret_names) == (False, date(2026, 1, 2), {})
    assert old.send_window.as_dict() == {"start": "08:00", "end": "18:00"}


@pytest.mark.parametrize(
    ("name", "statement", "params"),
    [
        ("first page", sql_inboxes.LIST_FIRST, (None, 50)),
        ("first page by status", sql_inboxes.LIST_FIRST, ("active", 50)),
        ("next page", sql_inboxes.LIST_AFTER, (None, "2026-01-01", "x", 50)),
        ("by id", sql_inboxes.GET_INBOX, ("x",)),
        ("by email", sql_inboxes.ID_FOR_EMAIL, ("a@b.example",)),
        ("many", sql_inboxes.GET_MANY, ('["a","b"]',)),
    ],
)
async def test_queries_are_served_by_an_index(name: str, statement: str, params: tuple[object, ...]) -> None:
    conn = sqlite3.connect(":memory:")
    for migration in sorted(MIGRATIONS.glob("*.sql")):
        conn.executescript(migration.read_text())
    plan = [str(row[-1]) for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params)]
    conn.close()
    scans = [s for s in plan if s.startswith("SCAN ") and " USING " not in s and "VIRTUAL" not in s and " j" not in s]
    assert not scans, (name, plan)
    assert not any("TEMP B-TREE" in s for s in plan if name != "many"), (name, plan)
