"""Every prospect list query — each sort, each filter, search — is served by an index: no full table scans."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.adapters.d1.prospect_queries import build_list_query
from shared.domain.prospect_query import ProspectQuery, SortKey
from shared.domain.prospects import EmailStatus, Stage, Tier

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    for migration in sorted((ROOT / "migrations").glob("*.sql")):
        conn.executescript(migration.read_text())
    yield conn
    conn.close()


QUERIES = [ProspectQuery(sort=sort) for sort in SortKey] + [
    ProspectQuery(stages=(Stage.NEW, Stage.READY)),
    ProspectQuery(tiers=(Tier.HOT,)),
    ProspectQuery(countries=("DE", "IT"), sort=SortKey.NAME_ASC),
    ProspectQuery(email_statuses=(EmailStatus.VALID,)),
    ProspectQuery(tag="spa"),
    ProspectQuery(campaign="c1"),
    ProspectQuery(search_terms=("grand", "munich")),
    ProspectQuery(archived=None, sort=SortKey.CREATED_ASC, after=("2026-01-01", "x")),
    ProspectQuery(stages=(Stage.NEW,), countries=("DE",), after=(50, "x")),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr(q)[13:80])
def test_no_full_scan(db: sqlite3.Connection, query: ProspectQuery) -> None:
    built = build_list_query(query)
    plan = [str(row[-1]) for row in db.execute("EXPLAIN QUERY PLAN " + built.sql, built.params)]
    full_scans = [step for step in plan if step.startswith("SCAN ") and " USING " not in step and "VIRTUAL" not in step]
    assert not full_scans, plan
