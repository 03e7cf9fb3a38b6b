"""The local SQLite D1 caches prepared statements (as workerd does) and the authorizer still guards every statement a
caller supplies: a caller's text equal to one of our trusted internal statements is compiled under the caller's
rules, never served from the trusted compilation in the cache; and calls run off the event loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from local.d1 import D1Error, LocalD1
from local.d1.sqlite_backend import _COUNTERS


@pytest.mark.parametrize(
    "sql", [_COUNTERS, "PRAGMA journal_mode = WAL", "PRAGMA page_size", "SELECT key, value FROM _cf_METADATA"]
)
async def test_trusted_internal_text_sent_by_a_caller_is_still_refused(tmp_path: Path, sql: str) -> None:
    db = LocalD1(tmp_path / "d1.sqlite")
    backend = db.backend

    def run_trusted() -> None:  # as the backend runs its own statements: compiled trusted, then idle in the cache
        backend._trusted_sql.add(sql)
        with backend._trusted():
            backend._conn.execute(sql).fetchall()

    try:
        await backend._off_loop(run_trusted)
        for _ in range(2):
            with pytest.raises(D1Error, match=r"not authorized|prohibited"):
                await db.prepare(sql).all()
    finally:
        await db.close()


async def test_cached_caller_statements_keep_their_results_and_errors(tmp_path: Path) -> None:
    db = LocalD1(tmp_path / "d1.sqlite")
    try:
        await db.exec("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        for n in range(3):
            await db.prepare("INSERT INTO t (x) VALUES (?)").bind(n).run()
        with pytest.raises(D1Error, match="UNIQUE"):
            await db.prepare("INSERT INTO t (x) VALUES (?)").bind(1).run()
        rows = (await db.prepare("SELECT count(*) AS n FROM t").all())["results"]
        assert rows == [{"n": 3}]
        assert (db.counts.round_trips, db.counts.statements) == (6, 6)
    finally:
        await db.close()


async def test_calls_leave_the_event_loop_free(tmp_path: Path) -> None:
    db = LocalD1(tmp_path / "d1.sqlite")
    try:
        await db.exec("CREATE TABLE t (x)")
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        big = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT sum(i) FROM n"
        await db.prepare(big).all()
        task.cancel()
        assert ticks > 0  # the loop ran other work while SQLite did
    finally:
        await db.close()
