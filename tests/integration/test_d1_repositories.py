"""The D1 data layer on both backends (SQLite emulation and real D1 in miniflare): migrations, repositories, errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio

from local.d1 import D1Database, apply_migrations
from shared.adapters.d1.client import D1Client, Query
from shared.adapters.d1.failed_tasks import D1FailedTaskRepository
from shared.adapters.d1.inbound import CHUNK_CHARS, D1InboundRepository
from shared.adapters.d1.schema import EXPECTED_MIGRATIONS, D1SchemaRepository
from shared.domain.errors import ConstraintViolation, DatabaseError
from shared.domain.failed_tasks import FailedTaskStatus
from shared.domain.inbound import InboundEmail
from tests.factories import T0, failed_task

pytestmark = pytest.mark.asyncio(loop_scope="session")

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


@pytest_asyncio.fixture(loop_scope="session")
async def db(d1: D1Database) -> D1Client:
    assert await apply_migrations(d1, MIGRATIONS) == list(EXPECTED_MIGRATIONS)
    return D1Client(d1)


async def test_schema_repository(db: D1Client) -> None:
    schema = D1SchemaRepository(db)
    assert await schema.applied_migrations() == list(EXPECTED_MIGRATIONS)
    await schema.ping()


async def test_failed_tasks_are_stored_once_and_read_back(db: D1Client) -> None:
    repo = D1FailedTaskRepository(db)
    assert await repo.add(failed_task(1)) is True
    assert await repo.add(failed_task(1, last_error="again")) is False
    stored = await repo.get("msg-001")
    assert stored == failed_task(1)
    assert await repo.get("nope") is None
    assert await repo.count_open() == 1


async def test_failed_tasks_keyset_pages_and_replay_marking(db: D1Client) -> None:
    repo = D1FailedTaskRepository(db)
    for n in range(7):
        await repo.add(failed_task(n))
    seen: list[str] = []
    after: tuple[str, str] | None = None
    while True:
        page = await repo.list(status=FailedTaskStatus.OPEN, limit=3, after=after)
        seen += [t.id for t in page]
        if len(page) < 3:
            break
        after = (page[-1].failed_at.isoformat(), page[-1].id)
    assert seen == [f"msg-{n:03d}" for n in range(6, -1, -1)]
    assert await repo.mark_replayed("msg-003", T0) is True
    assert await repo.mark_replayed("msg-003", T0) is False
    assert [t.id for t in await repo.list(status=FailedTaskStatus.REPLAYED, limit=10)] == ["msg-003"]
    assert await repo.count_open() == 6


async def test_inbound_raw_round_trips_through_chunks_and_redelivery_is_one_row(db: D1Client) -> None:
    repo = D1InboundRepository(db)
    raw = b"Subject: big\r\n\r\n" + bytes(range(256)) * (CHUNK_CHARS // 128)  # binary, > 1 chunk in base64
    email = InboundEmail(id="in-1", mail_from="a@x.test", rcpt_to="b@y.test", raw=raw, received_at=T0, trace_id="t")
    assert await repo.store(email) == "in-1"
    assert await repo.store(replace(email, id="in-2")) == "in-1"
    assert await repo.raw("in-1") == raw
    assert await repo.raw("in-2") is None
    rows = await db.all("SELECT raw_chunks, raw_size FROM inbound_messages")
    assert rows == [{"raw_chunks": 3, "raw_size": len(raw)}]
    await repo.mark_parsed("in-1", message_id="<m@x>", subject="big")
    assert await db.first("SELECT status, message_id FROM inbound_messages") == {
        "status": "parsed",
        "message_id": "<m@x>",
    }


async def test_deleting_an_inbound_message_cascades_to_its_chunks(db: D1Client) -> None:
    repo = D1InboundRepository(db)
    email = InboundEmail(id="in-1", mail_from="a@x.test", rcpt_to="b@y.test", raw=b"x", received_at=T0, trace_id="t")
    await repo.store(email)
    await db.run("DELETE FROM inbound_messages WHERE id = ?", "in-1")
    assert await db.all("SELECT * FROM inbound_message_chunks") == []


async def test_d1_errors_become_ours(db: D1Client) -> None:
    with pytest.raises(ConstraintViolation):
        await db.run(
            "INSERT INTO failed_tasks (id, queue, attempts, last_error, failed_at, status) VALUES (?, ?, ?, ?, ?, ?)",
            "x", "q", 1, "e", "2026-01-01", "not-a-status",
        )  # fmt: skip
    with pytest.raises(DatabaseError):
        await db.all("SELECT * FROM no_such_table")
    with pytest.raises(DatabaseError, match="D1_ERROR"):
        await db.batch([Query("INSERT INTO inbound_message_chunks VALUES ('orphan', 0, 'x')")])
    with pytest.raises(ValueError, match="D1 allows 100"):
        Query("SELECT 1", tuple(range(101)))


async def test_a_failed_batch_writes_nothing(db: D1Client) -> None:
    insert = "INSERT INTO failed_tasks (id, queue, attempts, last_error, failed_at) VALUES (?, 'q', 1, 'e', 't')"
    with pytest.raises(ConstraintViolation):
        await db.batch([Query(insert, ("a",)), Query(insert, ("a",))])
    assert await db.all("SELECT id FROM failed_tasks") == []
